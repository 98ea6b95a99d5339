"""审计日志: who did what to which record in the subtree (a reveal of an ID number, an approval, a
password reset …), filtered by who, what, which record and when — the same query as
``GET /api/v1/staff/audit-log``."""

from __future__ import annotations

from datetime import date, timedelta

from flask import g, render_template, request
from sqlalchemy import select

from backend.admin import bp
from backend.admin.views.base import requires
from backend.audit import service as audit
from backend.audit.models import AuditLog
from backend.cases.paging import SortKey, seek
from backend.common.time import local_midnight_utc
from backend.extensions import db
from backend.orgs.models import Org
from backend.staff import permissions as perm
from backend.staff.models import Staff

PER_PAGE = 50
# The filter's choice of actions: the ones staff look for, then every domain as a whole.
ACTION_CHOICES = {
    "pii.reveal": "查看完整身份证号/电话",
    **{domain: f"{label}（全部操作）" for domain, label in audit.DOMAIN_LABELS.items() if domain != "pii"},
}


def _day(name: str, problems: list[str]) -> date | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"{'开始' if name == 'start' else '结束'}日期格式应为 2026-01-31")
        return None


@bp.get("/audit-log")
@requires(perm.AUDIT_READ)
def audit_log():
    problems: list[str] = []
    filters: dict = {}
    staff_id = request.args.get("staff_id", "")
    if staff_id.isdigit():
        filters["staff_id"] = int(staff_id)
    if request.args.get("action") in ACTION_CHOICES:
        filters["action"] = request.args["action"]
    if request.args.get("target_type") in audit.TARGET_LABELS:
        filters["target_type"] = request.args["target_type"]
    target_id = request.args.get("target_id", "").strip()
    if target_id:
        if target_id.isdigit():
            filters["target_id"] = int(target_id)
        else:
            problems.append("记录编号应为数字")
    start, end = _day("start", problems), _day("end", problems)
    if start and end and start > end:
        problems.append("开始日期不能晚于结束日期")
    if start:
        filters["since"] = local_midnight_utc(start)
    if end:
        filters["until"] = local_midnight_utc(end + timedelta(days=1))
    rows, next_cursor = [], None
    if not problems:
        rows, next_cursor = seek(
            audit.log_stmt(g.scope, **filters).order_by(None),
            [SortKey(AuditLog.id, descending=True)],
            cursor=request.args.get("cursor"),
            limit=PER_PAGE,
        )
    people = g.scope.restrict(select(Staff).join(Staff.org), Staff.org_id).order_by(Org.path, Staff.id)
    orgs = {o.id: o.name for o in db.session.scalars(select(Org).where(Org.id.in_({r.org_id for r in rows})))}
    return render_template(
        "admin/audit_log.html",
        rows=rows,
        next_cursor=next_cursor,
        problems=problems,
        args=request.args,
        staff_choices=list(db.session.scalars(people.limit(500))),
        action_choices=ACTION_CHOICES,
        target_choices=audit.TARGET_LABELS,
        org_names=orgs,
        action_label=audit.action_label,
        target_label=audit.target_label,
    )
