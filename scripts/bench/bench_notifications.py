"""Benchmark WeChat subscribe messages through the outbox, RQ and the fake WeChat server (DESIGN §8).

    .venv/bin/python scripts/bench/bench_notifications.py [--total 100000] [--workers 1,2,4]
        [--split 10,20,70] [--latency-ms 20] [--worker-class simple|fork] [--quiet-workers]
        [--redis-url redis://127.0.0.1:6379/12] [--json results.json]
    .venv/bin/python scripts/bench/bench_notifications.py --quick        # = --total 3000, a smoke run

"100k notifications through RQ to the fake WeChat server with one token fetch." One run, in a scratch
MariaDB database (``flask db upgrade`` + ``flask seed-demo``) that is dropped afterwards, a Redis
database of its own (flushed before and after) and the fake WeChat server answering after
``--latency-ms``. ``--total`` notifications are split over the worker counts of ``--workers`` by the
weights of ``--split`` (default 10,20,70: 10,000 / 20,000 / 70,000 of 100,000). For each count K:

1. N new WeChat accounts, each with one subscribe grant for ``TPL_REVIEW_RESULT`` and one pending
   notification (kind ``membership.submitted``) plus its outbox row. The first is made by the real
   services (``record_grants`` + ``notify()``, committed, so the outbox's after-commit hook enqueues
   it); the other N-1 are bulk-inserted copies of exactly that row (only ids and account differ) and
   are enqueued with ``backend.outbox.service.enqueue_messages`` — the same job ids and queue
   policies as the API uses.
2. K ``rq worker --burst notifications default`` processes (``SimpleWorker`` unless
   ``--worker-class fork``) run until the queues are drained. The wall time from starting them to the
   last one exiting gives messages/s; "steady msg/s" is the rate between the first and the last send
   the fake received (without the workers' start-up).
3. Checks: token fetches counted by the fake (over the whole benchmark the goal is 1: the token stays
   cached in Redis across runs — only RQ's keys are reset between runs), lost = notifications not in
   status ``sent``, duplicates = openids the fake received more than one message for, received = sends
   the fake accepted, and every stored ``wechat_msgid`` is one the fake issued for that openid.

``--worker-class fork`` runs rq's default ``Worker`` (as ``make worker`` and docker-compose do): every
job runs in a fresh fork that imports the backend and builds the app again — about a second of CPU per
message, so try it only with a small ``--total``.

The first table is ``harness.report``: "req/s" is messages/s, the latencies are RQ job run times
(started → ended), statuses are the notifications' final ``wechat_status``, and the CPU table gives
CPU ms per message of the workers, the fake WeChat server, MariaDB and Redis (the whole servers: on a
shared machine other people's work is counted too — see the load column). Then the correctness table
and where a worker's time per message goes. Exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # runnable from a plain checkout

import requests

from scripts.bench import harness
from scripts.bench.harness import Result

KIND = "membership.submitted"  # template TPL_REVIEW_RESULT: thing1, phrase2, thing3, time4
TEMPLATE_ID = "TPL_REVIEW_RESULT"
WORKER_CLASSES = {"simple": "rq.worker.SimpleWorker", "fork": "rq.worker.Worker"}
QUEUES = ("notifications", "default")
CHUNK = 5000  # rows per bulk INSERT
PROGRESS_EVERY_S = 15.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Notifications through RQ to the fake WeChat server.")
    parser.add_argument("--total", type=int, default=100_000, help="notifications over all runs (100000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: --total 3000")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, one run each (1,2,4)")
    parser.add_argument(
        "--split", default="10,20,70", help="weights dividing --total over the runs (10,20,70)"
    )
    parser.add_argument("--latency-ms", type=float, default=20, help="fake WeChat latency (20)")
    parser.add_argument(
        "--worker-class",
        choices=sorted(WORKER_CLASSES),
        default="simple",
        help="simple = rq SimpleWorker (jobs in the worker process); fork = rq Worker (a fork per job)",
    )
    parser.add_argument("--quiet-workers", action="store_true", help="rq worker --quiet (no per-job log)")
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/12",
        help="a Redis database this benchmark may flush (redis://127.0.0.1:6379/12)",
    )
    parser.add_argument(
        "--run-timeout", type=float, default=0, help="seconds before a run's workers are killed (auto)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)
    if args.quick:
        args.total = 3000
    args.worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    weights = [float(w) for w in args.split.split(",") if w.strip()]
    if len(weights) != len(args.worker_counts) or min(weights) <= 0 or min(args.worker_counts) < 1:
        parser.error("--split needs one positive weight per --workers entry")
    shares = [int(args.total * w / sum(weights)) for w in weights]
    shares[-1] += args.total - sum(shares)
    if min(shares) < 1:
        parser.error("--total is too small for that split")
    args.sizes = shares
    database = urlsplit(args.redis_url).path.strip("/")
    if not database.isdigit() or database == "0":
        parser.error("--redis-url must name a Redis database of its own (not 0): it is flushed")
    return args


# --- data --------------------------------------------------------------------------------------------


@dataclass
class Batch:
    """One run's rows: accounts, grants, notifications and outbox rows, ids contiguous."""

    run: int
    n: int
    prefix: str  # every openid of this run starts with it
    first_notification: int = 0
    last_notification: int = 0
    first_outbox: int = 0
    first_account: int = 0
    prepare_s: float = 0.0
    enqueue_s: float = 0.0


