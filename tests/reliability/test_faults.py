"""Faults injected into the real servers — our own redis-server and mariadbd, killed with SIGKILL
and started again — and what the service does about them by itself (issue 12, items 1, 2, 4, 5, 7).

The request's unit of work (commit failures, deadlock and lock-wait retries) is in
test_unit_of_work.py."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from backend import create_app
from backend.common.types import utcnow
from backend.config import Settings
from backend.extensions import db
from backend.jobs.outbox import run_outbox_message
from backend.notify.models import Notification, SubscriptionGrant
from backend.outbox import service as outbox
from backend.outbox.models import OutboxMessage
from backend.wechat.tokens import drop_cached_token
from tests.factories import auth
from tests.notify.conftest import work
from tests.reliability.conftest import PYTHON, RQ, Process, child_env, kill_redis

TEMPLATE = "TPL_REVIEW_RESULT"


def grant(client, token: str, times: int = 1) -> None:
    for _ in range(times):
        answer = client.post("/api/v1/subscriptions", json={"template_ids": [TEMPLATE]}, headers=auth(token))
        assert answer.status_code == 200, answer.json


def wait_until(condition, *, timeout: float = 60, what: str = "condition"):
    """Poll ``condition`` (a database or HTTP check) until it is true or the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()  # see other processes' commits
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.2)


def statuses() -> list[str]:
    db.session.rollback()
    return db.session.scalars(select(Notification.wechat_status).order_by(Notification.id)).all()


def grants_left() -> int:
    db.session.rollback()
    return sum(db.session.scalars(select(SubscriptionGrant.remaining)))


# --- 1. workers and the scheduler ride out a Redis outage ----------------------------------------------
@pytest.fixture
def background(settings, private_redis, queue_redis):
    """The README's worker and cron commands as child processes, on the test database and our Redis."""
    env = child_env(settings, private_redis.url)
    worker = Process(
        [RQ, "worker", "--with-scheduler", "-w", "backend.jobs.worker.Worker", "--url", private_redis.url,
         "notifications", "default", "assessment"],
        env,
    )
    cron = Process(
        [PYTHON, "-m", "backend.jobs.worker", "cron", "--url", private_redis.url,
         "--config", "tests/reliability/fast_schedule.py"],
        env,
    )
    try:
        worker.wait_for_line("Listening on")
        cron.wait_for_line("starting")
        yield worker, cron
    finally:
        worker.stop()
        cron.stop()


def test_worker_and_cron_resume_by_themselves_after_redis_is_killed(
    factory, client, private_redis, background, fake_wechat
):
    worker, cron = background
    _, fake = fake_wechat
    pids = (worker.popen.pid, cron.popen.pid)
    tree = factory.org_tree()
    staff = factory.staff_token("t_city")
    token = factory.worker_token("outage")
    grant(client, token, times=2)

    kill_redis(private_redis)
    worker.wait_for_line("Redis", after=len(worker.lines))
    cron.wait_for_line("Redis unavailable")

    # The API keeps taking submissions: the notification waits in the outbox.
    applied = factory.apply(token, tree.union_a1.id)
    assert applied.status_code == 201, applied.json
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "degraded"

    private_redis.start()  # the same port, empty: what was queued before is gone
    wait_until(lambda: statuses() == ["sent"], timeout=60, what="the message sent after the outage")
    assert len(fake.sent_to("o_outage")) == 1
    assert (worker.popen.pid, cron.popen.pid) == pids and worker.alive and cron.alive

    # A retry needs the scheduler: WeChat is busy once, the job is retried after its back-off.
    fake.fail_next(45009, count=1)
    approved = factory.transition(staff, applied.json["id"], "approve")
    assert approved.status_code == 200, approved.json
    wait_until(lambda: statuses() == ["sent", "sent"], timeout=60, what="the retried message")
    assert len(fake.sent_to("o_outage")) == 2
    assert grants_left() == 0


