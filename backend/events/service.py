"""联谊交友 rules: who may sign up, seats within capacity and per-gender quotas, the FIFO waitlist and
its promotions, the signed check-in ticket, and the mutual-interest reveal after the event.

Plain functions; the request owns the transaction. Every change of seats first locks the event row,
so sign-ups, cancellations and promotions of one event happen one after another, in the order they
got the lock: that order *is* first come, first served. The counters themselves only move through
``capacity.take``/``give_back`` — the conditional UPDATEs that can never overfill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, case, delete, func, or_, select, update
from sqlalchemy.orm import joinedload, undefer

from backend.audit import service as audit
from backend.common import capacity
from backend.common.crypto import mask_name
from backend.common.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from backend.common.persistence import flush_or_conflict
from backend.common.statemachine import StateMachine, Transition
from backend.common.time import SHANGHAI
from backend.common.types import utcnow
from backend.events.models import (
    EVENT_STATUS_LABELS,
    GENDERS,
    Event,
    EventInterest,
    EventSignup,
    EventStatus,
    SignupStatus,
)
from backend.events.rules import rules
from backend.extensions import db
from backend.members import privacy
from backend.members.models import Member, WxAccount
from backend.notify import service as notify
from backend.orgs.models import Org
from backend.participation import service as participation
from backend.staff.models import Staff
from backend.staff.scope import Scope

# The participation facts this domain records (its ``register`` declares them).
PARTICIPATION_KINDS = {
    "event.signed_up": "报名联谊活动",
    "event.promoted": "联谊活动候补递补",
    "event.signup_cancelled": "取消联谊活动报名",
    "event.attended": "参加联谊活动",
    "event.matched": "联谊活动互有好感",
}

S = EventStatus
EVENT_FLOW = StateMachine(
    "event",
    [
        Transition("publish", frozenset({S.DRAFT}), S.PUBLISHED, "staff", "发布"),
        Transition(
            "cancel", frozenset({S.DRAFT, S.PUBLISHED}), S.CANCELLED, "staff", "取消活动", needs_note=True
        ),
        Transition("finish", frozenset({S.PUBLISHED}), S.FINISHED, "staff", "结束活动"),
    ],
    labels={str(k): v for k, v in EVENT_STATUS_LABELS.items()},
)

_SEATED_COLUMN = {"male": Event.seated_male, "female": Event.seated_female}
_QUOTA_COLUMN = {"male": Event.male_quota, "female": Event.female_quota}
_TERMS = (
    "title",
    "description",
    "place",
    "starts_at",
    "ends_at",
    "signup_opens_at",
    "signup_closes_at",
    "capacity",
    "male_quota",
    "female_quota",
    "min_age",
    "max_age",
    "citywide",
)


_COUNTS = (undefer(Event.waitlisted), undefer(Event.checked_in))  # what staff lists and details show


class NotEligible(Forbidden):
    code = "not_eligible"


class InvalidEvent(DomainError):
    status = 422
    code = "validation_error"


class TicketInvalid(DomainError):
    status = 422
    code = "ticket_invalid"


# --- small helpers ------------------------------------------------------------------------------------
def local_text(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M")


def age_on(born: date, day: date) -> int:
    """周岁 on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def event_day(event: Event) -> date:
    return event.starts_at.astimezone(SHANGHAI).date()


def display_name(signup: EventSignup) -> str:
    """What other attendees see: the nickname chosen at sign-up, else the masked name (张**)."""
    return signup.nickname or mask_name(signup.member.name)


def _ancestor_ids(org: Org) -> list[int]:
    return [int(part) for part in org.path.strip("/").split("/") if part]


