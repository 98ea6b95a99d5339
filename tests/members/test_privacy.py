"""A worker's own data: a full export, and erasure (PIPL)."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from backend.aid.models import AidRequest
from backend.demo.content import seed_demo_content
from backend.demo.tree import DEMO_PASSWORD, seed_demo
from backend.events.models import Event, EventSignup
from backend.extensions import db
from backend.legal.models import LegalBooking, LegalCenter, LegalSlot
from backend.members.models import Member, MembershipApplication
from backend.members.privacy import ERASED_TEXT
from backend.notify.models import Notification
from backend.staff.models import Staff
from backend.wages.models import WageClaim
from tests.aid import submit as aid_submit
from tests.factories import application_payload, auth
from tests.wages import submit as wage_submit


def test_export_holds_everything_about_me_and_nothing_in_full(factory, client):
    tree = factory.org_tree()
    token = factory.member(tree, "exporter")
    client.post("/api/v1/subscriptions", json={"template_ids": ["TPL_REVIEW_RESULT"]}, headers=auth(token))
    exported = client.get("/api/v1/me/export", headers=auth(token))
    assert exported.status_code == 200
    body = exported.json
    assert body["member"]["card_no"] and len(body["applications"]) == 1
    assert [n["title"] for n in body["notifications"]] == ["入会申请已提交", "入会申请已通过"]
    assert body["subscriptions"][0]["template_id"] == "TPL_REVIEW_RESULT"
    application = db.session.scalars(select(MembershipApplication)).one()
    assert application.id_number not in exported.get_data(as_text=True)
    assert application.mobile not in exported.get_data(as_text=True)


def test_erasure_removes_the_person_and_keeps_an_anonymous_member_record(factory, client):
    tree = factory.org_tree()
    token = factory.member(tree, "leaver")
    application = db.session.scalars(select(MembershipApplication)).one()
    id_number = application.id_number

    refused = client.post("/api/v1/me/erase", json={"confirm": False}, headers=auth(token))
    assert refused.status_code == 422 and "confirm" in refused.json["errors"]
    erased = client.post("/api/v1/me/erase", json={"confirm": True}, headers=auth(token))
    assert erased.status_code == 200

    db.session.expire_all()
    member = db.session.scalars(select(Member)).one()
    assert (member.name, member.status, member.account_id, member.id_number) == ("已注销", "erased", None, "")
    assert member.org_id == tree.union_a1.id and member.card_no  # the anonymous record stays for statistics
    assert db.session.scalars(select(Notification)).all() == []
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401  # old tokens stop working

    # the same person may join again later: their ID number is free
    again = factory.worker_token("leaver")
    rejoin = client.post(
        "/api/v1/membership/applications",
        json=application_payload(tree.union_a1.id, id_number=id_number),
        headers=auth(again),
    )
    assert rejoin.status_code == 201, rejoin.json


def _demo_member(factory, client) -> tuple[str, Staff]:
    """A member of the demo union, in the demo city with its legal-aid centre and open event."""
    seed_demo(db.session)
    seed_demo_content(db.session)
    db.session.commit()
    union_admin = db.session.scalars(select(Staff).where(Staff.username == "demo_union")).one()
    token = factory.worker_token("everything")
    applied = factory.apply(token, union_admin.org_id, gender="female")
    assert applied.status_code == 201, applied.json
    login = client.post("/api/v1/staff/login", json={"username": "demo_county", "password": DEMO_PASSWORD})
    approved = factory.transition(login.json["access_token"], applied.json["id"], "approve")
    assert approved.status_code == 200, approved.json
    county = db.session.scalars(select(Staff).where(Staff.username == "demo_county")).one()
    return token, county


def test_export_and_erasure_reach_help_requests_wage_claims_bookings_and_sign_ups(factory, client):
    token, county = _demo_member(factory, client)
    assert aid_submit(client, token).status_code == 201
    crew = [{"name": "李四", "phone": "13912345678"}]
    wage = wage_submit(client, token, county.org_id, workers_owed=2, crew=crew, contact_name="王芳")
    assert wage.status_code == 201, wage.json
    center = db.session.scalars(select(LegalCenter)).one()
    slot = client.get("/api/v1/legal-aid/slots", query_string={"center_id": center.id}).json[0]
    booked = client.post(
        "/api/v1/legal-aid/bookings",
        json={"slot_id": slot["id"], "topic": "wages", "mode": "phone", "description": "老板拖欠三个月工资"},
        headers=auth(token),
    )
    assert booked.status_code == 201, booked.json
    event = db.session.scalars(select(Event)).one()
    signed = client.post(
        f"/api/v1/events/{event.id}/signups",
        json={"single_declared": True, "declaration_version": "2026-01"},
        headers=auth(token),
    )
    assert signed.status_code == 201, signed.json

    exported = client.get("/api/v1/me/export", headers=auth(token)).json
    for key in ("aid_requests", "wage_claims", "legal_bookings", "event_signups"):
        assert len(exported[key]) == 1, key
    assert exported["competition_entries"] == []
    assert "13912345678" not in json.dumps(exported, ensure_ascii=False)

    assert client.post("/api/v1/me/erase", json={"confirm": True}, headers=auth(token)).status_code == 200
    db.session.expire_all()
    request = db.session.scalars(select(AidRequest)).one()
    assert request.status == "withdrawn" and request.situation == ERASED_TEXT and request.illness is None
    claim = db.session.scalars(select(WageClaim)).one()
    assert (claim.contact_name, claim.contact_phone, claim.crew) == (None, "", None)
    assert claim.status == "submitted" and claim.amount_owed == Decimal("12800.00")  # still owed to the crew
    booking = db.session.scalars(select(LegalBooking)).one()
    assert booking.status == "cancelled" and booking.description is None
    assert db.session.get(LegalSlot, slot["id"]).booking_id is None  # free for the next worker
    signup = db.session.scalars(select(EventSignup)).one()
    assert signup.status == "cancelled" and db.session.get(Event, event.id).seated == 0