def test_a_retry_whose_scheduler_is_gone_is_queued_by_the_sweep(factory, client, queue_redis, fake_wechat):
    _, fake = fake_wechat
    tree = factory.org_tree()
    token = factory.worker_token("orphan")
    grant(client, token)
    fake.fail_next(45009, count=1)
    factory.apply(token, tree.union_a1.id)
    work(queue_redis)  # no scheduler runs: the retry waits in the scheduled registry
    message_id = db.session.scalar(select(OutboxMessage.id))
    job = Job.fetch(f"outbox-{message_id}", connection=queue_redis)
    assert job.get_status() == JobStatus.SCHEDULED
    assert statuses() == ["pending"] and grants_left() == 1

    # Its time comes and goes; the sweep (run by cron, not by the dead scheduler) queues it.
    later = utcnow() + timedelta(seconds=30) + outbox.SWEEP_GRACE
    assert outbox.sweep(queue_redis, now=later) == 1
    assert job.id not in ScheduledJobRegistry("notifications", connection=queue_redis)
    work(queue_redis)
    assert len(fake.sent_to("o_orphan")) == 1
    assert statuses() == ["sent"]
    assert outbox.sweep(queue_redis, now=later) == 0


def test_a_job_left_started_by_a_dead_worker_is_queued_again_by_the_sweep(
    factory, client, queue_redis, fake_wechat
):
    """A worker killed mid-job, or one whose bookkeeping Redis lost in an outage, leaves the job
    'started' with no worker on it: RQ's own clean-up never finds it, the sweep does."""
    _, fake = fake_wechat
    message_id = prepared_notification(factory, client, queue_redis, "abandoned")
    outbox.enqueue_messages(queue_redis, [(message_id, "notification.deliver")], force=True)
    job = Job.fetch(f"outbox-{message_id}", connection=queue_redis)
    queue_redis.delete("rq:queue:notifications")  # taken off the queue by the worker that then died
    job.set_status(JobStatus.STARTED)
    later = utcnow() + outbox.SWEEP_GRACE + timedelta(seconds=1)
    assert outbox.sweep(queue_redis, now=later) == 1
    work(queue_redis)
    assert statuses() == ["sent"] and len(fake.sent_to("o_abandoned")) == 1
    assert outbox.sweep(queue_redis, now=later) == 0


def test_a_job_popped_by_a_worker_killed_before_it_started_is_queued_again_by_the_sweep(
    factory, client, queue_redis, fake_wechat
):
    """A worker listening on several queues pops the job's id off its queue and only then marks the
    job started: killed (or cut off from Redis) in between, it leaves the job 'queued' on no queue,
    where RQ never looks again."""
    _, fake = fake_wechat
    message_id = prepared_notification(factory, client, queue_redis, "popped")
    outbox.enqueue_messages(queue_redis, [(message_id, "notification.deliver")], force=True)
    job = Job.fetch(f"outbox-{message_id}", connection=queue_redis)
    later = utcnow() + outbox.SWEEP_GRACE + timedelta(seconds=1)
    assert outbox.sweep(queue_redis, now=later) == 0  # waiting on its queue: left alone
    assert queue_redis.lpop("rq:queue:notifications") == job.id.encode()  # the dead worker's pop
    assert job.get_status() == JobStatus.QUEUED
    assert outbox.sweep(queue_redis, now=later) == 1
    work(queue_redis)
    assert statuses() == ["sent"] and len(fake.sent_to("o_popped")) == 1
    assert outbox.sweep(queue_redis, now=later) == 0


def test_a_retry_that_redis_lost_from_its_schedule_is_queued_by_the_sweep(
    factory, client, queue_redis, fake_wechat
):
    _, fake = fake_wechat
    tree = factory.org_tree()
    token = factory.worker_token("unscheduled")
    grant(client, token)
    fake.fail_next(45009, count=1)
    factory.apply(token, tree.union_a1.id)
    work(queue_redis)
    message_id = db.session.scalar(select(OutboxMessage.id))
    job = Job.fetch(f"outbox-{message_id}", connection=queue_redis)
    ScheduledJobRegistry("notifications", connection=queue_redis).remove(job)  # an outage lost the entry
    assert job.get_status() == JobStatus.SCHEDULED
    assert outbox.sweep(queue_redis, now=utcnow() + outbox.SWEEP_GRACE + timedelta(seconds=1)) == 1
    work(queue_redis)
    assert statuses() == ["sent"] and len(fake.sent_to("o_unscheduled")) == 1


