"""法律援助: a lawyer's weekly schedule and upcoming consultations (the bookings queue records the
outcome)."""

from __future__ import annotations

from flask import g, render_template
from sqlalchemy import select

from backend.admin import bp
from backend.admin.kinds import KINDS
from backend.admin.views.base import requires
from backend.extensions import db
from backend.legal.models import MODE_LABELS, LegalSchedule
from backend.legal.network import lawyer_of
from backend.legal.rules import rules as legal_rules
from backend.staff import permissions as perm

WEEKDAYS = "一二三四五六日"


@bp.get("/legal/schedule")
@requires(perm.LEGAL_CONSULT)
def lawyer_schedule():
    lawyer = lawyer_of(g.staff)
    schedules = []
    if lawyer is not None:
        stmt = select(LegalSchedule).where(
            LegalSchedule.lawyer_id == lawyer.id, LegalSchedule.active.is_(True)
        )
        schedules = list(db.session.scalars(stmt.order_by(LegalSchedule.weekday, LegalSchedule.start_time)))
    upcoming, _ = KINDS["legal"].page_of(g.scope, g.staff, cursor=None, limit=20, status="booked")
    return render_template(
        "admin/lawyer_schedule.html",
        lawyer=lawyer,
        schedules=schedules,
        upcoming=upcoming,
        weekdays=WEEKDAYS,
        modes=MODE_LABELS,
        topics=legal_rules().topics,
    )