def _lock(event_id: int) -> Event:
    """Load the event holding its row lock: every seat change of one event waits here in turn, and
    what it reads (the counters, the window) stays true until it commits. On SQLite a SELECT … FOR
    UPDATE is a plain read and only a write takes the (database-wide) write lock, so there the row is
    touched first."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(Event)
            .where(Event.id == event_id)
            .values(seated=Event.seated)
            .execution_options(synchronize_session=False)
        )
    stmt = (
        select(Event).where(Event.id == event_id).with_for_update().execution_options(populate_existing=True)
    )
    event = db.session.scalars(stmt).first()
    if event is None:
        raise NotFound("活动不存在")
    return event


def _counters_changed(event: Event) -> None:
    """capacity.* update the row directly; read the counters again when next asked."""
    db.session.expire(event, ["seated", "seated_male", "seated_female", "waitlist_seq"])


def _tell(signup: EventSignup, kind: str, event: Event, **values) -> None:
    if signup.account_id is None:  # a member record without a WeChat account has no inbox
        return
    notify.notify(
        account_id=signup.account_id,
        kind=kind,
        org_id=event.org_id,
        title=event.title,
        place=event.place,
        when=local_text(event.starts_at),
        starts_at=event.starts_at,
        **values,
    )


def _record(
    kind: str, event: Event, signup: EventSignup, *, ref_type: str = "event_signup", ref_id: int | None = None
) -> None:
    """A participation fact credited to the member's own union (as competition and legal facts are):
    the union whose members took part scores it, not the node that organised the event. Deduplicated
    by its kind and ref."""
    participation.record(
        kind=kind,
        org_id=signup.member.org_id,
        member_id=signup.member_id,
        ref_type=ref_type,
        ref_id=ref_id or signup.id,
    )


# --- staff: creating and running events --------------------------------------------------------------
def _check_terms(terms: dict, event: Event | None) -> None:
    """The rules that tie fields together; every broken one is reported against its field."""
    errors: dict[str, list[str]] = {}
    if terms["ends_at"] <= terms["starts_at"]:
        errors["ends_at"] = ["结束时间应晚于开始时间"]
    if terms["signup_closes_at"] <= terms["signup_opens_at"]:
        errors["signup_closes_at"] = ["报名截止时间应晚于报名开始时间"]
    elif terms["signup_closes_at"] > terms["starts_at"]:
        errors["signup_closes_at"] = ["报名应在活动开始前截止"]
    male, female = terms["male_quota"], terms["female_quota"]
    if (male is None) != (female is None):
        errors["male_quota" if male is None else "female_quota"] = ["男女名额应同时设置，或都不设置"]
    elif male is not None and male + female != terms["capacity"]:
        errors["male_quota"] = [f"男女名额之和（{male + female}）应等于活动人数（{terms['capacity']}）"]
    low, high = terms["min_age"], terms["max_age"]
    if low is not None and high is not None and low > high:
        errors["max_age"] = ["年龄上限不能小于下限"]
    if event is not None and event.seated:
        if terms["capacity"] < event.seated:
            errors["capacity"] = [f"已有{event.seated}人报名成功，活动人数不能少于此数"]
        for gender, label in (("male", "男"), ("female", "女")):
            quota = terms[f"{gender}_quota"]
            if quota is not None and quota < event.seated_of(gender):
                errors[f"{gender}_quota"] = [
                    f"已有{event.seated_of(gender)}名{label}会员报名成功，名额不能少于此数"
                ]
    if errors:
        raise InvalidEvent("活动信息有误，请检查后重试", errors=errors)


def _apply_terms(event: Event, changes: dict, organiser: Org) -> None:
    terms = {name: changes.get(name, getattr(event, name, None)) for name in _TERMS}
    terms["citywide"] = bool(terms["citywide"])
    _check_terms(terms, event if event.id else None)
    for name, value in terms.items():
        setattr(event, name, value)
    event.updated_at = utcnow()
    event.audience_org_id = _ancestor_ids(organiser)[0] if terms["citywide"] else organiser.id


def create_event(*, scope: Scope, staff: Staff, data: dict) -> Event:
    """A draft event organised by the staff member's node or a node below it."""
    data = dict(data)
    org_id = data.pop("org_id", None) or staff.org_id
    organiser = db.session.get(Org, org_id)
    if not scope.contains(organiser):
        raise InvalidInput("org_id", "只能以本级或下级工会的名义组织活动")
    event = Event(org_id=organiser.id, status=EventStatus.DRAFT, created_by=staff.id)
    _apply_terms(event, data, organiser)
    event.seated = event.seated_male = event.seated_female = event.waitlist_seq = 0
    db.session.add(event)
    db.session.flush()
    audit.record(
        staff=staff,
        action="event.create",
        target_type="event",
        target_id=event.id,
        org_id=event.org_id,
        detail={"title": event.title},
    )
    return event


