"""联谊交友 events: staff creating and running them (发布 / 取消 / 结束, the roster), and members finding
the ones open to them.

Plain functions; the request owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, case, select
from sqlalchemy.orm import joinedload, undefer

from backend.audit import service as audit
from backend.cases.kind import Kind, Step, apply
from backend.common.errors import Conflict, InvalidInput, NotFound
from backend.common.statemachine import StateMachine, Transition
from backend.common.types import utcnow
from backend.events.core import InvalidEvent, _lock, _tell
from backend.events.models import EVENT_STATUS_LABELS, Event, EventSignup, EventStatus, SignupStatus
from backend.events.schemas import EventChanges, NewEvent
from backend.events.signups import (
    _age_problem,
    _announce_promotions,
    _fill_seats,
    eligibility_problem,
    live_signup,
)
from backend.extensions import db
from backend.members.models import Member
from backend.orgs.models import Org, ancestor_ids
from backend.staff.models import Staff
from backend.staff.scope import Scope

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
    labels=EVENT_STATUS_LABELS,
)


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
    event.audience_org_id = ancestor_ids(organiser)[0] if terms["citywide"] else organiser.id


def create_event(*, scope: Scope, staff: Staff, event_in: NewEvent) -> Event:
    """A draft event organised by the staff member's node or a node below it."""
    org_id = event_in.org_id or staff.org_id
    organiser = db.session.get(Org, org_id)
    if not scope.contains(organiser):
        raise InvalidInput("org_id", "只能以本级或下级工会的名义组织活动")
    event = Event(org_id=organiser.id, status=EventStatus.DRAFT, created_by=staff.id)
    _apply_terms(event, event_in.terms(), organiser)
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


def update_event(*, scope: Scope, staff: Staff, event_id: int, changes: EventChanges) -> Event:
    """Change a draft or published event. Seats already given stay given: capacity and quotas can't
    drop below them; when they grow, the waitlist moves up into the new seats at once."""
    scope.get(Event, event_id)
    event = _lock(event_id)
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise Conflict("活动已取消或已结束，不能修改", code="event_closed")
    terms = changes.terms()
    _apply_terms(event, terms, db.session.get(Org, event.org_id))
    db.session.flush()  # the new capacity and quotas are what the seat updates below compare with
    if event.status == EventStatus.PUBLISHED and utcnow() < event.starts_at:
        _announce_promotions(event, _fill_seats(event))
    audit.record(
        staff=staff,
        action="event.update",
        target_type="event",
        target_id=event.id,
        org_id=event.org_id,
        detail={"fields": sorted(terms)},
    )
    return event


def transition_event(
    *, scope: Scope, staff: Staff, event_id: int, action: str, note: str | None = None
) -> Event:
    """发布 / 取消 / 结束. Cancelling tells everyone signed up (seated or waitlisted)."""
    return apply(
        EVENT_KIND, action, actor_type="staff", scope=scope, case_id=event_id, staff=staff, note=note
    ).case


def _lock_event(kind: Kind, scope: Scope, staff: Staff | None, event_id: int) -> Event:
    """The event of the subtree (404 outside it), held by the lock every seat change waits for."""
    scope.get(Event, event_id)
    return _lock(event_id)


def _event_moved(step: Step) -> None:
    event, action, now = step.case, step.action, step.now
    if action == "publish":
        if event.signup_closes_at <= now:
            raise Conflict("报名截止时间已过，请先修改活动时间再发布", code="signup_window_past")
        event.published_at = now
    if action == "finish" and now < event.starts_at:
        raise Conflict("活动尚未开始，不能结束", code="event_not_started")
    event.status_note = step.note
    event.updated_at = now
    if action == "cancel":
        step.then(lambda: _tell_cancelled(event, step.note))


def _tell_cancelled(event: Event, note: str | None) -> None:
    live = select(EventSignup).where(
        EventSignup.event_id == event.id, EventSignup.active_member_id.is_not(None)
    )
    for signup in db.session.scalars(live):
        _tell(signup, "event.cancelled", event, note=note)


EVENT_KIND = Kind(
    name="event",
    target_type="event",
    model=Event,
    flow=EVENT_FLOW,
    note_message="请填写取消活动的原因",
    effects=dict.fromkeys(EVENT_FLOW.all_actions, _event_moved),
    lock=_lock_event,
)


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


def upcoming_for(member: Member) -> list[Event]:
    """Published events not yet begun that are open to this member (their subtree, their age)."""
    stmt = (
        select(Event)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > utcnow(),
            Event.audience_org_id.in_(ancestor_ids(member.org)),
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
