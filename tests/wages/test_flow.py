"""The wage-claim flow held as data: every allowed transition, every refused one, the outcome each
records, the worker told at every step, the union credited, every staff action audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.cases.models import CaseEvent
from backend.common.types import utcnow
from backend.extensions import db
from backend.notify.models import Notification
from backend.participation.models import ParticipationFact
from backend.wages.flow import WAGE_FLOW
from backend.wages.models import WageClaim, WageStatus
from tests.notify.conftest import private_redis, queue_redis, work  # noqa: F401 (fixtures)
from tests.wages import act, filed

BODIES = {
    "accept": {},
    "mediate": {"note": "已约用人单位周三到街道调解室"},
    "refer": {"referral_target": "labour_inspection", "note": "用人单位拒不到场"},
    "resolve": {"amount_recovered": "12800.00", "workers_paid": 1},
    "close": {"note": "用人单位已注销，老板失联"},
}
# How to bring a new claim to each state.
PATHS = {
    "submitted": [],
    "accepted": ["accept"],
    "mediating": ["accept", "mediate"],
    "referred": ["accept", "mediate", "refer"],
    "resolved": ["accept", "mediate", "resolve"],
    "closed_unresolved": ["accept", "close"],
}
LEGAL = [
    ("submitted", "accept", "accepted", "欠薪求助已受理"),
    ("accepted", "mediate", "mediating", "工会正在为您调解"),
    ("mediating", "refer", "referred", "欠薪求助已转办"),
    ("mediating", "resolve", "resolved", "欠薪已追回"),
    ("referred", "resolve", "resolved", "欠薪已追回"),
    ("accepted", "close", "closed_unresolved", "欠薪求助已结案"),
    ("mediating", "close", "closed_unresolved", "欠薪求助已结案"),
    ("referred", "close", "closed_unresolved", "欠薪求助已结案"),
]
ACTIONS = sorted(BODIES)
ILLEGAL = [
    (state, action)
    for state in PATHS
    for action in [*ACTIONS, "approve", "withdraw"]
    if not any(s == state and a == action for s, a, _, _ in LEGAL)
]


def test_the_tables_above_are_the_flow():
    for state, action, target, _ in LEGAL:
        assert WAGE_FLOW.transition(state, action, "staff").target == target
    assert set(PATHS) == {str(s) for s in WageStatus}
    assert len(LEGAL) + len(ILLEGAL) == len(PATHS) * (len(ACTIONS) + 2)


def bring_to(client, staff: str, claim_id: int, state: str) -> None:
    for action in PATHS[state]:
        response = act(client, staff, claim_id, action, **BODIES[action])
        assert response.status_code == 200, (action, response.json)


@pytest.mark.parametrize(("state", "action", "target", "title"), LEGAL)
def test_each_allowed_transition_moves_the_claim_and_tells_the_worker(
    factory, client, state, action, target, title
):
    tree = factory.org_tree()
    worker = factory.worker_token("flow")
    claim_id = filed(client, worker, tree.town_a.id)
    staff = factory.staff_token("t_town_a")
    bring_to(client, staff, claim_id, state)

    response = act(client, staff, claim_id, action, **BODIES[action])
    assert response.status_code == 200, response.json
    assert response.json["status"] == target
    assert response.json["allowed_actions"] == [t.action for t in WAGE_FLOW.actions(target, "staff")]
    # the transition's own line (taking an unowned claim adds an "assign" line after it)
    last = [e for e in response.json["timeline"] if e["action"] != "assign"][-1]
    assert (last["action"], last["from_status"], last["to_status"], last["actor_type"]) == (
        action,
        state,
        target,
        "staff",
    )
    assert last["note"] == BODIES[action].get("note")

    inbox = db.session.scalars(select(Notification).order_by(Notification.id.desc())).first()
    assert inbox.kind == f"wage.{target}" and inbox.title == title
    audited = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (audited.action, audited.target_type, audited.target_id) == (f"wage.{action}", "wage", claim_id)
    assert audited.staff_id == tree.staff["t_town_a"].id

    claim = db.session.get(WageClaim, claim_id)
    if target in ("resolved", "closed_unresolved"):
        assert claim.closed_at is not None and claim.due_at is None
    else:
        assert claim.due_at is not None and claim.closed_at is None
    worker_view = client.get(f"/api/v1/wage-claims/{claim_id}", headers={"Authorization": f"Bearer {worker}"})
    assert worker_view.json["status"] == target
    assert len(worker_view.json["timeline"]) == len(PATHS[state]) + 2  # submit + the path + this one


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_other_transition_is_refused_with_409_and_changes_nothing(factory, client, state, action):
    tree = factory.org_tree()
    claim_id = filed(client, factory.worker_token("flow"), tree.town_a.id)
    staff = factory.staff_token("t_county_a")
    bring_to(client, staff, claim_id, state)
    events = db.session.scalars(select(CaseEvent.id)).all()
    notifications = db.session.scalars(select(Notification.id)).all()

    response = act(client, staff, claim_id, action, **BODIES.get(action, {}))
    assert response.status_code == 409, response.json
    assert response.json["code"] == "illegal_transition" and "当前状态" in response.json["message"]
    db.session.expire_all()
    assert db.session.get(WageClaim, claim_id).status == state
    assert db.session.scalars(select(CaseEvent.id)).all() == events
    assert db.session.scalars(select(Notification.id)).all() == notifications


@pytest.mark.parametrize(
    ("state", "action", "body", "field"),
    [
        ("mediating", "refer", {}, "referral_target"),
        ("mediating", "refer", {"referral_target": "police"}, "referral_target"),
        ("mediating", "resolve", {"workers_paid": 1}, "amount_recovered"),
        ("mediating", "resolve", {"amount_recovered": "100"}, "workers_paid"),
        ("mediating", "resolve", {"amount_recovered": "100", "workers_paid": 3}, "workers_paid"),
        ("mediating", "resolve", {"amount_recovered": "0", "workers_paid": 1}, "amount_recovered"),
        ("mediating", "resolve", {"amount_recovered": "1.005", "workers_paid": 1}, "amount_recovered"),
        ("referred", "close", {}, "note"),
        ("referred", "close", {"note": "   "}, "note"),
        ("submitted", "accept", {"amount_recovered": "100"}, "amount_recovered"),
        ("accepted", "mediate", {"referral_target": "arbitration"}, "referral_target"),
    ],
)
def test_what_an_action_records_is_checked_per_field(factory, client, state, action, body, field):
    tree = factory.org_tree()
    claim_id = filed(client, factory.worker_token("flow"), tree.town_a.id, workers_owed=2)
    staff = factory.staff_token("t_town_a")
    bring_to(client, staff, claim_id, state)
    response = act(client, staff, claim_id, action, **body)
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]) == [field]
    db.session.expire_all()
    assert db.session.get(WageClaim, claim_id).status == state


def test_the_outcome_is_recorded_and_the_union_credited(factory, client, queue_redis):  # noqa: F811
    tree = factory.org_tree()
    worker = factory.worker_token("paid")
    claim_id = filed(client, worker, tree.town_a.id, workers_owed=6, amount_owed="90000")
    staff = factory.staff_token("t_town_a")
    bring_to(client, staff, claim_id, "referred")
    resolved = act(client, staff, claim_id, "resolve", amount_recovered="86500.50", workers_paid=5)
    assert resolved.status_code == 200
    assert resolved.json["amount_recovered"] == "86500.50" and resolved.json["workers_paid"] == 5
    assert resolved.json["referral_label"] == "劳动保障监察"
    work(queue_redis)

    claim = db.session.get(WageClaim, claim_id)
    assert claim.amount_recovered == Decimal("86500.50") and claim.workers_paid == 5
    assert claim.resolved_at is not None and claim.referral_target == "labour_inspection"
    facts = db.session.execute(select(ParticipationFact.kind, ParticipationFact.org_id)).all()
    assert sorted(facts) == [("wage.accepted_in_time", tree.town_a.id), ("wage.resolved", tree.town_a.id)]
    body = db.session.scalars(select(Notification.body).where(Notification.kind == "wage.resolved")).one()
    assert "追回工资86500.50元" in body and "5人已拿到工资" in body

    detail = client.get(f"/api/v1/wage-claims/{claim_id}", headers={"Authorization": f"Bearer {worker}"}).json
    assert [e["title"] for e in detail["timeline"]] == [
        "已提交欠薪求助",
        "工会已受理",
        "工会开始调解",
        "已转办：劳动保障监察",
        "欠薪已追回",
    ]


def test_a_claim_accepted_after_its_deadline_earns_no_in_time_credit(factory, client, queue_redis):  # noqa: F811
    tree = factory.org_tree()
    claim_id = filed(client, factory.worker_token("late"), tree.town_a.id)
    with time_machine.travel(utcnow() + timedelta(hours=30), tick=False):
        staff = factory.staff_token("t_town_a")
        assert act(client, staff, claim_id, "accept").status_code == 200
    work(queue_redis)
    assert db.session.scalars(select(ParticipationFact)).all() == []


def test_a_closed_claim_keeps_its_reason(factory, client):
    tree = factory.org_tree()
    worker = factory.worker_token("closed")
    claim_id = filed(client, worker, tree.town_a.id)
    staff = factory.staff_token("t_town_a")
    bring_to(client, staff, claim_id, "closed_unresolved")
    detail = client.get(f"/api/v1/wage-claims/{claim_id}", headers={"Authorization": f"Bearer {worker}"}).json
    assert detail["status_label"] == "未能解决" and detail["close_reason"] == BODIES["close"]["note"]
    assert detail["timeline"][-1]["note"] == BODIES["close"]["note"]
