"""Jobs of the outbox: run one row, and the periodic sweep."""

from __future__ import annotations

import logging

from backend.common import unit_of_work
from backend.extensions import redis_client
from backend.jobs.context import job
from backend.outbox import service as outbox

log = logging.getLogger(__name__)


@job(steps=True)
def run_outbox_message(message_id: int) -> str:
    """Run one outbox row's handler and mark the row done: in one unit of work, or — for a handler
    with transactions of its own — after it; a failure is recorded on the row and re-raised, so RQ
    retries the job."""
    found = unit_of_work.run(lambda: outbox.pending(message_id), keep=lambda _: False, what="outbox read")
    if found is None:
        return "already done"
    topic, payload = found
    what = f"outbox row {message_id}"
    try:
        if topic.own_transactions:
            topic.handler(payload)
            unit_of_work.run(lambda: outbox.mark_done(message_id), what=what)
        else:
            unit_of_work.run(lambda: (topic.handler(payload), outbox.mark_done(message_id)), what=what)
    except Exception as exc:
        error = exc
        try:
            unit_of_work.run(lambda: outbox.record_error(message_id, error), what=f"{what} failure")
        except Exception:  # the database is away: the job's failure is what matters
            log.warning("could not record the failure of outbox row %s", message_id, exc_info=True)
        raise
    return "done"


@job
def sweep_outbox() -> int:
    redis = redis_client()
    if redis is None:
        return 0
    count = outbox.sweep(redis)
    if count:
        log.info("outbox sweep re-enqueued %d rows", count)
    return count
