"""件件有落实，事事有回音: a wage claim nobody accepts in time climbs to the parent union; the worker
is told, the new node's staff are alerted, the timeline says so. The clock is moved, not waited for."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from backend.cases.models import CaseEvent, StaffAlert
from backend.common.types import utcnow
from backend.extensions import db
from backend.jobs.cases import escalate_overdue_cases
from backend.notify.models import Notification
from backend.wages.models import WageClaim
from tests.factories import auth
from tests.wages import act, filed


def test_an_overdue_claim_escalates_to_the_county_and_then_the_city(factory, client):
    tree = factory.org_tree()
    start = utcnow()
    with time_machine.travel(start, tick=False):
        worker = factory.worker_token("waiting")
        claim_id = filed(client, worker, tree.town_a.id)
        assert escalate_overdue_cases() == 0  # not yet due (24 hours to accept)

    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        assert escalate_overdue_cases() == 0

    later = start + timedelta(hours=25)
    with time_machine.travel(later, tick=False):
        assert escalate_overdue_cases() == 1
        db.session.expire_all()
        claim = db.session.get(WageClaim, claim_id)
        assert (claim.org_id, claim.origin_org_id, claim.escalations) == (tree.county_a.id, tree.town_a.id, 1)
        assert claim.status == "submitted" and claim.due_at == later + timedelta(hours=24)

        event = db.session.scalars(select(CaseEvent).order_by(CaseEvent.id.desc())).first()
        assert (event.case_type, event.case_id, event.action, event.actor_type) == (
            "wage",
            claim_id,
            "escalate",
            "system",
        )
        assert event.detail == {"from_org_id": tree.town_a.id, "to_org_id": tree.county_a.id}
        alert = db.session.scalars(select(StaffAlert)).one()
        assert (alert.org_id, alert.kind, alert.case_type, alert.case_id) == (
            tree.county_a.id,
            "case.escalated",
            "wage",
            claim_id,
        )
        told = db.session.scalars(select(Notification).order_by(Notification.id.desc())).first()
        assert told.kind == "case.escalated" and told.account_id == claim.account_id
        assert "欠薪求助" in told.body and "甲区总工会" in told.body

        worker = factory.worker_token("waiting")
        timeline = client.get(f"/api/v1/wage-claims/{claim_id}", headers=auth(worker)).json["timeline"]
        assert [(e["title"], e["org_name"]) for e in timeline] == [
            ("已提交欠薪求助", "甲区东街道工会"),
            ("超期未办结，已上报上级工会督办", "甲区总工会"),
        ]
        # the town no longer holds it; the county does, and finds it among its overdue-escalated work
        town = factory.staff_token("t_town_a")
        assert client.get(f"/api/v1/staff/wage-claims/{claim_id}", headers=auth(town)).status_code == 404
        county = factory.staff_token("t_county_a")
        detail = client.get(f"/api/v1/staff/wage-claims/{claim_id}", headers=auth(county)).json
        assert detail["escalations"] == 1 and detail["org"]["id"] == tree.county_a.id

    with time_machine.travel(later + timedelta(hours=25), tick=False):
        assert escalate_overdue_cases() == 1
        db.session.expire_all()
        assert db.session.get(WageClaim, claim_id).org_id == tree.city.id


def test_a_claim_accepted_in_time_does_not_escalate(factory, client):
    tree = factory.org_tree()
    start = utcnow()
    with time_machine.travel(start, tick=False):
        claim_id = filed(client, factory.worker_token("lucky"), tree.town_a.id)
        act(client, factory.staff_token("t_town_a"), claim_id, "accept")
    with time_machine.travel(start + timedelta(hours=30), tick=False):
        assert escalate_overdue_cases() == 0  # accepted: three days to start mediating
    with time_machine.travel(start + timedelta(days=4), tick=False):
        assert escalate_overdue_cases() == 1
    db.session.expire_all()
    assert db.session.get(WageClaim, claim_id).org_id == tree.county_a.id
