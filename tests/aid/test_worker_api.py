"""The worker's side of 困难帮扶: submit (validated, idempotent, with evidence), follow, withdraw, rate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend.aid.models import AidRequest
from backend.cases.models import CaseEvent
from backend.extensions import db
from backend.notify.models import Notification
from backend.outbox.models import OutboxMessage
from backend.uploads.models import Upload
from tests.aid import act, illness_payload, member, payload, submit, upload, walk
from tests.factories import auth
from tests.notify.conftest import private_redis, queue_redis  # noqa: F401 (fixtures)
from tests.statements import inserted_tables, statements_sent


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (payload(category="gambling_debt"), "category", "取值应为：生活困难"),
        (payload(household_size=0), "household_size", "应大于或等于 1"),
        (payload(monthly_income="-1"), "monthly_income", "金额不能为负数"),
        (payload(amount_requested="0"), "amount_requested", "金额应大于 0"),
        (payload(amount_requested="12.345"), "amount_requested", "金额最多保留两位小数"),
        (payload(amount_requested="200000.01"), "amount_requested", "金额不能超过 200,000 元"),
        (payload(amount_requested="一千"), "amount_requested", "应为数字"),
        (payload(amount_requested=True), "amount_requested", "应为数字"),
        (payload(amount_requested="NaN"), "amount_requested", "不支持该数值"),
        (payload(situation="   "), "situation", "此项不能为空"),
        (payload(situation=None), "situation", "此项为必填项"),
        (illness_payload("8000", illness=None), "illness", "大病救助需填写此项"),
        (illness_payload("8000", reimbursed="8000.01"), "medical_reimbursed", "已报销金额不能超过医疗总费用"),
        (payload(illness="肺癌"), "illness", "仅大病救助需填写此项"),
        (payload(evidence_ids=list(range(1, 11))), "evidence_ids", "长度不能超过 9"),
        ({**payload(), "bank_card": "6222"}, "bank_card", "不支持的字段"),
    ],
)
def test_bad_input_is_refused_per_field_in_chinese_and_nothing_is_written(
    factory, client, body, field, message
):
    tree = factory.org_tree()
    token = member(factory, tree, "bad")
    before = count(OutboxMessage)
    response = submit(client, token, body)
    assert response.status_code == 422, response.json
    assert response.json["code"] == "validation_error"
    assert any(message in m for m in response.json["errors"][field]), response.json["errors"]
    assert count(AidRequest) == 0 and count(CaseEvent) == 0 and count(OutboxMessage) == before


def test_amounts_are_exact_decimals_never_floats(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "exact")
    created = submit(client, token, payload(amount_requested=4999.99, monthly_income=0))
    assert created.status_code == 201, created.json
    assert created.json["amount_requested"] == "4999.99" and created.json["monthly_income"] == "0.00"
    stored = db.session.get(AidRequest, created.json["id"])
    assert str(stored.amount_requested) == "4999.99"


def test_only_members_may_ask_for_help(factory, client):
    factory.org_tree()
    stranger = factory.worker_token("not-a-member")
    response = submit(client, stranger)
    assert response.status_code == 404 and response.json["code"] == "not_a_member"
    assert count(AidRequest) == 0


def test_a_retried_submission_creates_one_request(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "flaky")
    first = submit(client, token, payload(), **{"Idempotency-Key": "aid-1"})
    again = submit(client, token, payload(), **{"Idempotency-Key": "aid-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert count(AidRequest) == 1
    assert db.session.scalar(select(func.count()).where(Notification.kind == "aid.submitted")) == 1

    other = submit(client, token, payload(amount_requested="1"), **{"Idempotency-Key": "aid-1"})
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    assert count(AidRequest) == 1


def test_a_worker_sees_only_their_own_requests(factory, client):
    tree = factory.org_tree()
    owner = member(factory, tree, "owner")
    other = member(factory, tree, "other")
    mine = submit(client, owner).json["id"]
    submit(client, other)

    listed = client.get("/api/v1/aid-requests/mine", headers=auth(owner))
    assert [r["id"] for r in listed.json] == [mine]
    assert "X-Next-Cursor" not in listed.headers
    assert client.get(f"/api/v1/aid-requests/{mine + 1000}", headers=auth(owner)).status_code == 404
    assert client.get(f"/api/v1/aid-requests/{mine}", headers=auth(other)).status_code == 404
    assert client.post(f"/api/v1/aid-requests/{mine}/withdraw", headers=auth(other)).status_code == 404
    rating = client.post(f"/api/v1/aid-requests/{mine}/rating", json={"score": 1}, headers=auth(other))
    assert rating.status_code == 404
    assert db.session.get(AidRequest, mine).status == "submitted"


def test_staff_tokens_cannot_use_the_worker_endpoints(factory, client):
    factory.org_tree()
    staff = factory.staff_token("t_city")
    assert submit(client, staff).status_code == 403
    assert client.get("/api/v1/aid-requests/mine", headers=auth(staff)).status_code == 403


@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        ("submitted", True),
        ("accepted", True),
        ("verifying", True),
        ("approved", False),
        ("rejected", False),
        ("disbursed", False),
        ("closed", False),
    ],
)
def test_a_request_can_be_withdrawn_only_before_a_decision(factory, client, state, allowed):
    tree = factory.org_tree()
    token = member(factory, tree, f"withdraw-{state}")
    request_id = submit(client, token).json["id"]
    walk(client, factory.staff_token("t_union_a1"), request_id, state)
    response = client.post(f"/api/v1/aid-requests/{request_id}/withdraw", headers=auth(token))
    if allowed:
        assert response.status_code == 200, response.json
        assert response.json["status"] == "withdrawn" and response.json["can_withdraw"] is False
        assert response.json["closed_at"] is not None and response.json["due_at"] is None
        assert response.json["timeline"][-1]["action"] == "withdraw"
        again = client.post(f"/api/v1/aid-requests/{request_id}/withdraw", headers=auth(token))
        assert again.status_code == 409
    else:
        assert response.status_code == 409 and response.json["code"] == "illegal_transition"
        assert db.session.get(AidRequest, request_id).status == state


def test_a_closed_request_is_rated_once(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "rater")
    staff = factory.staff_token("t_union_a1")
    request_id = submit(client, token).json["id"]
    rate = f"/api/v1/aid-requests/{request_id}/rating"

    walk(client, staff, request_id, "disbursed")
    early = client.post(rate, json={"score": 5}, headers=auth(token))
    assert early.status_code == 409 and early.json["message"] == "当前状态（已发放）下不能执行该操作"
    assert act(client, staff, request_id, "close").status_code == 200

    for bad, field in (({"score": 6}, "score"), ({"score": 0}, "score"), ({}, "score")):
        refused = client.post(rate, json=bad, headers=auth(token))
        assert refused.status_code == 422 and field in refused.json["errors"]
    rated = client.post(rate, json={"score": 4, "comment": "  走访很细致  "}, headers=auth(token))
    assert rated.status_code == 200, rated.json
    assert rated.json["rating"] == 4 and rated.json["rating_comment"] == "走访很细致"
    twice = client.post(rate, json={"score": 1}, headers=auth(token))
    assert twice.status_code == 409 and twice.json["code"] == "already_rated"
    assert db.session.get(AidRequest, request_id).rating == 4


def test_evidence_is_attached_to_the_request(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "evidence")
    photos = [upload(client, token), upload(client, token)]
    created = submit(client, token, payload(evidence_ids=photos))
    assert created.status_code == 201, created.json
    assert [a["id"] for a in created.json["attachments"]] == photos
    stored = db.session.scalars(select(Upload).order_by(Upload.id)).all()
    assert {(u.case_type, u.case_id) for u in stored} == {("aid", created.json["id"])}

    reused = submit(client, token, payload(evidence_ids=[photos[0]]))
    assert reused.status_code == 422 and "evidence_ids" in reused.json["errors"]


def test_someone_elses_upload_cannot_be_attached(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "mine")
    thief = member(factory, tree, "thief")
    photo = upload(client, token)
    response = submit(client, thief, payload(evidence_ids=[photo]))
    assert response.status_code == 422
    assert response.json["errors"]["evidence_ids"] == [f"附件 {photo} 不存在或已被使用"]
    assert count(AidRequest) == 0 and count(CaseEvent) == 0
    assert db.session.get(Upload, photo).case_id is None


def test_a_request_runs_a_fixed_handful_of_statements(factory, client, queue_redis):  # noqa: F811
    """The phone's hot path: the household file and an earlier twin in one SELECT, and the answer
    (timeline, attachments) made from what was written rather than read back."""
    tree = factory.org_tree()
    token = member(factory, tree, "lean")
    with statements_sent() as statements:
        submitted = submit(client, token, **{"Idempotency-Key": "lean-aid-1"})
    assert submitted.status_code == 201, submitted.json
    assert [e["action"] for e in submitted.json["timeline"]] == ["submit"]
    assert submitted.json["attachments"] == []
    assert [s for s in statements if s.startswith("SELECT")] == [
        "SELECT orgs.id, orgs.parent_id,",  # the shared worker check (account, log-in session, member)
        "SELECT (SELECT needy_households.id",  # the household file, an earlier twin
    ]
    # the outbox's rows (the notification's send, the participation fact) go in one INSERT where
    # the server promises RETURNING's order (MariaDB), one each elsewhere
    assert sorted(set(inserted_tables(statements))) == [
        "aid_requests", "case_events", "idempotency_keys", "notifications", "outbox",
    ]  # fmt: skip
    assert len([s for s in statements if s != "INSERT INTO outbox"]) == 6, statements


def test_the_answer_to_a_request_is_what_its_page_shows_later(factory, client):
    """The timeline and attachments in the answer are made from what was written; reading the
    request back gives the same."""
    tree = factory.org_tree()
    token = member(factory, tree, "same")
    first = submit(client, token)
    evidence = [upload(client, token), upload(client, token)]
    twin = submit(client, token, payload(evidence_ids=list(reversed(evidence))))
    assert twin.status_code == 201, twin.json
    for answer in (first, twin):
        shown = client.get(f"/api/v1/aid-requests/{answer.json['id']}", headers=auth(token))
        assert shown.json == answer.json
    assert [a["id"] for a in twin.json["attachments"]] == sorted(evidence)
