"""Helpers of the 联谊交友 tests: members in bulk (straight into the tables, with real tokens), a
published event made through the staff API, sign-ups, and moving an event through time."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select

from backend.auth.service import STAFF, issue_tokens
from backend.common.types import utcnow
from backend.events.models import Event, EventSignup
from backend.extensions import db
from backend.orgs.models import Org
from tests.factories import BulkMember, Tree, auth, bulk_members

STAFF_API = "/api/v1/staff/events"
_sequence = itertools.count(1)


Person = BulkMember


def add_members(org: Org, people: list[tuple[str, date]]) -> list[Person]:
    """Members of ``org`` with these (gender, birth date), each with a WeChat account and a token."""
    rows = []
    for gender, born in people:
        n = next(_sequence)
        rows.append(
            {
                "name": f"{'张' if gender == 'male' else '李'}会员{n}",
                "gender": gender,
                "born": born,
                "mobile": f"137{n:08d}",
            }
        )
    return bulk_members(org, rows, openid_prefix="o_event_")


def person(org: Org, gender: str = "male", born: date = date(1995, 6, 1)) -> Person:
    return add_members(org, [(gender, born)])[0]


def staff_token(tree: Tree, username: str) -> str:
    """A staff access token without the password round (argon2 is slow on purpose)."""
    return issue_tokens(STAFF, tree.staff[username].id).access_token


def event_payload(**overrides) -> dict:
    now = utcnow()
    payload = {
        "title": "“七夕相约”单身青年联谊会",
        "description": "工会为单身职工搭建交友平台，现场有破冰游戏和自由交流环节。",
        "place": "临汾市职工之家三楼多功能厅",
        "starts_at": (now + timedelta(hours=2)).isoformat(),
        "ends_at": (now + timedelta(hours=5)).isoformat(),
        "signup_opens_at": (now - timedelta(minutes=5)).isoformat(),
        "signup_closes_at": (now + timedelta(hours=1)).isoformat(),
        "capacity": 4,
        "male_quota": 2,
        "female_quota": 2,
        "min_age": 22,
        "max_age": 40,
    }
    payload.update(overrides)
    return payload


def publish_event(client, staff_token: str, **overrides) -> dict:
    """Create an event through the staff API and publish it; the staff view of it."""
    created = client.post(STAFF_API, json=event_payload(**overrides), headers=auth(staff_token))
    assert created.status_code == 201, created.json
    published = client.post(
        f"{STAFF_API}/{created.json['id']}/transition", json={"action": "publish"}, headers=auth(staff_token)
    )
    assert published.status_code == 200, published.json
    return published.json


def signup_body(**overrides) -> dict:
    # the declaration version of config/events.yaml
    return {"single_declared": True, "declaration_version": "2026-01", **overrides}


def sign_up(client, who: Person, event_id: int, **overrides):
    return client.post(
        f"/api/v1/events/{event_id}/signups", json=signup_body(**overrides), headers=who.headers
    )


def move_event(event_id: int, by: timedelta) -> None:
    """Shift all the event's times by ``by`` (negative: the event comes sooner, or is already past)."""
    db.session.rollback()
    event = db.session.get(Event, event_id, populate_existing=True)
    for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
        setattr(event, name, getattr(event, name) + by)
    db.session.commit()


def signups(event_id: int) -> list[EventSignup]:
    db.session.rollback()
    stmt = select(EventSignup).where(EventSignup.event_id == event_id).order_by(EventSignup.id)
    return list(db.session.scalars(stmt))


def event_row(event_id: int) -> Event:
    db.session.rollback()
    return db.session.get(Event, event_id, populate_existing=True)