def _next_id(conn, table) -> int:
    from sqlalchemy import func, select

    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _bulk_insert(conn, table, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start : start + CHUNK])


def prepare(app, run: int, n: int) -> Batch:
    """Create the run's rows and enqueue their outbox jobs (see the module docstring)."""
    from sqlalchemy import select

    from backend.common.types import utcnow
    from backend.extensions import db, redis_client
    from backend.members.models import WxAccount
    from backend.notify import service as notify
    from backend.notify.models import Notification, SubscriptionGrant
    from backend.orgs.models import Org
    from backend.outbox import service as outbox
    from backend.outbox.models import OutboxMessage

    batch = Batch(run=run, n=n, prefix=f"o_bench{run}_")
    started = time.perf_counter()
    with app.app_context():
        org = db.session.scalars(select(Org).where(Org.level == "base").order_by(Org.id)).first()
        if org is None:
            raise RuntimeError("no base union: did flask seed-demo run?")
        at = utcnow()
        # The reference row, made exactly as the API makes one; its commit enqueues its outbox job.
        account = WxAccount(openid=f"{batch.prefix}0")
        db.session.add(account)
        db.session.flush()
        notify.record_grants(account=account, accepted=[TEMPLATE_ID])
        made = notify.notify(account_id=account.id, kind=KIND, org_id=org.id, org_name=org.name, at=at)
        db.session.commit()
        reference = db.session.get(Notification, made.id)
        ref_outbox = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        if ref_outbox is None or ref_outbox.payload != {"notification_id": made.id}:
            raise RuntimeError("notify() wrote no outbox row for its notification")
        ref_grant = db.session.scalars(
            select(SubscriptionGrant).where(SubscriptionGrant.account_id == account.id)
        ).one()
        batch.first_notification = reference.id
        batch.first_outbox = ref_outbox.id
        batch.first_account = account.id
        if reference.template_id != TEMPLATE_ID or reference.wechat_status != "pending":
            raise RuntimeError(f"notify() wrote an unexpected row: {reference.template_id}")

        copied = ("org_id", "kind", "title", "body", "page", "values", "template_id", "wechat_status")
        shape = {name: getattr(reference, name) for name in copied}
        rest = n - 1
        with db.engine.begin() as conn:
            accounts_t, grants_t = WxAccount.__table__, SubscriptionGrant.__table__
            notifications_t, outbox_t = Notification.__table__, OutboxMessage.__table__
            account0, grant0 = _next_id(conn, accounts_t), _next_id(conn, grants_t)
            notification0, outbox0 = _next_id(conn, notifications_t), _next_id(conn, outbox_t)
            now = utcnow()
            _bulk_insert(
                conn,
                accounts_t,
                [
                    {"id": account0 + i, "openid": f"{batch.prefix}{i + 1}", "created_at": now}
                    for i in range(rest)
                ],
            )
            _bulk_insert(
                conn,
                grants_t,
                [
                    {
                        "id": grant0 + i,
                        "account_id": account0 + i,
                        "template_id": ref_grant.template_id,
                        "remaining": ref_grant.remaining,
                        "accepted_total": ref_grant.accepted_total,
                        "updated_at": now,
                    }
                    for i in range(rest)
                ],
            )
            _bulk_insert(
                conn,
                notifications_t,
                [
                    {"id": notification0 + i, "account_id": account0 + i, "created_at": now, **shape}
                    for i in range(rest)
                ],
            )
            _bulk_insert(
                conn,
                outbox_t,
                [
                    {
                        "id": outbox0 + i,
                        "topic": ref_outbox.topic,
                        "payload": {"notification_id": notification0 + i},
                        "created_at": now,
                        "attempts": 0,
                        "pending": True,
                    }
                    for i in range(rest)
                ],
            )
        batch.last_notification = notification0 + rest - 1 if rest else reference.id
        if rest and notification0 != reference.id + 1:
            raise RuntimeError("notification ids are not contiguous: is somebody else using the database?")
        batch.prepare_s = time.perf_counter() - started

        started = time.perf_counter()
        redis = redis_client()
        outbox.reset_redis_backoff()
        messages = [(outbox0 + i, ref_outbox.topic) for i in range(rest)]
        done = outbox.enqueue_messages(redis, messages, force=True)
        batch.enqueue_s = time.perf_counter() - started
        queued = sum(_queue_counts(redis).values())
        if done != rest or queued != n:
            raise RuntimeError(f"enqueued {done + 1} of {n}; the queues hold {queued}")
    return batch


