"""Periodic wage-claim jobs."""

from __future__ import annotations

from backend.extensions import db
from backend.jobs.context import job_context


def refresh_wage_priorities() -> int:
    """Recompute open claims' priorities (days owed grow; Spring Festival comes nearer)."""
    from backend.wages import service as wages

    with job_context():
        count = wages.refresh_priorities()
        db.session.commit()
        return count