# --- 2. nothing lost between the claim and the send -----------------------------------------------------
def prepared_notification(factory, client, queue_redis, code: str) -> int:
    tree = factory.org_tree()
    token = factory.worker_token(code)
    grant(client, token)
    outbox.reset_redis_backoff()
    factory.apply(token, tree.union_a1.id)
    queue_redis.flushdb()  # the job itself is not needed: the test runs the outbox row directly
    db.session.rollback()
    return db.session.scalar(select(OutboxMessage.id))


def test_redis_failing_before_the_send_leaves_the_message_pending_and_it_goes_out_once(
    app, factory, client, queue_redis, private_redis, fake_wechat
):
    _, fake = fake_wechat
    message_id = prepared_notification(factory, client, queue_redis, "redisgone")
    drop_cached_token(app.extensions["zhigong.settings"], queue_redis)  # the token must come from Redis
    kill_redis(private_redis)
    with pytest.raises(RedisConnectionError):
        run_outbox_message(message_id)
    assert statuses() == ["pending"] and grants_left() == 1  # nothing claimed, nothing spent
    assert fake.sent == []

    private_redis.start()
    assert run_outbox_message(message_id) == "done"
    assert run_outbox_message(message_id) == "already done"
    assert statuses() == ["sent"] and grants_left() == 0
    assert len(fake.sent_to("o_redisgone")) == 1


@contextmanager
def commit_fails_once_with_status(status: str) -> Iterator[list[bool]]:
    """The first commit of a transaction that has set a notification to ``status`` fails in the real
    database (MariaDB: its connection is killed just before COMMIT; SQLite: a refused statement)."""
    fired: list[bool] = []

    def before_commit(session: Session) -> None:
        if fired or status not in session.execute(select(Notification.wechat_status)).scalars().all():
            return
        fired.append(True)
        if session.get_bind().dialect.name in ("mysql", "mariadb"):
            own_id = session.execute(text("SELECT CONNECTION_ID()")).scalar()
            with db.engine.connect() as other:
                other.execute(text(f"KILL CONNECTION {int(own_id)}"))
        else:
            session.execute(text("UPDATE table_that_is_gone SET x = 1"))

    event.listen(Session, "before_commit", before_commit)
    try:
        yield fired
    finally:
        event.remove(Session, "before_commit", before_commit)


def test_the_database_failing_at_the_claim_leaves_the_message_to_be_sent_once(
    factory, client, queue_redis, fake_wechat
):
    _, fake = fake_wechat
    message_id = prepared_notification(factory, client, queue_redis, "claimfail")
    with commit_fails_once_with_status("sending") as fired, pytest.raises(OperationalError):
        run_outbox_message(message_id)
    assert fired and fake.sent == []
    assert statuses() == ["pending"] and grants_left() == 1

    assert run_outbox_message(message_id) == "done"
    assert statuses() == ["sent"] and grants_left() == 0
    assert len(fake.sent_to("o_claimfail")) == 1


def test_an_outcome_the_database_could_not_take_is_written_by_the_retry(
    factory, client, queue_redis, fake_wechat
):
    _, fake = fake_wechat
    message_id = prepared_notification(factory, client, queue_redis, "afterfail")
    with commit_fails_once_with_status("sent") as fired, pytest.raises(OperationalError):
        run_outbox_message(message_id)
    assert fired and len(fake.sent_to("o_afterfail")) == 1  # WeChat has it
    assert statuses() == ["sending"]  # the database does not know yet

    assert run_outbox_message(message_id) == "done"  # the job's retry
    assert statuses() == ["sent"]  # not 'unknown', and not sent again
    assert len(fake.sent_to("o_afterfail")) == 1 and grants_left() == 0


