"""联谊活动 in the panel: 活动签到 at the door (scan or type the ticket's QR content); creating and editing an
event; its roster with the waitlist in order, checking a member in or cancelling a seat on their
behalf from it, and the roster as a file — through the events domain and the staff API's schemas."""

from __future__ import annotations

import marshmallow as ma
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from backend.admin import bp
from backend.admin.filters import local_time
from backend.admin.views.base import field_errors, flash_error, requires
from backend.common import downloads
from backend.common.crypto import mask_name, mask_phone
from backend.common.errors import DomainError
from backend.common.time import FORM_DATETIME, local_text
from backend.events import checkin, core, signups
from backend.events import service as events
from backend.events.models import SIGNUP_STATUS_LABELS, Event, EventSignup, EventStatus
from backend.events.schemas import EventIn, EventPatch
from backend.extensions import db
from backend.staff import permissions as perm


def _open_events() -> list[Event]:
    stmt = g.scope.restrict(select(Event).where(Event.status == EventStatus.PUBLISHED), Event.org_id)
    return list(db.session.scalars(stmt.order_by(Event.starts_at.desc(), Event.id.desc()).limit(50)))


@bp.route("/check-in", methods=["GET", "POST"])
@requires(perm.EVENT_CHECKIN)
def check_in():
    event_id = request.values.get("event_id", "")
    if request.method == "POST":
        token = (request.form.get("token") or "").strip()[:500]
        if not event_id.isdigit():
            flash("请选择活动", "error")
        elif not token:
            flash("请扫描或输入入场码", "error")
        else:
            try:
                done = checkin.check_in(
                    scope=g.scope,
                    staff=g.staff,
                    event_id=int(event_id),
                    token=token,
                    secret_key=current_app.config["SECRET_KEY"],
                )
            except DomainError as exc:
                db.session.rollback()
                flash(f"签到失败：{exc.message}", "error")
            else:
                who = core.display_name(done.signup)
                if done.first_time:
                    flash(f"签到成功：{who}", "success")
                else:
                    flash(f"{who} 此前已签到", "info")
        return redirect(url_for("admin.check_in", event_id=event_id), code=303)
    return render_template("admin/check_in.html", events=_open_events(), event_id=event_id)


# --- 联谊活动: create and edit, the roster (waitlist in order), seats cancelled on a member's behalf ----
FIELDS = (
    ("title", "活动名称", "text"),
    ("place", "地点", "text"),
    ("starts_at", "开始时间", "datetime-local"),
    ("ends_at", "结束时间", "datetime-local"),
    ("signup_opens_at", "报名开始", "datetime-local"),
    ("signup_closes_at", "报名截止", "datetime-local"),
    ("capacity", "活动人数", "number"),
    ("male_quota", "男性名额", "number"),
    ("female_quota", "女性名额", "number"),
    ("min_age", "最低年龄（周岁）", "number"),
    ("max_age", "最高年龄（周岁）", "number"),
)
LABELS = {name: label for name, label, _ in FIELDS} | {"description": "活动说明", "org_id": "主办工会"}
OPTIONAL = {"male_quota", "female_quota", "min_age", "max_age"}


def _form_values(event: Event | None) -> dict:
    if event is None:
        return {}
    values = {}
    for name, _, kind in FIELDS:
        value = getattr(event, name)
        if kind == "datetime-local" and value is not None:
            value = local_text(value, FORM_DATETIME)
        values[name] = "" if value is None else str(value)
    values["description"] = event.description
    return values


def _raw(form, *, partial: bool) -> dict:
    raw: dict = {}
    for name in [n for n, _, _ in FIELDS] + ["description"]:
        value = (form.get(name) or "").strip()
        if value:
            raw[name] = value
        elif name in OPTIONAL:
            raw[name] = None
    raw["citywide"] = form.get("citywide") == "true"
    if not partial and form.get("org_id", "").isdigit():
        raw["org_id"] = form["org_id"]
    return raw


def _errors(exc: ma.ValidationError) -> dict[str, str]:
    return {
        name: (messages[0] if isinstance(messages, list) else str(messages))
        for name, messages in exc.normalized_messages().items()
    }


def _render_form(event: Event | None, values: dict, errors: dict, status: int = 200):
    return render_template(
        "admin/event_form.html", event=event, values=values, errors=errors, fields=FIELDS
    ), status


