"""活动签到: check a member in at the door by scanning or typing the ticket's QR content."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from backend.admin import bp
from backend.admin.views.base import requires
from backend.common.errors import DomainError
from backend.events import service as events
from backend.events.models import Event, EventStatus
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
                done = events.check_in(
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
                who = events.display_name(done.signup)
                if done.first_time:
                    flash(f"签到成功：{who}", "success")
                else:
                    flash(f"{who} 此前已签到", "info")
        return redirect(url_for("admin.check_in", event_id=event_id), code=303)
    return render_template("admin/check_in.html", events=_open_events(), event_id=event_id)
