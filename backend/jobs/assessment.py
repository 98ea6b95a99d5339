"""Assessment jobs (``assessment`` queue): execute a requested run, and the scheduled runs."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from backend.extensions import db
from backend.jobs.context import job_context

log = logging.getLogger(__name__)


def perform_run(run_id: int) -> str:
    """Run one assessment in its own transactions: claim it (running), compute and commit the results,
    or record the failure and re-raise so RQ retries it."""
    from backend.assessment import service as assessment

    with job_context():
        run = assessment.mark_running(run_id=run_id)
        db.session.commit()
        if run is None:
            return "already done"
        try:
            run = assessment.execute_run(run_id=run_id)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            assessment.mark_failed(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
            db.session.commit()
            log.exception("assessment run %s failed", run_id)
            raise
        log.info("assessment run %s: %s orgs in %s ms", run_id, run.orgs_assessed, run.duration_ms)
        return "done"


def run_scheduled_assessments(now: datetime | None = None) -> list[int]:
    """For each period type, run the last completed period once under the current rubrics (a period
    with a finished run of the same version is left alone, so a daily trigger is enough)."""
    from backend.assessment import service as assessment
    from backend.assessment.models import AssessmentRun, RunStatus
    from backend.assessment.periods import SHANGHAI, last_completed
    from backend.common.types import utcnow

    today = (now or utcnow()).astimezone(SHANGHAI).date()
    started = []
    with job_context():
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
                run = assessment.request_run(
                    staff=None, period_type=period_type, period=period.label, trigger="scheduled"
                )
                db.session.commit()  # the outbox hands the run to the assessment queue
                started.append(run.id)
    return started
