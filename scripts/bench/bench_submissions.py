"""The phone's submissions against the bare one-row insert, with wrk as the client (DESIGN §8).

    .venv/bin/python scripts/bench/bench_submissions.py ENDPOINT… [--rounds 3] [--seconds 10]
        [--connections 32] [--workers 4] [--redis-url URL] [--json results.json]
    .venv/bin/python scripts/bench/bench_submissions.py rush [--people 1000] [--seats 100]

ENDPOINT is any of ``wage-claims``, ``applications``, ``aid-requests``, ``signups``, ``bookings`` or
``all``. One run, on gunicorn (``--workers`` sync workers) + MariaDB + Redis, in a scratch database
loaded with the ``flask seed-demo`` city and dropped afterwards:

* the bare one-row-insert app (``scripts/bench/baseline_app.py``) and the real app run side by side;
  per endpoint, ``--rounds`` times in turn, wrk (``--connections`` connections, two threads,
  ``--seconds`` each) drives first the baseline and then the endpoint;
* every request of the endpoint is a different phone: its own member (or WeChat account) and token,
  a fresh ``Idempotency-Key`` and a valid body, prepared in a file that ``scripts/bench/submit.lua``
  feeds to wrk — wage claims two per employer (the cluster's insert and update paths), membership
  applications of new accounts, help requests and event sign-ups of members (an event with room for
  everybody), legal-aid bookings each of its own free slot;
* besides req/s and p50/p99 of both, and their ratios, the SQL statements per request come from
  MariaDB's global status counters (``Questions`` and the ``Com_*`` kinds) read around each wrk run.
  They are server-wide: run it when nothing else uses the server (``flock -x`` on the shared lock).
  So are the CPU milliseconds per request of each process group (the gunicorn server, MariaDB,
  Redis, wrk) read from ``/proc`` around the same runs: on a small machine they all share the
  cores, and that table says which of them the ratio is waiting for.

``rush``: ``--people`` members sign up at once (one connection each, one request each) for an event of
``--seats`` seats with a 50/50 gender quota, after the same burst of bare inserts; throughput is
people ÷ the time until the last answer. Then the database must hold exactly the quotas seated, the
rest waitlisted 1..n in serving order, the event's counters equal to the rows, and no 5xx.

No RQ worker runs: the jobs the outbox enqueues wait in the flushed Redis database. Exits 1 if a
request of an endpoint failed or an invariant of the rush does not hold.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # runnable from a plain checkout

import requests

from scripts.bench import harness

API = "/api/v1"
LUA = Path(__file__).resolve().parent / "submit.lua"
ENDPOINTS = ("wage-claims", "applications", "aid-requests", "signups", "bookings")
PATHS = {
    "wage-claims": "POST /wage-claims",
    "applications": "POST /membership/applications",
    "aid-requests": "POST /aid-requests",
    "signups": "POST /events/{id}/signups",
    "bookings": "POST /legal-aid/bookings",
}
STATUS_COUNTERS = (
    "Questions", "Com_select", "Com_insert", "Com_update", "Com_delete", "Com_commit", "Com_rollback",
    "Com_set_option",
)  # fmt: skip
WRK_THREADS = 2
CPU_PARTS = ("server", "mariadb", "redis", "wrk")
REGION = "141002"  # 临汾市尧都区
CHUNK = 2000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The phone's submissions vs. a bare one-row insert (wrk).")
    parser.add_argument("what", nargs="+", choices=(*ENDPOINTS, "all", "rush"), help="what to measure")
    parser.add_argument("--rounds", type=int, default=3, help="baseline/endpoint turns per endpoint (3)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of each wrk run (10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4)")
    parser.add_argument(
        "--max-rate",
        type=int,
        default=1000,
        help="submissions prepared per second of a run (1000); a faster endpoint repeats them",
    )
    parser.add_argument("--people", type=int, default=1000, help="rush: members signing up at once (1000)")
    parser.add_argument("--seats", type=int, default=100, help="rush: seats, half per gender (100)")
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/12",
        help="a Redis database this benchmark may flush (redis://127.0.0.1:6379/12)",
    )
    parser.add_argument(
        "--database-name",
        default="bench_submissions",
        help="the scratch database's name, before the process id (bench_submissions)",
    )
    parser.add_argument(
        "--mysql-url",
        metavar="URL",
        help="run on this MariaDB server (e.g. mysql+pymysql://root@127.0.0.1:3306) instead of one of "
        "its own; its statement counts then include every other client's",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)
    if "all" in args.what:
        args.what = [*ENDPOINTS, *(w for w in args.what if w == "rush")]
    if args.seats % 2 or args.seats > args.people:
        parser.error("--seats must be even and at most --people")
    return args


# --- a database server of its own --------------------------------------------------------------------


@contextmanager
def own_mariadb(directory: Path) -> Iterator[str]:
    """A mariadbd of this run (root without a password) on a free port, with the settings of the
    machine's server that matter here (128 MB buffer pool, a flushed redo log per commit, no binary
    log); yields its server URL. Its status counters see only this benchmark."""
    mariadbd = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
    install = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
    datadir, port = directory / "data", harness.free_port()
    subprocess.run(
        [install, "--no-defaults", f"--datadir={datadir}", "--user=root",
         "--auth-root-authentication-method=normal", "--skip-test-db"],
        check=True, capture_output=True,
    )  # fmt: skip
    process = subprocess.Popen(
        [
            mariadbd, "--no-defaults", f"--datadir={datadir}", "--user=root", f"--port={port}",
            "--bind-address=127.0.0.1", f"--socket={directory / 'mysqld.sock'}",
            f"--pid-file={directory / 'mysqld.pid'}", "--skip-log-bin", "--innodb-buffer-pool-size=128M",
            "--innodb-flush-log-at-trx-commit=1", "--max-connections=400",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        for line in process.stderr:  # type: ignore[union-attr]
            if "ready for connections" in line:
                break
        else:
            raise RuntimeError(f"mariadbd exited with {process.wait()}")
        # Keep reading its log, or a full pipe would stall the server.
        threading.Thread(target=process.stderr.read, daemon=True).start()  # type: ignore[union-attr]
        yield f"mysql+pymysql://root@127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=60)


def demo_database(stack: ExitStack, args) -> str:
    """An emptied Redis database and a scratch database, migrated and loaded with the demo city."""
    if args.mysql_url:
        server = args.mysql_url
    else:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-mariadb-")))
        server = stack.enter_context(own_mariadb(directory))
    harness.flush_redis(args.redis_url)
    stack.callback(harness.flush_redis, args.redis_url)
    database = stack.enter_context(harness.scratch_database(args.database_name, server_url=server))
    started = time.perf_counter()
    harness.upgrade_database(database)
    harness.run_flask("seed-demo", env=harness.clean_env(DATABASE_URL=database))
    print(f"schema and demo data in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return database


# --- wrk ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One wrk run: what wrk measured, and the statements the database server ran meanwhile."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: Counter
    errors: dict[str, int]
    statements: dict[str, int] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status.startswith("2"))

    def per_request(self) -> dict[str, float]:
        return {k: v / self.requests for k, v in self.statements.items()} if self.requests else {}

    def cpu_ms_per_request(self) -> dict[str, float]:
        return {k: 1000 * v / self.requests for k, v in self.cpu_seconds.items()} if self.requests else {}


def _wrk_command(url: str, data: Path, *, connections: int, seconds: int, once: bool) -> list[str]:
    command = [
        "wrk", "-t", str(WRK_THREADS), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
        "-s", str(LUA), url, "--", str(data), str(WRK_THREADS),
    ]  # fmt: skip
    return command + (["once"] if once else [])


def _parse(output: str, seconds: float | None = None) -> Run:
    line = next((ln for ln in output.splitlines() if ln.startswith("WRK_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    raw = json.loads(line.removeprefix("WRK_RESULT "))
    return Run(
        requests=raw["requests"],
        seconds=seconds if seconds is not None else raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        statuses=Counter(raw["statuses"]),
        errors={k: v for k, v in raw["errors"].items() if v},
    )


class Counters:
    """MariaDB's global statement counters, read through one connection of its own."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.engine = create_engine(url, poolclass=NullPool)

    def read(self) -> dict[str, int]:
        from sqlalchemy import text

        names = ", ".join(f"'{n}'" for n in STATUS_COUNTERS)
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})")).all()
        return {name: int(value) for name, value in rows}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk_steady(url: harness.Server, data: Path, counters: Counters, *, connections: int, seconds: int) -> Run:
    """wrk for ``seconds`` on ``connections`` connections, each sending the data file's lines.

    Besides the statements, the run knows the CPU seconds spent meanwhile by the server's processes,
    MariaDB, Redis and wrk itself: on a machine whose cores they share, that says where time goes."""
    cpu = harness.cpu_meter(server=url.pid)
    before, cpu_before, wrk_before = counters.read(), cpu(), _children_cpu()
    done = subprocess.run(
        _wrk_command(url, data, connections=connections, seconds=seconds, once=False),
        capture_output=True,
        text=True,
        check=True,
    )
    after, cpu_after, wrk_after = counters.read(), cpu(), _children_cpu()
    run = _parse(done.stdout)
    run.statements = {k: after[k] - before[k] - (1 if k == "Questions" else 0) for k in STATUS_COUNTERS}
    run.cpu_seconds = {k: cpu_after[k] - cpu_before[k] for k in cpu_after} | {"wrk": wrk_after - wrk_before}
    return run