# --- 5. readiness during a Redis outage ----------------------------------------------------------------
def test_readyz_reports_a_redis_outage_as_degraded_and_submissions_go_on(
    factory, client, queue_redis, private_redis
):
    tree = factory.org_tree()
    token = factory.worker_token("ready")
    assert client.get("/readyz").json["status"] == "ready"
    kill_redis(private_redis)
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["status"] == "degraded"
    assert ready.json["checks"]["database"] == "ok"
    assert ready.json["checks"]["redis"].startswith("error")
    assert factory.apply(token, tree.union_a1.id).status_code == 201
    assert db.session.scalar(select(OutboxMessage.pending)) is True  # waits for the sweep


# --- 4 and 7. a locked table and a killed database, on our own mariadbd -----------------------------------
@pytest.fixture(scope="module")
def mariadb_app(private_mariadb, fake_wechat, tmp_path_factory):
    from flask_migrate import upgrade

    settings = Settings(
        env="test",
        database_url=private_mariadb.url(),
        wechat_api_base=fake_wechat[0],
        login_rate_limit="10000 per minute",
        upload_dir=tmp_path_factory.mktemp("uploads-mariadb"),
        db_lock_wait_s=1,
    )
    app = create_app(settings)
    app.config["TESTING"] = True
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


def login(http, code: str):
    return http.post("/api/v1/auth/wechat-login", json={"code": code})


def test_a_locked_table_is_a_quick_json_503_and_the_probes_keep_answering(mariadb_app, private_mariadb):
    http = mariadb_app.test_client()
    assert login(http, "before-lock").status_code == 200
    locker = private_mariadb.connect()
    locker.cursor().execute("LOCK TABLES wx_accounts WRITE")
    try:
        started = time.monotonic()
        answer = login(http, "during-lock")
        took = time.monotonic() - started
        assert answer.status_code == 503
        assert answer.json["code"] == "database_busy"
        assert answer.json["message"] == "系统繁忙，请稍后重试"
        assert int(answer.headers["Retry-After"]) >= 2
        assert took < 15  # three attempts of a one-second lock wait, far below gunicorn's 30 s
        assert http.get("/healthz").status_code == 200
        assert http.get("/readyz").json["status"] == "ready"
    finally:
        locker.cursor().execute("UNLOCK TABLES")
        locker.close()
    assert login(http, "during-lock").status_code == 200


def test_a_killed_database_is_a_json_503_and_service_resumes_when_it_returns(mariadb_app, private_mariadb):
    http = mariadb_app.test_client()
    assert login(http, "before-kill").status_code == 200
    private_mariadb.kill()
    try:
        answer = login(http, "during-kill")
        assert answer.status_code == 503
        assert answer.json["code"] == "database_unavailable"
        assert answer.headers["Retry-After"] and answer.headers["X-Request-Id"]
        assert http.get("/healthz").status_code == 200
        ready = http.get("/readyz")
        assert ready.status_code == 503 and ready.json["code"] == "not_ready"
    finally:
        private_mariadb.start()
    answer = login(http, "after-kill")  # the pool drops the dead connections by itself
    assert answer.status_code == 200, answer.json
    assert http.get("/readyz").json["status"] == "ready"


def test_a_database_killed_during_concurrent_writes_gives_no_500(mariadb_app, private_mariadb):
    """Writers keep going while mariadbd is killed and started again: every answer is a 200 or a
    JSON 503, and every 200 is stored."""
    stop = threading.Event()
    answers: list[tuple[int, str]] = []

    def writer(n: int) -> None:
        http = mariadb_app.test_client()
        i = 0
        while not stop.is_set():
            code = f"conc-{n}-{i}"
            answer = login(http, code)
            answers.append((answer.status_code, code))
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        wait_for = len(answers) + 20
        while len(answers) < wait_for:
            time.sleep(0.05)
        private_mariadb.kill()
        during = len(answers) + 8
        while len(answers) < during:
            time.sleep(0.05)
        private_mariadb.start()
        resumed = len(answers)
        while not any(status == 200 for status, _ in answers[resumed:]):
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert {status for status, _ in answers} <= {200, 503}
    assert any(status == 503 for status, _ in answers)
    stored_codes = {f"conc-{c.split('-', 1)[1]}" for _, c in answers}
    with mariadb_app.app_context():
        from backend.members.models import WxAccount

        stored = set(db.session.scalars(select(WxAccount.openid).where(WxAccount.openid.like("o_conc-%"))))
    ok = {f"o_{code}" for status, code in answers if status == 200}
    assert ok <= stored and stored_codes


