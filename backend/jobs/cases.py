"""Periodic case jobs: escalate what is overdue (件件有落实，事事有回音)."""

from __future__ import annotations

import logging

from backend.common import unit_of_work
from backend.jobs.context import job_context

log = logging.getLogger(__name__)


def escalate_overdue_cases() -> int:
    from backend.cases import service as cases

    with job_context():  # the app registers every case kind when it is created
        count = unit_of_work.run(cases.escalate_overdue, what="cases.escalate-overdue")
        if count:
            log.info("escalated or re-alerted %d overdue cases", count)
        return count
