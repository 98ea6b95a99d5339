"""The queues, their retry and timeout policies, and how a job is put on one.

Three queues so a city-wide assessment never delays a worker's notification:
``notifications`` (WeChat sends), ``default`` (outbox follow-ups, sweeps, escalations) and
``assessment`` (long set-based runs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis import Redis
from rq import Queue, Retry

NOTIFICATIONS = "notifications"
DEFAULT = "default"
ASSESSMENT = "assessment"
ALL_QUEUES = (NOTIFICATIONS, DEFAULT, ASSESSMENT)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueuePolicy:
    job_timeout: int  # seconds before the worker kills a job
    retry: tuple[int, ...]  # back-off intervals; their count is the number of retries


POLICIES = {
    NOTIFICATIONS: QueuePolicy(job_timeout=30, retry=(10, 30, 120, 600, 1800)),
    DEFAULT: QueuePolicy(job_timeout=120, retry=(10, 60, 300)),
    ASSESSMENT: QueuePolicy(job_timeout=1800, retry=(60,)),
}


def queue(name: str, connection: Redis) -> Queue:
    return Queue(name, connection=connection)


def enqueue(connection: Redis, queue_name: str, func, *args, job_id: str | None = None, **kwargs):
    """Enqueue with the queue's policy; with ``job_id`` a job already in Redis is not duplicated."""
    policy = POLICIES[queue_name]
    return queue(queue_name, connection).enqueue(
        func,
        *args,
        job_id=job_id,
        job_timeout=policy.job_timeout,
        retry=Retry(max=len(policy.retry), interval=list(policy.retry)) if policy.retry else None,
        failure_ttl=30 * 24 * 3600,
        result_ttl=600,
        **kwargs,
    )
