"""联谊交友, the staff side: creating, editing, publishing and cancelling events within the subtree,
the rules that tie an event's terms together, and the roster."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.events.core import age_on, event_day
from backend.extensions import db
from backend.notify.models import Notification
from tests.events import (
    STAFF_API,
    add_members,
    event_payload,
    event_row,
    person,
    publish_event,
    sign_up,
    signups,
    staff_token,
)
from tests.factories import auth


def test_an_event_goes_from_draft_to_published_to_cancelled_audited_and_announced(factory, client):
    tree = factory.org_tree()
    staff = staff_token(tree, "t_county_a")
    created = client.post(STAFF_API, json=event_payload(), headers=auth(staff))
    assert created.status_code == 201, created.json
    assert created.json["status"] == "draft" and created.json["org"]["id"] == tree.county_a.id
    assert created.json["allowed_actions"] == ["publish", "cancel"]
    event_id = created.json["id"]
    member = person(tree.union_a1)
    assert client.get("/api/v1/events", headers=member.headers).json == []
    assert client.get(f"/api/v1/events/{event_id}", headers=member.headers).status_code == 404

    edited = client.patch(f"{STAFF_API}/{event_id}", json={"title": "周末户外联谊"}, headers=auth(staff))
    assert edited.status_code == 200 and edited.json["title"] == "周末户外联谊"
    published = client.post(
        f"{STAFF_API}/{event_id}/transition", json={"action": "publish"}, headers=auth(staff)
    )
    assert published.status_code == 200 and published.json["status_label"] == "已发布"
    assert published.json["published_at"]
    assert [e["id"] for e in client.get("/api/v1/events", headers=member.headers).json] == [event_id]
    assert sign_up(client, member, event_id).status_code == 201

    no_reason = client.post(
        f"{STAFF_API}/{event_id}/transition", json={"action": "cancel"}, headers=auth(staff)
    )
    assert no_reason.status_code == 422 and no_reason.json["errors"] == {"note": ["请填写取消活动的原因"]}
    cancelled = client.post(
        f"{STAFF_API}/{event_id}/transition",
        json={"action": "cancel", "note": "场地临时维修"},
        headers=auth(staff),
    )
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    inbox = db.session.scalars(select(Notification).where(Notification.account_id == member.account_id)).all()
    assert [n.kind for n in inbox] == ["event.signed_up", "event.cancelled"]
    assert "场地临时维修" in inbox[-1].body
    refused = sign_up(client, person(tree.union_a1, "female"), event_id)
    assert refused.status_code == 409 and refused.json["message"] == "活动已取消"
    republish = client.post(
        f"{STAFF_API}/{event_id}/transition", json={"action": "publish"}, headers=auth(staff)
    )
    assert republish.status_code == 409 and republish.json["code"] == "illegal_transition"

    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.target_type == "event")).all()
    assert actions == ["event.create", "event.update", "event.publish", "event.cancel"]


def test_event_terms_are_checked_field_by_field(factory, client):
    tree = factory.org_tree()
    staff = auth(staff_token(tree, "t_county_a"))
    bad = event_payload(
        capacity=10,
        male_quota=5,
        female_quota=6,
        ends_at=event_payload()["starts_at"],
        signup_closes_at=event_payload()["ends_at"],
        min_age=40,
        max_age=30,
    )
    answer = client.post(STAFF_API, json=bad, headers=staff)
    assert answer.status_code == 422
    assert answer.json["errors"] == {
        "ends_at": ["结束时间应晚于开始时间"],
        "signup_closes_at": ["报名应在活动开始前截止"],
        "male_quota": ["男女名额之和（11）应等于活动人数（10）"],
        "max_age": ["年龄上限不能小于下限"],
    }
    one_sided = client.post(STAFF_API, json=event_payload(female_quota=None), headers=staff)
    assert one_sided.json["errors"] == {"female_quota": ["男女名额应同时设置，或都不设置"]}
    missing = client.post(STAFF_API, json={"title": "  "}, headers=staff)
    assert missing.json["errors"]["title"] == ["此项不能为空"] and missing.json["errors"]["capacity"] == [
        "此项为必填项"
    ]
    assert client.post(STAFF_API, json=event_payload(capacity=0), headers=staff).json["errors"]["capacity"]

    beijing = client.post(
        STAFF_API,
        json=event_payload(
            starts_at="2030-02-14T19:00:00",
            ends_at="2030-02-14T22:00:00",
            signup_opens_at="2030-02-01T09:00:00",
            signup_closes_at="2030-02-13T18:00:00",
        ),
        headers=staff,
    )
    assert beijing.status_code == 201 and beijing.json["starts_at"] == "2030-02-14T19:00:00+08:00"
    assert event_row(beijing.json["id"]).starts_at.hour == 11  # stored in UTC

    elsewhere = client.post(STAFF_API, json=event_payload(org_id=tree.county_b.id), headers=staff)
    assert elsewhere.status_code == 422 and elsewhere.json["errors"] == {
        "org_id": ["只能以本级或下级工会的名义组织活动"]
    }
    below = client.post(STAFF_API, json=event_payload(org_id=tree.union_a1.id), headers=staff)
    assert below.status_code == 201 and below.json["audience_org"]["id"] == tree.union_a1.id
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "event.create")) is not None


def test_more_seats_move_the_waitlist_up_and_fewer_than_are_taken_are_refused(factory, client):
    tree = factory.org_tree()
    staff = auth(staff_token(tree, "t_county_a"))
    event = publish_event(client, staff_token(tree, "t_county_a"))  # 2 men, 2 women
    men = add_members(tree.union_a1, [("male", date(1994, 1, 1))] * 5)
    for who in men:
        assert sign_up(client, who, event["id"]).status_code == 201

    fewer = client.patch(f"{STAFF_API}/{event['id']}", json={"capacity": 3, "male_quota": 1}, headers=staff)
    assert fewer.status_code == 422
    assert fewer.json["errors"] == {
        "male_quota": ["已有2名男会员报名成功，名额不能少于此数"],
    }
    more = client.patch(
        f"{STAFF_API}/{event['id']}", json={"capacity": 6, "male_quota": 4, "female_quota": 2}, headers=staff
    )
    assert more.status_code == 200, more.json
    assert (more.json["seated"], more.json["seated_male"], more.json["waitlisted"]) == (4, 4, 1)
    by_member = {s.member_id: (s.status, s.waitlist_position) for s in signups(event["id"])}
    assert [by_member[m.member_id] for m in men] == [
        ("seated", None),
        ("seated", None),
        ("seated", 1),
        ("seated", 2),
        ("waitlisted", 3),
    ]
    below = client.patch(
        f"{STAFF_API}/{event['id']}",
        json={"capacity": 3, "male_quota": None, "female_quota": None},
        headers=staff,
    )
    assert below.json["errors"] == {"capacity": ["已有4人报名成功，活动人数不能少于此数"]}


def test_the_roster_lists_seats_then_the_waitlist_in_order_with_counts(factory, client):
    tree = factory.org_tree()
    staff = auth(staff_token(tree, "t_town_a"))
    event = publish_event(client, staff_token(tree, "t_town_a"), capacity=2, male_quota=1, female_quota=1)
    m1, m2, m3 = add_members(tree.union_a1, [("male", date(1994, 1, 1))] * 3)
    (f1,) = add_members(tree.union_a2, [("female", date(1996, 1, 1))])
    for who in (m1, m2, f1, m3):
        assert sign_up(client, who, event["id"]).status_code == 201

    roster = client.get(f"{STAFF_API}/{event['id']}/roster", headers=staff)
    assert roster.status_code == 200
    assert [(r["member_id"], r["status"], r["waitlist_position"]) for r in roster.json] == [
        (m1.member_id, "seated", None),
        (f1.member_id, "seated", None),
        (m2.member_id, "waitlisted", 1),
        (m3.member_id, "waitlisted", 2),
    ]
    assert roster.json[0]["age"] == age_on(date(1994, 1, 1), event_day(event_row(event["id"])))
    assert roster.json[1]["org"]["id"] == tree.union_a2.id
    waiting = client.get(f"{STAFF_API}/{event['id']}/roster?status=waitlisted", headers=staff)
    assert [r["status"] for r in waiting.json] == ["waitlisted", "waitlisted"]
    first = client.get(f"{STAFF_API}/{event['id']}/roster?page_size=3", headers=staff)
    rest = client.get(
        f"{STAFF_API}/{event['id']}/roster",
        query_string={"page_size": 3, "cursor": first.headers["X-Next-Cursor"]},
        headers=staff,
    )
    assert [r["member_id"] for r in first.json + rest.json] == [r["member_id"] for r in roster.json]
    assert "X-Next-Cursor" not in rest.headers
    detail = client.get(f"{STAFF_API}/{event['id']}", headers=staff).json
    assert (detail["seated"], detail["seated_male"], detail["seated_female"], detail["waitlisted"]) == (
        2,
        1,
        1,
        2,
    )
    assert detail["checked_in"] == 0 and detail["seats_left"] == 0


def test_staff_see_and_touch_only_their_subtrees_events(factory, client):
    tree = factory.org_tree()
    event = publish_event(client, staff_token(tree, "t_county_a"))
    other = auth(staff_token(tree, "t_county_b"))
    assert client.get(STAFF_API, headers=other).json == []
    for answer in (
        client.get(f"{STAFF_API}/{event['id']}", headers=other),
        client.patch(f"{STAFF_API}/{event['id']}", json={"title": "改名"}, headers=other),
        client.post(f"{STAFF_API}/{event['id']}/transition", json={"action": "finish"}, headers=other),
        client.get(f"{STAFF_API}/{event['id']}/roster", headers=other),
    ):
        assert answer.status_code == 404
    city = auth(staff_token(tree, "t_city"))
    assert [e["id"] for e in client.get(STAFF_API, headers=city).json] == [event["id"]]
    too_soon = client.post(f"{STAFF_API}/{event['id']}/transition", json={"action": "finish"}, headers=city)
    assert too_soon.status_code == 409 and too_soon.json["message"] == "活动尚未开始，不能结束"

    lawyer = auth(staff_token(tree, "t_lawyer"))
    assert client.get(STAFF_API, headers=lawyer).status_code == 403
    worker = person(tree.union_a1).headers
    for method, path in (
        ("get", STAFF_API),
        ("post", STAFF_API),
        ("get", f"{STAFF_API}/{event['id']}"),
        ("patch", f"{STAFF_API}/{event['id']}"),
        ("post", f"{STAFF_API}/{event['id']}/transition"),
        ("get", f"{STAFF_API}/{event['id']}/roster"),
        ("post", f"{STAFF_API}/{event['id']}/check-in"),
    ):
        answer = getattr(client, method)(path, json={}, headers=worker)
        assert answer.status_code == 403 and answer.json["message"] == "此接口仅限工会工作人员使用", path
