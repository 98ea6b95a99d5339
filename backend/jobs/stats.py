"""统计: a stale cached figure counted again in the background (``backend.stats.cache``)."""

from __future__ import annotations

from datetime import date

from backend.jobs.context import job
from backend.stats import cache
from backend.stats import service as _figures  # noqa: F401 — registers the figures the job counts


@job
def refresh_figure(name: str, org_id: int, start: str, end: str) -> bool:
    return cache.refresh(name, org_id, date.fromisoformat(start), date.fromisoformat(end))