def _queue_counts(redis) -> dict[str, int]:
    from rq import Queue

    return {name: Queue(name, connection=redis).count for name in QUEUES}


def reset_rq(redis) -> int:
    """Delete RQ's keys (queues, registries, jobs, results); the cached WeChat token stays."""
    removed = 0
    keys = list(redis.scan_iter(match="rq:*", count=1000))
    for start in range(0, len(keys), 1000):
        removed += redis.delete(*keys[start : start + 1000])
    return removed


# --- the workers -------------------------------------------------------------------------------------


@dataclass
class Run:
    workers: int
    batch: Batch
    wall_s: float = 0.0
    timed_out: bool = False
    exit_codes: list[int] = field(default_factory=list)
    worker_cpu_s: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    client_cpu_s: float = 0.0
    log_tail: str = ""
    loads: list[float] = field(default_factory=list)  # 1-minute load average, sampled during the run
    # checks
    token_fetches: int = 0
    received: int = 0
    duplicates: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    outbox_pending: int = 0
    grants_left: int = 0
    msgid_mismatches: int = 0
    failed_jobs: int = 0
    scheduled_jobs: int = 0
    left_in_queue: int = 0
    steady_s: float = 0.0
    job_run_s: list[float] = field(default_factory=list)
    send_phase_s: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return self.batch.n

    @property
    def lost(self) -> int:
        return self.n - self.statuses.get("sent", 0)

    @property
    def load(self) -> float:
        return sum(self.loads) / len(self.loads) if self.loads else os.getloadavg()[0]

    @property
    def rate(self) -> float:
        return self.n / self.wall_s if self.wall_s else 0.0

    @property
    def steady_rate(self) -> float:
        return (self.received - 1) / self.steady_s if self.steady_s > 0 else 0.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_workers(args, run: Run, env: dict[str, str], wechat: harness.Server, logs: Path) -> None:
    """Start ``run.workers`` burst workers and wait until every one has exited (queues drained)."""
    command = [sys.executable, "-m", "rq.cli", "worker", "--burst", "-u", args.redis_url]
    command += ["-w", WORKER_CLASSES[args.worker_class]]
    if args.quiet_workers:
        command.append("--quiet")
    timeout = args.run_timeout or 120 + run.n * 0.1
    meter = harness.cpu_meter(wechat=wechat.pid)
    processes: list[subprocess.Popen] = []
    log_files = []
    try:
        cpu_before, children_before, client_before = meter(), _children_cpu(), time.process_time()
        began = time.perf_counter()
        for k in range(run.workers):
            log = open(logs / f"run{run.batch.run}-worker{k}.log", "w")  # noqa: SIM115 (closed below)
            log_files.append(log)
            name = f"bench-{os.getpid()}-{run.batch.run}-{k}"
            processes.append(
                subprocess.Popen(
                    [*command, "-n", name, *QUEUES],
                    cwd=harness.ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        next_progress = began + PROGRESS_EVERY_S
        while any(p.poll() is None for p in processes):
            now = time.perf_counter()
            if now - began > timeout:
                run.timed_out = True
                print(f"  run {run.batch.run}: timed out after {timeout:.0f}s", file=sys.stderr)
                break
            if now >= next_progress:
                next_progress = now + PROGRESS_EVERY_S
                sent = requests.get(f"{wechat}/__fake/state", timeout=5).json()["sent"]
                run.loads.append(os.getloadavg()[0])
                print(
                    f"  {now - began:6.0f}s  fake received {sent} in total, load {run.loads[-1]:.1f}",
                    file=sys.stderr,
                    flush=True,
                )
            time.sleep(0.05)
        run.wall_s = time.perf_counter() - began
    finally:
        for process in processes:
            harness._stop(process, timeout=30)
        for log in log_files:
            log.close()
    run.exit_codes = [p.returncode for p in processes]
    run.worker_cpu_s = _children_cpu() - children_before
    run.client_cpu_s = time.process_time() - client_before
    cpu_after = meter()
    run.cpu = {"workers": run.worker_cpu_s}
    run.cpu.update({k: max(0.0, v - cpu_before.get(k, 0.0)) for k, v in cpu_after.items()})
    if run.timed_out or any(run.exit_codes):
        tails = []
        for path in sorted(logs.glob(f"run{run.batch.run}-worker*.log")):
            lines = path.read_text(errors="replace").splitlines()
            tails.append(f"--- {path.name} ---\n" + "\n".join(lines[-30:]))
        run.log_tail = "\n".join(tails)


# --- checks ------------------------------------------------------------------------------------------


def check(app, run: Run, wechat: harness.Server, sent_before: int, fetches_before: int) -> None:
    from rq.job import Job
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry
    from sqlalchemy import func, select

    from backend.extensions import db, redis_client
    from backend.members.models import WxAccount
    from backend.notify.models import Notification, SubscriptionGrant
    from backend.outbox.models import OutboxMessage

    batch = run.batch
    state = requests.get(f"{wechat}/__fake/state", timeout=30).json()
    run.token_fetches = state["token_fetches"] - fetches_before
    sends = requests.get(f"{wechat}/__fake/sent", params={"limit": 0}, timeout=300).json()["sent"]
    if len(sends) != state["sent"]:
        raise RuntimeError(f"/__fake/sent returned {len(sends)} of {state['sent']} sends")
    mine = [s for s in sends[sent_before:] if s["touser"].startswith(batch.prefix)]
    strays = state["sent"] - sent_before - len(mine)
    if strays:
        raise RuntimeError(f"the fake received {strays} sends for openids of another run")
    per_user = collections.Counter(s["touser"] for s in mine)
    run.received = len(mine)
    run.duplicates = sum(1 for count in per_user.values() if count > 1)
    if len(mine) > 1:
        times = sorted(s["at"] for s in mine)
        run.steady_s = times[-1] - times[0]
    issued = {(s["touser"], str(s["msgid"])) for s in mine}

    notification_ids = Notification.id.between(batch.first_notification, batch.last_notification)
    with app.app_context():
        rows = db.session.execute(
            select(
                WxAccount.openid,
                Notification.wechat_status,
                Notification.wechat_msgid,
                Notification.claimed_at,
                Notification.sent_at,
            )
            .join(WxAccount, WxAccount.id == Notification.account_id)
            .where(notification_ids)
        ).all()
        run.statuses = collections.Counter(row.wechat_status for row in rows)
        if len(rows) != batch.n:
            run.statuses["missing"] = batch.n - len(rows)
        stored = {(row.openid, row.wechat_msgid) for row in rows if row.wechat_status == "sent"}
        run.msgid_mismatches = len(stored ^ issued)
        run.send_phase_s = sorted(
            (row.sent_at - row.claimed_at).total_seconds() for row in rows if row.sent_at and row.claimed_at
        )
        run.outbox_pending = db.session.scalar(
            select(func.count()).where(
                OutboxMessage.id >= batch.first_outbox,
                OutboxMessage.pending.is_(True),
            )
        )
        run.grants_left = db.session.scalar(
            select(func.coalesce(func.sum(SubscriptionGrant.remaining), 0))
            .join(WxAccount, WxAccount.id == SubscriptionGrant.account_id)
            .where(WxAccount.openid.startswith(batch.prefix))
        )

        redis = redis_client()
        run.left_in_queue = sum(_queue_counts(redis).values())
        for name in QUEUES:
            run.failed_jobs += FailedJobRegistry(name, connection=redis).count
            run.scheduled_jobs += ScheduledJobRegistry(name, connection=redis).count
        job_ids = FinishedJobRegistry("notifications", connection=redis).get_job_ids()
        durations = []
        for start in range(0, len(job_ids), 1000):
            for job in Job.fetch_many(job_ids[start : start + 1000], connection=redis):
                if job is not None and job.started_at and job.ended_at:
                    durations.append((job.ended_at - job.started_at).total_seconds())
        run.job_run_s = sorted(durations)


def failures(run: Run) -> list[str]:
    problems = []
    if run.timed_out:
        problems.append("timed out")
    if any(run.exit_codes):
        problems.append(f"worker exit codes {run.exit_codes}")
    if run.lost:
        problems.append(f"{run.lost} not sent ({dict(run.statuses)})")
    if run.duplicates:
        problems.append(f"{run.duplicates} openids received more than one message")
    if run.received != run.n:
        problems.append(f"the fake received {run.received} of {run.n}")
    if run.msgid_mismatches:
        problems.append(f"{run.msgid_mismatches} stored msgids differ from the ones the fake issued")
    if run.outbox_pending:
        problems.append(f"{run.outbox_pending} outbox rows still pending")
    if run.grants_left:
        problems.append(f"{run.grants_left} grants not spent")
    if run.failed_jobs or run.scheduled_jobs or run.left_in_queue:
        problems.append(
            f"RQ: {run.failed_jobs} failed, {run.scheduled_jobs} waiting for a retry, "
            f"{run.left_in_queue} still queued"
        )
    return problems


# --- the benchmark -----------------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> tuple[list[Run], int]:
    from backend import create_app
    from backend.config import Settings
    from backend.extensions import db, redis_client
    from backend.notify import service as _notify  # noqa: F401 (registers the outbox topic)

    runs: list[Run] = []
    with ExitStack() as stack:
        harness.flush_redis(args.redis_url)
        stack.callback(harness.flush_redis, args.redis_url)
        database = stack.enter_context(harness.scratch_database("bench_notifications"))
        started = time.perf_counter()
        harness.upgrade_database(database)
        harness.run_flask("seed-demo", env=harness.clean_env(DATABASE_URL=database))
        print(f"schema and demo data in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        wechat = stack.enter_context(harness.fake_wechat(latency_ms=args.latency_ms))
        env = harness.clean_env(
            DATABASE_URL=database, REDIS_URL=args.redis_url, WECHAT_API_BASE=wechat, APP_ENV="test"
        )
        app = create_app(Settings.from_env(env))
        stack.callback(_close_app, app)  # before the database is dropped
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench_notifications_")))

        for index, (workers, n) in enumerate(zip(args.worker_counts, args.sizes, strict=True), start=1):
            with app.app_context():
                reset_rq(redis_client())
            batch = prepare(app, index, n)
            print(
                f"run {index}: {n} notifications written in {batch.prepare_s:.1f}s, "
                f"enqueued in {batch.enqueue_s:.1f}s; {workers} {args.worker_class} worker(s) …",
                file=sys.stderr,
                flush=True,
            )
            state = requests.get(f"{wechat}/__fake/state", timeout=5).json()
            run = Run(workers=workers, batch=batch)
            runs.append(run)
            run_workers(args, run, env, wechat, logs)
            check(app, run, wechat, state["sent"], state["token_fetches"])
            print(
                f"run {index}: {run.n} in {run.wall_s:.1f}s = {run.rate:.1f} msg/s "
                f"(steady {run.steady_rate:.1f}); token fetches {run.token_fetches}, "
                f"lost {run.lost}, duplicates {run.duplicates}",
                file=sys.stderr,
                flush=True,
            )
            for problem in failures(run):
                print(f"  PROBLEM: {problem}", file=sys.stderr)
            if run.log_tail:
                print(run.log_tail, file=sys.stderr)
        total_fetches = requests.get(f"{wechat}/__fake/state", timeout=5).json()["token_fetches"]
        with app.app_context():
            db.session.remove()
    return runs, total_fetches


def _close_app(app) -> None:
    from backend.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        redis = app.extensions.get("zhigong.redis")
        if redis is not None:
            redis.close()


def _ms(values: list[float], p: float) -> str:
    return f"{harness.percentile(values, p) * 1000:.1f}" if values else "-"


def summarize(args, runs: list[Run], total_fetches: int) -> tuple[dict[str, Any], bool]:
    name = f"{{}} {args.worker_class} worker(s)"
    rows = [
        (
            name.format(run.workers),
            Result(
                count=run.n,
                concurrency=run.workers,
                elapsed=run.wall_s,
                latencies=list(run.job_run_s),
                statuses=collections.Counter(run.statuses),
                client_cpu=run.client_cpu_s,
                cpu=run.cpu,
            ),
        )
        for run in runs
    ]
    print("\nreq/s = messages/s (start of the workers → last one exited); latencies = RQ job run time")
    meta = {
        "benchmark": "notifications",
        **harness.machine(),
        **{k: v for k, v in vars(args).items() if k != "json"},
    }
    document = harness.report(rows, meta=meta)

    print("\nCorrectness (goals: token fetches 1 over the whole benchmark, lost 0, duplicates 0)")
    table = [
        (
            "workers", "messages", "seconds", "msg/s", "steady msg/s",
            "token fetches", "lost", "duplicates", "received", "load", "problems",
        )
    ]  # fmt: skip
    for run in runs:
        table.append(
            (
                str(run.workers),
                str(run.n),
                f"{run.wall_s:.1f}",
                f"{run.rate:.1f}",
                f"{run.steady_rate:.1f}",
                str(run.token_fetches),
                str(run.lost),
                str(run.duplicates),
                str(run.received),
                f"{run.load:.1f}",
                "; ".join(failures(run)) or "none",
            )
        )
    table.append(
        (
            "all",
            str(sum(r.n for r in runs)),
            f"{sum(r.wall_s for r in runs):.1f}",
            "-",
            "-",
            str(total_fetches),
            str(sum(r.lost for r in runs)),
            str(sum(r.duplicates for r in runs)),
            str(sum(r.received for r in runs)),
            "-",
            "" if total_fetches == 1 else f"token fetches {total_fetches}, goal 1",
        )
    )
    harness._print_table(table, free_last=True)
    print(
        f"load: mean 1-minute load average during the run ({os.cpu_count()} CPUs; the run's own workers,"
        " the fake, MariaDB and Redis count too)"
    )

    print(f"\nWhere a worker's time per message goes (fake WeChat latency {args.latency_ms:g} ms)")
    times = [
        (
            "workers", "ms/msg/worker", "job run p50", "job run p90", "send p50",
            "WeChat latency", "CPU ms/msg: workers", "wechat", "mariadb", "redis",
        )
    ]  # fmt: skip
    for run in runs:
        per_message = run.steady_s * run.workers / max(1, run.received - 1) if run.steady_s else 0.0
        cpu = {k: v * 1000 / run.n for k, v in run.cpu.items()}
        times.append(
            (
                str(run.workers),
                f"{per_message * 1000:.1f}",
                _ms(run.job_run_s, 50),
                _ms(run.job_run_s, 90),
                _ms(run.send_phase_s, 50),
                f"{args.latency_ms:g}",
                f"{cpu.get('workers', 0):.2f}",
                f"{cpu.get('wechat', 0):.2f}",
                f"{cpu.get('mariadb', 0):.2f}",
                f"{cpu.get('redis', 0):.2f}",
            )
        )
    harness._print_table(times)
    print(
        "ms/msg/worker: steady-state time between two messages of one worker; job run: RQ started → ended;"
        "\nsend: claimed_at → sent_at (the grant-spending commit is before it, the WeChat call inside)"
    )

    document["notifications"] = {
        "total": sum(r.n for r in runs),
        "token_fetches": total_fetches,
        "runs": [
            {
                "workers": r.workers,
                "worker_class": WORKER_CLASSES[args.worker_class],
                "messages": r.n,
                "seconds": round(r.wall_s, 3),
                "msg_per_s": round(r.rate, 2),
                "steady_msg_per_s": round(r.steady_rate, 2),
                "token_fetches": r.token_fetches,
                "lost": r.lost,
                "duplicates": r.duplicates,
                "received": r.received,
                "load_avg": round(r.load, 2),
                "statuses": dict(r.statuses),
                "job_run_p50_ms": round(harness.percentile(r.job_run_s, 50) * 1000, 2),
                "send_p50_ms": round(harness.percentile(r.send_phase_s, 50) * 1000, 2),
                "cpu_ms_per_message": {k: round(v * 1000 / r.n, 3) for k, v in r.cpu.items()},
                "prepare_s": round(r.batch.prepare_s, 2),
                "enqueue_s": round(r.batch.enqueue_s, 2),
                "problems": failures(r),
            }
            for r in runs
        ],
    }
    ok = total_fetches == 1 and not any(failures(r) for r in runs)
    if args.json:
        Path(args.json).write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
        print(f"\nwritten to {args.json}")
    return document, ok


def _terminate(signum, _frame) -> None:
    # A plain SIGTERM would skip the clean-up: workers, the fake, the scratch database, Redis.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    print(
        f"{args.total} notifications: "
        + ", ".join(f"{n} with {w} worker(s)" for w, n in zip(args.worker_counts, args.sizes, strict=True))
        + f"; {args.worker_class} workers; fake WeChat latency {args.latency_ms:g} ms",
        file=sys.stderr,
    )
    runs, total_fetches = measure(args)
    _, ok = summarize(args, runs, total_fetches)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