# --- 8. a connection lost mid-transaction: run again before COMMIT, never after ------------------------
@contextmanager
def inserts_into_wx_accounts(app, on_first=None) -> Iterator[list[int]]:
    """Count the request's INSERTs of a new account; ``on_first(dbapi_connection)`` runs just before
    the first one is sent."""
    seen: list[int] = []

    def before_execute(conn, _cursor, statement, *_args) -> None:
        if statement.startswith("INSERT INTO wx_accounts"):
            seen.append(len(seen) + 1)
            if len(seen) == 1 and on_first is not None:
                on_first(conn.connection.dbapi_connection)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before_execute)


def wx_accounts(private_mariadb, openid: str) -> int:
    with private_mariadb.connect() as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT COUNT(*) FROM wx_accounts WHERE openid = %s", (openid,))
        return cursor.fetchone()[0]


def test_a_connection_lost_before_commit_runs_the_request_again(mariadb_app, private_mariadb):
    def kill(connection) -> None:  # the server ends the session: its open transaction is rolled back
        with private_mariadb.connect(None) as other:
            other.cursor().execute(f"KILL CONNECTION {int(connection.thread_id())}")

    http = mariadb_app.test_client()
    with inserts_into_wx_accounts(mariadb_app, on_first=kill) as inserts:
        answer = login(http, "lost-before-commit")
    assert answer.status_code == 200, answer.json
    assert inserts == [1, 2]  # the first attempt lost its connection mid-statement, the second wrote
    assert wx_accounts(private_mariadb, "o_lost-before-commit") == 1


def test_a_connection_lost_after_commit_was_sent_is_a_503_and_not_run_again(mariadb_app, private_mariadb):
    """The COMMIT reaches the server and commits; its answer never comes back (the client stops
    reading its socket). The request cannot know it committed, so it must not run again."""

    def answer_lost(conn) -> None:
        conn.connection.dbapi_connection._sock.shutdown(socket.SHUT_RD)

    http = mariadb_app.test_client()
    with mariadb_app.app_context():
        engine = db.engine
    with inserts_into_wx_accounts(mariadb_app) as inserts:
        event.listen(engine, "commit", answer_lost)
        try:
            answer = login(http, "lost-after-commit")
        finally:
            event.remove(engine, "commit", answer_lost)
    assert answer.status_code == 503
    assert answer.json["code"] == "database_unavailable" and answer.headers["Retry-After"]
    assert inserts == [1]  # not run again
    assert wx_accounts(private_mariadb, "o_lost-after-commit") == 1  # it had committed after all
    assert login(http, "lost-after-commit").status_code == 200  # the dead connection is gone from the pool


def _pooled(app) -> tuple[int, list[int]]:
    """Of every connection the pool holds (all checked out at once): the ROLLBACKs their sessions
    were sent so far (summed; the server counts them per session) and ``@@in_transaction`` of each.
    Handing them back costs each one ROLLBACK of the pool's own (they were used outside a
    ``Connection``)."""
    with app.app_context():
        pool = db.engine.pool
        held = [pool.connect() for _ in range(pool.checkedin())]
    try:
        rollbacks, states = 0, []
        for connection in held:
            cursor = connection.cursor()
            cursor.execute("SHOW SESSION STATUS LIKE 'Com_rollback'")
            rollbacks += int(cursor.fetchone()[1])
            cursor.execute("SELECT @@in_transaction")
            states.append(cursor.fetchone()[0])
            cursor.close()
        return rollbacks, states
    finally:
        for connection in held:
            connection.close()


