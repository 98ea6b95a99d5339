"""联谊交友 sign-ups: who may sign up, seats within capacity and per-gender quotas, the FIFO waitlist
and its promotions, and what a person leaving takes with them.

Plain functions; the request owns the transaction. Every change of seats locks the event row, so
sign-ups, cancellations and promotions of one event happen one after another, in the order they got
the lock: that order *is* first come, first served. A cancellation locks the row first (it reads the
waitlist under it); a sign-up prepares everything first and takes the lock with the seat itself, so
the busiest path holds it for as few statements as it can. The counters themselves only move through
``capacity.take_each``/``give_back`` and the waitlist counter — conditional UPDATEs that can never
overfill.
"""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Select, Update, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from backend.audit import service as audit
from backend.common import capacity
from backend.common.errors import Conflict, DomainError, InvalidInput, NotFound
from backend.common.persistence import append_or_conflict
from backend.common.types import utcnow
from backend.events.core import (
    NotEligible,
    _counters_changed,
    _lock,
    _record,
    _tell,
    age_on,
    event_day,
    local_text,
)
from backend.events.models import GENDERS, Event, EventInterest, EventSignup, EventStatus, SignupStatus
from backend.events.rules import rules
from backend.events.schemas import SignupRequest
from backend.extensions import db
from backend.members import privacy
from backend.members.models import Member, WxAccount
from backend.orgs.models import Org, ancestor_ids
from backend.staff.models import Staff
from backend.staff.scope import Scope

_SEATED_COLUMN = {"male": Event.seated_male, "female": Event.seated_female}


def eligibility_problem(
    event: Event, member: Member, now: datetime | None = None, *, unions: list[int] | None = None
) -> DomainError | None:
    """Why ``member`` may not sign up for ``event`` now (an error to raise or show), or None.
    ``unions``: the member's union and the nodes above it, when the caller has them already."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return Conflict("活动已取消", code="event_cancelled")
    if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        return Conflict("活动已结束", code="event_over")
    if now < event.signup_opens_at:
        return Conflict(f"报名尚未开始，{local_text(event.signup_opens_at)}开放报名", code="signup_not_open")
    if now >= event.signup_closes_at:
        return Conflict("报名已截止", code="signup_closed")
    if event.audience_org_id not in (unions or ancestor_ids(member.org)):
        audience = db.session.get(Org, event.audience_org_id)
        return NotEligible(f"该活动仅限{audience.name}所属会员报名", code="outside_audience")
    age_problem = _age_problem(event, member)
    if age_problem is not None:
        return NotEligible(age_problem[1], code=age_problem[0])
    return None


def _age_problem(event: Event, member: Member) -> tuple[str, str] | None:
    """(code, message) when the member's age on the event day is outside the event's range."""
    low, high = event.min_age, event.max_age
    if low is None and high is None:
        return None
    if member.birth_date is None:
        return "age_unknown", "会员信息中缺少出生日期，无法确认年龄，请联系所在工会"
    age = age_on(member.birth_date, event_day(event))
    if (low is None or age >= low) and (high is None or age <= high):
        return None
    if low is not None and high is not None:
        bounds = f"{low}至{high}周岁"
    else:
        bounds = f"{low}周岁及以上" if low is not None else f"{high}周岁及以下"
    return "age_not_eligible", f"该活动限{bounds}会员报名，按活动日期计算您为{age}周岁"


def live_signup(event_id: int, member_id: int) -> EventSignup | None:
    stmt = select(EventSignup).where(
        EventSignup.event_id == event_id, EventSignup.active_member_id == member_id
    )
    return db.session.scalars(stmt).first()


def signups_of_stmt(member: Member) -> Select:
    """The member's sign-ups with their events, newest first."""
    return (
        select(EventSignup)
        .where(EventSignup.member_id == member.id)
        .options(joinedload(EventSignup.event))
        .order_by(EventSignup.id.desc())
    )


def signups_of(member: Member) -> list[EventSignup]:
    return list(db.session.scalars(signups_of_stmt(member)))


def waiting_ahead(signup: EventSignup) -> int | None:
    """How many waitlisted people are before this one (of the same gender when quotas apply)."""
    if signup.status != SignupStatus.WAITLISTED:
        return None
    stmt = select(EventSignup.id).where(
        EventSignup.event_id == signup.event_id,
        EventSignup.status == SignupStatus.WAITLISTED,
        EventSignup.waitlist_position < signup.waitlist_position,
    )
    if signup.event.has_quotas:
        stmt = stmt.where(EventSignup.gender == signup.gender)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


# --- members: signing up, cancelling, the waitlist -----------------------------------------------------
# The seat and the waitlist place are one UPDATE each, built once on the table's own columns (the
# event is bound per call): building an UPDATE and working out its cache key cost more than running
# it, and a rush runs them a thousand times a minute.
_EVENTS = Event.__table__


