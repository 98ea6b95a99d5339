"""Soak under faults: wage claims keep coming while Redis, MariaDB and the RQ worker are killed and a
table is locked; afterwards every accepted claim and every WeChat message is accounted for.

    .venv/bin/python scripts/soak.py [--clients 8] [--outage 10] [--lock 20]

Everything runs on loopback in a temporary directory, started by this script and stopped at the end:
its own mariadbd and redis-server, the fake WeChat server, gunicorn (config/gunicorn.conf.py, 4 sync
workers), one RQ worker and the cron scheduler with the README's commands. The only step taken for
the service is the one a process supervisor takes: a killed worker process is started again (a
killed Redis or MariaDB too — they are the faults, not part of the service).

Each client logs in, accepts one subscribe message per claim and submits claims with an
Idempotency-Key, sending the same key again after a 503, a timeout or a cut connection, as the
mini-program does. It prints, per fault and in total: accepted (2xx), stored (claims in the
database), lost (accepted but not stored), duplicated (claims stored twice for one key, WeChat
messages sent twice), 5xx answers (500 apart), and the seconds from the end of the fault to the first
accepted claim and to the last message sent.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pymysql
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable from a plain checkout

from scripts.bench.harness import free_port  # noqa: E402
from scripts.fake_wechat import serve_in_thread  # noqa: E402

BIN = Path(sys.executable).parent
TEMPLATE = "TPL_CASE_PROGRESS"  # wage.submitted
AMBIENT = ("DATABASE_URL", "REDIS_URL", "GUNICORN_CMD_ARGS", "WEB_CONCURRENCY")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--think", type=float, default=1.0, help="seconds a client waits between claims")
    parser.add_argument("--outage", type=float, default=10, help="seconds Redis / MariaDB stay down")
    parser.add_argument("--lock", type=float, default=20, help="seconds the wage_claims table stays locked")
    parser.add_argument("--between", type=float, default=15, help="seconds of calm load between faults")
    parser.add_argument("--drain", type=float, default=600, help="seconds allowed for the backlog at the end")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, data)")
    return parser.parse_args(argv)


# --- servers ----------------------------------------------------------------------------------------
class Child:
    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.popen: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        out = self.log.open("a")
        self.popen = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(check, timeout: float, what: str) -> float:
    """Poll ``check`` until true; the seconds it took."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise SystemExit(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - started


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


def mariadb_up(port: int) -> bool:
    try:
        pymysql.connect(host="127.0.0.1", port=port, user="root", connect_timeout=1).close()
        return True
    except pymysql.MySQLError:
        return False


def redis_up(port: int) -> bool:
    import redis

    try:
        return redis.Redis(port=port, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


# --- the load ---------------------------------------------------------------------------------------
@dataclass
class Tally:
    accepted: dict[str, int] = field(default_factory=dict)  # idempotency key -> claim id
    statuses: collections.Counter = field(default_factory=collections.Counter)
    no_answer: int = 0
    accepted_at: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client_loop(api: str, n: int, org_id: int, tally: Tally, stop: threading.Event, think: float) -> None:
    http = requests.Session()
    token = None
    while token is None and not stop.is_set():
        try:
            answer = http.post(f"{api}/auth/wechat-login", json={"code": f"soak-{n}"}, timeout=10)
            if answer.status_code == 200:
                token = answer.json()["access_token"]
        except requests.RequestException:
            time.sleep(0.5)
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "org_id": org_id,
        "employer": f"临汾市某建筑劳务公司{n}",
        "project": "尧都区某小区二期工地",
        "amount_owed": "12800.50",
        "workers_owed": 1,
        "owed_since": str(date(2026, 1, 15)),
        "contact_phone": f"139{n:08d}",
    }
    while not stop.is_set():
        key = uuid.uuid4().hex
        granted = False
        while not stop.is_set():  # one logical claim: the same key until it is accepted
            try:
                if not granted:
                    grant = http.post(
                        f"{api}/subscriptions", json={"template_ids": [TEMPLATE]}, headers=headers, timeout=10
                    )
                    with tally.lock:
                        tally.statuses[grant.status_code] += 1
                    granted = grant.status_code == 200
                    if not granted:
                        time.sleep(0.2)
                        continue
                answer = http.post(
                    f"{api}/wage-claims", json=body, headers={**headers, "Idempotency-Key": key}, timeout=20
                )
            except requests.RequestException:
                with tally.lock:
                    tally.no_answer += 1
                time.sleep(0.2)
                continue
            with tally.lock:
                tally.statuses[answer.status_code] += 1
                if answer.status_code in (200, 201):
                    tally.accepted[key] = answer.json()["id"]
                    tally.accepted_at.append(time.monotonic())
            if answer.status_code in (200, 201):
                break
            time.sleep(0.2 if answer.status_code >= 500 else 1.0)
        stop.wait(think)


