"""The daily priority refresh runs as a declared periodic job."""

from __future__ import annotations

from backend.jobs.schedule import PERIODIC_JOBS
from backend.jobs.wages import refresh_wage_priorities


def test_the_priority_refresh_is_scheduled_daily_and_runs(app):
    (job,) = [j for j in PERIODIC_JOBS if j.name == "wages.refresh-priorities"]
    assert job.func is refresh_wage_priorities and job.cron == "5 16 * * *"
    assert refresh_wage_priorities() == 0  # nothing open, nothing changed
