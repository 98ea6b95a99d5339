"""The legal-aid network, as staff manage it: centres on the four levels, their lawyers and the
lawyers' weekly schedules (四级法律援助网络). Every change is scoped to the staff member's subtree and
audited; every schedule change regenerates the lawyer's free slots in the same transaction."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time

from sqlalchemy import Select, select, update

from backend.audit import service as audit
from backend.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.common.schema import given
from backend.common.types import utcnow
from backend.extensions import db
from backend.legal.models import (
    LEVEL_OF_ORG,
    Lawyer,
    LegalCenter,
    LegalSchedule,
    LegalSlot,
    Mode,
)
from backend.legal.rules import rules
from backend.legal.schemas import CenterChanges, CenterNew, LawyerChanges, LawyerNew, ScheduleTerms
from backend.legal.slots import local_day_bounds, sync_lawyer_slots
from backend.orgs.models import Org, OrgLevel
from backend.staff import permissions as perm
from backend.staff.models import Role, Staff
from backend.staff.scope import Scope

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _audit(staff: Staff, action: str, target_type: str, target_id: int, org_id: int, **detail) -> None:
    audit.record(
        staff=staff,
        action=f"legal.{action}",
        target_type=target_type,
        target_id=target_id,
        org_id=org_id,
        detail=detail,
    )


# --- centres ----------------------------------------------------------------------------------------
def centers_stmt(
    *,
    org_id: int | None = None,
    level: str | None = None,
    q: str | None = None,
    scope: Scope | None = None,
    include_inactive: bool = False,
) -> Select:
    """Centres, optionally within one org's subtree, of one level, or matching a name fragment."""
    stmt = select(LegalCenter)
    if scope is not None:
        stmt = scope.restrict(stmt, LegalCenter.org_id)
    if org_id is not None:
        org = db.session.get(Org, org_id)
        if org is None:
            raise InvalidInput("org_id", "所选组织不存在")
        subtree = select(Org.id).where(Org.path.startswith(org.path, autoescape=True))
        stmt = stmt.where(LegalCenter.org_id.in_(subtree))
    if level:
        stmt = stmt.where(LegalCenter.level == level)
    if q:
        stmt = stmt.where(LegalCenter.name.contains(q.strip(), autoescape=True))
    if not include_inactive:
        stmt = stmt.where(LegalCenter.active.is_(True))
    return stmt.order_by(LegalCenter.level, LegalCenter.id)


def public_center(center_id: int) -> LegalCenter:
    center = db.session.get(LegalCenter, center_id)
    if center is None or not center.active:
        raise NotFound("法律援助中心不存在或已停止服务")
    return center


def _org_in_scope(scope: Scope, org_id: int) -> Org:
    org = db.session.get(Org, org_id)
    if not scope.contains(org):
        raise InvalidInput("org_id", "所选组织不存在或不在您的管辖范围内")
    return org


def create_center(*, scope: Scope, staff: Staff, center_in: CenterNew) -> LegalCenter:
    """Open a centre at an org node of the subtree; its level follows the node's level."""
    org = _org_in_scope(scope, center_in.org_id)
    center = LegalCenter(
        org_id=org.id,
        name=center_in.name,
        level=LEVEL_OF_ORG[OrgLevel(org.level)],
        address=center_in.address,
        phone=center_in.phone,
        intro=center_in.intro,
    )
    db.session.add(center)
    db.session.flush()
    _audit(staff, "center.create", "legal_center", center.id, org.id, name=center.name)
    return center


def update_center(*, scope: Scope, staff: Staff, center_id: int, changes: CenterChanges) -> LegalCenter:
    data = given(changes)
    center = scope.get(LegalCenter, center_id)
    for name in ("name", "address", "phone", "intro", "active"):
        if name in data:
            setattr(center, name, data[name])
    db.session.flush()
    if "active" in data:  # opening or closing a centre opens or closes its lawyers' free slots
        for lawyer in db.session.scalars(select(Lawyer).where(Lawyer.center_id == center.id)):
            sync_lawyer_slots(lawyer)
    _audit(staff, "center.update", "legal_center", center.id, center.org_id, changes=_jsonable(data))
    return center


# --- lawyers ----------------------------------------------------------------------------------------
def lawyers_stmt(*, scope: Scope, center_id: int | None = None, active: bool | None = None) -> Select:
    stmt = scope.restrict(select(Lawyer), Lawyer.org_id)
    if center_id is not None:
        stmt = stmt.where(Lawyer.center_id == center_id)
    if active is not None:
        stmt = stmt.where(Lawyer.active.is_(active))
    return stmt.order_by(Lawyer.id)


def _center_in_scope(scope: Scope, center_id: int) -> LegalCenter:
    center = db.session.get(LegalCenter, center_id)
    if center is None or not scope.contains_id(center.org_id):
        raise InvalidInput("center_id", "所选法律援助中心不存在或不在您的管辖范围内")
    return center


