"""Legal-aid booking rules (法律援助预约): finding free slots, booking one, cancelling, moving to
another slot, the lawyer's record of the consultation, and the day-before reminder.

Plain functions; the request (or job) owns the transaction. A slot is taken with one conditional
UPDATE (``capacity.claim_row``) inside the booking's transaction, so whatever the concurrency a slot
holds at most one booking, and a loser learns it with a 409 before anything of theirs is kept.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

from sqlalchemy import Select, Update, bindparam, func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from backend.audit import service as audit
from backend.cases.kind import Kind, Step, apply
from backend.cases.queue import filter_queue
from backend.common import capacity
from backend.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.common.time import chinese_datetime
from backend.common.types import utcnow
from backend.extensions import db
from backend.legal.flow import BOOKING_FLOW, LAWYER_ONLY
from backend.legal.models import (
    MODE_LABELS,
    OUTCOME_LABELS,
    BookingStatus,
    Lawyer,
    LegalBooking,
    LegalCenter,
    LegalSlot,
    Mode,
    Outcome,
)
from backend.legal.network import lawyer_of, visible_to
from backend.legal.rules import rules
from backend.legal.slots import local_day_bounds
from backend.members import privacy
from backend.members.models import Member, WxAccount
from backend.notify import service as notify
from backend.participation import service as participation
from backend.staff import permissions as perm
from backend.staff.models import Staff
from backend.staff.scope import Scope

# The participation facts this domain records (its ``register`` declares them).
PARTICIPATION_KINDS = {
    "legal.booked": "预约法律咨询",
    "legal.cancelled": "取消法律咨询预约",
    "legal.rescheduled": "法律咨询改约",
    "legal.reminded": "法律咨询预约提醒",
    "legal.no_show": "法律咨询预约未到场",
    "legal.consultation_held": "开展法律咨询",
}

REF_BOOKING = "legal_booking"
SLOT_TAKEN = "手慢了，该时段已被其他职工预约，请选择其他时段"


# --- finding slots ----------------------------------------------------------------------------------
def bookable_from(now: datetime | None = None) -> datetime:
    """Slots starting after this instant can still be booked."""
    return (now or utcnow()) + rules().booking_closes


def free_slots_stmt(
    *,
    center_id: int,
    day: date | None = None,
    lawyer_id: int | None = None,
    mode: str | None = None,
    now: datetime | None = None,
) -> Select:
    """Free, bookable future slots of one centre (one local day, if given), earliest first."""
    stmt = select(LegalSlot).where(
        LegalSlot.center_id == center_id,
        LegalSlot.booking_id.is_(None),
        LegalSlot.closed_at.is_(None),
        LegalSlot.starts_at > bookable_from(now),
    )
    if day is not None:
        start, end = local_day_bounds(day)
        stmt = stmt.where(LegalSlot.starts_at >= start, LegalSlot.starts_at < end)
    if lawyer_id is not None:
        stmt = stmt.where(LegalSlot.lawyer_id == lawyer_id)
    if mode:
        stmt = stmt.where(LegalSlot.modes.contains(mode))
    return stmt.order_by(LegalSlot.starts_at, LegalSlot.id)


# --- helpers ----------------------------------------------------------------------------------------
def local_text(at: datetime) -> str:
    return chinese_datetime(at)


def _values(booking: LegalBooking, **extra) -> dict:
    """What every legal-aid notification can show."""
    lawyer = db.session.get(Lawyer, booking.lawyer_id, options=[joinedload(Lawyer.center)])
    center = lawyer.center  # one SELECT for both: slots are made in their lawyer's centre …
    if center.id != booking.center_id:  # … unless the lawyer has moved since
        center = db.session.get(LegalCenter, booking.center_id)
    # The answer shows both too: hand them to the booking instead of loading them again for it.
    set_committed_value(booking, "center", center)
    set_committed_value(booking, "lawyer", lawyer)
    return {
        "center_name": center.name,
        "center_address": center.address,
        "lawyer_name": lawyer.name,
        "topic": rules().topics.get(booking.topic, booking.topic),
        "mode": MODE_LABELS.get(booking.mode, booking.mode),
        "starts_at": booking.starts_at,
        "when": local_text(booking.starts_at),
        **extra,
    }


def _tell(booking: LegalBooking, kind: str, **extra) -> None:
    if booking.account_id is not None:
        notify.notify(
            account_id=booking.account_id, kind=kind, org_id=booking.org_id, **_values(booking, **extra)
        )


def _member_org(booking: LegalBooking) -> int:
    return db.session.scalar(select(Member.org_id).where(Member.id == booking.member_id))


def _fact(kind: str, booking: LegalBooking, *, org_id: int, ref_type: str = REF_BOOKING, ref_id=None) -> None:
    participation.record(
        kind=kind,
        org_id=org_id,
        member_id=booking.member_id,
        ref_type=ref_type,
        ref_id=ref_id if ref_id is not None else booking.id,
    )


# Statements of the booking path, built once: building a statement costs more than running it.
_MEMBER_LOCK = select(Member.id).where(Member.id == bindparam("member_id")).with_for_update()
_UPCOMING = select(func.count()).where(  # the member's other bookings still to come
    LegalBooking.member_id == bindparam("member_id"),
    LegalBooking.status == BookingStatus.BOOKED,
    LegalBooking.starts_at > bindparam("now"),
    LegalBooking.id != bindparam("booking_id"),
)


def _slot_for(slot_id: int, mode: str, now: datetime) -> LegalSlot:
    """The slot a member asks for, read holding its row lock and checked before any write (the
    claim re-checks atomically).

    The lock comes first, before the booking row that references the slot is inserted: InnoDB's
    foreign-key check on that insert takes a *shared* lock on the slot, and two racers holding it
    would then deadlock upgrading to the claim's exclusive lock. Taking the exclusive lock first makes
    racers queue instead, and a racer that gets the lock after the winner committed sees the slot
    taken and stops before writing anything (SQLite has a single writer and ignores FOR UPDATE).
    """
    slot = db.session.get(LegalSlot, slot_id, with_for_update=True, populate_existing=True)
    if slot is None:
        raise InvalidInput("slot_id", "所选时段不存在")
    if mode not in slot.mode_list:
        offered = "、".join(MODE_LABELS[Mode(m)] for m in slot.mode_list)
        raise InvalidInput("mode", f"该时段不提供{MODE_LABELS[Mode(mode)]}咨询，可选：{offered}")
    if slot.starts_at <= bookable_from(now):
        raise Conflict("该时段已截止预约，请选择其他时段", code="slot_closed")
    if not slot.is_free:
        raise Conflict(SLOT_TAKEN, code="slot_taken")
    return slot


@functools.cache
def _claim_statement() -> Update:
    """The slot's claim, built once on the table's own columns (building an UPDATE and working out its
    cache key cost more than running it): it takes the slot only while it is open, still bookable
    (it starts after the bound ``after``) and free."""
    slots = LegalSlot.__table__.c
    return capacity.claim_row_statement(
        slots.booking_id,
        slots.id == bindparam("slot_id"),
        slots.closed_at.is_(None),
        slots.starts_at > bindparam("after"),
    )


def _claim(slot: LegalSlot, booking_id: int, now: datetime) -> None:
    taken = capacity.took(
        _claim_statement(), claimed_by=booking_id, slot_id=slot.id, after=bookable_from(now)
    )
    if not taken:
        raise Conflict(SLOT_TAKEN, code="slot_taken")


def _release(slot_id: int, booking_id: int, *, close_by: Staff | None = None, now=None) -> None:
    """Give a slot back (only if this booking still holds it); staff may close it at the same time."""
    values: dict = {"booking_id": None}
    if close_by is not None:
        values.update(closed_at=now or utcnow(), closed_by=close_by.id)
    db.session.execute(
        update(LegalSlot)
        .where(LegalSlot.id == slot_id, LegalSlot.booking_id == booking_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )


def _guard(booking: LegalBooking) -> None:
    """Claim the right to change this booking: bump its version if nobody changed it since we read
    it. Of two concurrent changes one applies; the other gets 409 and changes nothing."""
    bumped = db.session.execute(
        update(LegalBooking)
        .where(
            LegalBooking.id == booking.id,
            LegalBooking.version == booking.version,
            LegalBooking.status == BookingStatus.BOOKED,
        )
        .values(version=LegalBooking.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not bumped:
        raise Conflict("该预约刚刚发生了变化，请刷新后重试", code="booking_changed")
    db.session.refresh(booking)


def duration_text(span: timedelta) -> str:
    """2小时, 30分钟 — for messages that quote a configured window."""
    minutes = span.total_seconds() / 60
    return f"{minutes / 60:g}小时" if minutes >= 60 else f"{minutes:g}分钟"


def _before(deadline: timedelta, booking: LegalBooking, now: datetime, what: str) -> None:
    if now > booking.starts_at - deadline:
        raise Conflict(
            f"距离咨询开始已不足{duration_text(deadline)}，无法在线{what}；如有变化请致电法律援助中心",
            code="window_closed",
        )


# --- the member's side ------------------------------------------------------------------------------
def book(
    *,
    member: Member,
    account_id: int | None,
    slot_id: int,
    topic: str,
    mode: str,
    description: str | None = None,
    opposing_party: str | None = None,
    now: datetime | None = None,
) -> LegalBooking:
    """Book a free slot for a consultation. 409 if it was taken, closed, or the member already holds
    the most upcoming bookings allowed."""
    now = now or utcnow()
    limits = rules()
    if topic not in limits.topics:
        raise InvalidInput("topic", f"取值应为：{'、'.join(limits.topics.values())}")
    slot = _slot_for(slot_id, mode, now)  # locked until the commit
    # One member's concurrent bookings queue here (row lock), so the limit below cannot be raced.
    db.session.execute(_MEMBER_LOCK, {"member_id": member.id})
    booking = LegalBooking(
        member_id=member.id,
        account_id=account_id,
        slot_id=slot.id,
        lawyer_id=slot.lawyer_id,
        center_id=slot.center_id,
        org_id=slot.org_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        mode=mode,
        topic=topic,
        description=description,
        opposing_party=opposing_party,
        status=BookingStatus.BOOKED,
        booked_at=now,
    )
    db.session.add(booking)
    db.session.flush()
    upcoming = db.session.scalar(_UPCOMING, {"member_id": member.id, "now": now, "booking_id": booking.id})
    if upcoming >= limits.max_upcoming_per_member:
        raise Conflict(
            f"您已有{upcoming}个未开始的法律咨询预约，最多可同时预约{limits.max_upcoming_per_member}个",
            code="too_many_bookings",
        )
    _claim(slot, booking.id, now)
    _tell(booking, "legal.booked", cancel_until=duration_text(limits.cancel_until))
    _fact("legal.booked", booking, org_id=member.org_id)
    return booking


def bookings_of_stmt(member: Member) -> Select:
    """The member's bookings, latest appointment first."""
    stmt = select(LegalBooking).where(LegalBooking.member_id == member.id)
    return stmt.order_by(LegalBooking.starts_at.desc(), LegalBooking.id.desc())