# --- the run ----------------------------------------------------------------------------------------
def main(argv=None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="zhigong-soak-"))
    children: list[Child] = []
    fake_server, fake_base, fake = serve_in_thread()
    db_port, redis_port, api_port = free_port(), free_port(), free_port()
    mariadbd = [
        shutil.which("mariadbd") or "/usr/sbin/mariadbd", "--no-defaults", f"--datadir={work / 'data'}",
        "--user=root", f"--port={db_port}", "--bind-address=127.0.0.1", f"--socket={work / 'mysqld.sock'}",
        f"--pid-file={work / 'mysqld.pid'}", "--skip-log-bin", "--innodb-buffer-pool-size=64M",
        "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
    ]
    redis_server = [
        shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(redis_port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", str(work),
    ]
    env = {
        **{k: v for k, v in os.environ.items() if k not in AMBIENT},
        "PYTHONUNBUFFERED": "1",
        "APP_ENV": "development",
        "DATABASE_URL": f"mysql+pymysql://root@127.0.0.1:{db_port}/zhigong",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "WECHAT_API_BASE": fake_base,
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "GUNICORN_BIND": f"127.0.0.1:{api_port}",
        "GUNICORN_WORKERS": "4",
        "GUNICORN_ACCESS_LOG": str(work / "access.log"),
    }
    api = f"http://127.0.0.1:{api_port}/api/v1"
    results: list[tuple[str, dict]] = []
    try:
        print(f"soak in {work}")
        subprocess.run(
            [shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db", "--no-defaults",
             f"--datadir={work / 'data'}", "--user=root", "--auth-root-authentication-method=normal",
             "--skip-test-db"],
            check=True, capture_output=True,
        )
        db = Child("mariadbd", mariadbd, env, work / "mariadbd.log")
        redis_child = Child("redis", redis_server, env, work / "redis.log")
        children += [db, redis_child]
        wait_for(lambda: mariadb_up(db_port), 60, "mariadbd")
        wait_for(lambda: redis_up(redis_port), 30, "redis")
        with pymysql.connect(host="127.0.0.1", port=db_port, user="root", autocommit=True) as conn:
            conn.cursor().execute("CREATE DATABASE zhigong CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        flask = [str(BIN / "flask"), "--app", "backend:create_app"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([*flask, "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        with pymysql.connect(host="127.0.0.1", port=db_port, user="root", database="zhigong") as conn:
            cursor = conn.cursor()
            cursor.execute("SELECT id FROM orgs WHERE level = 'town' ORDER BY id LIMIT 1")
            org_id = cursor.fetchone()[0]

        gunicorn = Child(
            "gunicorn", [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "backend:create_app()"],
            env, work / "gunicorn.log",
        )
        worker_cmd = [str(BIN / "rq"), "worker", "--with-scheduler", "-w", "backend.jobs.worker.Worker",
                      "--url", env["REDIS_URL"], "notifications", "default", "assessment"]
        worker = Child("worker", worker_cmd, env, work / "worker.log")
        cron = Child("cron", [sys.executable, "-m", "backend.jobs.worker", "cron", "--url", env["REDIS_URL"]],
                     env, work / "cron.log")
        children += [gunicorn, worker, cron]
        wait_for(lambda: answers(f"http://127.0.0.1:{api_port}/healthz"), 60, "gunicorn")

        tally = Tally()
        stop = threading.Event()
        clients = [
            threading.Thread(target=client_loop, args=(api, n, org_id, tally, stop, args.think), daemon=True)
            for n in range(args.clients)
        ]
        for thread in clients:
            thread.start()

        def first_accept_after(moment: float) -> float:
            return wait_for(lambda: any(t > moment for t in tally.accepted_at), 120, "a claim accepted again")

        def jobs_done() -> int:
            """Outbox rows the background work has finished (-1 while the database is away)."""
            try:
                with pymysql.connect(host="127.0.0.1", port=db_port, user="root", database="zhigong") as conn:
                    cursor = conn.cursor()
                    cursor.execute("SELECT COUNT(*) FROM outbox WHERE pending = 0")
                    return cursor.fetchone()[0]
            except pymysql.MySQLError:
                return -1

        def fault(name: str, inject, heal) -> None:
            time.sleep(args.between)
            before, unanswered = dict(tally.statuses), tally.no_answer
            print(f"fault: {name} …", flush=True)
            inject()
            healed = heal()
            wait_for(lambda: jobs_done() >= 0, 60, "the database answering")
            done = jobs_done()
            first_accept_after(healed)
            recovered = min(t for t in tally.accepted_at if t > healed) - healed
            wait_for(lambda: jobs_done() > done, 120, "a background job done again")
            caught_up = time.monotonic() - healed
            after = {k: v - before.get(k, 0) for k, v in tally.statuses.items() if v - before.get(k, 0)}
            after["no answer"] = tally.no_answer - unanswered
            results.append((name, {"answers": after, "recovered_s": recovered, "caught_up_s": caught_up}))
            print(
                f"  answers: {after}; a claim accepted {recovered:.1f} s after, "
                f"background jobs done again {caught_up:.1f} s after",
                flush=True,
            )

        def kill_redis():
            redis_child.kill()
            time.sleep(args.outage)

        def restart_redis() -> float:
            redis_child.start()
            wait_for(lambda: redis_up(redis_port), 30, "redis")
            return time.monotonic()

        def kill_db():
            db.kill()
            time.sleep(args.outage)

        def restart_db() -> float:
            db.start()
            wait_for(lambda: mariadb_up(db_port), 60, "mariadbd")
            return time.monotonic()

        def kill_worker():
            worker.kill()
            time.sleep(2)

        def restart_worker() -> float:
            worker.start()  # what systemd / compose's restart policy does
            return time.monotonic()

        locker: list = []

        def lock_table():
            conn = pymysql.connect(
                host="127.0.0.1", port=db_port, user="root", database="zhigong", autocommit=True
            )
            conn.cursor().execute("LOCK TABLES wage_claims WRITE")
            locker.append(conn)
            time.sleep(args.lock)

        def unlock_table() -> float:
            conn = locker.pop()
            conn.cursor().execute("UNLOCK TABLES")
            conn.close()
            return time.monotonic()

        fault("Redis killed (SIGKILL)", kill_redis, restart_redis)
        fault("MariaDB killed (SIGKILL)", kill_db, restart_db)
        fault("RQ worker killed (SIGKILL)", kill_worker, restart_worker)
        fault(f"wage_claims locked for {args.lock:.0f} s", lock_table, unlock_table)
        time.sleep(args.between)
        stop.set()
        for thread in clients:
            thread.join(timeout=30)
        stopped = time.monotonic()
        print("load stopped; waiting for the background work to drain …", flush=True)

        def drained() -> bool:
            """Every outbox row done and no message waiting to be sent. A 'sending' row whose job is
            done is not waiting: a worker killed mid-send left it, and at most once means it is never
            sent again (release_stale_sends calls it 'unknown' for staff ten minutes later)."""
            with pymysql.connect(host="127.0.0.1", port=db_port, user="root", database="zhigong") as conn:
                cursor = conn.cursor()
                cursor.execute("SELECT COUNT(*) FROM outbox WHERE pending = 1")
                pending_rows = cursor.fetchone()[0]
                cursor.execute("SELECT COUNT(*) FROM notifications WHERE wechat_status = 'pending'")
                return pending_rows == 0 and cursor.fetchone()[0] == 0

        try:
            drain_s = wait_for(drained, args.drain, "the outbox and the notifications drained")
        except SystemExit:
            diagnose(db_port, redis_port, children, work)
            raise
        report(tally, db_port, fake, results, drain_s, stopped, children)
        return 0
    finally:
        for child in reversed(children):
            child.stop()
        fake_server.shutdown()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def diagnose(db_port: int, redis_port: int, children, work: Path) -> None:
    """What is left when the backlog did not drain: rows, their jobs in Redis, the processes."""
    import redis
    from rq.job import Job

    connection = redis.Redis(port=redis_port)
    with pymysql.connect(host="127.0.0.1", port=db_port, user="root", database="zhigong") as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT id, topic, attempts, created_at, last_error FROM outbox WHERE pending = 1")
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT id, wechat_status, claimed_at, wechat_reason FROM notifications"
            " WHERE wechat_status IN ('pending', 'sending')"
        )
        notes = cursor.fetchall()
        cursor.execute("SELECT UTC_TIMESTAMP(6)")
        print("database now", cursor.fetchone()[0])
    print(f"outbox rows pending: {len(rows)}")
    for row in rows[:30]:
        try:
            job = Job.fetch(f"outbox-{row[0]}", connection=connection)
            state = f"{job.get_status()} retries_left={job.retries_left} origin={job.origin}"
        except Exception as exc:
            state = f"no job ({type(exc).__name__})"
        print("  ", row, state)
    print(f"notifications pending/sending: {len(notes)}")
    for note in notes[:30]:
        print("  ", note)
    print("scheduler locks", {k.decode(): connection.get(k) for k in connection.keys("rq:scheduler-lock:*")})
    print("workers", [k.decode() for k in connection.smembers("rq:workers")])
    print("still running", [c.name for c in children if c.popen.poll() is None])
    for name in ("worker.log", "cron.log"):
        lines = (work / name).read_text(errors="replace").splitlines()
        print(f"--- last lines of {name}")
        print("\n".join(lines[-40:]))


def report(tally: Tally, db_port: int, fake, results, drain_s: float, stopped: float, children) -> None:
    with pymysql.connect(host="127.0.0.1", port=db_port, user="root", database="zhigong") as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT id FROM wage_claims")
        stored = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT COUNT(*) FROM idempotency_keys WHERE status_code IS NOT NULL")
        keys_kept = cursor.fetchone()[0]
        cursor.execute("SELECT wechat_status, COUNT(*) FROM notifications GROUP BY wechat_status")
        by_status = dict(cursor.fetchall())
        cursor.execute(
            "SELECT a.openid, n.wechat_status, COUNT(*) FROM notifications n"
            " JOIN wx_accounts a ON a.id = n.account_id GROUP BY a.openid, n.wechat_status"
        )
        per_user: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for openid, status, count in cursor.fetchall():
            per_user[openid][status] += count
    accepted_ids = set(tally.accepted.values())
    received = collections.Counter(s["touser"] for s in fake.sent_to(None))
    # A message is sent twice if WeChat received more for a user than the database says it sent
    # (or may have sent: 'sending', later 'unknown', after a worker died mid-send).
    twice = sum(max(0, received[u] - c["sent"] - c["unknown"] - c["sending"]) for u, c in per_user.items())
    unreceived = sum(max(0, c["sent"] - received[u]) for u, c in per_user.items())
    five_xx = {k: v for k, v in tally.statuses.items() if k >= 500}
    print()
    print(f"{'fault':<30} {'answers until recovered':<46} {'claims again':>12} {'jobs again':>12}")
    for name, result in results:
        answers = ", ".join(f"{k}: {v}" for k, v in result["answers"].items())
        print(f"{name:<30} {answers:<46} {result['recovered_s']:>10.1f} s {result['caught_up_s']:>10.1f} s")
    print()
    print(f"claims accepted (2xx)      {len(accepted_ids)}")
    print(f"claims stored              {len(stored)}")
    print(f"claims lost                {len(accepted_ids - stored)}")
    print(f"claims duplicated          {max(0, len(stored) - keys_kept)}")
    print(f"5xx answers                {sum(five_xx.values())} {five_xx}; 500s: {tally.statuses.get(500, 0)}")
    print(f"no answer (client retried) {tally.no_answer}")
    print(f"notifications by status    {by_status}")
    print(f"WeChat messages received   {sum(received.values())}; sent twice: {twice}; "
          f"recorded sent but not received: {unreceived}")
    print(f"messages left unsent       {by_status.get('pending', 0)}")
    print(f"outcome unknown (at most once: a worker killed mid-send) "
          f"{by_status.get('sending', 0) + by_status.get('unknown', 0)}")
    print(f"backlog drained            {drain_s:.1f} s after the load stopped")
    print(f"still running              {[c.name for c in children if c.popen.poll() is None]}")


if __name__ == "__main__":
    sys.exit(main())
