"""Reports read from a replica: with ``DATABASE_READ_URL`` set, statistics, assessment results and
their exports (the API's, the panel's, and the assessment job's own reading of the facts) send their
SELECTs to that database — a read replica, or another node of a Galera cluster — so a province's
report does not compete with workers' submissions on the primary. Everything else, every write and
every ``SELECT … FOR UPDATE`` stays on ``DATABASE_URL``. Without ``DATABASE_READ_URL`` nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g, has_app_context, request
from flask_sqlalchemy.session import Session
from sqlalchemy.sql import CompoundSelect, Select

READ_BIND = "read"
_FLAG = "zhigong_replica_reads"

# What reads from the replica: the report endpoints. Case queues, the worker's own data and the
# assessment runs' progress read the primary, where a change just made is always visible.
REPORT_BLUEPRINTS = frozenset({"staff_stats"})
REPORT_ENDPOINTS = frozenset(
    {
        "staff_assessment.Results",
        "staff_assessment.Export",
        "staff_assessment.Result",
        "admin.assessment_run",
        "admin.export_assessment",
        "admin.assessment_result",
        "admin.statistics",
        "admin.export_statistics",
    }
)


def flask_config(settings, engine_options: dict) -> dict:
    """The ``read`` bind when ``DATABASE_READ_URL`` is set, with the primary's engine options."""
    url = settings.sqlalchemy_read_url
    if not url:
        return {}
    return {"SQLALCHEMY_BINDS": {READ_BIND: {"url": url, **engine_options}}}


def reading() -> bool:
    return has_app_context() and bool(g.get(_FLAG, False))


@contextmanager
def reads() -> Iterator[None]:
    """Within this block, plain SELECTs of the current session go to the replica (when there is one)."""
    previous = g.get(_FLAG, False)
    setattr(g, _FLAG, True)
    try:
        yield
    finally:
        setattr(g, _FLAG, previous)


def _plain_select(clause) -> bool:
    if isinstance(clause, CompoundSelect):
        return True
    return isinstance(clause, Select) and clause._for_update_arg is None


class RoutingSession(Session):
    """``db.session``: plain SELECTs go to the read bind while :func:`reads` is on; the rest as usual."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and not self._flushing and reading() and _plain_select(clause):
            engine = self._db.engines.get(READ_BIND)
            if engine is not None:
                return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _is_report_request() -> bool:
    if request.method != "GET":
        return False
    return request.blueprint in REPORT_BLUEPRINTS or request.endpoint in REPORT_ENDPOINTS


def init_app(app: Flask) -> None:
    @app.before_request
    def _reports_read_the_replica():
        if _is_report_request():
            setattr(g, _FLAG, True)

    @app.teardown_request
    def _back_to_the_primary(_exc):
        # The app context may outlive the request (a CLI command, a test): leave it as found.
        g.pop(_FLAG, None)