@bp.route("/events/new", methods=["GET", "POST"])
@requires(perm.EVENT_MANAGE)
def new_event():
    if request.method == "GET":
        return _render_form(None, {}, {})
    try:
        data = EventIn().load(_raw(request.form, partial=False))
        event = events.create_event(scope=g.scope, staff=g.staff, event_in=data)
    except ma.ValidationError as exc:
        return _render_form(None, request.form, _errors(exc), 422)
    except DomainError as exc:
        db.session.rollback()
        return _render_form(None, request.form, field_errors(exc), 422)
    flash(f"已保存活动草稿：{event.title}（发布后会员才能看到）", "success")
    return redirect(url_for("admin.case", kind="event", item_id=event.id), code=303)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@requires(perm.EVENT_MANAGE)
def edit_event(event_id: int):
    event = events.staff_event(g.scope, event_id)
    if request.method == "GET":
        return _render_form(event, _form_values(event), {})
    try:
        changes = EventPatch().load(_raw(request.form, partial=True))
        events.update_event(scope=g.scope, staff=g.staff, event_id=event_id, changes=changes)
    except ma.ValidationError as exc:
        return _render_form(event, request.form, _errors(exc), 422)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        return _render_form(events.staff_event(g.scope, event_id), request.form, field_errors(exc), 422)
    flash("活动已修改", "success")
    return redirect(url_for("admin.case", kind="event", item_id=event_id), code=303)


def _roster(event_id: int, status: str | None = None) -> list[EventSignup]:
    return list(db.session.scalars(events.roster_stmt(g.scope, event_id, status=status).limit(5000)))


@bp.get("/events/<int:event_id>/roster")
@requires(perm.EVENT_MANAGE)
def event_roster(event_id: int):
    event = events.staff_event(g.scope, event_id)
    return render_template(
        "admin/event_roster.html",
        event=event,
        rows=_roster(event_id),
        labels=SIGNUP_STATUS_LABELS,
        genders={"male": "男", "female": "女"},
        may_check_in=perm.can(g.staff.role, perm.EVENT_CHECKIN),
    )


@bp.post("/events/<int:event_id>/roster/<int:signup_id>/check-in")
@requires(perm.EVENT_MANAGE)
def roster_check_in(event_id: int, signup_id: int):
    return _roster_action(event_id, signup_id, "check_in")


@bp.post("/events/<int:event_id>/roster/<int:signup_id>/cancel")
@requires(perm.EVENT_MANAGE)
def roster_cancel(event_id: int, signup_id: int):
    return _roster_action(event_id, signup_id, "cancel")


def _roster_action(event_id: int, signup_id: int, what: str):
    try:
        if what == "check_in":
            g.scope.require(perm.EVENT_CHECKIN)
            done = checkin.check_in_signup(
                scope=g.scope, staff=g.staff, event_id=event_id, signup_id=signup_id
            )
            who = core.display_name(done.signup)
            flash(f"签到成功：{who}" if done.first_time else f"{who} 此前已签到", "success")
        else:
            signup = signups.staff_cancel_signup(
                scope=g.scope, staff=g.staff, event_id=event_id, signup_id=signup_id
            )
            flash(f"已代为取消 {core.display_name(signup)} 的报名，名额已按候补顺序递补", "success")
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("admin.event_roster", event_id=event_id), code=303)


@bp.get("/events/<int:event_id>/roster.<fmt>")
@requires(perm.EVENT_MANAGE)
def export_roster(event_id: int, fmt: str):
    if fmt not in downloads.FORMATS:
        abort(404)
    event = events.staff_event(g.scope, event_id)
    header = ["序号", "姓名", "昵称", "性别", "年龄", "所属工会", "手机号", "状态", "候补序号", "签到时间"]
    labels = SIGNUP_STATUS_LABELS
    rows = [
        [
            i,
            mask_name(s.member.name),
            s.nickname or "",
            {"male": "男", "female": "女"}.get(s.gender, ""),
            s.age if s.age is not None else "",
            s.member.org.name if s.member.org else "",
            mask_phone(s.member.mobile) or "",
            labels.get(s.status, ""),
            s.waitlist_position or "",
            local_time(s.checked_in_at),
        ]
        for i, s in enumerate(_roster(event_id), start=1)
    ]
    body = downloads.table_file(fmt, header, rows, sheet="报名名单")
    return downloads.attachment(body, fmt=fmt, filename=f"event-{event.id}-roster.{fmt}")
