"""工会公告: publish a notice to the subtree, see what the subtree published, withdraw one."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from backend.admin import bp
from backend.admin.views.base import field_errors, requires
from backend.announcements import service as announcements
from backend.announcements.models import Announcement
from backend.cases.paging import SortKey, seek
from backend.common.errors import DomainError
from backend.extensions import db
from backend.staff import permissions as perm


@bp.route("/announcements", methods=["GET", "POST"])
@requires(perm.ANNOUNCEMENT_PUBLISH)
def announcements_page():
    errors, form = {}, {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("title", "body", "org_id")}
        org_id = form["org_id"].strip()
        try:
            notice = announcements.publish(
                scope=g.scope,
                staff=g.staff,
                title=form["title"],
                body=form["body"],
                org_id=int(org_id) if org_id.isdigit() else None,
            )
        except DomainError as exc:
            db.session.rollback()
            errors = field_errors(exc)
        else:
            flash(f"公告“{notice.title}”已发布", "success")
            return redirect(url_for("admin.announcements_page"), code=303)
    stmt = announcements.staff_stmt(g.scope).order_by(None)
    rows, next_cursor = seek(
        stmt,
        [SortKey(Announcement.published_at, descending=True), SortKey(Announcement.id, descending=True)],
        cursor=request.args.get("cursor"),
        limit=30,
    )
    status = 422 if errors else 200
    return render_template(
        "admin/announcements.html", rows=rows, next_cursor=next_cursor, errors=errors, form=form
    ), status


@bp.post("/announcements/<int:announcement_id>/withdraw")
@requires(perm.ANNOUNCEMENT_PUBLISH)
def withdraw_announcement(announcement_id: int):
    notice = announcements.withdraw(scope=g.scope, staff=g.staff, announcement_id=announcement_id)
    flash(f"公告“{notice.title}”已撤回", "success")
    return redirect(url_for("admin.announcements_page"), code=303)
