"""Moving committed outbox rows to their RQ queues in one Redis round trip per batch.

Each row still becomes its own RQ job (``outbox-<id>``, with its queue's timeout, retries and
failure TTL), so a failed row is retried and shown to staff on its own; only the writing is batched:
every job of a batch, on whichever queues, goes to Redis in one pipeline (one ``MULTI … EXEC``)
instead of two round trips per row. A request's commit and the sweeper both hand their rows here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from redis import Redis
from rq import Queue, Retry

from backend.jobs import queues


def _job_data(runner: Callable[[int], str], queue_name: str, message_id: int):
    policy = queues.POLICIES[queue_name]
    return Queue.prepare_data(
        runner,
        args=(message_id,),
        job_id=f"outbox-{message_id}",
        timeout=policy.job_timeout,
        retry=Retry(max=len(policy.retry), interval=list(policy.retry)) if policy.retry else None,
        failure_ttl=30 * 24 * 3600,
        result_ttl=600,
    )


def enqueue_batch(redis: Redis, runner: Callable[[int], str], rows: Iterable[tuple[int, str]]) -> int:
    """Put every ``(message id, queue name)`` on its queue in one pipeline, as a job of ``runner``
    (the outbox row job); returns how many.

    A Redis error raises before anything is written (the pipeline is one transaction)."""
    by_queue: dict[str, list[int]] = defaultdict(list)
    for message_id, queue_name in rows:
        by_queue[queue_name].append(message_id)
    if not by_queue:
        return 0
    with redis.pipeline() as pipe:
        for queue_name, ids in by_queue.items():
            queues.queue(queue_name, redis).enqueue_many(
                [_job_data(runner, queue_name, message_id) for message_id in ids], pipeline=pipe
            )
        pipe.execute()
    return sum(len(ids) for ids in by_queue.values())