def add_lawyer(*, scope: Scope, staff: Staff, lawyer_in: LawyerNew) -> Lawyer:
    """Link a lawyer's staff account to a centre of the subtree (one centre per lawyer)."""
    account = db.session.get(Staff, lawyer_in.staff_id)
    if account is None or account.role != Role.LAWYER or not scope.contains(account.org):
        raise InvalidInput("staff_id", "请选择本级或下级工会登记的律师账号")
    center = _center_in_scope(scope, lawyer_in.center_id)
    if db.session.scalars(select(Lawyer.id).where(Lawyer.staff_id == account.id)).first():
        raise Conflict("该律师已在其他法律援助中心登记", code="lawyer_exists")
    lawyer = Lawyer(
        staff_id=account.id,
        center_id=center.id,
        org_id=center.org_id,
        title=lawyer_in.title,
        specialties=lawyer_in.specialties or [],
    )
    db.session.add(lawyer)
    db.session.flush()
    _audit(staff, "lawyer.add", "legal_lawyer", lawyer.id, center.org_id, staff_id=account.id)
    return lawyer


def update_lawyer(*, scope: Scope, staff: Staff, lawyer_id: int, changes: LawyerChanges) -> Lawyer:
    """Change a lawyer's profile, move them to another centre, or (de)activate them."""
    data = given(changes)
    lawyer = scope.get(Lawyer, lawyer_id)
    if "center_id" in data and data["center_id"] != lawyer.center_id:
        center = _center_in_scope(scope, data["center_id"])
        lawyer.center_id, lawyer.org_id = center.id, center.org_id
    for name in ("title", "specialties", "active"):
        if name in data:
            setattr(lawyer, name, data[name])
    db.session.flush()
    sync_lawyer_slots(lawyer)
    _audit(staff, "lawyer.update", "legal_lawyer", lawyer.id, lawyer.org_id, changes=_jsonable(data))
    return lawyer


def lawyer_of(staff: Staff) -> Lawyer | None:
    """The lawyer profile of a staff account with the lawyer role, if it has one."""
    return db.session.scalars(select(Lawyer).where(Lawyer.staff_id == staff.id)).first()


def visible_to(staff: Staff, scope: Scope, stmt: Select, model) -> Select:
    """Admins see rows of their subtree; a lawyer sees only rows of their own; others nothing."""
    if perm.can(staff.role, perm.LEGAL_MANAGE):
        return scope.restrict(stmt, model.org_id)
    if perm.can(staff.role, perm.LEGAL_CONSULT):
        lawyer = lawyer_of(staff)
        return stmt.where(model.lawyer_id == (lawyer.id if lawyer else -1))
    raise Forbidden()


# --- schedules --------------------------------------------------------------------------------------
def schedules_of(*, scope: Scope, lawyer_id: int) -> list[LegalSchedule]:
    lawyer = scope.get(Lawyer, lawyer_id)
    stmt = select(LegalSchedule).where(LegalSchedule.lawyer_id == lawyer.id, LegalSchedule.active.is_(True))
    return list(db.session.scalars(stmt.order_by(LegalSchedule.weekday, LegalSchedule.start_time)))


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _check_schedule(lawyer: Lawyer, data: dict, *, replacing: int | None = None) -> None:
    limits = rules()
    start, end, length = data["start_time"], data["end_time"], data["slot_minutes"]
    if not limits.min_slot_minutes <= length <= limits.max_slot_minutes:
        raise InvalidInput(
            "slot_minutes", f"每个时段应在 {limits.min_slot_minutes} 到 {limits.max_slot_minutes} 分钟之间"
        )
    if _minutes(end) - _minutes(start) < length:
        raise InvalidInput("end_time", "结束时间应晚于开始时间，且至少容纳一个完整时段")
    others = db.session.scalars(
        select(LegalSchedule).where(
            LegalSchedule.lawyer_id == lawyer.id,
            LegalSchedule.weekday == data["weekday"],
            LegalSchedule.active.is_(True),
        )
    )
    for other in others:
        if other.id != replacing and start < other.end_time and other.start_time < end:
            raise InvalidInput(
                "start_time",
                f"与该律师{WEEKDAY_LABELS[other.weekday]} "
                f"{other.start_time:%H:%M}–{other.end_time:%H:%M} 的排班时间重叠",
            )


def _schedule_values(data: dict) -> dict:
    modes = [m for m in Mode if m in set(data["modes"])]  # stored in a fixed order
    return {
        "weekday": data["weekday"],
        "start_time": data["start_time"],
        "end_time": data["end_time"],
        "slot_minutes": data["slot_minutes"],
        "modes": ",".join(modes),
    }


