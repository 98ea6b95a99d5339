"""The help-request state machine (DESIGN §3): the whole journey, and every state × every action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from backend.aid.models import AidRequest
from backend.audit.models import AuditLog
from backend.cases.models import CaseEvent
from backend.common.types import utcnow
from backend.extensions import db
from backend.notify.models import Notification
from tests.aid import PATH, act, facts, member, notification_kinds, payload, submit, walk
from tests.factories import auth

# What may happen in each state, written out by hand (not read from the code under test).
# Staff act through /staff/aid-requests/{id}/transition; the worker withdraws and rates.
LEGAL = {
    "submitted": {"accept": "accepted", "withdraw": "withdrawn"},
    "accepted": {"verify": "verifying", "withdraw": "withdrawn"},
    "verifying": {"approve": "approved", "reject": "rejected", "withdraw": "withdrawn"},
    "approved": {"disburse": "disbursed"},
    "rejected": {},
    "disbursed": {"close": "closed"},
    "closed": {"rate": "closed"},
    "withdrawn": {},
}
STAFF_ACTIONS = ["accept", "verify", "approve", "reject", "disburse", "close"]
WORKER_ACTIONS = ["withdraw", "rate"]
BODIES = {"approve": {"amount": "1500"}, "reject": {"note": "经核实不符合帮扶条件"}}


def test_a_request_goes_from_submission_to_rating(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "journey")
    staff = factory.staff_token("t_union_a1")

    created = submit(client, token)
    assert created.status_code == 201, created.json
    case = created.json
    assert case["status"] == "submitted" and case["status_label"] == "待受理"
    assert case["org"]["id"] == tree.union_a1.id
    assert case["due_at"] is not None and case["can_withdraw"] is True

    detail = client.get(f"/api/v1/staff/aid-requests/{case['id']}", headers=auth(staff)).json
    assert [a["action"] for a in detail["allowed_actions"]] == ["accept"]

    accepted = act(client, staff, case["id"], "accept", note="已电话联系")
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["assignee_id"] == tree.staff["t_union_a1"].id  # accepting makes you the owner
    assert act(client, staff, case["id"], "verify").json["status"] == "verifying"
    approved = act(client, staff, case["id"], "approve", amount="2500.50", note="走访属实")
    assert approved.json["status"] == "approved" and approved.json["approved_amount"] == "2500.50"
    disbursed = act(client, staff, case["id"], "disburse")
    assert disbursed.status_code == 200, disbursed.json
    assert disbursed.json["disbursed_amount"] == "2500.50"  # defaults to the approved amount
    assert disbursed.json["disbursed_on"] is not None
    closed = act(client, staff, case["id"], "close")
    assert closed.json["status"] == "closed" and closed.json["closed_at"] is not None
    assert closed.json["due_at"] is None and closed.json["allowed_actions"] == []

    rated = client.post(
        f"/api/v1/aid-requests/{case['id']}/rating",
        json={"score": 5, "comment": "很及时"},
        headers=auth(token),
    )
    assert rated.status_code == 200, rated.json
    assert rated.json["rating"] == 5 and rated.json["can_rate"] is False

    mine = client.get(f"/api/v1/aid-requests/{case['id']}", headers=auth(token)).json
    assert [e["action"] for e in mine["timeline"]] == [
        "submit",
        "accept",
        "verify",
        "approve",
        "disburse",
        "close",
        "rate",
    ]  # the internal 'assign' line is not shown to the worker …
    assert all("actor_id" not in e for e in mine["timeline"])  # … nor who the staff member was
    assert mine["timeline"][3]["note"] == "走访属实"

    staff_view = client.get(f"/api/v1/staff/aid-requests/{case['id']}", headers=auth(staff)).json
    assert "assign" in [e["action"] for e in staff_view["timeline"]]
    approve_event = next(e for e in staff_view["timeline"] if e["action"] == "approve")
    assert approve_event["detail"] == {"amount": "2500.50"}

    kinds = [k for k in notification_kinds("journey") if k.startswith("aid.")]
    assert kinds == [
        "aid.submitted",
        "aid.accepted",
        "aid.verifying",
        "aid.approved",
        "aid.disbursed",
        "aid.closed",
    ]

    recorded = {(f.kind, f.ref_id) for f in facts()}
    assert recorded == {
        ("aid.submitted", case["id"]),
        ("aid.accepted_in_time", case["id"]),
        ("aid.disbursed", case["id"]),
        ("aid.rated", case["id"]),
    }
    audited = db.session.scalars(select(AuditLog.action).where(AuditLog.target_type == "aid")).all()
    assert set(audited) == {
        "aid.accept",
        "aid.assign",
        "aid.verify",
        "aid.approve",
        "aid.disburse",
        "aid.close",
    }


def test_the_worker_is_told_the_amount_and_the_reason(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "told")
    staff = factory.staff_token("t_union_a1")
    approved = submit(client, token).json["id"]
    walk(client, staff, approved, "approved")
    rejected = submit(client, token, payload(category="education")).json["id"]
    walk(client, staff, rejected, "rejected")
    bodies = {n.kind: n.body for n in db.session.scalars(select(Notification))}
    assert "2000.00 元" in bodies["aid.approved"]
    assert "家庭收入高于困难标准" in bodies["aid.rejected"]


def test_accepting_after_the_deadline_is_not_counted_as_in_time(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "late")
    staff = factory.staff_token("t_union_a1")
    request_id = submit(client, token).json["id"]
    db.session.execute(
        update(AidRequest).where(AidRequest.id == request_id).values(due_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    assert act(client, staff, request_id, "accept").status_code == 200
    assert {f.kind for f in facts()} == {"aid.submitted"}


def test_a_rejection_needs_a_reason_and_an_approval_needs_an_amount(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "needs")
    staff = factory.staff_token("t_union_a1")
    request_id = submit(client, token).json["id"]
    walk(client, staff, request_id, "verifying")

    no_reason = act(client, staff, request_id, "reject", note="  ")
    assert no_reason.status_code == 422 and "note" in no_reason.json["errors"]
    no_amount = act(client, staff, request_id, "approve")
    assert no_amount.status_code == 422 and no_amount.json["errors"]["amount"] == ["请填写批准的帮扶金额"]
    bad_amount = act(client, staff, request_id, "approve", amount="100.001")
    assert bad_amount.status_code == 422 and "两位小数" in bad_amount.json["errors"]["amount"][0]
    stray = act(client, staff, request_id, "reject", note="不符合", amount="100")
    assert stray.status_code == 422 and stray.json["errors"]["amount"] == ["该操作不需要填写此项"]
    assert db.session.get(AidRequest, request_id).status == "verifying"

    approved = act(client, staff, request_id, "approve", amount="800")
    assert approved.status_code == 200
    too_much = act(client, staff, request_id, "disburse", amount="800.01")
    assert too_much.status_code == 422 and "不能超过批准金额" in too_much.json["errors"]["amount"][0]
    future = act(
        client, staff, request_id, "disburse", disbursed_on=(utcnow() + timedelta(days=3)).date().isoformat()
    )
    assert future.status_code == 422 and future.json["errors"]["disbursed_on"] == ["发放日期不能晚于今天"]
    partial = act(client, staff, request_id, "disburse", amount="600")
    assert partial.status_code == 200 and partial.json["disbursed_amount"] == "600.00"


def _force(request_id: int, status: str) -> None:
    """Put a request straight into ``status`` (with what that state implies) for the matrix."""
    values = {
        "status": status,
        "approved_amount": 2000 if status in ("approved", "disbursed", "closed") else None,
    }
    db.session.execute(update(AidRequest).where(AidRequest.id == request_id).values(**values))
    db.session.commit()


@pytest.mark.parametrize("state", list(LEGAL))
def test_every_action_in_every_state_is_allowed_or_refused_with_409(factory, client, state):
    tree = factory.org_tree()
    token = member(factory, tree, f"matrix-{state}")
    staff = factory.staff_token("t_union_a1")
    request_id = submit(client, token).json["id"]

    for action in STAFF_ACTIONS + WORKER_ACTIONS:
        for actor in ("staff", "worker"):
            if actor == "worker" and action not in WORKER_ACTIONS:
                continue  # the worker has no endpoint for staff actions
            _force(request_id, state)
            before = db.session.scalar(select(func.count()).select_from(CaseEvent))
            if actor == "staff":
                response = act(client, staff, request_id, action, **BODIES.get(action, {}))
            elif action == "withdraw":
                response = client.post(f"/api/v1/aid-requests/{request_id}/withdraw", headers=auth(token))
            else:
                db.session.execute(
                    update(AidRequest).where(AidRequest.id == request_id).values(rated_at=None)
                )
                db.session.commit()
                response = client.post(
                    f"/api/v1/aid-requests/{request_id}/rating", json={"score": 4}, headers=auth(token)
                )
            legal = actor == ("worker" if action in WORKER_ACTIONS else "staff") and action in LEGAL[state]
            where = f"{actor} {action} in {state}"
            if legal:
                assert response.status_code == 200, (where, response.json)
                assert response.json["status"] == LEGAL[state][action], where
            else:
                assert response.status_code == 409, (where, response.json)
                assert response.json["code"] == "illegal_transition", where
                assert "不能执行该操作" in response.json["message"], where
                db.session.rollback()
                assert db.session.get(AidRequest, request_id).status == state, where
                assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == before, where


def test_the_path_table_reaches_every_state_it_names(factory, client):
    """The helper other tests use walks the real API: every state it names is reached."""
    tree = factory.org_tree()
    token = member(factory, tree, "paths")
    staff = factory.staff_token("t_union_a1")
    for state in PATH:
        request_id = submit(client, token, payload(category="other", situation=state)).json["id"]
        walk(client, staff, request_id, state)
        assert db.session.get(AidRequest, request_id).status == state
