"""A WeChat user cannot learn whether an ID number belongs to a member or is being applied for, and
cannot keep trying: applications are limited per account."""

from __future__ import annotations

import dataclasses

import pytest

from backend.extensions import limiter
from tests.factories import application_payload, auth


@pytest.fixture
def shipped_application_limit(app):
    limiter.reset()
    settings = app.extensions["zhigong.settings"]
    default = type(settings)().application_rate_limit
    app.extensions["zhigong.settings"] = dataclasses.replace(settings, application_rate_limit=default)
    yield default
    app.extensions["zhigong.settings"] = settings
    limiter.reset()


def _apply(client, token, payload):
    return client.post("/api/v1/membership/applications", json=payload, headers=auth(token))


def test_the_answer_is_the_same_for_a_member_a_pending_and_an_unknown_id_number(factory, client):
    tree = factory.org_tree()
    member_payload = application_payload(tree.union_a1.id)
    pending_payload = application_payload(tree.union_a1.id)
    approved = _apply(client, factory.worker_token("real-member"), member_payload)
    factory.transition(factory.staff_token("t_city"), approved.json["id"], "approve")
    _apply(client, factory.worker_token("real-applicant"), pending_payload)

    answers = []
    for name, payload in (
        ("member", member_payload),
        ("pending", pending_payload),
        ("unknown", application_payload(tree.union_a1.id)),
    ):
        response = _apply(client, factory.worker_token(f"prober-{name}"), {**payload, "name": "张建国"})
        answers.append((response.status_code, sorted(response.json), response.json["status"]))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 201


def test_applications_are_limited_per_account(factory, client, shipped_application_limit):
    assert shipped_application_limit == "5 per day"
    tree = factory.org_tree()
    token = factory.worker_token("persistent-prober")
    statuses = []
    for _ in range(7):
        response = _apply(client, token, application_payload(tree.union_a1.id, consent_version="2020-01"))
        statuses.append(response.status_code)
    assert statuses == [422] * 5 + [429, 429]
    refused = _apply(client, token, application_payload(tree.union_a1.id))
    assert refused.status_code == 429 and "频繁" in refused.json["message"]
    # another account is not affected
    other = _apply(client, factory.worker_token("someone-new"), application_payload(tree.union_a1.id))
    assert other.status_code == 201
