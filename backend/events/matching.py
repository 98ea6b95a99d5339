"""联谊交友 after the event: attendees marking interest (心动) in each other, and the mutual matches —
the only place a member's mobile is shown to another.

Plain functions; the request owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from backend.common.errors import Conflict, Forbidden, InvalidInput
from backend.common.persistence import flush_or_conflict
from backend.common.types import utcnow
from backend.events.core import _record, _tell, display_name
from backend.events.models import Event, EventInterest, EventSignup, EventStatus
from backend.events.service import visible_event
from backend.extensions import db
from backend.members.models import Member


# --- after the event: interest and matches ---------------------------------------------------------------
def _event_over(event: Event) -> bool:
    return event.status == EventStatus.FINISHED or (
        event.status == EventStatus.PUBLISHED and utcnow() >= event.ends_at
    )


def _attended(event_id: int, member_id: int) -> EventSignup | None:
    stmt = select(EventSignup).where(
        EventSignup.event_id == event_id,
        EventSignup.member_id == member_id,
        EventSignup.checked_in_at.is_not(None),
    )
    return db.session.scalars(stmt).first()


def _attendee_event(member: Member, event_id: int) -> Event:
    event = visible_event(member, event_id)
    if not _event_over(event):
        raise Conflict("活动结束后才能查看参与者和选择心仪对象", code="event_not_over")
    if _attended(event.id, member.id) is None:
        raise Forbidden("仅限本场活动已签到的会员", code="not_attendee")
    return event


@dataclass(frozen=True)
class Attendee:
    member_id: int
    display_name: str
    gender: str
    age: int | None
    interested: bool  # I marked them
    matched: bool  # and they marked me


def _my_marks(event_id: int, member_id: int) -> set[int]:
    stmt = select(EventInterest.to_member_id).where(
        EventInterest.event_id == event_id, EventInterest.from_member_id == member_id
    )
    return set(db.session.scalars(stmt))


def _marks_on_me(event_id: int, member_id: int) -> dict[int, int]:
    """Who marked me → the id of their mark. Only ever used together with my own marks."""
    stmt = select(EventInterest.from_member_id, EventInterest.id).where(
        EventInterest.event_id == event_id, EventInterest.to_member_id == member_id
    )
    return {from_id: mark_id for from_id, mark_id in db.session.execute(stmt)}


def _attendees_of(event: Event, member: Member) -> list[tuple[EventSignup, Attendee]]:
    """The other attendees with what ``member`` may know of them. Who marked ``member`` is never
    shown unless ``member`` marked them too."""
    stmt = (
        select(EventSignup)
        .where(
            EventSignup.event_id == event.id,
            EventSignup.checked_in_at.is_not(None),
            EventSignup.member_id != member.id,
        )
        .options(joinedload(EventSignup.member))
        .order_by(EventSignup.id)
    )
    mine, on_me = _my_marks(event.id, member.id), _marks_on_me(event.id, member.id)
    return [
        (
            s,
            Attendee(
                member_id=s.member_id,
                display_name=display_name(s),
                gender=s.gender,
                age=s.age,
                interested=s.member_id in mine,
                matched=s.member_id in mine and s.member_id in on_me,
            ),
        )
        for s in db.session.scalars(stmt)
    ]


def attendees(*, member: Member, event_id: int) -> list[Attendee]:
    """The other attendees, as much as interest marking needs: nickname or masked name, gender, age."""
    event = _attendee_event(member, event_id)
    return [attendee for _, attendee in _attendees_of(event, member)]


def mark_interest(*, member: Member, event_id: int, member_ids: list[int]) -> list[Attendee]:
    """心动: mark interest in attendees of the same event. Marking twice changes nothing. When the
    other person already marked me, it is a match: both are told, and both see the contact."""
    event = _attendee_event(member, event_id)
    targets = set(member_ids)
    if member.id in targets:
        raise InvalidInput("member_ids", "不能选择自己")
    # Lock both sides' sign-ups in id order: two people marking each other at the same moment
    # go one after the other, so the second always sees the first's mark and the match is announced.
    locked = (
        select(EventSignup)
        .where(
            EventSignup.event_id == event.id,
            EventSignup.member_id.in_(targets | {member.id}),
            EventSignup.checked_in_at.is_not(None),
        )
        .order_by(EventSignup.id)
        .with_for_update()
    )
    signups = {s.member_id: s for s in db.session.scalars(locked)}
    if targets - set(signups):
        raise InvalidInput("member_ids", "只能选择本场活动已签到的其他参与者")
    new = sorted(targets - _my_marks(event.id, member.id))
    marks = [EventInterest(event_id=event.id, from_member_id=member.id, to_member_id=t) for t in new]
    db.session.add_all(marks)
    flush_or_conflict("请勿重复提交", "duplicate")
    on_me = _marks_on_me(event.id, member.id)
    me = signups[member.id]
    for mark in marks:
        if mark.to_member_id not in on_me:
            continue
        other = signups[mark.to_member_id]
        _tell(me, "event.matched", event, name=display_name(other))
        _tell(other, "event.matched", event, name=display_name(me))
        _record("event.matched", event, me, ref_type="event_interest", ref_id=mark.id)
        _record("event.matched", event, other, ref_type="event_interest", ref_id=on_me[other.member_id])
    return [attendee for _, attendee in _attendees_of(event, member) if attendee.interested]


@dataclass(frozen=True)
class Match:
    member_id: int
    display_name: str
    gender: str
    age: int | None
    mobile: str  # revealed only because both sides marked each other


def matches(*, member: Member, event_id: int) -> list[Match]:
    """互相心动: the people I marked who marked me too, with their mobile — the only place it shows."""
    event = _attendee_event(member, event_id)
    return [
        Match(
            member_id=a.member_id,
            display_name=a.display_name,
            gender=a.gender,
            age=a.age,
            mobile=signup.member.mobile,
        )
        for signup, a in _attendees_of(event, member)
        if a.matched
    ]