def bookings_of(member: Member) -> list[LegalBooking]:
    return list(db.session.scalars(bookings_of_stmt(member)))


def own_booking(member: Member, booking_id: int) -> LegalBooking:
    booking = db.session.get(LegalBooking, booking_id)
    if booking is None or booking.member_id != member.id:
        raise NotFound("预约不存在")
    return booking


def member_actions(booking: LegalBooking, now: datetime | None = None) -> list[str]:
    """What the member may still do online: cancel and move, each until its window closes."""
    if booking.status != BookingStatus.BOOKED:
        return []
    limits, now = rules(), now or utcnow()
    actions = []
    if now <= booking.starts_at - limits.cancel_until:
        actions.append("cancel")
    if (
        now <= booking.starts_at - limits.reschedule_until
        and booking.reschedule_count < limits.max_reschedules
    ):
        actions.append("reschedule")
    return actions


def cancel(
    *, member: Member, booking_id: int, reason: str | None = None, now: datetime | None = None
) -> LegalBooking:
    """The member cancels (until ``cancel_until_hours`` before the start); the slot is free again."""
    booking = own_booking(member, booking_id)
    apply(BOOKING_KIND, "cancel", actor_type="worker", case=booking, now=now, member=member, reason=reason)
    return booking


def _cancelled(step: Step) -> None:
    """The member's cancellation frees the slot; when their data is erased it also ignores the
    usual window and tells nobody (there is nobody left to tell)."""
    booking, erasing = step.case, step.inputs.get("erasing", False)
    if not erasing:
        _before(rules().cancel_until, booking, step.now, "取消")
    _guard(booking)
    _release(booking.slot_id, booking.id)
    booking.closed_at = step.now
    booking.cancelled_by = "member"
    booking.cancel_reason = "会员注销" if erasing else step.inputs["reason"]
    if not erasing:
        _tell(booking, "legal.cancelled")
        _fact("legal.cancelled", booking, org_id=step.inputs["member"].org_id)


