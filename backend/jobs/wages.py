"""Periodic wage-claim jobs."""

from __future__ import annotations

from backend.common import unit_of_work
from backend.jobs.context import job_context


def refresh_wage_priorities() -> int:
    """Recompute open claims' priorities (days owed grow; Spring Festival comes nearer)."""
    from backend.wages import service as wages

    with job_context():
        return unit_of_work.run(wages.refresh_priorities, what="wages.refresh-priorities")
