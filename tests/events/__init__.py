"""Helpers of the 联谊交友 tests: members in bulk (straight into the tables, with real tokens), a
published event made through the staff API, sign-ups, and moving an event through time."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from backend.auth.service import STAFF, WORKER, issue_tokens
from backend.common import crypto
from backend.common.idcard import make_id_number
from backend.common.types import utcnow
from backend.events.models import Event, EventSignup
from backend.events.service import DECLARATION_VERSION
from backend.extensions import db
from backend.members.cards import card_number
from backend.members.models import Member, WxAccount
from backend.orgs.models import Org
from tests.factories import Tree, auth

STAFF_API = "/api/v1/staff/events"
_sequence = itertools.count(1)


@dataclass(frozen=True)
class Person:
    member_id: int
    account_id: int
    token: str
    gender: str
    mobile: str
    name: str

    @property
    def headers(self) -> dict:
        return auth(self.token)


def add_members(org: Org, people: list[tuple[str, date]]) -> list[Person]:
    """Members of ``org`` with these (gender, birth date), each with a WeChat account and an access
    token — a thousand in about a second, where logging in and applying over HTTP would take minutes."""
    batch = [next(_sequence) for _ in people]
    accounts = [WxAccount(openid=f"o_event_{n}") for n in batch]
    db.session.add_all(accounts)
    db.session.flush()
    members = []
    for n, account, (gender, born) in zip(batch, accounts, people, strict=True):
        id_number = make_id_number(f"{150100 + n // 400:06d}", born, n % 400, gender)
        mobile = f"137{n:08d}"
        members.append(
            Member(
                account_id=account.id,
                org_id=org.id,
                name=f"{'张' if gender == 'male' else '李'}会员{n}",
                gender=gender,
                birth_date=born,
                id_number=id_number,
                id_blind=crypto.id_number_index(id_number),
                mobile=mobile,
                mobile_blind=crypto.phone_index(mobile),
                employer="临汾市某某公司",
                worker_type="regular",
                joined_at=utcnow(),
            )
        )
    db.session.add_all(members)
    db.session.flush()
    for member in members:
        member.card_no = card_number(member.id, member.joined_at)
    db.session.commit()
    result = [
        Person(
            member_id=m.id,
            account_id=m.account_id,
            token=issue_tokens(WORKER, m.account_id).access_token,
            gender=m.gender,
            mobile=m.mobile,
            name=m.name,
        )
        for m in members
    ]
    db.session.expunge_all()
    return result


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
    return {"single_declared": True, "declaration_version": DECLARATION_VERSION, **overrides}


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
