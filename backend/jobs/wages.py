"""Periodic wage-claim jobs."""

from __future__ import annotations

from backend.jobs.context import job
from backend.wages import service as wages


@job
def refresh_wage_priorities() -> int:
    """Recompute open claims' priorities (days owed grow; Spring Festival comes nearer)."""
    return wages.refresh_priorities()