def reschedule(
    *, member: Member, booking_id: int, slot_id: int, mode: str | None = None, now: datetime | None = None
) -> LegalBooking:
    """Move a booking to another free slot: the new slot is taken and the old one freed in the same
    transaction, so the member never holds both or neither."""
    booking = own_booking(member, booking_id)
    apply(
        BOOKING_KIND,
        "reschedule",
        actor_type="worker",
        case=booking,
        now=now,
        member=member,
        slot_id=slot_id,
        mode=mode,
    )
    return booking


def _rescheduled(step: Step) -> None:
    booking, now, slot_id, mode = step.case, step.now, step.inputs["slot_id"], step.inputs["mode"]
    limits = rules()
    _before(limits.reschedule_until, booking, now, "改约")
    if booking.reschedule_count >= limits.max_reschedules:
        raise Conflict(f"每个预约最多可改约{limits.max_reschedules}次", code="too_many_reschedules")
    if slot_id == booking.slot_id:
        raise InvalidInput("slot_id", "新时段与原时段相同")
    new_slot = _slot_for(slot_id, mode or booking.mode, now)
    _guard(booking)
    _claim(new_slot, booking.id, now)
    _release(booking.slot_id, booking.id)
    old_when = local_text(booking.starts_at)
    booking.slot_id = new_slot.id
    booking.lawyer_id, booking.center_id, booking.org_id = (
        new_slot.lawyer_id,
        new_slot.center_id,
        new_slot.org_id,
    )
    booking.starts_at, booking.ends_at = new_slot.starts_at, new_slot.ends_at
    booking.mode = mode or booking.mode
    booking.booked_at = now
    booking.reminded_at = None  # a new time deserves its own reminder
    booking.reschedule_count += 1
    db.session.flush()
    _tell(booking, "legal.rescheduled", old_when=old_when)
    member_org = step.inputs["member"].org_id
    _fact("legal.rescheduled", booking, org_id=member_org, ref_type="legal_slot", ref_id=new_slot.id)


