"""联谊交友, the member's side: find an event, sign up for a seat or the waitlist, cancel, and the
promotion that a freed seat causes — over the Flask test client."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update

from backend.common.types import utcnow
from backend.events.core import event_day
from backend.events.models import Event, EventSignup, EventStatus
from backend.extensions import db
from backend.notify.models import Notification
from backend.outbox.models import OutboxMessage
from tests.events import (
    Person,
    add_members,
    event_payload,
    event_row,
    move_event,
    person,
    publish_event,
    sign_up,
    signups,
    staff_token,
)
from tests.factories import auth
from tests.notify.conftest import private_redis, queue_redis  # noqa: F401 (fixtures)
from tests.statements import inserted_tables, statements_sent


def told(who: Person) -> list[str]:
    db.session.rollback()
    stmt = (
        select(Notification.kind).where(Notification.account_id == who.account_id).order_by(Notification.id)
    )
    return list(db.session.scalars(stmt))


def facts(kind: str) -> list[dict]:
    db.session.rollback()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "participation.record"))
    return [row.payload for row in rows if row.payload["kind"] == kind]


def status_of(event_id: int) -> dict[int, tuple[str, int | None]]:
    return {s.member_id: (s.status, s.waitlist_position) for s in signups(event_id)}


def test_a_member_signs_up_for_a_seat_and_finds_it_in_their_list(factory, client):
    tree = factory.org_tree()
    event = publish_event(client, staff_token(tree, "t_county_a"))
    she = person(tree.union_a1, "female")

    listed = client.get("/api/v1/events", headers=she.headers)
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json] == [event["id"]]
    assert listed.json[0]["seats_left"] == 4 and listed.json[0]["signup_open"] is True

    signed = sign_up(client, she, event["id"], nickname="小李")
    assert signed.status_code == 201, signed.json
    assert signed.json["status"] == "seated" and signed.json["status_label"] == "报名成功"
    assert signed.json["waitlist_position"] is None
    assert signed.json["declaration_version"] == "2026-01" and signed.json["single_declared_at"]

    after = client.get("/api/v1/events", headers=she.headers).json[0]
    assert (after["seats_left"], after["seats_left_female"], after["seats_left_male"]) == (3, 1, 2)
    mine = client.get("/api/v1/events/mine", headers=she.headers).json
    assert [(m["event"]["id"], m["status"], m["waitlist_ahead"]) for m in mine] == [
        (event["id"], "seated", None)
    ]
    detail = client.get(f"/api/v1/events/{event['id']}", headers=she.headers).json
    assert detail["my_signup"]["id"] == signed.json["id"]
    assert detail["can_sign_up"] is False and detail["reason"] == "您已报名该活动"
    assert detail["declaration"]["version"] == "2026-01" and "单身" in detail["declaration"]["text"]

    assert told(she) == ["event.signed_up"]
    assert [(f["member_id"], f["ref_id"]) for f in facts("event.signed_up")] == [
        (she.member_id, signed.json["id"])
    ]
    again = sign_up(client, she, event["id"])
    assert again.status_code == 409 and again.json["code"] == "already_signed_up"


def test_when_a_gender_quota_is_full_the_next_of_that_gender_waits_in_arrival_order(factory, client):
    tree = factory.org_tree()
    event = publish_event(client, staff_token(tree, "t_county_a"))  # 4 seats: 2 men, 2 women
    m1, m2, m3, m4 = add_members(tree.union_a1, [("male", date(1995, 1, 1))] * 4)
    (f1,) = add_members(tree.union_a2, [("female", date(1996, 1, 1))])
    for who in (m1, m2, m3, f1, m4):
        assert sign_up(client, who, event["id"]).status_code == 201

    assert status_of(event["id"]) == {
        m1.member_id: ("seated", None),
        m2.member_id: ("seated", None),
        m3.member_id: ("waitlisted", 1),
        f1.member_id: ("seated", None),
        m4.member_id: ("waitlisted", 2),
    }
    mine = client.get("/api/v1/events/mine", headers=m4.headers).json[0]
    assert mine["status_label"] == "候补中" and mine["waitlist_position"] == 2 and mine["waitlist_ahead"] == 1
    assert told(m4) == ["event.waitlisted"]
    row = event_row(event["id"])
    assert (row.seated, row.seated_male, row.seated_female, row.waitlist_seq) == (3, 2, 1, 2)


def test_a_cancellation_promotes_exactly_the_next_person_of_the_freed_seats_gender(factory, client):
    tree = factory.org_tree()
    event = publish_event(client, staff_token(tree, "t_county_a"))  # 2 men, 2 women
    m1, m2, m3, m4 = add_members(tree.union_a1, [("male", date(1995, 1, 1))] * 4)
    f1, f2, f3, f4 = add_members(tree.union_a1, [("female", date(1996, 1, 1))] * 4)
    for who in (m1, m2, f1, f2, m3, f3, m4, f4):
        assert sign_up(client, who, event["id"]).status_code == 201
    assert status_of(event["id"])[m3.member_id] == ("waitlisted", 1)
    assert status_of(event["id"])[f3.member_id] == ("waitlisted", 2)

    # A woman's seat frees: the first waiting woman gets it, though a man has waited longer.
    cancelled = client.post(f"/api/v1/events/{event['id']}/signups/cancel", headers=f1.headers)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    now = status_of(event["id"])
    assert now[f1.member_id] == ("cancelled", None)
    assert now[f3.member_id] == ("seated", 2) and now[m3.member_id] == ("waitlisted", 1)
    assert now[f4.member_id] == ("waitlisted", 4) and now[m4.member_id] == ("waitlisted", 3)
    assert told(f3) == ["event.waitlisted", "event.promoted"]
    assert told(f1) == ["event.signed_up", "event.signup_cancelled"]
    assert told(m3) == ["event.waitlisted"]

    # A man's seat frees: the first waiting man.
    assert client.post(f"/api/v1/events/{event['id']}/signups/cancel", headers=m2.headers).status_code == 200
    now = status_of(event["id"])
    assert now[m3.member_id] == ("seated", 1) and now[m4.member_id] == ("waitlisted", 3)

    # Someone waiting drops out: no seat frees, nobody moves.
    assert client.post(f"/api/v1/events/{event['id']}/signups/cancel", headers=f4.headers).status_code == 200
    assert status_of(event["id"])[m4.member_id] == ("waitlisted", 3)
    row = event_row(event["id"])
    assert (row.seated, row.seated_male, row.seated_female) == (4, 2, 2)
    assert [f["member_id"] for f in facts("event.promoted")] == [f3.member_id, m3.member_id]
    assert len(facts("event.signup_cancelled")) == 3

    # Cancelled twice: there is nothing left to cancel.
    twice = client.post(f"/api/v1/events/{event['id']}/signups/cancel", headers=f1.headers)
    assert twice.status_code == 404 and twice.json["code"] == "not_signed_up"
    # Signing up again goes to the end of the line.
    back = sign_up(client, f1, event["id"])
    assert (
        back.status_code == 201
        and back.json["status"] == "waitlisted"
        and back.json["waitlist_position"] == 5
    )


def test_without_quotas_the_first_in_line_is_promoted_whatever_the_gender(factory, client):
    tree = factory.org_tree()
    event = publish_event(
        client, staff_token(tree, "t_county_a"), capacity=2, male_quota=None, female_quota=None
    )
    m1, m2 = add_members(tree.union_a1, [("male", date(1995, 1, 1))] * 2)
    f1, f2 = add_members(tree.union_a1, [("female", date(1996, 1, 1))] * 2)
    for who in (m1, m2, f1, f2):
        assert sign_up(client, who, event["id"]).status_code == 201
    assert status_of(event["id"])[f1.member_id] == ("waitlisted", 1)

    assert client.post(f"/api/v1/events/{event['id']}/signups/cancel", headers=m1.headers).status_code == 200
    now = status_of(event["id"])
    assert now[f1.member_id] == ("seated", 1) and now[f2.member_id] == ("waitlisted", 2)
    row = event_row(event["id"])
    assert (row.seated, row.seated_male, row.seated_female) == (2, 1, 1)


def test_ineligible_members_get_a_clear_refusal_and_nothing_is_written(factory, client):
    tree = factory.org_tree()
    staff = staff_token(tree, "t_county_a")
    event = publish_event(client, staff)  # 甲区总工会's members, 22 to 40
    day = event_day(event_row(event["id"]))

    outsider = person(tree.union_b1)  # 乙县: another county
    refused = sign_up(client, outsider, event["id"])
    assert refused.status_code == 403 and refused.json["code"] == "outside_audience"
    assert refused.json["message"] == "该活动仅限甲区总工会所属会员报名"

    too_young = person(tree.union_a1, born=day.replace(year=day.year - 22) + timedelta(days=1))
    refused = sign_up(client, too_young, event["id"])
    assert refused.status_code == 403 and refused.json["code"] == "age_not_eligible"
    assert refused.json["message"] == "该活动限22至40周岁会员报名，按活动日期计算您为21周岁"
    just_22 = person(tree.union_a1, born=day.replace(year=day.year - 22))  # 22 on the very day
    assert sign_up(client, just_22, event["id"]).status_code == 201
    too_old = person(tree.union_a1, born=day.replace(year=day.year - 41))
    assert sign_up(client, too_old, event["id"]).json["message"].endswith("您为41周岁")

    member = person(tree.union_a2)
    undeclared = sign_up(client, member, event["id"], single_declared=False)
    assert undeclared.status_code == 422
    assert undeclared.json["errors"] == {
        "single_declared": ["联谊活动仅限单身会员参加，请阅读并确认单身声明"]
    }
    stale = sign_up(client, member, event["id"], declaration_version="2025-01")
    assert stale.status_code == 422 and list(stale.json["errors"]) == ["declaration_version"]
    missing = client.post(f"/api/v1/events/{event['id']}/signups", json={}, headers=member.headers)
    assert missing.status_code == 422
    assert missing.json["errors"]["single_declared"] == ["此项为必填项"]

    not_member = client.post(
        f"/api/v1/events/{event['id']}/signups",
        json={"single_declared": True, "declaration_version": "2026-01"},
        headers=auth(factory.worker_token("just-logged-in")),
    )
    assert not_member.status_code == 404 and not_member.json["code"] == "not_a_member"

    draft = client.post(
        "/api/v1/staff/events", json=event_payload(title="尚未发布的活动"), headers=auth(staff)
    )
    assert sign_up(client, member, draft.json["id"]).status_code == 404

    move_event(event["id"], timedelta(hours=-1, minutes=-1))  # the sign-up window has just closed
    closed = sign_up(client, member, event["id"])
    assert closed.status_code == 409 and closed.json["message"] == "报名已截止"
    move_event(event["id"], timedelta(hours=3))  # the window opens in a while
    early = sign_up(client, member, event["id"])
    assert early.status_code == 409 and early.json["code"] == "signup_not_open"
    assert early.json["message"].startswith("报名尚未开始，")

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(EventSignup)) == 1  # just_22's


def test_a_citywide_event_takes_members_from_every_county(factory, client):
    tree = factory.org_tree()
    event = publish_event(client, staff_token(tree, "t_county_a"), citywide=True)
    assert event["audience_org"]["id"] == tree.city.id
    far = person(tree.union_b1)
    assert [e["id"] for e in client.get("/api/v1/events", headers=far.headers).json] == [event["id"]]
    assert sign_up(client, far, event["id"]).status_code == 201


def test_the_list_shows_only_upcoming_published_events_open_to_me(factory, client):
    tree = factory.org_tree()
    county_a, county_b = staff_token(tree, "t_county_a"), staff_token(tree, "t_county_b")
    mine = publish_event(client, county_a, title="甲区联谊会")
    publish_event(client, county_b, title="乙县联谊会")
    publish_event(client, county_a, title="大龄青年联谊会", min_age=35, max_age=50)
    begun = publish_event(client, county_a, title="已开始的联谊会")
    move_event(begun["id"], timedelta(hours=-3))
    young = person(tree.union_a1, born=date(2000, 5, 1))
    listed = client.get("/api/v1/events", headers=young.headers)
    assert [e["title"] for e in listed.json] == ["甲区联谊会"]
    assert listed.json[0]["id"] == mine["id"]
    assert "X-Next-Cursor" not in listed.headers


def test_a_retried_sign_up_returns_the_first_answer_and_takes_one_seat(factory, client):
    tree = factory.org_tree()
    event = publish_event(client, staff_token(tree, "t_county_a"))
    he = person(tree.union_a1)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    url = f"/api/v1/events/{event['id']}/signups"
    body = {"single_declared": True, "declaration_version": "2026-01"}
    first = client.post(url, json=body, headers={**he.headers, **key})
    retry = client.post(url, json=body, headers={**he.headers, **key})
    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json and retry.headers["Idempotent-Replayed"] == "true"
    assert len(signups(event["id"])) == 1 and event_row(event["id"]).seated == 1


def test_no_one_cancels_after_the_event_has_started(factory, client):
    tree = factory.org_tree()
    event = publish_event(client, staff_token(tree, "t_county_a"))
    he = person(tree.union_a1)
    assert sign_up(client, he, event["id"]).status_code == 201
    move_event(event["id"], timedelta(hours=-2, minutes=-1))
    late = client.post(f"/api/v1/events/{event['id']}/signups/cancel", headers=he.headers)
    assert late.status_code == 409 and late.json["code"] == "event_started"
    assert signups(event["id"])[0].status == "seated"
    assert utcnow() > event_row(event["id"]).starts_at


def test_a_sign_up_overtaken_by_the_events_cancellation_takes_nothing(factory, client):
    """The sign-up reads the event without its lock; the statement that takes the seat asks again."""
    tree = factory.org_tree()
    event = publish_event(client, staff_token(tree, "t_county_a"))
    he = person(tree.union_a1)
    overtaken = []

    def cancel_after_the_read(conn, cursor, statement, params, context, executemany):
        if not overtaken and statement.lstrip().startswith("SELECT events."):
            overtaken.append(statement)
            with db.engine.begin() as other:  # another connection: staff cancelling in that moment
                other.execute(
                    update(Event).where(Event.id == event["id"]).values(status=EventStatus.CANCELLED)
                )

    sa_event.listen(db.engine, "after_cursor_execute", cancel_after_the_read)
    try:
        refused = sign_up(client, he, event["id"])
    finally:
        sa_event.remove(db.engine, "after_cursor_execute", cancel_after_the_read)

    assert overtaken
    assert refused.status_code == 409 and refused.json["code"] == "event_cancelled"
    assert signups(event["id"]) == []
    row = event_row(event["id"])
    assert (row.seated, row.seated_male, row.waitlist_seq) == (0, 0, 0)


def test_a_sign_up_runs_a_fixed_handful_of_statements(factory, client, queue_redis):  # noqa: F811
    """The rush's path: who is calling, the event (no lock), the seat, then only the sign-up's own
    rows while the event row is locked — the sign-up, its notification and the outbox."""
    tree = factory.org_tree()
    event = publish_event(client, staff_token(tree, "t_county_a"))
    she, he = person(tree.union_a1, "female"), person(tree.union_a1, "male")
    assert sign_up(client, she, event["id"]).status_code == 201  # warm
    with statements_sent() as statements:
        answer = sign_up(client, he, event["id"])
    assert answer.status_code == 201 and answer.json["status"] == "seated", answer.json
    # the outbox rows (the notification's delivery, the participation fact) go in one INSERT where the
    # server returns the ids of several rows, one each on the embedded SQLite
    own = [s for s in statements if not s.startswith("INSERT INTO outbox")]
    assert [s.split()[0] for s in own] == ["SELECT", "SELECT", "UPDATE", "INSERT", "INSERT"]
    assert own[2].startswith("UPDATE events")
    assert sorted(set(inserted_tables(statements))) == ["event_signups", "notifications", "outbox"]
    row = db.session.scalars(select(EventSignup).where(EventSignup.member_id == he.member_id)).one()
    assert (row.id, row.status, row.seated_at is not None) == (answer.json["id"], "seated", True)
