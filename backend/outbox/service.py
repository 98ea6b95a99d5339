"""Emitting outbox rows and handing them to the queues once their transaction has committed.

``emit`` adds a row to the caller's transaction (the rows a transaction emits are written in one
Core INSERT just before it commits: rows a request only appends need no unit-of-work bookkeeping),
so the state change and the follow-up work commit (or roll back) together. After the commit the
rows are enqueued on RQ; when Redis is away they simply wait, and ``sweep`` enqueues them later.
With no Redis configured (embedded mode) they run inline, each in a fresh app context, right after
the commit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import has_app_context
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.queue import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from backend.common import persistence
from backend.common.types import utcnow
from backend.extensions import db, redis_client
from backend.outbox import relay
from backend.outbox.models import OutboxMessage

log = logging.getLogger(__name__)

SWEEP_GRACE = timedelta(seconds=15)  # younger rows are probably on their way already
SWEEP_BATCH = 1000
REDIS_BACKOFF_S = 5.0  # after a failed enqueue, don't make every request wait on a dead Redis


@dataclass(frozen=True)
class Topic:
    name: str
    queue: str
    handler: Callable[[dict], None]
    # False: the handler runs inside the row's own unit of work, which also marks the row done.
    # True: it opens its own units of work (a send to WeChat: claim, call, record).
    own_transactions: bool = False


TOPICS: dict[str, Topic] = {}
_runner: Callable[[int], str] | None = None  # the job that runs one row (``backend.jobs.outbox``)
_redis_down_until = 0.0


def register_topic(
    name: str, queue: str, handler: Callable[[dict], None], *, own_transactions: bool = False
) -> Topic:
    """Declare the handler of a topic (a domain's ``register(app)`` does, with its ``jobs/`` handler).

    Handlers must be idempotent: a row can be handed to a worker more than once.
    """
    known = TOPICS.get(name)
    if known is not None and (known.queue, known.handler) != (queue, handler):
        raise ValueError(f"outbox topic {name!r} registered twice")
    TOPICS[name] = Topic(name, queue, handler, own_transactions)
    return TOPICS[name]


def use_runner(runner: Callable[[int], str]) -> None:
    """The job that runs one row: enqueued after a commit, or run inline in embedded mode."""
    global _runner
    _runner = runner


_TABLE = OutboxMessage.__table__
_INSERT_MANY = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)
_COLUMNS = ("topic", "payload", "created_at", "attempts", "pending")


def emit(topic_name: str, payload: dict) -> OutboxMessage:
    """Queue follow-up work with the caller's transaction. The rows a transaction emits are written
    together just before it commits (``write_emitted``: one INSERT for all of them); the returned
    row is detached and has its ``id`` from then on."""
    message = OutboxMessage(topic=topic_name, payload=payload, created_at=utcnow(), attempts=0, pending=True)
    db.session().info.setdefault("outbox_unwritten", []).append(message)
    return message


@event.listens_for(Session, "before_commit")
def write_emitted(session: Session) -> None:
    """Write the rows emitted since the last write and remember them for after the commit: one
    INSERT … RETURNING for all of them on MariaDB; one INSERT each where the RETURNING order is not
    promised (SQLAlchemy sends SQLite's one row at a time) or the server has no RETURNING."""
    messages = session.info.pop("outbox_unwritten", None)
    if not messages:
        return
    rows = [{column: getattr(message, column) for column in _COLUMNS} for message in messages]
    if len(rows) > 1 and session.get_bind().dialect.insert_executemany_returning_sort_by_parameter_order:
        ids = list(session.execute(_INSERT_MANY, rows).scalars())
    else:
        ids = [persistence.insert_row(OutboxMessage, row, session) for row in rows]
    for message, message_id in zip(messages, ids, strict=True):
        message.id = message_id
    session.info.setdefault("outbox", []).extend((message.id, message.topic) for message in messages)


# --- after commit -----------------------------------------------------------------------------------
@event.listens_for(Session, "after_commit")
def _dispatch_committed(session: Session) -> None:
    messages = session.info.pop("outbox", None)
    if messages and has_app_context():
        dispatch(messages)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("outbox", None)


@event.listens_for(Session, "after_transaction_end")
def _forget_unwritten(session: Session, transaction) -> None:
    """A transaction that ended without a commit (rolled back, or closed) drops what it emitted, as
    the database drops its rows."""
    if transaction.parent is None:
        session.info.pop("outbox_unwritten", None)


def dispatch(messages: list[tuple[int, str]]) -> None:
    redis = redis_client()
    if redis is None:
        _run_inline(messages)
    else:
        enqueue_messages(redis, messages)


def enqueue_messages(redis, messages: list[tuple[int, str]], *, force: bool = False) -> int:
    """Put rows on their queues; on a Redis error leave them for the sweeper. Returns how many.

    After a failure, requests skip Redis for a few seconds instead of each waiting on it; the
    sweeper (``force``) always tries.
    """
    global _redis_down_until
    if not force and time.monotonic() < _redis_down_until:
        return 0
    done = 0
    try:
        rows = [(row_id, TOPICS[topic].queue) for row_id, topic in messages]
        done = relay.enqueue_batch(redis, _runner, rows)
    except RedisError as exc:
        _redis_down_until = time.monotonic() + REDIS_BACKOFF_S
        log.warning("Redis unavailable, %d outbox rows left for the sweeper: %s", len(messages) - done, exc)
    return done


def reset_redis_backoff() -> None:
    """Forget a past Redis failure (after an operator restored Redis, and in tests)."""
    global _redis_down_until
    _redis_down_until = 0.0


def _run_inline(messages: list[tuple[int, str]]) -> None:
    for message_id, _topic in messages:
        try:
            _runner(message_id)  # in a fresh app context, so a fresh session
        except Exception:  # an inline job failing must not fail the request that caused it
            log.exception("inline outbox job %s failed", message_id)


# --- running and sweeping -----------------------------------------------------------------------------
def pending(message_id: int) -> tuple[Topic, dict] | None:
    """The topic and payload of a row still to be handled; None once it is done."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or not message.pending:
        return None
    return TOPICS[message.topic], dict(message.payload)


def mark_done(message_id: int) -> None:
    """The row's work is done (in the same unit of work as a handler without transactions of its own)."""
    message = db.session.get(OutboxMessage, message_id)
    message.pending = False
    message.done_at = utcnow()
    message.attempts += 1


def record_error(message_id: int, exc: BaseException) -> None:
    """A failed attempt, for the operations page (in a unit of work of its own)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is not None:
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]


def sweep(redis, now=None) -> int:
    """Re-enqueue pending rows that Redis does not know about (never reached it, or was lost), put on
    their queue the retries whose time has long come but that no scheduler moved there (the worker's
    scheduler died with a Redis outage), and queue again the jobs that nothing will run any more."""
    cutoff = (now or utcnow()) - SWEEP_GRACE
    # Jobs whose worker died are 'started' until their registry entry expires; RQ's workers clean
    # that up only every ten minutes. Doing it here hands them to their retries (or the failed list).
    for queue_name in {t.queue for t in TOPICS.values()}:
        StartedJobRegistry(queue_name, connection=redis).cleanup()
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.topic)
        .where(OutboxMessage.pending.is_(True), OutboxMessage.created_at < cutoff)
        .order_by(OutboxMessage.id)
        .limit(SWEEP_BATCH)
    ).all()
    lost = []
    overdue = 0
    for message_id, topic_name in rows:
        try:
            job = Job.fetch(f"outbox-{message_id}", connection=redis)
        except NoSuchJobError:
            lost.append((message_id, topic_name))
            continue
        status = job.get_status(refresh=False)
        if status == JobStatus.SCHEDULED:
            overdue += _enqueue_if_overdue(redis, job, cutoff)
        elif _orphaned(redis, job, status):
            Queue(job.origin, connection=redis).enqueue_job(job)
            log.info("outbox sweep: job %s was left %s (outage, dead worker); queued", job.id, status)
            overdue += 1
    return overdue + (enqueue_messages(redis, lost, force=True) if lost else 0)


def _orphaned(redis, job: Job, status) -> bool:
    """A job of a pending row that nothing will run: 'started' by no worker (its worker died, or Redis
    lost the worker's bookkeeping), 'queued' on no queue (a worker listening on several queues pops
    the id and only then marks the job started: killed in between, it leaves the job in no list, and
    RQ never looks at it again), or ended without a failure staff can see and retry."""
    if status == JobStatus.DEFERRED:
        return False
    if status == JobStatus.QUEUED:
        queue = Queue(job.origin, connection=redis)
        waiting = (queue.key, queue.intermediate_queue_key)  # single-queue workers move it there
        on_a_list = any(redis.lpos(key, job.id) is not None for key in waiting)
        return not on_a_list and job.id not in queue.started_job_registry
    if status == JobStatus.STARTED:
        return job.id not in StartedJobRegistry(job.origin, connection=redis)
    if status == JobStatus.FAILED:
        return job.id not in FailedJobRegistry(job.origin, connection=redis)
    return True  # finished, stopped or canceled while its row is still pending


def _enqueue_if_overdue(redis, job: Job, cutoff) -> int:
    registry = ScheduledJobRegistry(job.origin, connection=redis)
    try:
        due = registry.get_scheduled_time(job)
    except NoSuchJobError:
        if job.get_status(refresh=True) != JobStatus.SCHEDULED:
            return 0  # the scheduler queued it just now
        due = cutoff - SWEEP_GRACE  # 'scheduled' in no registry (Redis lost a write): nothing would run it
    if due >= cutoff:
        return 0
    registry.remove(job)
    Queue(job.origin, connection=redis).enqueue_job(job)
    log.info("outbox sweep: retry %s was due at %s and is queued now", job.id, due.isoformat())
    return 1