def add_schedule(*, scope: Scope, staff: Staff, lawyer_id: int, terms: ScheduleTerms) -> LegalSchedule:
    """A weekly consultation period for a lawyer; its slots appear at once."""
    data = asdict(terms)
    lawyer = scope.get(Lawyer, lawyer_id)
    _check_schedule(lawyer, data)
    schedule = LegalSchedule(lawyer_id=lawyer.id, **_schedule_values(data))
    db.session.add(schedule)
    db.session.flush()
    sync_lawyer_slots(lawyer)
    _audit(staff, "schedule.add", "legal_schedule", schedule.id, lawyer.org_id, **_jsonable(data))
    return schedule


def _schedule_in_scope(scope: Scope, schedule_id: int) -> tuple[LegalSchedule, Lawyer]:
    schedule = db.session.get(LegalSchedule, schedule_id)
    if schedule is None or not schedule.active:
        raise NotFound("排班不存在")
    return schedule, scope.get(Lawyer, schedule.lawyer_id)


def update_schedule(*, scope: Scope, staff: Staff, schedule_id: int, terms: ScheduleTerms) -> LegalSchedule:
    data = asdict(terms)
    schedule, lawyer = _schedule_in_scope(scope, schedule_id)
    _check_schedule(lawyer, data, replacing=schedule.id)
    for name, value in _schedule_values(data).items():
        setattr(schedule, name, value)
    db.session.flush()
    sync_lawyer_slots(lawyer)
    _audit(staff, "schedule.update", "legal_schedule", schedule.id, lawyer.org_id, **_jsonable(data))
    return schedule


def remove_schedule(*, scope: Scope, staff: Staff, schedule_id: int) -> LegalSchedule:
    """Stop a weekly period: its free future slots close; booked ones stay with their bookings."""
    schedule, lawyer = _schedule_in_scope(scope, schedule_id)
    schedule.active = False
    db.session.flush()
    sync_lawyer_slots(lawyer)
    _audit(staff, "schedule.remove", "legal_schedule", schedule.id, lawyer.org_id)
    return schedule


# --- slots, as staff see them -------------------------------------------------------------------------
def staff_slots_stmt(
    *,
    scope: Scope,
    staff: Staff,
    center_id: int | None = None,
    lawyer_id: int | None = None,
    day: date | None = None,
) -> Select:
    """Slots of the subtree (admins) or the lawyer's own (lawyers), free, booked and closed alike."""
    stmt = visible_to(staff, scope, select(LegalSlot), LegalSlot)
    if center_id is not None:
        stmt = stmt.where(LegalSlot.center_id == center_id)
    if lawyer_id is not None:
        stmt = stmt.where(LegalSlot.lawyer_id == lawyer_id)
    if day is not None:
        start, end = local_day_bounds(day)
        stmt = stmt.where(LegalSlot.starts_at >= start, LegalSlot.starts_at < end)
    else:
        stmt = stmt.where(LegalSlot.starts_at >= utcnow())
    return stmt.order_by(LegalSlot.starts_at, LegalSlot.id)


def close_slot(*, scope: Scope, staff: Staff, slot_id: int, now: datetime | None = None) -> LegalSlot:
    """Take a free slot off the market (a holiday, a lawyer away). A booked slot is refused: cancel
    its booking first, so the member is told."""
    slot = db.session.get(LegalSlot, slot_id)
    lawyer = lawyer_of(staff) if staff.role == Role.LAWYER else None
    if slot is None or not (
        (perm.can(staff.role, perm.LEGAL_MANAGE) and scope.contains_id(slot.org_id))
        or (lawyer is not None and slot.lawyer_id == lawyer.id)
    ):
        raise NotFound("时段不存在")
    now = now or utcnow()
    closed = db.session.execute(
        update(LegalSlot)
        .where(LegalSlot.id == slot.id, LegalSlot.booking_id.is_(None), LegalSlot.closed_at.is_(None))
        .values(closed_at=now, closed_by=staff.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not closed:
        raise Conflict("该时段已被预约或已关闭；如需调整已预约的时段，请先取消该预约", code="slot_not_free")
    db.session.refresh(slot)
    _audit(staff, "slot.close", "legal_slot", slot.id, slot.org_id)
    return slot


def close_day(
    *, scope: Scope, staff: Staff, day: date, center_id: int | None = None, lawyer_id: int | None = None
) -> tuple[int, int]:
    """Close every free slot of a (Shanghai) day — a holiday, a centre shut — of the slots the caller
    may manage; booked ones stay (their bookings are cancelled one by one, so members are told).
    Returns (closed, still booked)."""
    stmt = staff_slots_stmt(scope=scope, staff=staff, center_id=center_id, lawyer_id=lawyer_id, day=day)
    closed = booked = 0
    for slot in db.session.scalars(stmt.where(LegalSlot.closed_at.is_(None))).all():
        if slot.booking_id is not None:
            booked += 1
            continue
        close_slot(scope=scope, staff=staff, slot_id=slot.id)
        closed += 1
    return closed, booked


def _jsonable(data: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, time) else v) for k, v in data.items()}
