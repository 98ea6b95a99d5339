"""联谊交友 check-in: the signed, short-lived ticket (入场码) a seated member shows, and staff checking
them in at the door or from the roster — attendance recorded once.

Plain functions; the request owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from backend.audit import service as audit
from backend.common import capacity
from backend.common.errors import Conflict, NotFound
from backend.common.types import utcnow
from backend.events.core import TicketInvalid, _record, _tell
from backend.events.models import Event, EventSignup, EventStatus, SignupStatus
from backend.events.rules import rules
from backend.events.signups import live_signup
from backend.extensions import db
from backend.members.models import Member
from backend.staff.models import Staff
from backend.staff.scope import Scope


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