# --- the staff side (admins of the subtree, and the lawyer who holds the booking) ----------------------
def staff_bookings_stmt(
    *,
    scope: Scope,
    staff: Staff,
    status: list[str] | None = None,
    center_id: int | None = None,
    lawyer_id: int | None = None,
    day: date | None = None,
) -> Select:
    """Admins see the bookings of their subtree's centres; a lawyer sees their own, nothing else."""
    stmt = visible_to(staff, scope, select(LegalBooking), LegalBooking)
    stmt = filter_queue(stmt, LegalBooking, scope, status=status)
    if center_id is not None:
        stmt = stmt.where(LegalBooking.center_id == center_id)
    if lawyer_id is not None:
        stmt = stmt.where(LegalBooking.lawyer_id == lawyer_id)
    if day is not None:
        start, end = local_day_bounds(day)
        stmt = stmt.where(LegalBooking.starts_at >= start, LegalBooking.starts_at < end)
    return stmt.order_by(LegalBooking.starts_at, LegalBooking.id)


def staff_booking(*, scope: Scope, staff: Staff, booking_id: int) -> LegalBooking:
    """One booking the staff member may see, else 404 (its existence does not leak)."""
    stmt = staff_bookings_stmt(scope=scope, staff=staff).where(LegalBooking.id == booking_id)
    booking = db.session.scalars(stmt).first()
    if booking is None:
        raise NotFound("预约不存在")
    return booking