def test_a_committed_connection_goes_back_to_the_pool_without_a_rollback_and_others_are_rolled_back(
    mariadb_app,
):
    """After a clean COMMIT the pool sends no ROLLBACK (nothing is open); a transaction that only read
    is rolled back once; a DBAPI connection handed back inside a transaction is rolled back by the
    pool. No connection ever waits in the pool inside a transaction."""
    http = mariadb_app.test_client()
    assert login(http, "pool-warm").status_code == 200
    before, states = _pooled(mariadb_app)
    assert login(http, "pool-commit").status_code == 200
    after, states_after = _pooled(mariadb_app)
    assert after == before + len(states)  # only the ones of handing them back after counting
    assert states_after and set(states_after) == {0}

    with mariadb_app.app_context():  # a transaction that only reads, then back to the pool
        db.session.execute(text("SELECT COUNT(*) FROM wx_accounts")).scalar()
        db.session.remove()
    read_only, states = _pooled(mariadb_app)
    assert read_only == after + len(states_after) + 1  # the session's, not the pool's as well
    assert set(states) == {0}

    with mariadb_app.app_context():
        raw = db.engine.pool.connect()
    cursor = raw.cursor()
    cursor.execute("SELECT COUNT(*) FROM wx_accounts")
    cursor.fetchall()
    cursor.close()
    raw.close()
    last, last_states = _pooled(mariadb_app)
    assert last == read_only + len(states) + 1
    assert set(last_states) == {0}


# --- 9. a full connection pool is a 503 with Retry-After ----------------------------------------------
def test_a_full_connection_pool_is_a_503_with_retry_after(app, settings, fake_wechat):
    from dataclasses import replace

    small = create_app(replace(settings, db_pool_size=1, db_pool_timeout_s=0.5))  # beside the suite's app
    small.config["TESTING"] = True
    with small.app_context():
        pool = db.engine.pool
        held = [db.engine.connect() for _ in range(pool.size() + pool._max_overflow)]
        try:
            answer = small.test_client().get("/api/v1/orgs", query_string={"q": "工会"})
            assert answer.status_code == 503
            assert answer.json["code"] == "server_busy"
            assert answer.json["message"] == "访问人数较多，请稍后重试"
            assert answer.headers["Retry-After"] == "2"
        finally:
            for connection in held:
                connection.close()
        assert small.test_client().get("/api/v1/orgs", query_string={"q": "工会"}).status_code == 200
        db.session.remove()


def test_the_job_of_a_killed_worker_is_retried_once_its_time_is_up(factory, client, queue_redis, fake_wechat):
    """SIGKILL mid-job leaves the job in RQ's started registry until its time is up; the next sweep
    hands it to its retry instead of RQ's ten-minute maintenance."""
    from rq.registry import StartedJobRegistry

    _, fake = fake_wechat
    message_id = prepared_notification(factory, client, queue_redis, "killedmid")
    outbox.enqueue_messages(queue_redis, [(message_id, "notification.deliver")], force=True)
    job = Job.fetch(f"outbox-{message_id}", connection=queue_redis)
    # What the killed worker left: the job taken off the queue, 'started', in the started registry
    # with an entry whose time (the job timeout and a margin) has run out.
    queue_redis.delete("rq:queue:notifications")
    job.set_status(JobStatus.STARTED)
    queue_redis.zadd(StartedJobRegistry("notifications", connection=queue_redis).key, {f"{job.id}:dead": 1})
    later = utcnow() + outbox.SWEEP_GRACE + timedelta(seconds=1)
    outbox.sweep(queue_redis, now=later)
    assert job.get_status() == JobStatus.SCHEDULED  # its retry, with the queue's back-off
    assert outbox.sweep(queue_redis, now=later + timedelta(minutes=1)) == 1  # overdue: queued
    work(queue_redis)
    assert statuses() == ["sent"] and len(fake.sent_to("o_killedmid")) == 1
