"""Builders shared by the help-request (困难帮扶) tests: members, requests, staff steps, and reading
what a request left behind (timeline, notifications, participation facts)."""

from __future__ import annotations

import io

from sqlalchemy import select

from backend.cases.models import CaseEvent
from backend.extensions import db
from backend.jobs.outbox import run_outbox_message
from backend.members.models import WxAccount
from backend.notify.models import Notification
from backend.outbox.models import OutboxMessage
from backend.participation.models import ParticipationFact
from tests.factories import Factory, Tree, auth

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200

# The staff steps that lead from a fresh request to each state, with what each step needs.
PATH = {
    "submitted": [],
    "accepted": [("accept", {})],
    "verifying": [("accept", {}), ("verify", {})],
    "approved": [("accept", {}), ("verify", {}), ("approve", {"amount": "2000"})],
    "rejected": [("accept", {}), ("verify", {}), ("reject", {"note": "家庭收入高于困难标准"})],
    "disbursed": [("accept", {}), ("verify", {}), ("approve", {"amount": "2000"}), ("disburse", {})],
    "closed": [
        ("accept", {}),
        ("verify", {}),
        ("approve", {"amount": "2000"}),
        ("disburse", {}),
        ("close", {}),
    ],
}


def member(factory: Factory, tree: Tree, code: str, *, worker_type: str = "regular", org=None) -> str:
    """A worker who has joined ``org`` (default 甲区建筑公司工会) as ``worker_type``; their token."""
    token = factory.worker_token(code)
    applied = factory.apply(token, (org or tree.union_a1).id, worker_type=worker_type)
    assert applied.status_code == 201, applied.json
    approved = factory.transition(factory.staff_token("t_city"), applied.json["id"], "approve")
    assert approved.status_code == 200, approved.json
    return token


def payload(**overrides) -> dict:
    body = {
        "category": "living_hardship",
        "household_size": 4,
        "monthly_income": "1800.00",
        "situation": "爱人下岗，两个孩子上学，房租负担重",
        "amount_requested": "3000",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def illness_payload(total: str, reimbursed: str = "0", illness: str = "肺癌", **overrides) -> dict:
    return payload(
        category="serious_illness",
        illness=illness,
        medical_total=total,
        medical_reimbursed=reimbursed,
        **overrides,
    )


def submit(client, token: str, body: dict | None = None, **headers):
    return client.post("/api/v1/aid-requests", json=body or payload(), headers={**auth(token), **headers})


def act(client, staff_token: str, request_id: int, action: str, **body):
    return client.post(
        f"/api/v1/staff/aid-requests/{request_id}/transition",
        json={"action": action, **body},
        headers=auth(staff_token),
    )


def walk(client, staff_token: str, request_id: int, to: str) -> None:
    """Take a submitted request to ``to`` through the staff API."""
    for action, body in PATH[to]:
        response = act(client, staff_token, request_id, action, **body)
        assert response.status_code == 200, (action, response.json)


def upload(client, token: str, data: bytes = JPEG, name: str = "photo.jpg") -> int:
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(data), name)},
        headers=auth(token),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def events(request_id: int) -> list[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_type == "aid", CaseEvent.case_id == request_id)
    return list(db.session.scalars(stmt.order_by(CaseEvent.id)))


def notification_kinds(code: str) -> list[str]:
    account = db.session.scalars(select(WxAccount).where(WxAccount.openid == f"o_{code}")).one()
    stmt = select(Notification.kind).where(Notification.account_id == account.id).order_by(Notification.id)
    return list(db.session.scalars(stmt))


def facts(kind_prefix: str = "aid.") -> list[ParticipationFact]:
    """The participation facts recorded so far. Embedded mode ran their jobs inline already; with
    Redis the jobs wait on the queue, so run the pending outbox rows here as a worker would."""
    pending = select(OutboxMessage.id).where(
        OutboxMessage.pending.is_(True), OutboxMessage.topic == "participation.record"
    )
    for message_id in db.session.scalars(pending).all():
        run_outbox_message(message_id)
    db.session.rollback()
    stmt = select(ParticipationFact).where(ParticipationFact.kind.startswith(kind_prefix))
    return list(db.session.scalars(stmt.order_by(ParticipationFact.id)))
