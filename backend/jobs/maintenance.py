"""Housekeeping jobs."""

from __future__ import annotations

from backend.common import idempotency, unit_of_work
from backend.jobs.context import job_context


def release_stale_sends() -> int:
    from backend.notify import service as notify

    with job_context():
        return unit_of_work.run(notify.release_stale_sends, what="notifications.release-stale-sends")


def purge_idempotency_keys() -> int:
    with job_context():
        return unit_of_work.run(idempotency.purge_expired, what="idempotency.purge")
