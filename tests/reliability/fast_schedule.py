"""A schedule for the fault tests: the outbox sweep every second, without its grace period, so a
test sees rows written during a Redis outage go out within seconds of Redis coming back."""

from __future__ import annotations

from rq import cron


def sweep_outbox_without_grace() -> int:
    from backend.common.types import utcnow
    from backend.extensions import redis_client
    from backend.jobs.context import job_context
    from backend.outbox import service as outbox

    with job_context():
        return outbox.sweep(redis_client(), now=utcnow() + outbox.SWEEP_GRACE)


cron.register(sweep_outbox_without_grace, "default", interval=1, name="test.outbox.sweep")
