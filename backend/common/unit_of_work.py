"""One unit of work: run the work, commit inside the same guarded block, roll back on any error, and
run the whole transaction again when the database asked for that (a deadlock or a lock-wait timeout).

Every HTTP request (``backend.web.App``) and every background job goes through :func:`run`, so a
failing ``COMMIT`` is an error like any other — mapped to 409/503 by the request's error handlers,
or retried by RQ for a job — and never escapes as a 500 after the response was chosen.

MySQL/MariaDB report a deadlock (1213) or a lock wait that ran out (1205) after rolling the
statement or the whole transaction back; a multi-primary cluster (Galera) reports a write conflict
found at commit in exactly the same way. The work is then run again from the start in a fresh
transaction: everything it wrote was undone, and what it read is read again, so it is idempotent by
construction. A connection lost before COMMIT was sent (2006/2013) is run again the same way; one
lost after it is not, as the transaction may have committed. After a few attempts (or once the time
budget is spent) the error is raised.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backend.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")

# MySQL/MariaDB error numbers of a transaction that was rolled back and may simply be run again.
DEADLOCK = 1213
LOCK_WAIT_TIMEOUT = 1205
RETRYABLE_MYSQL = {DEADLOCK, LOCK_WAIT_TIMEOUT}
# Errors that say the database is slow or away: answered 503 with Retry-After, never retried here.
STATEMENT_TIMEOUT_MYSQL = {1969, 3024}  # MariaDB max_statement_time, MySQL max_execution_time
CONNECTION_LOST_MYSQL = {2003, 2006, 2013, 2014, 2055, 1040, 1053, 1927, 4031}
# The connection went away mid-transaction (server gone away, lost during a statement): the server
# rolls back what was not committed, so the work may run again, on a new connection, as long as no
# COMMIT was sent. Once it was, the transaction may have committed: never run again, answered 503.
LOST_MID_TRANSACTION_MYSQL = {2006, 2013}
_COMMIT_SENT = "unit_of_work.commit_sent"  # in Session.info, set when a COMMIT is about to be sent


@event.listens_for(Session, "before_commit")
def _commit_sent(session: Session) -> None:
    session.info[_COMMIT_SENT] = True


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # runs in all, the first included
    # No new attempt once this much time has passed since the first began: a deadlock is retried at
    # once, a lock-wait timeout (which took DB_LOCK_WAIT_TIMEOUT to come) about once.
    budget_s: float = 5.0
    backoff_s: float = 0.05  # the pause before attempt n is about backoff_s × 2^(n-2), with jitter


DEFAULT_POLICY = RetryPolicy()


class KeepsWrites:
    """Mixed into an error after which the unit of work still commits what was written, then lets
    the error through: a refused refresh token still revokes the session it was stolen from."""


def mysql_code(exc: BaseException) -> int | None:
    """The MySQL/MariaDB error number carried by a SQLAlchemy or PyMySQL error, if any."""
    orig = getattr(exc, "orig", exc)
    args = getattr(orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def is_retryable(exc: BaseException) -> bool:
    """True when the database rolled the transaction back and running it again may succeed."""
    if not isinstance(exc, DBAPIError):
        return False
    if mysql_code(exc) in RETRYABLE_MYSQL:
        return True
    # SQLite: another writer held the database longer than busy_timeout.
    return "database is locked" in str(getattr(exc, "orig", "")).lower()


def run(
    work: Callable[[], T],
    *,
    session: Session | Callable[[], Session] | None = None,
    keep: Callable[[T], bool] = lambda _result: True,
    policy: RetryPolicy = DEFAULT_POLICY,
    writes: bool = True,
    what: str = "unit of work",
) -> T:
    """Run ``work`` in one transaction of ``session`` (default: the app's ``db.session``).

    When ``keep(result)`` is true the transaction is committed inside this call, otherwise rolled
    back; any exception — the work's or the commit's — rolls it back and propagates, except a
    retryable database error, after which the whole work runs again (see :class:`RetryPolicy`).
    ``writes=False`` (a GET) lets SQLite readers run beside the writer instead of queueing.
    """
    started = time.monotonic()
    attempt = 1
    while True:
        current = _session(session)
        current.info.pop(_COMMIT_SENT, None)
        try:
            with _writer_turn(current, writes):
                result = work()
                if keep(result):
                    current.flush()  # a failure here is before COMMIT: safe to run again
                    current.commit()
                else:
                    current.rollback()
            return result
        except BaseException as exc:
            if isinstance(exc, KeepsWrites) and current.is_active:
                with _writer_turn(current, writes):
                    current.commit()  # a failing commit raises its own error instead
                raise
            _rollback_quietly(current)
            if not _again(exc, attempt, started, policy, commit_sent=current.info.get(_COMMIT_SENT, False)):
                raise
            log.warning(
                "%s: database error %s on attempt %d, running it again: %s",
                what, mysql_code(exc), attempt, _first_line(exc),
            )
            time.sleep(policy.backoff_s * 2 ** (attempt - 1) * (0.5 + random.random()))
            attempt += 1


def transactional(func: Callable[..., T] | None = None, *, policy: RetryPolicy = DEFAULT_POLICY):
    """Decorator form of :func:`run` for job bodies and services that own their transaction::

        @transactional
        def escalate(): ...          # committed on return, rolled back and re-raised on error
    """

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        def wrapper(*args, **kwargs) -> T:
            return run(lambda: fn(*args, **kwargs), policy=policy, what=fn.__qualname__)

        wrapper.__name__, wrapper.__qualname__, wrapper.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
        wrapper.__module__ = fn.__module__
        wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
        return wrapper

    return decorate(func) if func is not None else decorate


def retrying(work: Callable[[], T], *, policy: RetryPolicy = DEFAULT_POLICY, what: str = "job") -> T:
    """Run ``work`` that commits by itself (in several steps), again from the start after a
    retryable database error; the session is rolled back before each new attempt."""
    return run(work, keep=lambda _result: False, policy=policy, what=what)


# --- SQLite: one writer at a time, queued in order rather than polling busy_timeout ----------------
_sqlite_writer = threading.RLock()


@contextmanager
def sqlite_writer() -> Iterator[None]:
    """Hold the process's SQLite write turn (embedded mode has one process; re-entrant, so inline
    jobs run after a request's commit take it again without waiting on themselves)."""
    with _sqlite_writer:
        yield


@contextmanager
def _writer_turn(session: Session, writes: bool) -> Iterator[None]:
    if writes and session.get_bind().dialect.name == "sqlite":
        with sqlite_writer():
            yield
    else:
        yield


# --- helpers ----------------------------------------------------------------------------------------
def _session(session: Session | Callable[[], Session] | None) -> Session:
    if session is None:

        return db.session
    return session() if callable(session) and not isinstance(session, Session) else session


def _again(
    exc: BaseException, attempt: int, started: float, policy: RetryPolicy, *, commit_sent: bool
) -> bool:
    lost_before_commit = (
        isinstance(exc, DBAPIError) and mysql_code(exc) in LOST_MID_TRANSACTION_MYSQL and not commit_sent
    )
    return (
        (is_retryable(exc) or lost_before_commit)
        and attempt < policy.attempts
        and time.monotonic() - started < policy.budget_s
    )


def _rollback_quietly(session: Session) -> None:
    try:
        session.rollback()
    except Exception:  # the connection is gone: the pool discards it; the original error matters
        log.debug("rollback after an error failed", exc_info=True)


def _first_line(exc: BaseException) -> str:
    return (str(getattr(exc, "orig", exc)).splitlines() or [""])[0][:300]
