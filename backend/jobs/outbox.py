"""Jobs of the outbox: run one row, and the periodic sweep."""

from __future__ import annotations

import logging

from backend.common import unit_of_work
from backend.extensions import redis_client
from backend.jobs.context import job_context

log = logging.getLogger(__name__)


def run_outbox_message(message_id: int) -> str:
    from backend.outbox import service as outbox

    with job_context():  # the app registers every topic handler when it is created
        # outbox.run commits in steps of its own; a deadlock or lock-wait timeout runs it again.
        return unit_of_work.retrying(lambda: outbox.run(message_id), what=f"outbox row {message_id}")


def sweep_outbox() -> int:
    from backend.outbox import service as outbox

    with job_context():
        redis = redis_client()
        if redis is None:
            return 0
        count = outbox.sweep(redis)
        if count:
            log.info("outbox sweep re-enqueued %d rows", count)
        return count