@functools.cache
def _seat_statement(gender: str, open_only: bool) -> Update:
    """One seat for ``gender``: within its quota (no quota: the capacity) and within the capacity, in
    one statement; ``open_only``: only while the event is still published."""
    columns = _EVENTS.c
    seated = {"male": columns.seated_male, "female": columns.seated_female}[gender]
    quota = {"male": columns.male_quota, "female": columns.female_quota}[gender]
    still = (columns.status == EventStatus.PUBLISHED,) if open_only else ()
    return capacity.take_each_statement(
        {seated: func.coalesce(quota, columns.capacity), columns.seated: columns.capacity},
        columns.id == bindparam("event_id"),
        *still,
    )


def _take_seat(event_id: int, gender: str, *, open_only: bool = False) -> bool:
    return capacity.took(_seat_statement(gender, open_only), event_id=event_id)


def _give_back_seat(event_id: int, gender: str) -> None:
    mine = Event.id == event_id
    capacity.give_back(_SEATED_COLUMN[gender], mine)
    capacity.give_back(Event.seated, mine)


@functools.cache
def _waitlist_statement(dialect: str) -> Update:
    columns = _EVENTS.c
    stmt = update(_EVENTS).where(columns.id == bindparam("event_id"), columns.status == EventStatus.PUBLISHED)
    if dialect == "sqlite":
        return stmt.values(waitlist_seq=columns.waitlist_seq + 1).returning(columns.waitlist_seq)
    return stmt.values(waitlist_seq=func.last_insert_id(columns.waitlist_seq + 1))


def _join_waitlist(event_id: int) -> int | None:
    """The next place on the waitlist (1, 2, 3 … per event, in the order the event row was reached;
    rolled back with the sign-up, so never a gap), or None when the event is no longer published.
    One statement that both counts and answers: SQLite returns the new value, MariaDB hands it back
    through ``LAST_INSERT_ID(expr)`` (it has no UPDATE … RETURNING)."""
    dialect = db.session.get_bind().dialect.name
    result = db.session.execute(_waitlist_statement(dialect), {"event_id": event_id})
    if dialect == "sqlite":
        return result.scalar()
    return result.lastrowid if result.rowcount == 1 else None


def sign_up(*, member: Member, event_id: int, signup_in: SignupRequest) -> EventSignup:
    """报名: a seat if the member's gender still has one, else the next place on the waitlist."""
    if not signup_in.single_declared:
        raise InvalidInput("single_declared", "联谊活动仅限单身会员参加，请阅读并确认单身声明")
    if signup_in.declaration_version != rules().declaration_version:
        raise InvalidInput("declaration_version", "单身声明已更新，请阅读最新版本后再报名")
    unions = ancestor_ids(member.org)
    # Read without a lock: everything up to the seat is decided and prepared while other sign-ups of
    # the event go on; what the read showed is asked again by the statement that takes the seat.
    event = _read(event_id)
    if event.status == EventStatus.DRAFT:
        raise NotFound("活动不存在")
    now = utcnow()
    problem = eligibility_problem(event, member, now, unions=unions)
    if problem is not None:
        raise problem
    row = {
        "event_id": event.id,
        "member_id": member.id,
        "account_id": member.account_id,
        "active_member_id": member.id,
        "gender": member.gender,
        "age": age_on(member.birth_date, event_day(event)) if member.birth_date else None,
        "nickname": signup_in.nickname,
        "single_declared_at": now,
        "declaration_version": signup_in.declaration_version,
        "created_at": now,
    }
    # The seat comes as late as it can: the first statement that touches the event row locks it until
    # the commit, so every sign-up of the event waits for the one holding it. From here on only the
    # sign-up's own rows are written. The sign-up row is written under the lock on purpose: its id then
    # follows the order the event row was reached, which is the order of first come, first served.
    if _take_seat(event.id, member.gender, open_only=True):
        row.update(status=SignupStatus.SEATED, seated_at=now)
    else:
        position = _join_waitlist(event.id)
        if position is None:  # cancelled or finished since it was read
            db.session.refresh(event)
            raise eligibility_problem(event, member, now, unions=unions) or Conflict(
                "活动已结束", code="event_over"
            )
        row.update(status=SignupStatus.WAITLISTED, waitlist_position=position)
    _counters_changed(event)
    # One live sign-up per member and event: the unique index on (event, active member) refuses a
    # second one here, and the rollback gives back whatever seat it took. One INSERT, not a flush of
    # the unit of work: it runs while the event row is locked.
    signup = append_or_conflict(EventSignup, row, "您已报名该活动，请勿重复报名", "already_signed_up")
    if signup.status == SignupStatus.SEATED:
        _tell(signup, "event.signed_up", event)
    else:
        _tell(signup, "event.waitlisted", event, position=signup.waitlist_position)
    _record("event.signed_up", event, signup, org_id=member.org_id)
    return signup


@functools.cache
def _read_statement() -> Select:
    return select(Event).where(Event.id == bindparam("event_id")).execution_options(populate_existing=True)


def _read(event_id: int) -> Event:
    event = db.session.scalars(_read_statement(), {"event_id": event_id}).first()
    if event is None:
        raise NotFound("活动不存在")
    return event


