"""The request's unit of work: the commit runs inside the guarded block, so a failing COMMIT is
answered like any other error (409/503 in our JSON format, nothing written), and a transaction the
database rolled back for a lock (MySQL 1205/1213, SQLite "database is locked") is run again.

Failures are produced by the real database at commit time: a hook on the session's
``before_commit`` executes a statement that the database refuses (a duplicate key, a killed
connection, a row another connection keeps locked)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from backend.common import unit_of_work
from backend.common.idempotency import IdempotencyKey
from backend.extensions import db
from backend.members.models import WxAccount


def login(client, code: str = "uow-worker"):
    return client.post("/api/v1/auth/wechat-login", json={"code": code})


def accounts() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(WxAccount))


@contextmanager
def at_commit(hook: Callable[[Session, int], None], when: str = "before_commit") -> Iterator[list[int]]:
    """Call ``hook(session, attempt)`` once per transaction that writes a new WxAccount, just before
    its COMMIT (or, with ``when="before_flush"``, before it writes anything)."""
    attempts: list[int] = []

    def wrote(session: Session, _context) -> None:
        if any(isinstance(obj, WxAccount) for obj in session.new):
            session.info["uow-test-wrote"] = True

    def before(session: Session, *_args) -> None:
        if session.info.get("uow-test-fired"):
            return
        if session.info.get("uow-test-wrote") or any(isinstance(obj, WxAccount) for obj in session.new):
            session.info["uow-test-fired"] = True
            attempts.append(len(attempts) + 1)
            hook(session, len(attempts))

    def forget(session: Session, *_args) -> None:
        session.info.pop("uow-test-fired", None)
        session.info.pop("uow-test-wrote", None)

    event.listen(Session, "after_flush", wrote)
    event.listen(Session, when, before)
    event.listen(Session, "after_rollback", forget)
    event.listen(Session, "after_commit", forget)
    try:
        yield attempts
    finally:
        event.remove(Session, "after_flush", wrote)
        event.remove(Session, when, before)
        event.remove(Session, "after_rollback", forget)
        event.remove(Session, "after_commit", forget)


def lock_point() -> str:
    """Where a lock conflict can be met: InnoDB at COMMIT (the request already holds its own row
    locks, the other connection a row it needs); SQLite has one lock, taken by the first write."""
    return "before_commit" if is_mysql() else "before_flush"


def is_mysql() -> bool:
    return db.engine.dialect.name in ("mysql", "mariadb")


def test_a_duplicate_found_at_commit_is_a_409_and_nothing_is_written(client):
    db.session.add(IdempotencyKey(principal="uow", key="taken", request_hash="x"))
    db.session.commit()

    def duplicate(session: Session, _attempt: int) -> None:
        session.add(IdempotencyKey(principal="uow", key="taken", request_hash="y"))

    with at_commit(duplicate) as attempts:
        response = login(client)
    assert response.status_code == 409
    assert response.json["code"] == "conflict"
    assert response.headers["X-Request-Id"]
    assert attempts == [1]  # a conflict is final: not retried
    assert accounts() == 0


def test_a_database_failing_at_commit_is_a_503_with_retry_after(client, app):
    if is_mysql():
        # The connection is killed from another session just before COMMIT is sent.
        def fail(session: Session, _attempt: int) -> None:
            own_id = session.execute(text("SELECT CONNECTION_ID()")).scalar()
            with db.engine.connect() as other:
                other.execute(text(f"KILL CONNECTION {int(own_id)}"))
    else:
        def fail(session: Session, _attempt: int) -> None:
            session.execute(text("UPDATE table_that_is_gone SET x = 1"))

    with at_commit(fail), app.test_client() as fresh:
        response = fresh.post(
            "/api/v1/auth/wechat-login", json={"code": "uow-worker"}, headers={"X-Request-Id": "req-42"}
        )
    assert response.status_code == 503
    assert response.json["code"] == "database_unavailable"
    assert response.json["message"] == "数据库暂时不可用，请稍后重试"
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-Request-Id"] == "req-42"
    assert accounts() == 0


@contextmanager
def row_locked_elsewhere(app) -> Iterator[Callable[[], None]]:
    """Another connection holds a write lock the request will need; yields its release."""
    if is_mysql():
        db.session.add(IdempotencyKey(principal="uow", key="locked", request_hash="x"))
        db.session.commit()
        other = db.engine.connect()
        other.execute(text("SELECT id FROM idempotency_keys WHERE `key` = 'locked' FOR UPDATE"))
        release = other.rollback
    else:
        path = db.engine.url.database
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        release = lambda: other.execute("ROLLBACK") if other.in_transaction else None  # noqa: E731
    try:
        yield release
    finally:
        release()
        other.close()


def wait_for_the_lock(session: Session) -> None:
    """Ask for the lock held elsewhere, giving up after one second (the database's own error)."""
    if is_mysql():
        session.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))
        session.execute(text("UPDATE idempotency_keys SET request_hash = 'z' WHERE `key` = 'locked'"))
    else:
        session.execute(text("PRAGMA busy_timeout = 200"))
        try:
            session.execute(text("DELETE FROM idempotency_keys WHERE id < 0"))
        finally:
            session.execute(text("PRAGMA busy_timeout = 30000"))


def test_a_lock_wait_timeout_at_commit_runs_the_request_again(client, app):
    with row_locked_elsewhere(app) as release:

        def blocked_once(session: Session, attempt: int) -> None:
            if attempt == 2:
                release()  # the other transaction ends while the first attempt is being retried
            wait_for_the_lock(session)

        with at_commit(blocked_once, lock_point()) as attempts:
            response = login(client)
    assert response.status_code == 200, response.json
    assert attempts == [1, 2]
    assert accounts() == 1  # the first attempt's writes were undone, the second kept


def test_a_lock_that_outlasts_every_attempt_is_a_503_and_nothing_is_written(client, app):
    hook = lambda session, _attempt: wait_for_the_lock(session)  # noqa: E731
    with row_locked_elsewhere(app), at_commit(hook, lock_point()) as attempts:
        response = login(client)
    assert response.status_code == 503
    assert response.json["code"] == "database_busy"
    assert int(response.headers["Retry-After"]) >= 2  # the log-in's rate limit may ask for longer
    assert attempts == [1, 2, 3]
    assert accounts() == 0


@pytest.mark.parametrize(
    ("code", "retryable"),
    [(1213, True), (1205, True), (1062, False), (2013, False), (1969, False)],
)
def test_only_deadlocks_and_lock_wait_timeouts_are_run_again(code, retryable):
    import pymysql
    from sqlalchemy.exc import OperationalError

    error = OperationalError("COMMIT", {}, pymysql.err.OperationalError(code, "x"))
    assert unit_of_work.is_retryable(error) is retryable


def test_a_job_body_is_committed_by_the_unit_of_work_and_retried_after_a_lock(app):
    from backend.common.types import utcnow

    with row_locked_elsewhere(app) as release:
        calls = []

        def job() -> int:
            calls.append(1)
            if len(calls) == 1:
                wait_for_the_lock(db.session)  # meets the lock: the database gives up after a second
            db.session.add(WxAccount(openid=f"o_job_{len(calls)}", created_at=utcnow()))
            db.session.flush()
            return len(calls)

        def release_then_job() -> int:
            if calls:
                release()
            return job()

        assert unit_of_work.run(release_then_job, what="test job") == 2
    db.session.rollback()
    assert db.session.scalars(select(WxAccount.openid)).all() == ["o_job_2"]