def wrk_burst(url: str, data: Path, counters: Counters, *, people: int) -> Run:
    """Every line of the data file at once, one connection each; stops after the last answer.

    Throughput is ``people`` ÷ the wall time from starting wrk to its last thread's last answer."""
    before = counters.read()
    command = _wrk_command(url, data, connections=people, seconds=120, once=True)
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    finished, lines = 0, []
    for line in process.stdout:  # type: ignore[union-attr]
        lines.append(line)
        if line.startswith("THREAD_DONE"):
            finished += 1
            if finished == WRK_THREADS:
                elapsed = time.perf_counter() - began
                process.send_signal(signal.SIGINT)  # wrk stops waiting out -d and prints its result
    process.wait()
    after = counters.read()
    if finished < WRK_THREADS:
        raise RuntimeError("wrk ended before every answer came back:\n" + "".join(lines))
    run = _parse("".join(lines), seconds=elapsed)
    run.statements = {k: after[k] - before[k] - (1 if k == "Questions" else 0) for k in STATUS_COUNTERS}
    return run


# --- what the phones send ----------------------------------------------------------------------------


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _staff_token(url: str, username: str) -> str:
    from backend.demo.tree import DEMO_PASSWORD

    response = requests.post(
        f"{url}{API}/staff/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    response.raise_for_status()
    return response.json()["access_token"]


def _post(url: str, token: str, body: dict) -> dict:
    response = requests.post(url, json=body, headers=_bearer(token))
    if response.status_code not in (200, 201):
        raise RuntimeError(f"POST {url}: {response.status_code} {response.text}")
    return response.json()


class Phones:
    """Accounts and members written straight to the database, each with a worker token.

    ``take(n, members=…)`` hands out ``n`` unused ones; numbers never repeat within a run, so every
    ID number, mobile and openid is unique."""

    def __init__(self) -> None:
        self.next = 0

    def take(self, n: int, *, members: bool, gender: str | None = None) -> list[tuple[int, str]]:
        """``n`` new accounts (with a member of a base union of the demo city when ``members``):
        (account id, access token) each. ``gender`` None alternates women and men."""
        from flask_jwt_extended import create_access_token
        from sqlalchemy import insert, select

        from backend.auth.tokens import WORKER, new_sid
        from backend.common import crypto
        from backend.common.idcard import make_id_number
        from backend.common.types import utcnow
        from backend.extensions import db
        from backend.members.models import Member, WxAccount
        from backend.orgs.models import Org, OrgLevel

        unions = list(
            db.session.scalars(
                select(Org.id)
                .where(Org.level == OrgLevel.BASE, Org.accepts_members.is_(True))
                .order_by(Org.id)
            )
        )
        first, self.next = self.next, self.next + n
        out: list[tuple[int, str]] = []
        for start in range(first, first + n, CHUNK):
            numbers = range(start, min(first + n, start + CHUNK))
            with db.engine.begin() as conn:
                conn.execute(
                    insert(WxAccount.__table__),
                    [{"openid": f"o_bench_{i}", "created_at": utcnow(), "token_version": 0} for i in numbers],
                )
                ids = dict(
                    conn.execute(
                        select(WxAccount.openid, WxAccount.id).where(
                            WxAccount.openid.in_([f"o_bench_{i}" for i in numbers])
                        )
                    ).all()
                )
                if members:
                    rows = []
                    for i in numbers:
                        sex = gender or ("male" if i % 2 else "female")
                        born = date(1988, 1, 1) + timedelta(days=i // 500)
                        id_number = make_id_number(REGION, born, i % 500, sex)
                        mobile = f"135{i:08d}"
                        rows.append(
                            {
                                "account_id": ids[f"o_bench_{i}"],
                                "org_id": unions[i % len(unions)],
                                "name": "王会员",
                                "gender": sex,
                                "birth_date": born,
                                "id_number": id_number,
                                "id_blind": crypto.id_number_index(id_number),
                                "mobile": mobile,
                                "mobile_blind": crypto.phone_index(mobile),
                                "employer": "临汾市某某科技有限公司",
                                "worker_type": "regular",
                                "status": "active",
                                "joined_at": utcnow(),
                            }
                        )
                    conn.execute(insert(Member.__table__), rows)
            for i in numbers:
                account_id = ids[f"o_bench_{i}"]
                claims = {"kind": WORKER, "sid": new_sid(), "ver": 0}
                out.append(
                    (account_id, create_access_token(identity=str(account_id), additional_claims=claims))
                )
        return out


def publish_event(url: str, staff: str, *, title: str, seats: int, half: int | None) -> int:
    """A city-wide event through the staff API, sign-up open now, no age limit; returns its id."""
    from backend.common.types import utcnow

    now = utcnow()
    body = {
        "title": title,
        "description": "全市单身职工联谊会（压测）",
        "place": "临汾市职工之家",
        "starts_at": (now + timedelta(days=2)).isoformat(),
        "ends_at": (now + timedelta(days=2, hours=3)).isoformat(),
        "signup_opens_at": (now - timedelta(minutes=1)).isoformat(),
        "signup_closes_at": (now + timedelta(days=1)).isoformat(),
        "capacity": seats,
        "male_quota": half,
        "female_quota": half,
        "citywide": True,
    }
    event_id = _post(f"{url}{API}/staff/events", staff, body)["id"]
    _post(f"{url}{API}/staff/events/{event_id}/transition", staff, {"action": "publish"})
    return event_id


class LegalSlots:
    """Free slots of the demo lawyer (at the demo centre ``flask seed-demo`` made), one a minute from
    tomorrow on, written directly, as many as asked for."""

    def __init__(self) -> None:
        from sqlalchemy import select

        from backend.common.types import utcnow
        from backend.extensions import db
        from backend.legal.models import Lawyer
        from backend.staff.models import Staff

        lawyer = db.session.scalars(
            select(Lawyer).join(Staff, Staff.id == Lawyer.staff_id).where(Staff.username == "demo_lawyer")
        ).one()
        self.lawyer, self.center, self.org = lawyer.id, lawyer.center_id, lawyer.org_id
        self.first = utcnow().replace(second=0, microsecond=0) + timedelta(days=1, seconds=7)
        self.made = 0

    def take(self, count: int) -> list[int]:
        from sqlalchemy import insert, select

        from backend.common.types import utcnow
        from backend.extensions import db
        from backend.legal.models import LegalSlot

        starts = [self.first + timedelta(minutes=self.made + k) for k in range(count)]
        self.made += count
        rows = [
            {
                "lawyer_id": self.lawyer,
                "center_id": self.center,
                "org_id": self.org,
                "starts_at": at,
                "ends_at": at + timedelta(minutes=15),
                "modes": "in_person,phone",
                "created_at": utcnow(),
            }
            for at in starts
        ]
        with db.engine.begin() as conn:
            for start in range(0, count, CHUNK):
                conn.execute(insert(LegalSlot.__table__), rows[start : start + CHUNK])
        stmt = (
            select(LegalSlot.id)
            .where(
                LegalSlot.lawyer_id == self.lawyer,
                LegalSlot.schedule_id.is_(None),  # not the demo schedule's own slots
                LegalSlot.starts_at.between(starts[0], starts[-1]),
            )
            .order_by(LegalSlot.starts_at)
        )
        return list(db.session.scalars(stmt))


class Submissions:
    """Each endpoint's prepared submissions: ``lines(endpoint, n)`` writes ``n`` new ones to a file."""

    def __init__(self, url: str, directory: Path):
        from sqlalchemy import select

        from backend.extensions import db
        from backend.orgs.models import Org, OrgLevel

        self.url, self.directory, self.phones, self.files = url, directory, Phones(), 0
        self.town = db.session.scalar(select(Org.id).where(Org.level == OrgLevel.TOWN).order_by(Org.id))
        self.union = db.session.scalar(
            select(Org.id).where(Org.level == OrgLevel.BASE, Org.accepts_members.is_(True)).order_by(Org.id)
        )
        self.slots: LegalSlots | None = None

    def _write(self, rows: list[tuple[str, str, str, dict]]) -> Path:
        self.files += 1
        path = self.directory / f"submissions-{self.files}.tsv"
        with path.open("w") as out:
            for target, token, key, body in rows:
                out.write(f"{target}\t{token}\t{key}\t{json.dumps(body, ensure_ascii=False)}\n")
        return path

    def lines(self, endpoint: str, n: int) -> Path:
        key = f"bench-{self.files}"
        if endpoint == "wage-claims":
            phones = self.phones.take(n, members=False)
            return self._write(
                [
                    (f"{API}/wage-claims", token, f"{key}-{k}", wage_claim(account_id, self.town))
                    for k, (account_id, token) in enumerate(phones)
                ]
            )
        if endpoint == "applications":
            phones = self.phones.take(n, members=False)
            return self._write(
                [
                    (
                        f"{API}/membership/applications",
                        token,
                        f"{key}-{k}",
                        application(account_id, self.union),
                    )
                    for k, (account_id, token) in enumerate(phones)
                ]
            )
        if endpoint == "aid-requests":
            phones = self.phones.take(n, members=True)
            return self._write(
                [
                    (f"{API}/aid-requests", token, f"{key}-{k}", aid_request(k))
                    for k, (_, token) in enumerate(phones)
                ]
            )
        if endpoint == "signups":
            # Everybody is seated: a new event (of the largest capacity allowed) per EVENT_SEATS phones.
            staff = _staff_token(self.url, "demo_city")
            rows = []
            for k, (_, token) in enumerate(self.phones.take(n, members=True)):
                if k % EVENT_SEATS == 0:
                    event = publish_event(
                        self.url, staff, title="全市职工联谊会", seats=EVENT_SEATS, half=None
                    )
                rows.append((f"{API}/events/{event}/signups", token, f"{key}-{k}", SIGNUP))
            return self._write(rows)
        if endpoint == "bookings":
            self.slots = self.slots or LegalSlots()
            slots = self.slots.take(n)
            phones = self.phones.take(n, members=True)
            return self._write(
                [
                    (f"{API}/legal-aid/bookings", token, f"{key}-{k}", booking(slot))
                    for k, ((_, token), slot) in enumerate(zip(phones, slots, strict=True))
                ]
            )
        raise ValueError(endpoint)


EVENT_SEATS = 5000  # the most an event may seat
SIGNUP = {"single_declared": True, "declaration_version": "2026-01"}


def wage_claim(i: int, org_id: int) -> dict[str, Any]:
    """Two claims per employer (its first inserts the cluster, its second updates it), crews of 1–3."""
    return {
        "org_id": org_id,
        "employer": f"临汾恒达建筑{i // 2}有限公司",
        "project": "尧都区滨河花园三期工地",
        "amount_owed": f"{8000 + i % 5000}.50",
        "workers_owed": 1 + i % 3,
        "owed_since": "2025-10-01",
        "contact_phone": f"137{i:08d}",
    }


def application(i: int, org_id: int) -> dict[str, Any]:
    """A valid application with an ID number and mobile of its own (none of a member's)."""
    from backend.common.idcard import make_id_number

    born = date(1970, 1, 1) + timedelta(days=i // 500)
    return {
        "name": "张建国",
        "gender": "male",
        "id_number": make_id_number(REGION, born, i % 500, "male"),
        "mobile": f"139{i:08d}",
        "employer": "临汾市某某建筑工程有限公司",
        "worker_type": "migrant",
        "org_id": org_id,
        "consent": True,
        "consent_version": "2026-01",
    }


def aid_request(i: int) -> dict[str, Any]:
    return {
        "category": "living_hardship",
        "household_size": 1 + i % 6,
        "monthly_income": f"{1200 + i % 900}.00",
        "situation": "家中老人常年卧病，孩子上学，收入难以维持基本生活。",
        "amount_requested": "3000.00",
    }


def booking(slot_id: int) -> dict[str, Any]:
    return {"slot_id": slot_id, "topic": "wages", "mode": "in_person", "opposing_party": "某运输公司"}


def baseline_lines(directory: Path, n: int, tag: str) -> Path:
    path = directory / f"baseline-{tag}.tsv"
    with path.open("w") as out:
        for i in range(n):
            body = json.dumps({"name": f"张建国{i}", "amount": f"{i}.50"}, ensure_ascii=False)
            out.write(f"/insert\t-\t-\t{body}\n")
    return path


# --- the runs ----------------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _statements(runs: list[Run]) -> dict[str, float]:
    total = sum(r.requests for r in runs)
    return {k: round(sum(r.statements[k] for r in runs) / total, 2) for k in STATUS_COUNTERS} if total else {}


def _cpu(runs: list[Run]) -> dict[str, float]:
    total = sum(r.requests for r in runs)
    names = {k for r in runs for k in r.cpu_seconds}
    if not total:
        return {}
    return {k: round(1000 * sum(r.cpu_seconds.get(k, 0) for r in runs) / total, 2) for k in sorted(names)}


def _summary(runs: list[Run]) -> dict[str, Any]:
    return {
        "rps": round(_median([r.rps for r in runs]), 1),
        "p50_ms": round(_median([r.p50_ms for r in runs]), 2),
        "p99_ms": round(_median([r.p99_ms for r in runs]), 2),
        "statements_per_request": _statements(runs),
        "cpu_ms_per_request": _cpu(runs),
        "statuses": dict(sum((r.statuses for r in runs), Counter())),
        "errors": dict(sum((Counter(r.errors) for r in runs), Counter())),
        "runs": [
            {"rps": round(r.rps, 1), "p50_ms": round(r.p50_ms, 2), "p99_ms": round(r.p99_ms, 2)} for r in runs
        ],
    }


def measure_endpoint(
    endpoint: str, args, base_url: str, app_url: str, work: Path, submissions: Submissions, counters
) -> dict[str, Any]:
    n = args.max_rate * args.seconds
    base_data = baseline_lines(work, n, endpoint)
    # Warm-up: every gunicorn worker imports its lazy modules and fills its pools.
    wrk_steady(base_url, base_data, counters, connections=args.connections, seconds=2)
    wrk_steady(
        app_url,
        submissions.lines(endpoint, 2 * args.max_rate),
        counters,
        connections=args.connections,
        seconds=2,
    )
    base_runs: list[Run] = []
    app_runs: list[Run] = []
    for k in range(args.rounds):
        data = submissions.lines(endpoint, n)
        base_runs.append(
            wrk_steady(base_url, base_data, counters, connections=args.connections, seconds=args.seconds)
        )
        app_runs.append(
            wrk_steady(app_url, data, counters, connections=args.connections, seconds=args.seconds)
        )
        print(
            f"{PATHS[endpoint]} round {k + 1}: baseline {base_runs[-1].rps:.0f} req/s, "
            f"endpoint {app_runs[-1].rps:.0f} req/s {dict(app_runs[-1].statuses)}",
            file=sys.stderr,
        )
        if app_runs[-1].requests > n:
            print(f"warning: the endpoint answered more than the {n} prepared submissions", file=sys.stderr)
    base, app = _summary(base_runs), _summary(app_runs)
    return {
        "endpoint": PATHS[endpoint],
        "baseline": base,
        "app": app,
        "rps_ratio": round(app["rps"] / base["rps"], 3) if base["rps"] else None,
        "p99_ratio": round(app["p99_ms"] / base["p99_ms"], 2) if base["p99_ms"] else None,
        "failed": sum(n for s, n in app["statuses"].items() if not s.startswith("2"))
        + sum(app["errors"].values()),
    }


def check_rush(event_id: int, people: int, seats: int, run: Run) -> list[str]:
    """What must hold after the rush; returns the violations (empty: all good)."""
    from sqlalchemy import select

    from backend.events.models import Event, EventSignup
    from backend.extensions import db

    db.session.rollback()
    problems = []
    if run.statuses != Counter({"201": people}) or run.errors:
        problems.append(f"statuses {dict(run.statuses)} errors {run.errors}, expected {people} × 201")
    rows = db.session.scalars(
        select(EventSignup).where(EventSignup.event_id == event_id).order_by(EventSignup.id)
    ).all()
    seated = [s for s in rows if s.status == "seated"]
    waiting = [s for s in rows if s.status == "waitlisted"]
    if len(rows) != people:
        problems.append(f"{len(rows)} sign-ups for {people} requests")
    genders = Counter(s.gender for s in seated)
    if len(seated) != seats or genders != {"male": seats // 2, "female": seats // 2}:
        problems.append(f"seated {len(seated)} ({dict(genders)}), expected {seats} half and half")
    positions = [s.waitlist_position for s in waiting]
    if sorted(positions) != list(range(1, people - seats + 1)):
        problems.append(f"waitlist positions are not 1..{people - seats} without gaps or duplicates")
    elif positions != sorted(positions):
        problems.append("waitlist positions out of the order sign-ups were served in")
    for gender in ("male", "female"):
        mine_seated = [s.id for s in seated if s.gender == gender]
        mine_waiting = [s.id for s in waiting if s.gender == gender]
        if mine_seated and mine_waiting and max(mine_seated) > min(mine_waiting):
            problems.append(f"a {gender} seat went to someone served after a {gender} who waits")
    event = db.session.get(Event, event_id)
    counters = (event.seated, event.seated_male, event.seated_female, event.waitlist_seq)
    if counters != (len(seated), genders["male"], genders["female"], len(waiting)):
        problems.append(f"event counters {counters} disagree with the rows")
    return problems


def measure_rush(
    args, base_url: str, app_url: str, work: Path, submissions: Submissions, counters
) -> dict[str, Any]:
    people, seats = args.people, args.seats
    staff = _staff_token(app_url, "demo_city")
    event_id = publish_event(app_url, staff, title="全市单身职工联谊会", seats=seats, half=seats // 2)
    # The warm-up: other members sign up for an event without limits.
    wrk_steady(
        app_url,
        submissions.lines("signups", 2 * args.max_rate),
        counters,
        connections=args.connections,
        seconds=2,
    )
    phones = submissions.phones.take(people, members=True)
    order = list(range(people))  # men and women arrive mixed, not in turns
    random.Random(2026).shuffle(order)
    data = submissions._write(
        [(f"{API}/events/{event_id}/signups", phones[i][1], f"rush-{i}", SIGNUP) for i in order]
    )
    base = wrk_burst(base_url, baseline_lines(work, people, "rush"), counters, people=people)
    rush = wrk_burst(app_url, data, counters, people=people)
    problems = check_rush(event_id, people, seats, rush)
    return {
        "endpoint": f"rush: {people} × POST /events/{{id}}/signups, {seats} seats",
        "baseline": {
            "rps": round(base.rps, 1),
            "p50_ms": round(base.p50_ms, 1),
            "p99_ms": round(base.p99_ms, 1),
            "statuses": dict(base.statuses),
        },
        "app": {
            "rps": round(rush.rps, 1),
            "p50_ms": round(rush.p50_ms, 1),
            "p99_ms": round(rush.p99_ms, 1),
            "max_ms": round(rush.max_ms, 1),
            "statements_per_request": _statements([rush]),
            "statuses": dict(rush.statuses),
            "errors": rush.errors,
        },
        "rps_ratio": round(rush.rps / base.rps, 3) if base.rps else None,
        "p99_ratio": round(rush.p99_ms / base.p99_ms, 2) if base.p99_ms else None,
        "invariant_violations": problems,
        "failed": len(problems),
    }


def print_report(results: list[dict[str, Any]]) -> None:
    columns = (
        "endpoint",
        "base req/s",
        "req/s",
        "×base",
        "base p50",
        "p50",
        "base p99",
        "p99",
        "×base",
        "stmts/req",
        "statuses",
    )
    table = [columns]
    for r in results:
        b, a = r["baseline"], r["app"]
        stmts = a.get("statements_per_request", {})
        table.append(
            (
                r["endpoint"],
                f"{b['rps']:.0f}",
                f"{a['rps']:.0f}",
                f"{r['rps_ratio']:.2f}×" if r["rps_ratio"] else "-",
                f"{b['p50_ms']:.1f}",
                f"{a['p50_ms']:.1f}",
                f"{b['p99_ms']:.1f}",
                f"{a['p99_ms']:.1f}",
                f"{r['p99_ratio']:.2f}×" if r["p99_ratio"] else "-",
                f"{stmts.get('Questions', 0):.1f}",
                " ".join(f"{k}:{v}" for k, v in sorted(a["statuses"].items())),
            )
        )
    widths = [max(len(row[c]) for row in table) for c in range(len(columns) - 1)]
    for k, row in enumerate(table):
        print(
            "  ".join(
                [row[0].ljust(widths[0]), *(row[c].rjust(widths[c]) for c in range(1, len(widths))), row[-1]]
            )
        )
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print("\nstatements per request (MariaDB global status deltas ÷ requests; the baseline's for comparison)")
    kinds = [k for k in STATUS_COUNTERS if k != "Questions"]
    print("  ".join(["endpoint".ljust(widths[0]), "Questions", *(k.removeprefix("Com_") for k in kinds)]))
    for r in results:
        for who, side in (("baseline", r["baseline"]), (r["endpoint"], r["app"])):
            per = side.get("statements_per_request")
            if per:
                print(
                    "  ".join(
                        [
                            who.ljust(widths[0]),
                            f"{per['Questions']:9.2f}",
                            *(f"{per[k]:{len(k) - 4}.2f}" for k in kinds),
                        ]
                    )
                )
    if any(r["app"].get("cpu_ms_per_request") for r in results):  # the rush's burst has none
        print("\nCPU ms per request (the server's processes, MariaDB, Redis, wrk; the baseline's alongside)")
        print("  ".join(["endpoint".ljust(widths[0]), *(f"{k:>7}" for k in CPU_PARTS), "  total"]))
    for r in results:
        for who, side in (("baseline", r["baseline"]), (r["endpoint"], r["app"])):
            cpu = side.get("cpu_ms_per_request")
            if cpu:
                parts = [cpu.get(k, 0.0) for k in CPU_PARTS]
                print("  ".join([who.ljust(widths[0]), *(f"{v:7.2f}" for v in parts), f"{sum(parts):7.2f}"]))
    for r in results:
        for problem in r.get("invariant_violations", []):
            print(f"INVARIANT VIOLATED ({r['endpoint']}): {problem}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    results: list[dict[str, Any]] = []
    meta = {
        "benchmark": "submissions",
        **harness.machine(),
        **{k: v for k, v in vars(args).items() if k != "json"},
    }
    with ExitStack() as stack:
        database = demo_database(stack, args)
        env = harness.clean_env(DATABASE_URL=database, REDIS_URL=args.redis_url)
        stack.enter_context(harness.app_context(env))
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-submissions-")))
        counters = Counters(database)
        servers = {"workers": args.workers, "threads": 1}
        base_url = stack.enter_context(harness.gunicorn(harness.BASELINE_APP, env=env, **servers))
        app_url = stack.enter_context(harness.gunicorn(harness.BACKEND_APP, env=env, **servers))
        submissions = Submissions(app_url, work)
        for what in args.what:
            if what == "rush":
                results.append(measure_rush(args, base_url, app_url, work, submissions, counters))
            else:
                results.append(measure_endpoint(what, args, base_url, app_url, work, submissions, counters))
        if any(r["failed"] for r in results):
            print(f"--- server log, last lines ---\n{app_url.log_tail()}", file=sys.stderr)
    print()
    print_report(results)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=2) + "\n"
        )
        print(f"\nwritten to {args.json}")
    return 1 if any(r["failed"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
