"""Helpers for the wage-claim tests (欠薪求助): a valid claim, and the calls the tests repeat."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select

from backend.extensions import db
from tests.factories import auth

_phones = itertools.count(1)


def claim_payload(org_id: int, **overrides) -> dict:
    """A claim as the mini-program sends it: one worker, owed since last autumn."""
    payload = {
        "org_id": org_id,
        "employer": "临汾恒达建筑有限公司",
        "project": "尧都区滨河花园三期工地",
        "amount_owed": "12800.00",
        "workers_owed": 1,
        "owed_since": "2025-10-01",
        "contact_phone": f"137{next(_phones):08d}",
    }
    payload.update(overrides)
    return payload


def submit(client, token: str, org_id: int, *, headers: dict | None = None, **overrides):
    return client.post(
        "/api/v1/wage-claims",
        json=claim_payload(org_id, **overrides),
        headers={**auth(token), **(headers or {})},
    )


def filed(client, token: str, org_id: int, **overrides) -> int:
    """Submit a claim that must be accepted by the API; its id."""
    response = submit(client, token, org_id, **overrides)
    assert response.status_code == 201, response.json
    return response.json["id"]


def act(client, staff_token: str, claim_id: int, action: str, **body):
    return client.post(
        f"/api/v1/staff/wage-claims/{claim_id}/transition",
        json={"action": action, **body},
        headers=auth(staff_token),
    )


def queue(client, staff_token: str, **params):
    return client.get("/api/v1/staff/wage-claims", query_string=params, headers=auth(staff_token))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
