"""An app context for a job, whether it runs in an RQ worker process or inline in the API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

_worker_app: Flask | None = None


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
            from backend import create_app
            from backend.config import Settings

            # Jobs have RQ's job timeout, not a web worker's: long set-based statements (an
            # assessment) are not cut off, while lock waits stay bounded (and are retried).
            _worker_app = create_app(Settings.from_env(db_statement_timeout_s=0))
        app = _worker_app
    with app.app_context():
        yield app
