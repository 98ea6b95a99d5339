"""考核 and 统计 in the panel: start an assessment run, read every union's tier, level and rank in its
category with the per-indicator breakdown, export it; the subtree's figures and monthly charts. Every
figure comes from the same services as the staff API (``assessment.service``, ``stats.service``)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from backend.admin import bp
from backend.admin.views.base import flash_error, requires
from backend.aid.models import AID_STATUS_LABELS
from backend.assessment import export as assessment_export
from backend.assessment import service as assessment
from backend.assessment.models import (
    GRADE_LABELS,
    PERIOD_TYPE_LABELS,
    RUN_STATUS_LABELS,
    TIER_LABELS,
    AssessmentResult,
    AssessmentRun,
)
from backend.assessment.periods import last_completed
from backend.cases.paging import SortKey, seek
from backend.common import downloads
from backend.common.errors import DomainError, InvalidInput
from backend.common.time import today as local_today
from backend.extensions import db
from backend.members.models import WORKER_TYPE_LABELS
from backend.orgs.models import CATEGORY_LABELS, Org
from backend.staff import permissions as perm
from backend.stats import export as stats_export
from backend.stats import service as stats
from backend.wages.models import WAGE_STATUS_LABELS

RESULTS_PER_PAGE = 50
# How the rubric's one no-data rule (``no_data``) read for an indicator without data.
NO_DATA_LABELS = {
    "excluded": "无数据（不计入档次）",
    "qualified": "无数据（按合格计）",
    "unqualified": "无数据（按不合格计）",
}


def _today() -> date:
    return local_today()


def _labels() -> dict:
    return {
        "tiers": TIER_LABELS,
        "grades": GRADE_LABELS,
        "categories": CATEGORY_LABELS,
        "statuses": RUN_STATUS_LABELS,
        "period_types": PERIOD_TYPE_LABELS,
        "no_data_labels": NO_DATA_LABELS,
    }


# --- 考核 -----------------------------------------------------------------------------------------------
@bp.get("/assessments")
@requires(perm.ASSESSMENT_READ)
def assessments():
    runs, next_cursor = seek(
        assessment.runs_query().order_by(None),
        [SortKey(AssessmentRun.id, descending=True)],
        cursor=request.args.get("cursor"),
        limit=20,
    )
    suggested = {kind: last_completed(kind, _today()).label for kind in PERIOD_TYPE_LABELS}
    return render_template(
        "admin/analysis/runs.html",
        runs=runs,
        next_cursor=next_cursor,
        suggested=suggested,
        may_run=perm.can(g.staff.role, perm.ASSESSMENT_RUN),
        **_labels(),
    )


@bp.post("/assessments/runs")
@requires(perm.ASSESSMENT_RUN)
def start_assessment():
    period_type = request.form.get("period_type", "")
    period = request.form.get("period", "").strip()
    try:
        run = assessment.request_run(staff=g.staff, period_type=period_type, period=period)
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("admin.assessments"), code=303)
    flash(f"已发起 {run.period} 考核（编号 {run.id}）", "success")
    return redirect(url_for("admin.assessment_run", run_id=run.id), code=303)


def _results(run_id: int):
    category = request.args.get("category") or None
    q = request.args.get("q", "").strip()[:50] or None
    return assessment.results_query(scope=g.scope, run_id=run_id, category=category, q=q)


@bp.get("/assessments/runs/<int:run_id>")
@requires(perm.ASSESSMENT_READ)
def assessment_run(run_id: int):
    run = assessment.get_run(run_id=run_id)
    rows, next_cursor = seek(
        _results(run_id).order_by(None),
        [
            SortKey(AssessmentResult.category),
            SortKey(AssessmentResult.org_level),
            SortKey(AssessmentResult.position),
            SortKey(AssessmentResult.id),
        ],
        cursor=request.args.get("cursor"),
        limit=RESULTS_PER_PAGE,
    )
    return render_template(
        "admin/analysis/run.html", run=run, rows=rows, next_cursor=next_cursor, args=request.args, **_labels()
    )


@bp.get("/assessments/runs/<int:run_id>/export.<fmt>")
@requires(perm.ASSESSMENT_READ)
def export_assessment(run_id: int, fmt: str):
    if fmt not in downloads.FORMATS:
        abort(404)
    run = assessment.get_run(run_id=run_id)
    results = list(db.session.scalars(_results(run_id)))
    body = assessment_export.to_file(fmt, run, results)
    return downloads.attachment(body, fmt=fmt, filename=assessment_export.filename(run, fmt))


@bp.get("/assessments/results/<int:result_id>")
@requires(perm.ASSESSMENT_READ)
def assessment_result(result_id: int):
    result = assessment.result_detail(scope=g.scope, result_id=result_id)
    return render_template("admin/analysis/result.html", result=result, **_labels())


# --- 统计 -----------------------------------------------------------------------------------------------
def _range() -> tuple[Org, date, date, list[str]]:
    """The org (the caller's node, or one inside the subtree) and the date range of the page."""
    problems = []
    org = db.session.get(Org, g.scope.org_id)
    if request.args.get("org_id", "").isdigit():
        org = g.scope.get(Org, int(request.args["org_id"]), org_attr="id")
    end, start = _today(), None
    for name in ("start", "end"):
        raw = request.args.get(name)
        if not raw:
            continue
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            problems.append(f"{'开始' if name == 'start' else '结束'}日期格式应为 2026-01-31")
            continue
        if name == "start":
            start = day
        else:
            end = day
    start = start or date(end.year, 1, 1)
    if start > end:
        problems.append("开始日期不能晚于结束日期")
    return org, start, end, problems


def chart_data(series: list[dict]) -> dict:
    """What the charts draw, as plain JSON (numbers as floats only for drawing; the tables stay exact)."""
    return {
        "months": [row["month"] for row in series],
        "new_members": [row["new_members"] for row in series],
        "aid_requests": [row["aid_requests"] for row in series],
        "wage_claims": [row["wage_claims"] for row in series],
        "wages_recovered": [float(row["wages_recovered"]) for row in series],
        "sla_rate": [row["sla_rate"] for row in series],
    }


def _org_choices(q: str) -> list[Org]:
    """Unions of the caller's subtree whose name contains ``q`` (at most 20, in tree order)."""
    if not q:
        return []
    stmt = g.scope.restrict(select(Org).where(Org.name.contains(q, autoescape=True)), Org.id)
    return list(db.session.scalars(stmt.order_by(Org.path).limit(20)))


@bp.get("/stats")
@requires(perm.STATS_READ)
def statistics():
    org, start, end, problems = _range()
    org_q = request.args.get("org_q", "").strip()[:50]
    summary = series = charts = None
    if not problems:  # a range that cannot be read shows the message, not figures of another range
        summary = stats.subtree_summary(org=org, start=start, end=end)
        series = stats.monthly_series(org=org, start=start, end=end)
        charts = chart_data(series)
    return render_template(
        "admin/analysis/stats.html",
        org=org,
        start=start,
        end=end,
        problems=problems,
        org_q=org_q,
        org_choices=_org_choices(org_q),
        summary=summary,
        series=series,
        charts=charts,
        sla_kinds=stats.SLA_KINDS,
        worker_types=WORKER_TYPE_LABELS,
        aid_statuses=AID_STATUS_LABELS,
        wage_statuses=WAGE_STATUS_LABELS,
    )


@bp.get("/stats/export.<fmt>")
@requires(perm.STATS_READ)
def export_statistics(fmt: str):
    if fmt not in downloads.FORMATS:
        abort(404)
    org, start, end, problems = _range()
    if problems:
        raise InvalidInput("start", problems[0])
    summary = stats.subtree_summary(org=org, start=start, end=end)
    series = stats.monthly_series(org=org, start=start, end=end)
    body = stats_export.to_file(fmt, summary, series)
    return downloads.attachment(body, fmt=fmt, filename=f"stats-{org.id}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}")
