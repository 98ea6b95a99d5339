"""Weekly schedules → concrete slots (排班生成预约时段).

Schedules are in Asia/Shanghai local time; slots are stored in UTC. ``sync_lawyer_slots`` makes a
lawyer's *free* future slots match their active schedules for the coming ``horizon_weeks``: it adds
missing slots, closes free slots no schedule wants any more, reopens ones a schedule wants again, and
moves free slots along when the lawyer changes centre. Booked slots are never touched. It is
idempotent (unique lawyer + start) and every change to an existing slot is a conditional UPDATE that
only applies while the slot is still free, so it can run beside bookings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from backend.common.time import SHANGHAI, local_day_bounds
from backend.common.types import utcnow
from backend.extensions import db
from backend.legal.models import Lawyer, LegalCenter, LegalSchedule, LegalSlot
from backend.legal.rules import rules


@dataclass(frozen=True)
class Planned:
    ends_at: datetime
    modes: str
    schedule_id: int


@dataclass(frozen=True)
class SyncResult:
    created: int = 0
    reopened: int = 0
    closed: int = 0
    updated: int = 0


def slot_starts(schedule: LegalSchedule, day: date) -> Iterable[tuple[datetime, datetime]]:
    """(start, end) in UTC of every whole slot ``schedule`` makes on ``day`` (local)."""
    if day.weekday() != schedule.weekday:
        return
    step = timedelta(minutes=schedule.slot_minutes)
    at = datetime.combine(day, schedule.start_time, SHANGHAI)
    end = datetime.combine(day, schedule.end_time, SHANGHAI)
    while at + step <= end:
        yield at.astimezone(UTC), (at + step).astimezone(UTC)
        at += step


def plan(schedules: Iterable[LegalSchedule], first_day: date, days: int) -> dict[datetime, Planned]:
    """Every slot the schedules make on ``days`` local days from ``first_day``."""
    planned: dict[datetime, Planned] = {}
    schedules = list(schedules)
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for schedule in schedules:
            for starts_at, ends_at in slot_starts(schedule, day):
                planned.setdefault(starts_at, Planned(ends_at, schedule.modes, schedule.id))
    return planned


def sync_lawyer_slots(lawyer: Lawyer, *, now: datetime | None = None) -> SyncResult:
    """Bring one lawyer's free future slots in line with their schedules (see the module doc)."""
    now = now or utcnow()
    first_day = now.astimezone(SHANGHAI).date()
    days = rules().horizon_weeks * 7
    window_end = local_day_bounds(first_day + timedelta(days=days - 1))[1]
    center = db.session.get(LegalCenter, lawyer.center_id)
    schedules: list[LegalSchedule] = []
    if lawyer.active and center is not None and center.active:
        schedules = list(
            db.session.scalars(
                select(LegalSchedule).where(
                    LegalSchedule.lawyer_id == lawyer.id, LegalSchedule.active.is_(True)
                )
            )
        )
    wanted = {at: p for at, p in plan(schedules, first_day, days).items() if now < at < window_end}
    existing = db.session.execute(
        select(
            LegalSlot.id,
            LegalSlot.starts_at,
            LegalSlot.ends_at,
            LegalSlot.modes,
            LegalSlot.schedule_id,
            LegalSlot.center_id,
            LegalSlot.booking_id,
            LegalSlot.closed_at,
            LegalSlot.closed_by,
        ).where(LegalSlot.lawyer_id == lawyer.id, LegalSlot.starts_at > now, LegalSlot.starts_at < window_end)
    ).all()
    still_free = (LegalSlot.booking_id.is_(None),)
    created = reopened = closed = updated = 0

    unwanted = [
        row.id
        for row in existing
        if row.starts_at not in wanted and row.booking_id is None and row.closed_at is None
    ]
    if unwanted:
        closed = db.session.execute(
            update(LegalSlot)
            .where(LegalSlot.id.in_(unwanted), *still_free, LegalSlot.closed_at.is_(None))
            .values(closed_at=now, closed_by=None)
            .execution_options(synchronize_session=False)
        ).rowcount

    by_start = {row.starts_at: row for row in existing}
    for starts_at, planned in wanted.items():
        row = by_start.get(starts_at)
        if row is None:
            db.session.add(
                LegalSlot(
                    lawyer_id=lawyer.id,
                    center_id=lawyer.center_id,
                    org_id=lawyer.org_id,
                    schedule_id=planned.schedule_id,
                    starts_at=starts_at,
                    ends_at=planned.ends_at,
                    modes=planned.modes,
                )
            )
            created += 1
            continue
        if row.booking_id is not None or row.closed_by is not None:
            continue  # booked, or closed by staff on purpose (a holiday): leave it be
        reopen = row.closed_at is not None
        differs = (row.ends_at, row.modes, row.schedule_id, row.center_id) != (
            planned.ends_at,
            planned.modes,
            planned.schedule_id,
            lawyer.center_id,
        )
        if not (reopen or differs):
            continue
        done = db.session.execute(
            update(LegalSlot)
            .where(LegalSlot.id == row.id, *still_free, LegalSlot.closed_by.is_(None))
            .values(
                closed_at=None,
                ends_at=planned.ends_at,
                modes=planned.modes,
                schedule_id=planned.schedule_id,
                center_id=lawyer.center_id,
                org_id=lawyer.org_id,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if done and reopen:
            reopened += 1
        elif done:
            updated += 1
    db.session.flush()
    return SyncResult(created=created, reopened=reopened, closed=closed, updated=updated)


def lawyer_ids() -> list[int]:
    return list(db.session.scalars(select(Lawyer.id).order_by(Lawyer.id)))
