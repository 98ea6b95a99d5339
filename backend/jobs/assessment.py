"""Assessment jobs (``assessment`` queue): execute a requested run, and the scheduled runs."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from backend.assessment import service as assessment
from backend.assessment.models import AssessmentRun, RunStatus
from backend.assessment.periods import last_completed
from backend.common import unit_of_work
from backend.common.time import today as local_today
from backend.extensions import db
from backend.jobs.context import job

log = logging.getLogger(__name__)


@job(steps=True)
def perform_run(run_id: int) -> str:
    """Run one assessment in its own transactions: claim it (running), compute and commit the results,
    or record the failure and re-raise so RQ retries it."""
    run = unit_of_work.run(lambda: assessment.mark_running(run_id=run_id), what="assessment claim")
    if run is None:
        return "already done"
    try:
        run = unit_of_work.run(lambda: assessment.execute_run(run_id=run_id), what=f"assessment run {run_id}")
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        unit_of_work.run(
            lambda: assessment.mark_failed(run_id=run_id, error=error), what="assessment failure"
        )
        log.exception("assessment run %s failed", run_id)
        raise
    log.info("assessment run %s: %s orgs in %s ms", run_id, run.orgs_assessed, run.duration_ms)
    return "done"


def handle_run_requested(payload: dict) -> None:
    """Outbox handler of ``assessment.run``: hand the committed run to the assessment queue's job."""
    perform_run(payload["run_id"])


@job(steps=True)
def run_scheduled_assessments(now: datetime | None = None) -> list[int]:
    """For each period type, run the last completed period once under the current rubrics (a period
    with a finished run of the same version is left alone, so a daily trigger is enough)."""
    today = local_today(now)
    started = []
    version = assessment.rubrics().version
    for period_type in ("month", "quarter", "year"):
        period = last_completed(period_type, today)
        done = db.session.scalar(
            select(AssessmentRun.id).where(
                AssessmentRun.period_type == period_type,
                AssessmentRun.period == period.label,
                AssessmentRun.rubric_version == version,
                AssessmentRun.status == RunStatus.DONE,
            )
        )
        if done is None:
            # committed at once: the outbox hands the run to the assessment queue
            run = unit_of_work.run(
                lambda period_type=period_type, period=period: assessment.request_run(
                    staff=None, period_type=period_type, period=period.label, trigger="scheduled"
                ),
                what="assessment.scheduled-runs",
            )
            started.append(run.id)
    return started