def _fill_seats(event: Event) -> list[EventSignup]:
    """Seat waitlisted members in waitlist order while their gender has room. The caller holds the
    event's lock. When one seat freed, this seats exactly one person: the first waiting of a gender
    with room (with quotas, the freed seat's gender — the other one is full, or nobody of it waits)."""
    promoted: list[EventSignup] = []
    genders = list(GENDERS)
    now = utcnow()
    while genders:
        stmt = (
            select(EventSignup)
            .where(
                EventSignup.event_id == event.id,
                EventSignup.status == SignupStatus.WAITLISTED,
                EventSignup.gender.in_(genders),
            )
            .order_by(EventSignup.waitlist_position)
            .limit(1)
        )
        candidate = db.session.scalars(stmt).first()
        if candidate is None:
            break
        if not _take_seat(event.id, candidate.gender):
            genders.remove(candidate.gender)  # that gender is full (or the whole event is)
            continue
        candidate.status = SignupStatus.SEATED
        candidate.seated_at = candidate.promoted_at = now
        promoted.append(candidate)
    _counters_changed(event)
    return promoted


def _announce_promotions(event: Event, promoted: list[EventSignup]) -> None:
    for signup in promoted:
        _tell(signup, "event.promoted", event)
        _record("event.promoted", event, signup)


def cancel_signup(*, member: Member, event_id: int) -> EventSignup:
    """取消报名 until the event starts. A freed seat goes, in the same transaction, to the next person
    waiting who fits it, and they are told."""
    event = _lock(event_id)
    signup = live_signup(event.id, member.id)
    if signup is None or event.status == EventStatus.DRAFT:
        raise NotFound("您没有该活动的有效报名", code="not_signed_up")
    return _cancel(event, signup, already_in="您已签到，不能取消报名")


def staff_cancel_signup(*, scope: Scope, staff: Staff, event_id: int, signup_id: int) -> EventSignup:
    """代为取消: staff free a seat (or a waitlist place) for a member who called to say they cannot
    come; the seat goes to the next person waiting, as when the member cancels. Audited."""
    scope.get(Event, event_id)
    event = _lock(event_id)
    signup = db.session.get(EventSignup, signup_id)
    if signup is None or signup.event_id != event.id or signup.status == SignupStatus.CANCELLED:
        raise NotFound("该报名不存在或已取消", code="not_signed_up")
    cancelled = _cancel(event, signup, already_in="该会员已签到，不能取消报名")
    audit.record(
        staff=staff,
        action="event.cancel_signup",
        target_type="event_signup",
        target_id=signup.id,
        org_id=event.org_id,
        detail={"event_id": event.id},
    )
    return cancelled


def _cancel(event: Event, signup: EventSignup, *, already_in: str) -> EventSignup:
    if event.status != EventStatus.PUBLISHED or utcnow() >= event.starts_at:
        raise Conflict("活动已开始、已结束或已取消，不能取消报名", code="event_started")
    was_seated = signup.status == SignupStatus.SEATED
    # Conditional, because the door does not wait for the event's lock: a sign-up checked in a moment
    # ago stays checked in.
    cancelled = db.session.execute(
        update(EventSignup)
        .where(
            EventSignup.id == signup.id,
            EventSignup.status == signup.status,
            EventSignup.checked_in_at.is_(None),
        )
        .values(status=SignupStatus.CANCELLED, cancelled_at=utcnow(), active_member_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not cancelled:
        raise Conflict(already_in, code="already_checked_in")
    db.session.refresh(signup)
    promoted: list[EventSignup] = []
    if was_seated:
        _give_back_seat(event.id, signup.gender)
        promoted = _fill_seats(event)
    _tell(signup, "event.signup_cancelled", event)
    _record("event.signup_cancelled", event, signup)
    _announce_promotions(event, promoted)
    return signup


# --- personal data (PIPL) ------------------------------------------------------------------------------
def erase_personal_data(account: WxAccount, member: Member | None) -> None:
    """The person leaves: live sign-ups to events that have not started are cancelled (their seat goes
    to the next person waiting, who is told), nicknames go, and every mark of interest from or to them
    is deleted so no match can reveal anything any more."""
    if member is None:
        return
    now = utcnow()
    signups = signups_of(member)
    privacy.forget_history("event_signup", [signup.id for signup in signups])
    for signup in signups:
        event = signup.event
        live = signup.active_member_id is not None and signup.checked_in_at is None
        if live and event.status == EventStatus.PUBLISHED and now < event.starts_at:
            cancel_signup(member=member, event_id=event.id)
        signup.nickname = None
    db.session.execute(
        delete(EventInterest).where(
            or_(EventInterest.from_member_id == member.id, EventInterest.to_member_id == member.id)
        )
    )


PERSONAL_DATA = privacy.PersonalData(
    "event_signups",
    export=lambda account, member: signups_of(member) if member else [],
    erase=erase_personal_data,
)