def update_event(*, scope: Scope, staff: Staff, event_id: int, changes: dict) -> Event:
    """Change a draft or published event. Seats already given stay given: capacity and quotas can't
    drop below them; when they grow, the waitlist moves up into the new seats at once."""
    scope.get(Event, event_id)
    event = _lock(event_id)
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise Conflict("活动已取消或已结束，不能修改", code="event_closed")
    _apply_terms(event, changes, db.session.get(Org, event.org_id))
    db.session.flush()  # the new capacity and quotas are what the seat updates below compare with
    if event.status == EventStatus.PUBLISHED and utcnow() < event.starts_at:
        _announce_promotions(event, _fill_seats(event))
    audit.record(
        staff=staff,
        action="event.update",
        target_type="event",
        target_id=event.id,
        org_id=event.org_id,
        detail={"fields": sorted(changes)},
    )
    return event


def transition_event(
    *, scope: Scope, staff: Staff, event_id: int, action: str, note: str | None = None
) -> Event:
    """发布 / 取消 / 结束. Cancelling tells everyone signed up (seated or waitlisted)."""
    scope.get(Event, event_id)
    event = _lock(event_id)
    transition = EVENT_FLOW.transition(event.status, action, "staff")
    if transition.needs_note and not (note and note.strip()):
        raise InvalidInput("note", "请填写取消活动的原因")
    now = utcnow()
    if action == "publish":
        if event.signup_closes_at <= now:
            raise Conflict("报名截止时间已过，请先修改活动时间再发布", code="signup_window_past")
        event.published_at = now
    if action == "finish" and now < event.starts_at:
        raise Conflict("活动尚未开始，不能结束", code="event_not_started")
    event.status = transition.target
    event.status_note = note
    event.updated_at = now
    if action == "cancel":
        live = select(EventSignup).where(
            EventSignup.event_id == event.id, EventSignup.active_member_id.is_not(None)
        )
        for signup in db.session.scalars(live):
            _tell(signup, "event.cancelled", event, note=note)
    audit.record(
        staff=staff,
        action=f"event.{action}",
        target_type="event",
        target_id=event.id,
        org_id=event.org_id,
        detail={"note": note},
    )
    return event


def events_stmt(scope: Scope, *, status: str | None = None, q: str | None = None) -> Select:
    """Events organised in the staff member's subtree, the latest first."""
    stmt = scope.restrict(select(Event).options(*_COUNTS), Event.org_id)
    if status:
        stmt = stmt.where(Event.status == status)
    if q:
        stmt = stmt.where(Event.title.contains(q.strip(), autoescape=True))
    return stmt.order_by(Event.starts_at.desc(), Event.id.desc())


def staff_event(scope: Scope, event_id: int) -> Event:
    stmt = scope.restrict(select(Event).where(Event.id == event_id).options(*_COUNTS), Event.org_id)
    event = db.session.scalars(stmt).first()
    if event is None:
        raise NotFound("活动不存在")
    return event


def roster_stmt(scope: Scope, event_id: int, *, status: str | None = None) -> Select:
    """Everyone signed up: seated first (in seat order), then the waitlist in order, then cancelled."""
    scope.get(Event, event_id)
    stmt = (
        select(EventSignup)
        .where(EventSignup.event_id == event_id)
        .options(joinedload(EventSignup.member).joinedload(Member.org))
    )
    if status:
        stmt = stmt.where(EventSignup.status == status)
    rank = case(
        (EventSignup.status == SignupStatus.SEATED, 0),
        (EventSignup.status == SignupStatus.WAITLISTED, 1),
        else_=2,
    )
    return stmt.order_by(rank, EventSignup.waitlist_position, EventSignup.seated_at, EventSignup.id)


# --- members: finding events ---------------------------------------------------------------------------
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
    if event.audience_org_id not in (unions or _ancestor_ids(member.org)):
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


def upcoming_for(member: Member) -> list[Event]:
    """Published events not yet begun that are open to this member (their subtree, their age)."""
    stmt = (
        select(Event)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > utcnow(),
            Event.audience_org_id.in_(_ancestor_ids(member.org)),
        )
        .options(undefer(Event.waitlisted))
        .order_by(Event.starts_at, Event.id)
    )
    return [event for event in db.session.scalars(stmt) if _age_problem(event, member) is None]


