"""法律援助: a lawyer's weekly schedule and upcoming consultations (the bookings queue records the
outcome); for admins, the network — centres at the four levels, lawyers, weekly schedules, closing a
slot or a whole day — through ``legal.network`` with the staff API's input schemas."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from backend.admin import bp
from backend.admin.kinds import KINDS
from backend.admin.views.base import flash_error, requires
from backend.common.errors import DomainError, InvalidInput
from backend.common.time import today
from backend.extensions import db
from backend.legal import network
from backend.legal.models import MODE_LABELS, BookingStatus, Lawyer, LegalCenter, LegalSchedule
from backend.legal.network import lawyer_of
from backend.legal.rules import rules as legal_rules
from backend.legal.schemas import CenterIn, LawyerIn, ScheduleIn
from backend.staff import permissions as perm
from backend.staff.models import Role, Staff

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
    booked = [BookingStatus.BOOKED]
    upcoming, _ = KINDS["legal"].page_of(g.scope, g.staff, cursor=None, limit=20, status=booked)
    return render_template(
        "admin/lawyer_schedule.html",
        lawyer=lawyer,
        schedules=schedules,
        upcoming=upcoming,
        weekdays=WEEKDAYS,
        modes=MODE_LABELS,
        topics=legal_rules().topics,
    )


# --- 法援 network: centres at the four levels, lawyers, weekly schedules, closing a slot or a day ----
def _load(schema, raw: dict) -> dict:
    try:
        return schema.load(raw)
    except ma.ValidationError as exc:
        name, messages = next(iter(exc.normalized_messages().items()))
        first = messages[0] if isinstance(messages, list) else next(iter(messages.values()))
        raise InvalidInput(name, first[0] if isinstance(first, list) else str(first)) from exc


def _back(center_id: int | None = None, **args):
    if center_id is None:
        return redirect(url_for("admin.legal_network"), code=303)
    return redirect(url_for("admin.legal_center", center_id=center_id, **args), code=303)


@bp.get("/legal/network")
@requires(perm.LEGAL_MANAGE)
def legal_network():
    centers = list(db.session.scalars(network.centers_stmt(scope=g.scope, include_inactive=True).limit(500)))
    return render_template("admin/legal_network.html", centers=centers)


@bp.post("/legal/centers")
@requires(perm.LEGAL_MANAGE)
def create_legal_center():
    form = request.form
    try:
        data = _load(
            CenterIn(),
            {
                "org_id": form.get("org_id") or None,
                "name": form.get("name", "").strip(),
                "address": form.get("address", "").strip(),
                "phone": form.get("phone", "").strip() or None,
            },
        )
        center = network.create_center(scope=g.scope, staff=g.staff, center_in=data)
    except DomainError as exc:
        flash_error(exc)
        return _back()
    flash(f"已设立 {center.name}（{center.level_label}）", "success")
    return _back(center.id)


def _center(center_id: int) -> LegalCenter:
    return g.scope.get(LegalCenter, center_id)


@bp.get("/legal/centers/<int:center_id>")
@requires(perm.LEGAL_MANAGE)
def legal_center(center_id: int):
    center = _center(center_id)
    lawyers = list(db.session.scalars(network.lawyers_stmt(scope=g.scope, center_id=center.id)))
    schedules = {lw.id: network.schedules_of(scope=g.scope, lawyer_id=lw.id) for lw in lawyers}
    day_text = request.args.get("date", "")
    try:
        day = date.fromisoformat(day_text) if day_text else today()
    except ValueError:
        day = today()
        flash("日期格式应为 2026-01-31", "error")
    slots = list(
        db.session.scalars(
            network.staff_slots_stmt(scope=g.scope, staff=g.staff, center_id=center.id, day=day).limit(500)
        )
    )
    registered = select(Lawyer.staff_id)
    candidates = db.session.scalars(
        g.scope.restrict(select(Staff), Staff.org_id).where(
            Staff.role == Role.LAWYER, Staff.active.is_(True), Staff.id.not_in(registered)
        )
    ).all()
    return render_template(
        "admin/legal_center.html",
        center=center,
        lawyers=lawyers,
        schedules=schedules,
        slots=slots,
        day=day,
        candidates=candidates,
        weekdays=network.WEEKDAY_LABELS,
        modes=MODE_LABELS,
    )


@bp.post("/legal/centers/<int:center_id>/lawyers")
@requires(perm.LEGAL_MANAGE)
def add_legal_lawyer(center_id: int):
    _center(center_id)
    form = request.form
    try:
        specialties = [
            s.strip() for s in form.get("specialties", "").replace("，", ",").split(",") if s.strip()
        ]
        data = _load(
            LawyerIn(),
            {
                "staff_id": form.get("staff_id") or None,
                "center_id": center_id,
                "title": form.get("title", "").strip() or None,
                "specialties": specialties,
            },
        )
        network.add_lawyer(scope=g.scope, staff=g.staff, lawyer_in=data)
    except DomainError as exc:
        flash_error(exc)
    else:
        flash("律师已登记到本中心", "success")
    return _back(center_id)


@bp.post("/legal/lawyers/<int:lawyer_id>/schedules")
@requires(perm.LEGAL_MANAGE)
def add_legal_schedule(lawyer_id: int):
    lawyer = g.scope.get(Lawyer, lawyer_id)
    form = request.form
    try:
        data = _load(
            ScheduleIn(),
            {
                "weekday": form.get("weekday") or None,
                "start_time": form.get("start_time") or None,
                "end_time": form.get("end_time") or None,
                "slot_minutes": form.get("slot_minutes") or None,
                "modes": form.getlist("modes"),
            },
        )
        network.add_schedule(scope=g.scope, staff=g.staff, lawyer_id=lawyer_id, terms=data)
    except DomainError as exc:
        flash_error(exc)
    else:
        flash("已新增每周排班，并生成未来的可预约时段", "success")
    return _back(lawyer.center_id)


@bp.post("/legal/schedules/<int:schedule_id>/remove")
@requires(perm.LEGAL_MANAGE)
def remove_legal_schedule(schedule_id: int):
    try:
        schedule = network.remove_schedule(scope=g.scope, staff=g.staff, schedule_id=schedule_id)
    except DomainError as exc:
        flash_error(exc)
        return _back()
    flash("已停止该排班；已预约的时段不受影响", "success")
    return _back(db.session.get(Lawyer, schedule.lawyer_id).center_id)


@bp.post("/legal/slots/<int:slot_id>/close")
@requires(perm.LEGAL_MANAGE)
def close_legal_slot(slot_id: int):
    try:
        slot = network.close_slot(scope=g.scope, staff=g.staff, slot_id=slot_id)
    except DomainError as exc:
        flash_error(exc)
        return _back(int(request.form["center_id"]) if request.form.get("center_id", "").isdigit() else None)
    flash("该时段已关闭", "success")
    return _back(slot.center_id, date=request.form.get("date", ""))


@bp.post("/legal/centers/<int:center_id>/close-day")
@requires(perm.LEGAL_MANAGE)
def close_legal_day(center_id: int):
    _center(center_id)
    try:
        day = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        flash("请选择要关闭的日期", "error")
        return _back(center_id)
    closed, booked = network.close_day(scope=g.scope, staff=g.staff, day=day, center_id=center_id)
    message = f"{day.isoformat()} 已关闭 {closed} 个空闲时段"
    if booked:
        message += f"；另有 {booked} 个已预约的时段，请逐一取消预约（职工会收到通知）"
    flash(message, "success")
    return _back(center_id, date=day.isoformat())
