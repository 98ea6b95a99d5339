"""Every job runs in one owner of its transactions (``backend.jobs.context.job``), and its log lines
name the RQ job that wrote them."""

from __future__ import annotations

import ast
import io
import logging
from pathlib import Path

import pytest
from rq import SimpleWorker
from sqlalchemy import func, select

from backend.common.idempotency import IdempotencyKey
from backend.config import ROOT
from backend.extensions import db
from backend.jobs.context import install_job_logging, job
from backend.jobs.queues import DEFAULT, enqueue
from backend.outbox.service import TOPICS


def log() -> logging.Logger:
    # Looked up when used: the migrations' logging set-up disables the loggers that existed before it.
    return logging.getLogger("backend.jobs.job_log_probe")


@job
def store_key(key: str, *, fail: bool = False) -> str:
    db.session.add(IdempotencyKey(principal="job-test", key=key, request_hash="-"))
    db.session.flush()
    log().info("stored key %s", key)
    if fail:
        raise RuntimeError("the job failed after writing")
    return key


def keys() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(IdempotencyKey.key).where(IdempotencyKey.principal == "job-test")))


def test_a_job_commits_what_it_wrote_when_it_returns(app):
    assert store_key("kept") == "kept"
    assert keys() == ["kept"]


def test_a_job_that_fails_leaves_nothing_behind(app):
    with pytest.raises(RuntimeError):
        store_key("undone", fail=True)
    assert keys() == []
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_every_log_line_of_a_job_names_its_rq_job(app, queue_redis):
    stream = io.StringIO()
    handler = install_job_logging(stream)
    try:
        enqueue(queue_redis, DEFAULT, store_key, "logged", job_id="job-log-test-1")
        SimpleWorker([DEFAULT], connection=queue_redis).work(burst=True)
        log().info("outside any job")
    finally:
        logging.getLogger("backend").removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert any("[job job-log-test-1] stored key logged" in line for line in lines), lines
    assert any("[job -] outside any job" in line for line in lines), lines
    assert keys() == ["logged"]


# --- the shape of the code: who commits, who imports the jobs ------------------------------------------
BACKEND = ROOT / "backend"
# The unit of work commits; the command line and the demo data generator run their own (unit_of_work
# is the request's and the job's, neither exists there).
MAY_COMMIT = ("common/unit_of_work.py", "cli.py")


def _modules():
    for path in sorted(BACKEND.rglob("*.py")):
        yield path.relative_to(BACKEND).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _commits(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
        and not node.args
    ]


def test_nothing_but_the_unit_of_work_commits():
    found = {
        name: lines
        for name, tree in _modules()
        if name not in MAY_COMMIT and "seed" not in name and "demo" not in name
        for lines in [_commits(tree)]
        if lines
    }
    assert found == {}


def test_domain_code_never_imports_the_jobs():
    """Imports go jobs → services → models; only a domain's registration names its job handlers."""
    offenders = []
    for name, tree in _modules():
        if name.startswith(("jobs/", "admin/", "api/")) or name.endswith("domain.py") or "/" not in name:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("backend.jobs"):
                continue
            module = node.module
            targets = {f"{module}.{a.name}" if module == "backend.jobs" else module for a in node.names}
            # The queue names (a leaf module with no imports of ours) are shared by both sides.
            offenders += [f"{name}:{node.lineno} {t}" for t in targets if t != "backend.jobs.queues"]
    assert offenders == []


def test_the_jobs_package_is_where_outbox_handlers_live(app):
    assert {topic.handler.__module__ for topic in TOPICS.values()} <= {
        f"backend.jobs.{path.stem}" for path in Path(BACKEND / "jobs").glob("*.py")
    }