def upcoming_stmt(member: Member) -> Select:
    """``upcoming_for`` as a statement to page through (the age rule is decided per event above)."""
    ids = [event.id for event in upcoming_for(member)]
    return (
        select(Event)
        .where(Event.id.in_(ids))
        .options(undefer(Event.waitlisted))
        .order_by(Event.starts_at, Event.id)
    )


def visible_event(member: Member, event_id: int) -> Event:
    """An event a member may look at: anything published once (a shared link works) — not drafts."""
    stmt = select(Event).where(Event.id == event_id).options(undefer(Event.waitlisted))
    event = db.session.scalars(stmt).first()
    if event is None or event.status == EventStatus.DRAFT:
        raise NotFound("活动不存在")
    return event


@dataclass(frozen=True)
class EventForMember:
    """An event as one member sees it: their live sign-up, and whether (or why not) they may sign up."""

    event: Event
    my_signup: EventSignup | None
    can_sign_up: bool
    reason: str | None


def event_for(member: Member, event_id: int) -> EventForMember:
    event = visible_event(member, event_id)
    signup = live_signup(event.id, member.id)
    problem = eligibility_problem(event, member)
    reason = "您已报名该活动" if signup is not None else (problem.message if problem else None)
    return EventForMember(event=event, my_signup=signup, can_sign_up=reason is None, reason=reason)


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
def _take_seat(event_id: int, gender: str) -> bool:
    """One seat for ``gender``: within its quota (no quota: the capacity) and within the capacity."""
    mine = Event.id == event_id
    counter = _SEATED_COLUMN[gender]
    if not capacity.take(counter, func.coalesce(_QUOTA_COLUMN[gender], Event.capacity), mine):
        return False
    if capacity.take(Event.seated, Event.capacity, mine):
        return True
    capacity.give_back(counter, mine)
    return False


def _give_back_seat(event_id: int, gender: str) -> None:
    mine = Event.id == event_id
    capacity.give_back(_SEATED_COLUMN[gender], mine)
    capacity.give_back(Event.seated, mine)


def _next_waitlist_position(event: Event) -> int:
    """1, 2, 3 … per event in lock order; rolled back with the sign-up, so never a gap. The caller
    holds the lock, so the position read with the event is still the last one given out — the
    compare-and-set below would refuse to hand it out twice if it were not."""
    position = event.waitlist_seq + 1
    claimed = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.waitlist_seq == position - 1)
        .values(waitlist_seq=position)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise RuntimeError(f"waitlist position of event {event.id} moved under its lock")
    return position


def sign_up(
    *, member: Member, event_id: int, single_declared: bool, declaration_version: str, nickname: str | None
) -> EventSignup:
    """报名: a seat if the member's gender still has one, else the next place on the waitlist."""
    if not single_declared:
        raise InvalidInput("single_declared", "联谊活动仅限单身会员参加，请阅读并确认单身声明")
    if declaration_version != rules().declaration_version:
        raise InvalidInput("declaration_version", "单身声明已更新，请阅读最新版本后再报名")
    unions = _ancestor_ids(member.org)  # read before taking the lock, which is held as briefly as can be
    event = _lock(event_id)
    if event.status == EventStatus.DRAFT:
        raise NotFound("活动不存在")
    now = utcnow()
    problem = eligibility_problem(event, member, now, unions=unions)
    if problem is not None:
        raise problem
    # One live sign-up per member and event: the unique index on (event, active member) refuses a
    # second one when it is written below, and the rollback gives back whatever seat it took.
    signup = EventSignup(
        event_id=event.id,
        member_id=member.id,
        account_id=member.account_id,
        active_member_id=member.id,
        gender=member.gender,
        age=age_on(member.birth_date, event_day(event)) if member.birth_date else None,
        nickname=nickname,
        single_declared_at=now,
        declaration_version=declaration_version,
        created_at=now,
    )
    if _take_seat(event.id, member.gender):
        signup.status, signup.seated_at = SignupStatus.SEATED, now
    else:
        signup.status = SignupStatus.WAITLISTED
        signup.waitlist_position = _next_waitlist_position(event)
    _counters_changed(event)
    db.session.add(signup)
    flush_or_conflict("您已报名该活动，请勿重复报名", "already_signed_up")
    if signup.status == SignupStatus.SEATED:
        _tell(signup, "event.signed_up", event)
    else:
        _tell(signup, "event.waitlisted", event, position=signup.waitlist_position)
    _record("event.signed_up", event, signup)
    return signup


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


