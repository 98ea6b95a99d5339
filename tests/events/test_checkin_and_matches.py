"""联谊交友 at the door and after: the signed ticket checked in once, then interest marked among the
attendees, and a phone number shown only to the two people who marked each other."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import time_machine
from flask import current_app
from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.common.types import utcnow
from backend.events.checkin import sign_ticket
from backend.extensions import db
from backend.notify.models import Notification
from backend.outbox.models import OutboxMessage
from tests.events import (
    STAFF_API,
    Person,
    add_members,
    move_event,
    publish_event,
    sign_up,
    signups,
    staff_token,
)
from tests.factories import auth


def ticket(client, who: Person, event_id: int):
    return client.get(f"/api/v1/events/{event_id}/ticket", headers=who.headers)


def check_in(client, staff_token: str, event_id: int, token: str):
    return client.post(f"{STAFF_API}/{event_id}/check-in", json={"token": token}, headers=auth(staff_token))


def kinds(topic_kind: str) -> list[dict]:
    db.session.rollback()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "participation.record"))
    return [row.payload for row in rows if row.payload["kind"] == topic_kind]


def told(who: Person, kind: str) -> int:
    db.session.rollback()
    stmt = select(Notification).where(Notification.account_id == who.account_id, Notification.kind == kind)
    return len(db.session.scalars(stmt).all())


def test_a_seated_member_is_checked_in_once_with_their_ticket(factory, client):
    tree = factory.org_tree()
    event = publish_event(client, staff_token(tree, "t_county_a"))
    (she,) = add_members(tree.union_a1, [("female", date(1994, 2, 2))])
    assert sign_up(client, she, event["id"], nickname="小雨").status_code == 201
    shown = ticket(client, she, event["id"])
    assert shown.status_code == 200 and shown.json["qr_expires_in"] == 300

    door = staff_token(tree, "t_county_a")
    first = check_in(client, door, event["id"], shown.json["qr_payload"])
    assert first.status_code == 200, first.json
    assert first.json["already_checked_in"] is False
    assert first.json["signup"]["checked_in_at"] and first.json["signup"]["nickname"] == "小雨"
    again = check_in(client, door, event["id"], shown.json["qr_payload"])
    assert again.status_code == 200 and again.json["already_checked_in"] is True
    assert again.json["signup"]["checked_in_at"] == first.json["signup"]["checked_in_at"]

    late = client.post(f"/api/v1/events/{event['id']}/signups/cancel", headers=she.headers)
    assert late.status_code == 409 and late.json["message"] == "您已签到，不能取消报名"
    assert [f["member_id"] for f in kinds("event.attended")] == [she.member_id]
    assert told(she, "event.checked_in") == 1
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "event.check_in")).all()
    assert [(a.target_id, a.staff_id) for a in audit] == [
        (first.json["signup"]["id"], tree.staff["t_county_a"].id)
    ]


def test_check_in_refuses_what_is_not_a_valid_ticket_for_this_event(factory, client):
    tree = factory.org_tree()
    staff = staff_token(tree, "t_county_a")
    event = publish_event(client, staff, capacity=2, male_quota=1, female_quota=1)
    other = publish_event(client, staff, title="另一场联谊会")
    seated, waiting, leaving = add_members(tree.union_a1, [("male", date(1993, 3, 3))] * 3)
    (she,) = add_members(tree.union_a1, [("female", date(1994, 3, 3))])
    for who in (seated, waiting):
        assert sign_up(client, who, event["id"]).status_code == 201
    assert sign_up(client, she, event["id"]).status_code == 201
    assert sign_up(client, leaving, other["id"]).status_code == 201
    good = ticket(client, seated, event["id"]).json["qr_payload"]

    refused = ticket(client, waiting, event["id"])
    assert refused.status_code == 409 and refused.json["message"] == "您仍在候补中，递补成功后才有入场码"
    secret = current_app.config["SECRET_KEY"]
    waiting_signup = next(s.id for s in signups(event["id"]) if s.member_id == waiting.member_id)
    # Even a correctly signed ticket of a waitlisted sign-up does not get in.
    forged_seat = sign_ticket(
        secret, event_id=event["id"], signup_id=waiting_signup, member_id=waiting.member_id
    )
    answer = check_in(client, staff, event["id"], forged_seat)
    assert answer.status_code == 409 and answer.json["code"] == "not_seated"

    elsewhere = ticket(client, leaving, other["id"]).json["qr_payload"]
    answer = check_in(client, staff, event["id"], elsewhere)
    assert answer.status_code == 422 and answer.json["message"] == "该入场码不属于本场活动"
    assert (
        client.post(f"/api/v1/events/{other['id']}/signups/cancel", headers=leaving.headers).status_code
        == 200
    )
    answer = check_in(client, staff, other["id"], elsewhere)  # a ticket kept after cancelling
    assert answer.status_code == 409 and answer.json["code"] == "signup_cancelled"

    answer = check_in(client, staff, event["id"], good[:-2] + ("AA" if not good.endswith("AA") else "BB"))
    assert answer.status_code == 422 and answer.json["message"] == "入场码无效"
    with time_machine.travel(utcnow() - timedelta(minutes=6)):  # a ticket shown six minutes ago
        stale = sign_ticket(
            secret, event_id=event["id"], signup_id=waiting_signup, member_id=waiting.member_id
        )
    answer = check_in(client, staff, event["id"], stale)
    assert answer.status_code == 422 and answer.json["code"] == "ticket_expired"

    assert check_in(client, staff_token(tree, "t_county_b"), event["id"], good).status_code == 404
    assert check_in(client, staff_token(tree, "t_lawyer"), event["id"], good).status_code == 403
    assert all(s.checked_in_at is None for s in signups(event["id"]))
    assert check_in(client, staff, event["id"], good).status_code == 200


def _attend(client, factory, tree, people: list[Person]) -> dict:
    staff = staff_token(tree, "t_county_a")
    event = publish_event(client, staff, capacity=6, male_quota=3, female_quota=3)
    for who in people:
        assert sign_up(client, who, event["id"], nickname=f"嘉宾{who.member_id}").status_code == 201
    return event


def test_contact_details_are_revealed_to_both_only_on_mutual_interest(factory, client):
    tree = factory.org_tree()
    m1, m2 = add_members(tree.union_a1, [("male", date(1992, 4, 4))] * 2)
    f1, f2, absent = add_members(tree.union_a2, [("female", date(1995, 4, 4))] * 3)
    event = _attend(client, factory, tree, [m1, m2, f1, f2, absent])
    staff = staff_token(tree, "t_county_a")
    for who in (m1, m2, f1, f2):  # `absent` signed up but never came
        assert check_in(client, staff, event["id"], ticket(client, who, event["id"]).json["qr_payload"]).json
    url = f"/api/v1/events/{event['id']}"

    early = client.post(f"{url}/interests", json={"member_ids": [f1.member_id]}, headers=m1.headers)
    assert early.status_code == 409 and early.json["code"] == "event_not_over"
    move_event(event["id"], timedelta(hours=-6))  # the evening is over

    people = client.get(f"{url}/attendees", headers=m1.headers)
    assert people.status_code == 200
    assert {p["member_id"] for p in people.json} == {m2.member_id, f1.member_id, f2.member_id}
    assert set(people.json[0]) == {"member_id", "display_name", "gender", "age", "interested", "matched"}
    assert {p["display_name"] for p in people.json} == {f"嘉宾{w.member_id}" for w in (m2, f1, f2)}

    marked = client.post(
        f"{url}/interests", json={"member_ids": [f1.member_id, f2.member_id]}, headers=m1.headers
    )
    assert marked.status_code == 200, marked.json
    assert [(p["member_id"], p["matched"]) for p in marked.json] == [
        (f1.member_id, False),
        (f2.member_id, False),
    ]
    assert client.get(f"{url}/matches", headers=m1.headers).json == []
    # f2 cannot tell that m1 marked her.
    seen_by_f2 = {p["member_id"]: p for p in client.get(f"{url}/attendees", headers=f2.headers).json}
    assert seen_by_f2[m1.member_id]["interested"] is False and seen_by_f2[m1.member_id]["matched"] is False

    back = client.post(f"{url}/interests", json={"member_ids": [m1.member_id]}, headers=f1.headers)
    assert back.status_code == 200 and back.json[0]["matched"] is True
    his = client.get(f"{url}/matches", headers=m1.headers).json
    hers = client.get(f"{url}/matches", headers=f1.headers).json
    assert [(p["member_id"], p["mobile"]) for p in his] == [(f1.member_id, f1.mobile)]
    assert [(p["member_id"], p["mobile"]) for p in hers] == [(m1.member_id, m1.mobile)]
    assert client.get(f"{url}/matches", headers=f2.headers).json == []
    assert (
        told(m1, "event.matched") == 1 and told(f1, "event.matched") == 1 and told(f2, "event.matched") == 0
    )
    assert sorted(f["member_id"] for f in kinds("event.matched")) == sorted([m1.member_id, f1.member_id])

    # Marking again changes nothing and tells no one twice.
    again = client.post(f"{url}/interests", json={"member_ids": [m1.member_id]}, headers=f1.headers)
    assert again.status_code == 200 and told(m1, "event.matched") == 1

    # f2's number reaches nobody; only the matched pair see each other's.
    for who in (m1, m2, f1, f2):
        for path in ("attendees", "matches"):
            body = client.get(f"{url}/{path}", headers=who.headers).get_data(as_text=True)
            assert f2.mobile not in body and m2.mobile not in body

    refused = client.post(f"{url}/interests", json={"member_ids": [absent.member_id]}, headers=m2.headers)
    assert refused.status_code == 422 and refused.json["errors"]["member_ids"] == [
        "只能选择本场活动已签到的其他参与者"
    ]
    refused = client.post(f"{url}/interests", json={"member_ids": [m2.member_id]}, headers=m2.headers)
    assert refused.status_code == 422 and refused.json["errors"]["member_ids"] == ["不能选择自己"]
    outsider = client.get(f"{url}/attendees", headers=absent.headers)
    assert outsider.status_code == 403 and outsider.json["code"] == "not_attendee"
    assert client.get(f"{url}/matches", headers=absent.headers).status_code == 403


def test_two_attendees_marking_each_other_at_the_same_moment_both_hear_of_the_match(app, factory, client):
    tree = factory.org_tree()
    (he,) = add_members(tree.union_a1, [("male", date(1992, 4, 4))])
    (she,) = add_members(tree.union_a1, [("female", date(1994, 4, 4))])
    event = _attend(client, factory, tree, [he, she])
    staff = staff_token(tree, "t_county_a")
    for who in (he, she):
        check_in(client, staff, event["id"], ticket(client, who, event["id"]).json["qr_payload"])
    move_event(event["id"], timedelta(hours=-6))
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def mark(who: Person, whom: Person) -> None:
        with app.app_context():
            own = app.test_client()
            barrier.wait()
            answer = own.post(
                f"/api/v1/events/{event['id']}/interests",
                json={"member_ids": [whom.member_id]},
                headers=who.headers,
            )
            answers.append(answer.status_code)

    threads = [threading.Thread(target=mark, args=pair) for pair in ((he, she), (she, he))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [200, 200]
    assert told(he, "event.matched") == 1 and told(she, "event.matched") == 1


def test_staff_see_attendees_masked_and_never_their_phone_numbers(factory, client):
    tree = factory.org_tree()
    people = add_members(tree.union_a1, [("male", date(1990, 1, 1)), ("female", date(1991, 1, 1))])
    event = _attend(client, factory, tree, people)
    staff = staff_token(tree, "t_city")
    scanned = check_in(client, staff, event["id"], ticket(client, people[0], event["id"]).json["qr_payload"])
    move_event(event["id"], timedelta(hours=-6))
    bodies = [
        scanned.get_data(as_text=True),
        client.get(f"{STAFF_API}/{event['id']}/roster", headers=auth(staff)).get_data(as_text=True),
        client.get(f"{STAFF_API}/{event['id']}", headers=auth(staff)).get_data(as_text=True),
        client.get(STAFF_API, headers=auth(staff)).get_data(as_text=True),
    ]
    for who in people:
        for body in bodies:
            assert who.mobile not in body and who.name not in body
    roster = client.get(f"{STAFF_API}/{event['id']}/roster", headers=auth(staff)).json
    assert [r["mobile"] for r in roster] == [p.mobile[:3] + "****" + p.mobile[-4:] for p in people]
    assert [r["name"] for r in roster] == [p.name[0] + "*" * (len(p.name) - 1) for p in people]
