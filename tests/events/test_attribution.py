"""Whose union scores an event: every 联谊交友 participation fact is credited to the member's own
union (as competition and legal-aid facts are), never to the county that organised the event, so a
base union whose members take part counts them on "参加联谊活动人次"."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.outbox.models import OutboxMessage
from tests.events import add_members, move_event, publish_event, sign_up, staff_token
from tests.factories import auth

STAFF_API = "/api/v1/staff/events"


def facts(kind: str) -> dict[int, int]:
    """{member_id: credited org_id} of the facts of one kind."""
    db.session.rollback()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "participation.record"))
    return {r.payload["member_id"]: r.payload["org_id"] for r in rows if r.payload["kind"] == kind}


def _check_in(client, token: str, event_id: int, who) -> None:
    shown = client.get(f"/api/v1/events/{event_id}/ticket", headers=who.headers)
    done = client.post(
        f"{STAFF_API}/{event_id}/check-in", json={"token": shown.json["qr_payload"]}, headers=auth(token)
    )
    assert done.status_code == 200, done.json


def test_every_event_fact_is_credited_to_the_attendee_s_union_not_the_organiser(factory, client):
    tree = factory.org_tree()
    county = staff_token(tree, "t_county_a")
    event = publish_event(client, county, capacity=2, male_quota=1, female_quota=1)
    he, later = add_members(tree.union_a1, [("male", date(1993, 5, 5))] * 2)
    (she,) = add_members(tree.union_a2, [("female", date(1995, 6, 6))])
    for who in (he, she, later):
        assert sign_up(client, who, event["id"]).status_code == 201
    assert client.post(f"/api/v1/events/{event['id']}/signups/cancel", headers=he.headers).status_code == 200

    _check_in(client, county, event["id"], later)
    _check_in(client, county, event["id"], she)
    move_event(event["id"], timedelta(hours=-6))
    url = f"/api/v1/events/{event['id']}/interests"
    assert client.post(url, json={"member_ids": [she.member_id]}, headers=later.headers).status_code == 200
    assert client.post(url, json={"member_ids": [later.member_id]}, headers=she.headers).status_code == 200

    a1, a2 = tree.union_a1.id, tree.union_a2.id
    assert facts("event.signed_up") == {he.member_id: a1, she.member_id: a2, later.member_id: a1}
    assert facts("event.signup_cancelled") == {he.member_id: a1}
    assert facts("event.promoted") == {later.member_id: a1}
    assert facts("event.attended") == {later.member_id: a1, she.member_id: a2}
    assert facts("event.matched") == {later.member_id: a1, she.member_id: a2}
    credited = {
        org
        for kind in ("signed_up", "promoted", "attended", "matched")
        for org in facts(f"event.{kind}").values()
    }
    assert tree.county_a.id not in credited