def act(
    *,
    scope: Scope,
    staff: Staff,
    booking_id: int,
    action: str,
    outcome: str | None = None,
    note: str | None = None,
    close_slot: bool = False,
    now: datetime | None = None,
) -> LegalBooking:
    """A staff transition: the lawyer records the outcome (complete) or a no-show; the centre (or the
    lawyer) cancels with a reason, optionally closing the slot so nobody else books it."""
    step = apply(
        BOOKING_KIND,
        action,
        actor_type="staff",
        scope=scope,
        case_id=booking_id,
        staff=staff,
        note=note,
        now=now,
        outcome=outcome,
        close_slot=close_slot,
    )
    return step.case


def _visible_booking(kind: Kind, scope: Scope, staff: Staff | None, booking_id: int) -> LegalBooking:
    """A booking the staff member may see (a lawyer only their own); ``_guard`` claims it later."""
    return staff_booking(scope=scope, staff=staff, booking_id=booking_id)


def _staff_acted(step: Step) -> dict:
    """Outcome, no-show or the centre's cancellation: who may record it, when, and what follows."""
    booking, action, now, staff = step.case, step.action, step.now, step.staff
    outcome, close_slot = step.inputs["outcome"], step.inputs["close_slot"]
    lawyer = lawyer_of(staff) if perm.can(staff.role, perm.LEGAL_CONSULT) else None
    holds_it = lawyer is not None and lawyer.id == booking.lawyer_id
    if action in LAWYER_ONLY and not holds_it:
        raise Forbidden("只有接待该预约的律师可以记录咨询结果或未到场")
    note = (step.note or "").strip() or None
    if action == "complete":
        if outcome not in set(Outcome):
            labels = "、".join(OUTCOME_LABELS.values())
            raise InvalidInput("outcome", f"请选择咨询结果：{labels}")
        if outcome == Outcome.REFERRED and not note:
            raise InvalidInput("note", "请注明转介去向（如劳动仲裁、劳动监察、法律援助中心）")
        if now < booking.starts_at:
            raise Conflict("咨询尚未开始，开始后才能记录结果", code="too_early")
    elif outcome is not None:
        raise InvalidInput("outcome", "只有记录咨询结果时才需要填写")
    if action == "no_show" and now < booking.starts_at + rules().no_show_after:
        minutes = int(rules().no_show_after.total_seconds() // 60)
        raise Conflict(f"咨询开始{minutes}分钟后才能标记未到场", code="too_early")

    _guard(booking)
    booking.closed_at = now
    booking.handled_by = staff.id
    if action == "complete":
        booking.outcome, booking.outcome_note = outcome, note
        _tell(booking, "legal.completed", outcome=OUTCOME_LABELS[Outcome(outcome)], note=note or "无")
        _fact("legal.consultation_held", booking, org_id=booking.org_id)
    elif action == "no_show":
        booking.outcome_note = note
        _tell(booking, "legal.no_show")
        _fact("legal.no_show", booking, org_id=booking.org_id)
    else:
        _release(booking.slot_id, booking.id, close_by=staff if close_slot else None, now=now)
        booking.cancelled_by, booking.cancel_reason = "staff", note
        _tell(booking, "legal.cancelled_by_center", note=note)
        _fact("legal.cancelled", booking, org_id=_member_org(booking))
    return {"outcome": outcome, "note": note, "close_slot": close_slot}


BOOKING_KIND = Kind(
    name="legal.booking",
    target_type=REF_BOOKING,
    model=LegalBooking,
    flow=BOOKING_FLOW,
    note_message="请填写取消原因，我们会告知职工",
    effects={
        "cancel": _cancelled,
        "reschedule": _rescheduled,
        **dict.fromkeys(("staff_cancel", "complete", "no_show"), _staff_acted),
    },
    lock=_visible_booking,
    audit_detail=lambda step: step.detail,  # the note as recorded: trimmed, or none
)


def booking_contact(*, scope: Scope, staff: Staff, booking_id: int) -> Member:
    """The member's full contact, for the lawyer who holds the booking (a phone consultation needs
    the number) or an admin allowed to see personal data; every look is audited."""
    booking = staff_booking(scope=scope, staff=staff, booking_id=booking_id)
    lawyer = lawyer_of(staff) if perm.can(staff.role, perm.LEGAL_CONSULT) else None
    if not (perm.can(staff.role, perm.PII_REVEAL) or (lawyer is not None and lawyer.id == booking.lawyer_id)):
        raise Forbidden("无权查看职工的完整联系方式")
    audit.record(
        staff=staff, action="pii.reveal", target_type=REF_BOOKING, target_id=booking.id, org_id=booking.org_id
    )
    return booking.member


def staff_actions(booking: LegalBooking, staff: Staff) -> list[str]:
    """The buttons the admin panel may offer this staff member for this booking."""
    lawyer = lawyer_of(staff) if perm.can(staff.role, perm.LEGAL_CONSULT) else None
    holds_it = lawyer is not None and lawyer.id == booking.lawyer_id
    return [
        t.action
        for t in BOOKING_FLOW.actions(booking.status, "staff")
        if holds_it or t.action not in LAWYER_ONLY
    ]


# --- the day-before reminder ---------------------------------------------------------------------------
def due_reminders_stmt(now: datetime) -> Select:
    """Bookings starting within ``hours_before`` that were made before that point and have not been
    reminded. A job run that was missed is caught up by the next one."""
    before = rules().remind_before
    return (
        select(LegalBooking.id)
        .where(
            LegalBooking.status == BookingStatus.BOOKED,
            LegalBooking.reminded_at.is_(None),
            LegalBooking.starts_at > now,
            LegalBooking.starts_at <= now + before,
        )
        .order_by(LegalBooking.starts_at)
    )


def send_reminders(*, now: datetime | None = None, batch: int = 500) -> int:
    """Remind each due booking exactly once: ``reminded_at`` is claimed with a conditional UPDATE, so
    two runs (or two workers) never remind the same booking twice. Returns how many were sent."""
    now = now or utcnow()
    before = rules().remind_before
    sent = 0
    for booking_id in db.session.scalars(due_reminders_stmt(now).limit(batch)).all():
        booking = db.session.get(LegalBooking, booking_id)
        late = booking.booked_at > booking.starts_at - before  # booked inside the window
        claimed = capacity.claim_row(
            LegalBooking.reminded_at,
            now,
            LegalBooking.id == booking_id,
            LegalBooking.status == BookingStatus.BOOKED,
        )
        if not claimed or late:
            continue  # reminded elsewhere; or the booking confirmation went out hours ago
        _tell(booking, "legal.reminder")
        _fact(
            "legal.reminded",
            booking,
            org_id=_member_org(booking),
            ref_type="legal_slot",
            ref_id=booking.slot_id,
        )
        sent += 1
    return sent


# --- personal data (PIPL) ------------------------------------------------------------------------------
def erase_personal_data(account: WxAccount, member: Member | None) -> None:
    """The person leaves: future bookings are cancelled (the slot is free again, whatever the usual
    cancellation window) and every booking loses the story and the opposing party."""
    if member is None:
        return
    now = utcnow()
    bookings = list(db.session.scalars(select(LegalBooking).where(LegalBooking.member_id == member.id)))
    privacy.forget_history(REF_BOOKING, [booking.id for booking in bookings])
    for booking in bookings:
        if booking.status == BookingStatus.BOOKED and booking.starts_at > now:
            apply(BOOKING_KIND, "cancel", actor_type="worker", case=booking, now=now, erasing=True)
        booking.description, booking.opposing_party, booking.outcome_note = None, None, None


PERSONAL_DATA = privacy.PersonalData(
    "legal_bookings",
    export=lambda account, member: bookings_of(member) if member else [],
    erase=erase_personal_data,
)
