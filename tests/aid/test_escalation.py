"""件件有落实: a help request nobody handles in time climbs to the parent union, the worker is told,
the parent's staff get an alert, and the timeline says so. The clock is moved, not waited for."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from backend.aid.models import AidRequest
from backend.cases.models import StaffAlert
from backend.common.types import utcnow
from backend.extensions import db
from backend.jobs.cases import escalate_overdue_cases
from tests.aid import act, events, facts, member, notification_kinds, submit, walk
from tests.factories import auth


def test_an_unaccepted_request_escalates_to_the_town_union_after_three_days(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "waiting")
    request_id = submit(client, token).json["id"]
    submitted = db.session.get(AidRequest, request_id)
    assert submitted.due_at - submitted.submitted_at == timedelta(days=3)  # config/sla.yaml aid.submitted

    with time_machine.travel(utcnow() + timedelta(days=3) - timedelta(minutes=1), tick=False):
        assert escalate_overdue_cases() == 0  # not yet

    with time_machine.travel(utcnow() + timedelta(days=3, minutes=1), tick=False):
        assert escalate_overdue_cases() == 1
        db.session.rollback()
        case = db.session.get(AidRequest, request_id)
        assert case.org_id == tree.town_a.id and case.origin_org_id == tree.union_a1.id
        assert case.escalations == 1 and case.assignee_id is None and case.status == "submitted"
        assert case.due_at > utcnow()  # a fresh deadline at the new level

        alert = db.session.scalars(select(StaffAlert)).one()
        assert (alert.org_id, alert.kind, alert.case_type, alert.case_id) == (
            tree.town_a.id,
            "case.escalated",
            "aid",
            request_id,
        )
        escalate = events(request_id)[-1]
        assert escalate.action == "escalate" and escalate.actor_type == "system"
        assert escalate.detail == {"from_org_id": tree.union_a1.id, "to_org_id": tree.town_a.id}
        assert notification_kinds("waiting")[-1] == "case.escalated"

        # the base union lost it; the town union has it in its queue and may accept it
        base = factory.staff_token("t_union_a1")
        town = factory.staff_token("t_town_a")
        assert client.get(f"/api/v1/staff/aid-requests/{request_id}", headers=auth(base)).status_code == 404
        listed = client.get("/api/v1/staff/aid-requests", headers=auth(town)).json
        assert [(r["id"], r["escalations"]) for r in listed] == [(request_id, 1)]
        assert client.get("/api/v1/staff/alerts", headers=auth(town)).json[0]["case_id"] == request_id
        worker_view = client.get(
            f"/api/v1/aid-requests/{request_id}", headers=auth(factory.worker_token("waiting"))
        )
        assert worker_view.json["timeline"][-1]["action"] == "escalate"
        assert worker_view.json["org"]["id"] == tree.town_a.id
        assert act(client, town, request_id, "accept").status_code == 200

    # accepted, but only after escalating: not counted as accepted in time
    assert {f.kind for f in facts()} == {"aid.submitted"}


def test_each_overdue_state_escalates_one_level_at_a_time(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "stuck")
    request_id = submit(client, token).json["id"]
    walk(client, factory.staff_token("t_union_a1"), request_id, "verifying")  # 10 days to decide
    start = utcnow()

    with time_machine.travel(start + timedelta(days=10, minutes=1), tick=False):
        assert escalate_overdue_cases() == 1
    with time_machine.travel(start + timedelta(days=20, minutes=2), tick=False):
        assert escalate_overdue_cases() == 1
    db.session.rollback()
    case = db.session.get(AidRequest, request_id)
    assert case.org_id == tree.county_a.id and case.escalations == 2
    assert [e.detail["to_org_id"] for e in events(request_id) if e.action == "escalate"] == [
        tree.town_a.id,
        tree.county_a.id,
    ]
    assert notification_kinds("stuck").count("case.escalated") == 2


def test_finished_requests_never_escalate(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "finished")
    staff = factory.staff_token("t_union_a1")
    for state in ("rejected", "closed", "disbursed"):
        walk(client, staff, submit(client, token).json["id"], state)
    withdrawn = submit(client, token).json["id"]
    client.post(f"/api/v1/aid-requests/{withdrawn}/withdraw", headers=auth(token))

    with time_machine.travel(utcnow() + timedelta(days=400), tick=False):
        assert escalate_overdue_cases() == 0
    assert db.session.scalars(select(StaffAlert)).all() == []
