"""Periodic case jobs: escalate what is overdue (件件有落实，事事有回音)."""

from __future__ import annotations

import logging

from backend.cases import service as cases
from backend.jobs.context import job

log = logging.getLogger(__name__)


@job
def escalate_overdue_cases() -> int:
    count = cases.escalate_overdue()
    if count:
        log.info("escalating or re-alerting %d overdue cases", count)
    return count
