"""What every job runs in: an app context, a unit of work, and its RQ job id on every log line.

A job body is a plain function decorated with :func:`job`::

    @job
    def escalate_overdue_cases() -> int:      # one transaction: committed on return, rolled back
        return cases.escalate_overdue()       # on error, run again after a deadlock

    @job(steps=True)
    def perform_run(run_id: int) -> str:      # several transactions, each one unit of work that
        unit_of_work.run(...)                 # the body opens with ``unit_of_work.run``

Nothing a job calls commits by itself: the job owns its transactions, as the request owns its own.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar, overload

from flask import Flask, current_app, has_app_context
from rq import get_current_job

from backend.common import unit_of_work

T = TypeVar("T")

_worker_app: Flask | None = None
_running: ContextVar[str | None] = ContextVar("running_job", default=None)

JOB_LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s [job %(job_id)s] %(message)s"


@contextmanager
def job_context() -> Iterator[Flask]:
    """A fresh app context (and so a fresh database session) for one job.

    Inside an app already (inline execution, tests running ``SimpleWorker``) it reuses that app;
    in a worker process it builds the app once from the environment.
    """
    global _worker_app
    if has_app_context():
        app = current_app._get_current_object()
    else:
        if _worker_app is None:
            # A worker process's first job builds the app. Imported here, not at the top: the app
            # factory imports every domain and, through their registration, this module.
            from backend import create_app
            from backend.config import Settings

            # Jobs have RQ's job timeout, not a web worker's: long set-based statements (an
            # assessment) are not cut off, while lock waits stay bounded (and are retried).
            _worker_app = create_app(Settings.from_env(db_statement_timeout_s=0))
        app = _worker_app
    with app.app_context():
        yield app


def current_job_id() -> str | None:
    """The RQ id of the job being run (``inline`` for one run right after a request's commit)."""
    rq_job = get_current_job()
    if rq_job is not None:
        return rq_job.id
    return _running.get()


class CurrentJobFilter(logging.Filter):
    """Puts the current job's id on every log record as ``job_id`` (``-`` outside a job), so a
    worker's log line says which job wrote it, as Redash's worker does."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.job_id = current_job_id() or "-"
        return True


def install_job_logging(stream=None, level: int = logging.INFO) -> logging.Handler:
    """Log the app's records (``backend.*``) with the job id on each line; a worker process calls
    this once. Returns the handler (installed once per stream)."""
    logger = logging.getLogger("backend")
    stream = stream or sys.stderr
    for handler in logger.handlers:
        if getattr(handler, "zhigong_job_log", False) and getattr(handler, "stream", None) is stream:
            return handler
    handler = logging.StreamHandler(stream)
    handler.zhigong_job_log = True  # type: ignore[attr-defined]
    handler.addFilter(CurrentJobFilter())
    handler.setFormatter(logging.Formatter(JOB_LOG_FORMAT))
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return handler


@overload
def job(func: Callable[..., T]) -> Callable[..., T]: ...
@overload
def job(*, steps: bool = False) -> Callable[[Callable[..., T]], Callable[..., T]]: ...


def job(func=None, *, steps: bool = False):
    """Make ``func`` a job body: run it in a job's app context, tagged with its job id, and — unless
    ``steps`` — in one unit of work (``backend.common.unit_of_work.run``: commit on return, roll back
    on error, run again after a deadlock or lock-wait timeout). With ``steps=True`` the body owns
    several transactions and opens each one with ``unit_of_work.run``."""

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        what = f"job {fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"

        @wraps(fn)
        def wrapper(*args, **kwargs) -> T:
            token = _running.set(current_job_id() or "inline")
            try:
                with job_context():
                    if steps:
                        return fn(*args, **kwargs)
                    return unit_of_work.run(lambda: fn(*args, **kwargs), what=what)
            finally:
                _running.reset(token)

        return wrapper

    return decorate(func) if func is not None else decorate
