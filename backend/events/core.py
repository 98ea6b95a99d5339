"""联谊交友: what the parts of the domain share — its errors, the event row lock every change of seats
waits on, the words and dates members are told, and the participation facts it credits.

Plain functions; the request owns the transaction."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update

from backend.common.crypto import mask_name
from backend.common.errors import DomainError, Forbidden, NotFound
from backend.common.time import SHANGHAI
from backend.events.models import Event, EventSignup
from backend.extensions import db
from backend.notify import service as notify
from backend.participation import service as participation

# The participation facts this domain records (its ``register`` declares them).
PARTICIPATION_KINDS = {
    "event.signed_up": "报名联谊活动",
    "event.promoted": "联谊活动候补递补",
    "event.signup_cancelled": "取消联谊活动报名",
    "event.attended": "参加联谊活动",
    "event.matched": "联谊活动互有好感",
}


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
    kind: str,
    event: Event,
    signup: EventSignup,
    *,
    ref_type: str = "event_signup",
    ref_id: int | None = None,
    org_id: int | None = None,
) -> None:
    """A participation fact credited to the member's own union (as competition and legal facts are):
    the union whose members took part scores it, not the node that organised the event. Deduplicated
    by its kind and ref. ``org_id``: that union, when the caller holds it (a sign-up just written is
    not in the session, so it cannot load its member)."""
    participation.record(
        kind=kind,
        org_id=org_id if org_id is not None else signup.member.org_id,
        member_id=signup.member_id,
        ref_type=ref_type,
        ref_id=ref_id or signup.id,
    )