# --- check-in ------------------------------------------------------------------------------------------
def _ticket_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="zhigong.event-ticket")


def ticket_for(*, member: Member, event_id: int, secret_key: str) -> tuple[EventSignup, str]:
    """入场码: a short-lived signed QR payload for a seated member's sign-up."""
    signup = live_signup(event_id, member.id)
    if signup is None:
        raise NotFound("您没有该活动的有效报名", code="not_signed_up")
    if signup.status != SignupStatus.SEATED:
        raise Conflict("您仍在候补中，递补成功后才有入场码", code="not_seated")
    if signup.event.status != EventStatus.PUBLISHED:
        raise Conflict("活动已取消或已结束", code="event_closed")
    return signup, sign_ticket(secret_key, event_id=event_id, signup_id=signup.id, member_id=member.id)


def sign_ticket(secret_key: str, *, event_id: int, signup_id: int, member_id: int) -> str:
    return _ticket_serializer(secret_key).dumps({"e": event_id, "s": signup_id, "m": member_id})


def read_ticket(secret_key: str, token: str) -> dict:
    try:
        return _ticket_serializer(secret_key).loads(token, max_age=rules().ticket_ttl_seconds)
    except SignatureExpired as exc:
        raise TicketInvalid("入场码已过期，请让会员刷新后重新出示", code="ticket_expired") from exc
    except BadSignature as exc:
        raise TicketInvalid("入场码无效") from exc


@dataclass(frozen=True)
class CheckIn:
    signup: EventSignup
    first_time: bool


def check_in(*, scope: Scope, staff: Staff, event_id: int, token: str, secret_key: str) -> CheckIn:
    """Staff scan (or type) a ticket at the door; attendance is recorded once, a rescan says so."""
    event = scope.get(Event, event_id)
    claims = read_ticket(secret_key, token)
    if claims.get("e") != event.id:
        raise TicketInvalid("该入场码不属于本场活动", code="ticket_other_event")
    signup = db.session.get(EventSignup, claims.get("s"))
    if signup is None or signup.event_id != event.id or signup.member_id != claims.get("m"):
        raise TicketInvalid("入场码无效")
    return _check_in(event, signup, staff)


def check_in_signup(*, scope: Scope, staff: Staff, event_id: int, signup_id: int) -> CheckIn:
    """Check a seated member in from the roster (their phone is flat, the staffer knows them): the
    same rules and the same single attendance as a scanned ticket."""
    event = scope.get(Event, event_id)
    signup = db.session.get(EventSignup, signup_id)
    if signup is None or signup.event_id != event.id:
        raise NotFound("该报名不存在", code="not_signed_up")
    return _check_in(event, signup, staff)


def _check_in(event: Event, signup: EventSignup, staff: Staff) -> CheckIn:
    if signup.status == SignupStatus.WAITLISTED:
        raise Conflict("该会员仍在候补中，不能签到", code="not_seated")
    if signup.status == SignupStatus.CANCELLED:
        raise Conflict("该会员已取消报名，不能签到", code="signup_cancelled")
    now = utcnow()
    if event.status != EventStatus.PUBLISHED or now >= event.ends_at:
        raise Conflict("活动已取消或已结束，不能签到", code="event_closed")
    if now < event.starts_at - rules().check_in_opens_before:
        raise Conflict("活动开始前3小时起才能签到", code="check_in_not_open")
    first = capacity.claim_row(
        EventSignup.checked_in_at, now, EventSignup.id == signup.id, EventSignup.status == SignupStatus.SEATED
    )
    db.session.refresh(signup)
    if signup.checked_in_at is None:  # cancelled between the look above and the claim
        raise Conflict("该会员已取消报名，不能签到", code="signup_cancelled")
    if first:
        signup.checked_in_by = staff.id
        _tell(signup, "event.checked_in", event)
        _record("event.attended", event, signup)
        audit.record(
            staff=staff,
            action="event.check_in",
            target_type="event_signup",
            target_id=signup.id,
            org_id=event.org_id,
            detail={"event_id": event.id},
        )
    return CheckIn(signup=signup, first_time=first)


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
