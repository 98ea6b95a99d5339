"""工会考核 — requesting and executing assessment runs, and reading their results within a scope.

``request_run`` records a run and hands it to the ``assessment`` queue through the outbox, so the run
row and its job commit together (inline right after the commit in embedded mode). ``execute_run`` is
what the job calls: it computes the period (``engine.compute``) and replaces the results of the same
(period, rubric version) in one statement pair — delete, bulk insert — so a re-run never duplicates.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from flask import current_app
from sqlalchemy import delete, insert, select

from backend import replica
from backend.assessment import engine
from backend.assessment.models import (
    AssessmentResult,
    AssessmentRun,
    RunStatus,
)
from backend.assessment.periods import Period, PeriodError, parse_period
from backend.assessment.rubrics import RubricSet
from backend.audit import service as audit
from backend.common.errors import InvalidInput, NotFound
from backend.common.types import utcnow
from backend.extensions import db
from backend.orgs.models import Org, OrgCategory
from backend.outbox import service as outbox
from backend.staff.models import Staff
from backend.staff.scope import Scope

RUN_TOPIC = "assessment.run"


def rubrics() -> RubricSet:
    """The rubrics loaded (and validated) when the app started."""
    return current_app.extensions["zhigong.rubrics"]


def period_of(period_type: str, period: str) -> Period:
    try:
        return parse_period(period_type, period)
    except PeriodError as exc:
        field = "period_type" if period_type not in ("month", "quarter", "year") else "period"
        raise InvalidInput(field, str(exc)) from exc


def request_run(
    *, staff: Staff | None, period_type: str, period: str, trigger: str = "manual"
) -> AssessmentRun:
    """Ask for a run of ``period`` under the current rubrics. A run of the same (period, version) that
    is still queued or running is returned instead of starting a second one."""
    parsed = period_of(period_type, period)
    version = rubrics().version
    pending = db.session.scalars(
        select(AssessmentRun)
        .where(
            AssessmentRun.period_type == parsed.type,
            AssessmentRun.period == parsed.label,
            AssessmentRun.rubric_version == version,
            AssessmentRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)),
        )
        .order_by(AssessmentRun.id.desc())
    ).first()
    if pending is not None:
        return pending
    run = AssessmentRun(
        period_type=parsed.type,
        period=parsed.label,
        rubric_version=version,
        status=RunStatus.QUEUED,
        trigger=trigger,
        requested_by=staff.id if staff else None,
        counts={},
    )
    db.session.add(run)
    db.session.flush()
    if staff is not None:
        audit.record(
            staff=staff,
            action="assessment.run_requested",
            target_type="assessment_run",
            target_id=run.id,
            org_id=staff.org_id,
            detail={"period_type": parsed.type, "period": parsed.label, "rubric_version": version},
        )
    outbox.emit(RUN_TOPIC, {"run_id": run.id})
    return run


def mark_running(*, run_id: int) -> AssessmentRun | None:
    """Claim a queued (or previously failed) run; None when it is done already (a job delivered twice)."""
    run = db.session.get(AssessmentRun, run_id, with_for_update=True)
    if run is None or run.status == RunStatus.DONE:
        return None
    run.status = RunStatus.RUNNING
    run.started_at = utcnow()
    run.error = None
    return run


def execute_run(*, run_id: int) -> AssessmentRun:
    """Compute the run's period and replace the results of its (period, rubric version)."""
    run = db.session.get(AssessmentRun, run_id)
    if run is None:
        raise NotFound("考核运行不存在")
    started = time.perf_counter()
    current = rubrics()
    if current.version != run.rubric_version:
        # The rubrics changed between request and execution: the run reports the version it used.
        run.rubric_version = current.version
    period = parse_period(run.period_type, run.period)
    with replica.reads():  # the facts are read where reports read (DATABASE_READ_URL)
        standings = engine.compute(current, period)
    key = (
        AssessmentResult.period_type == run.period_type,
        AssessmentResult.period == run.period,
        AssessmentResult.rubric_version == run.rubric_version,
    )
    db.session.execute(delete(AssessmentResult).where(*key))
    rows = [
        {
            "run_id": run.id,
            "period_type": run.period_type,
            "period": run.period,
            "rubric_version": run.rubric_version,
            "category_version": s.rubric.version,
            "org_id": s.org_id,
            "org_level": s.org_level,
            "category": s.rubric.category,
            "tier": s.tier,
            "grade": s.grade,
            "score": s.score,
            "rank": s.rank,
            "position": s.position,
            "peers": s.peers,
            "indicators": s.indicators,
        }
        for s in standings
    ]
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(AssessmentResult), rows[start : start + 2000])
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    tally = Counter((s.rubric.category, s.tier) for s in standings) + Counter(
        (s.rubric.category, s.grade) for s in standings if s.grade
    )
    for (category, label), n in sorted(tally.items()):
        counts[category][label] = n
    run.status = RunStatus.DONE
    run.finished_at = utcnow()
    run.duration_ms = int((time.perf_counter() - started) * 1000)
    run.orgs_assessed = len(standings)
    run.results_count = len(rows)
    run.counts = dict(counts)
    return run


def mark_failed(*, run_id: int, error: str) -> None:
    run = db.session.get(AssessmentRun, run_id)
    if run is not None:
        run.status = RunStatus.FAILED
        run.finished_at = utcnow()
        run.error = error[:2000]


# --- reading ---------------------------------------------------------------------------------------
def runs_query():
    """Every run, newest first (runs are city-wide; what a caller sees of results is scoped)."""
    return select(AssessmentRun).order_by(AssessmentRun.id.desc())


def get_run(*, run_id: int) -> AssessmentRun:
    run = db.session.get(AssessmentRun, run_id)
    if run is None:
        raise NotFound("考核运行不存在")
    return run


def results_query(*, scope: Scope, run_id: int, category: str | None = None, q: str | None = None):
    """The results of a run's (period, version) that lie in the caller's subtree, by category and
    position; ``q`` filters by union name."""
    run = get_run(run_id=run_id)
    if category is not None and category not in set(OrgCategory):
        raise InvalidInput("category", "考核类别不存在")
    stmt = select(AssessmentResult).where(
        AssessmentResult.period_type == run.period_type,
        AssessmentResult.period == run.period,
        AssessmentResult.rubric_version == run.rubric_version,
    )
    stmt = scope.restrict(stmt, AssessmentResult.org_id)
    if category:
        stmt = stmt.where(AssessmentResult.category == category)
    if q:
        stmt = stmt.where(
            AssessmentResult.org_id.in_(select(Org.id).where(Org.name.contains(q, autoescape=True)))
        )
    return stmt.order_by(AssessmentResult.category, AssessmentResult.org_level, AssessmentResult.position)


def results_for(*, scope: Scope, run_id: int, category: str | None = None, q: str | None = None) -> list:
    return list(db.session.scalars(results_query(scope=scope, run_id=run_id, category=category, q=q)))


def result_detail(*, scope: Scope, result_id: int) -> AssessmentResult:
    """One union's result with its indicator breakdown; 404 outside the caller's subtree."""
    return scope.get(AssessmentResult, result_id)
