"""工作台: what waits for the staff member now (pending items per queue, open alerts), cheap to
compute at any scale (each count stops at a cap), plus 预警与督办 (alerts)."""

from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from backend.admin import bp
from backend.admin.kinds import KINDS
from backend.admin.views.analysis import chart_data
from backend.admin.views.base import flash_error, requires
from backend.cases import service as cases
from backend.cases.models import StaffAlert
from backend.cases.paging import SortKey, seek
from backend.common.errors import DomainError
from backend.common.time import today as local_today
from backend.extensions import db
from backend.orgs.models import Org
from backend.staff import permissions as perm
from backend.stats import service as stats

COUNT_CAP = 1000  # "999+" beyond it: counting a million rows on every visit is not worth it


def capped_count(stmt, model) -> int:
    """How many rows ``stmt`` matches, counting no further than ``COUNT_CAP``."""
    ids = stmt.order_by(None).with_only_columns(model.id).limit(COUNT_CAP).subquery()
    return db.session.scalar(select(func.count()).select_from(ids))


@bp.get("/")
@requires(perm.SIGNED_IN)
def dashboard():
    tiles = []
    for kind in KINDS.values():
        if not kind.visible_to(g.staff):
            continue
        count = capped_count(kind.stmt(g.scope, g.staff, **kind.pending), kind.model)
        status = kind.pending.get("status")
        status = status[0] if isinstance(status, list) else status
        tiles.append(
            {
                "label": kind.label,
                "what": kind.status_labels.get(str(status), ""),
                "count": count,
                "capped": count >= COUNT_CAP,
                "url": url_for("admin.queue", kind=kind.slug, status=status),
            }
        )
    alert_count, latest = 0, []
    if perm.can(g.staff.role, perm.ALERT_HANDLE):
        alert_count = capped_count(cases.alerts_stmt(g.scope), StaffAlert)
        latest = db.session.scalars(cases.alerts_stmt(g.scope).limit(5)).all()
    figures = charts = None
    if perm.can(g.staff.role, perm.STATS_READ):  # key figures and monthly charts of this year
        org, today = db.session.get(Org, g.scope.org_id), local_today()
        start = date(today.year, 1, 1)
        figures = stats.subtree_summary(org=org, start=start, end=today)
        charts = chart_data(stats.monthly_series(org=org, start=start, end=today))
    return render_template(
        "admin/dashboard.html",
        tiles=tiles,
        alert_count=alert_count,
        cap=COUNT_CAP,
        alerts=latest,
        figures=figures,
        charts=charts,
    )


@bp.get("/alerts")
@requires(perm.ALERT_HANDLE)
def alerts():
    open_only = request.args.get("all") != "1"
    stmt = cases.alerts_stmt(g.scope, open_only=open_only).order_by(None)
    rows, next_cursor = seek(
        stmt, [SortKey(StaffAlert.id, descending=True)], cursor=request.args.get("cursor"), limit=50
    )
    return render_template("admin/alerts.html", rows=rows, next_cursor=next_cursor, open_only=open_only)


@bp.post("/alerts/<int:alert_id>/acknowledge")
@requires(perm.ALERT_HANDLE)
def acknowledge_alert(alert_id: int):
    try:
        cases.acknowledge_alert(scope=g.scope, staff=g.staff, alert_id=alert_id)
    except DomainError as exc:
        flash_error(exc)
    else:
        flash("已确认知晓", "success")
    return redirect(url_for("admin.alerts"), code=303)
