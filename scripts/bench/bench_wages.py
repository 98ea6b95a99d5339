"""Benchmark wage claims (欠薪求助, DESIGN §8) against the bare one-row-insert baseline.

    .venv/bin/python scripts/bench/bench_wages.py [--requests 2000] [--concurrency 16] [--workers 4]
        [--threads 1] [--warmup 100] [--no-idempotency-key] [--skip-submit] [--skip-queue]
        [--claims 1000000] [--queue-requests 400] [--queue-concurrency 2]
        [--queue-database NAME] [--json results.json]

Two parts, each on gunicorn + MariaDB (+ Redis for the submission) in scratch databases that are
dropped afterwards:

(a) submission — ``POST /insert`` on ``scripts/bench/baseline_app.py`` and then
    ``POST /api/v1/wage-claims`` on the real app with the same gunicorn workers, in one run. Every
    claim is filed by its own worker account (tokens minted up front) with its own
    ``Idempotency-Key``, as the mini-program sends it, into a township of the ``flask seed-demo`` city;
    every employer gets two claims, so the cluster upsert takes its insert path and its update path
    equally; no cluster reaches a warning threshold. Goal: ≥ 0.5× the baseline's requests/s.
    Besides req/s, p50/p99 and CPU ms per request (client, gunicorn, MariaDB, Redis), the SQL
    statements per request are read from MariaDB's global status counters (server-wide: other
    clients of the same server inflate them). ``--extra-app SPEC`` submits to another app spec as
    well (e.g. a what-if build on PYTHONPATH), each with fresh workers and employers.

(b) staff queue — ``--claims`` claims (default 1,000,000) bulk-loaded with Core inserts on top of a
    generated city (``generate_city``: 19 counties, ~171 towns, 6,000 base unions, a few members),
    spread over the towns (75 %), counties (22 %) and the city (3 %, escalated), about 30 % open;
    10 % are against 10,000 repeat offenders, and with crews of ten or more warned on their own
    about 44 % of the claims carry the warning flag. Then ``GET /api/v1/staff/wage-claims`` as a city,
    a county and a town admin: the first page, and a deep page reached with a cursor at the middle
    of the caller's queue, plus a few filtered first pages and the clusters list. Goal: p99 < 50 ms.
    ``--queue-database NAME`` keeps the loaded database under that name (and reuses it when it
    already holds the claims), so the minutes of loading are paid once.

No RQ worker runs: the jobs the outbox enqueues wait in the flushed Redis database. Exits 1 if any
request failed.
"""

from __future__ import annotations

import argparse
import itertools
import random
import signal
import sys
import time
from array import array
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # runnable from a plain checkout

import requests

from scripts.bench import harness
from scripts.bench.harness import Result

API = "/api/v1"
BASELINE = "baseline POST /insert"
SUBMIT = "POST /wage-claims"
CHUNK = 5000
STATUS_COUNTERS = ("Questions", "Com_select", "Com_insert", "Com_update", "Com_commit")
# (status, share): about 30 % open, the rest settled.
STATUS_MIX = (
    ("submitted", 10),
    ("accepted", 7),
    ("mediating", 8),
    ("referred", 5),
    ("resolved", 55),
    ("closed_unresolved", 15),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
BRANDS = ("恒达", "鑫源", "华翔", "宏盛", "瑞通", "晋兴", "天润", "泰和", "永昌", "安达", "顺通", "博远")
TRADES = ("建筑", "劳务", "建设工程", "装饰", "路桥", "物流", "机械", "商贸")
FORMS = ("有限公司", "有限责任公司", "建筑公司", "工程队", "劳务分包有限公司")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Wage claims vs. a bare one-row insert; the staff queue.")
    harness.add_arguments(parser)
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/13",
        help="a Redis database this benchmark may flush (redis://127.0.0.1:6379/13)",
    )
    parser.add_argument(
        "--no-idempotency-key", action="store_true", help="submit without the Idempotency-Key header"
    )
    parser.add_argument(
        "--extra-app",
        action="append",
        default=[],
        metavar="SPEC",
        help="also submit to this gunicorn app spec (e.g. a what-if build on PYTHONPATH); repeatable",
    )
    parser.add_argument("--skip-submit", action="store_true", help="skip part (a)")
    parser.add_argument("--skip-queue", action="store_true", help="skip part (b)")
    parser.add_argument("--claims", type=int, default=1_000_000, help="claims in the queue (1000000)")
    parser.add_argument("--queue-requests", type=int, default=400, help="timed requests per queue row")
    parser.add_argument("--queue-concurrency", type=int, default=2, help="client threads for the queue (2)")
    parser.add_argument(
        "--queue-database",
        metavar="NAME",
        help="keep (and reuse) the loaded queue database under this name instead of a scratch one",
    )
    return parser.parse_args(argv)


# --- shared ------------------------------------------------------------------------------------------


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _status(engine) -> dict[str, int]:
    from sqlalchemy import text

    names = ", ".join(f"'{n}'" for n in STATUS_COUNTERS)
    with engine.connect() as conn:
        rows = conn.execute(text(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})")).all()
    return {name: int(value) for name, value in rows}


def _require_all_ok(name: str, result: Result, server: harness.Server) -> None:
    if result.ok != result.count:
        print(f"warning: {name}: only {result.ok} of {result.count} requests succeeded", file=sys.stderr)
    if any(isinstance(s, int) and s >= 500 for s in result.statuses):
        print(f"--- server log, last lines ---\n{server.log_tail()}", file=sys.stderr)


def _app(database: str, redis_url: str | None = None):
    from backend import create_app
    from backend.config import Settings

    env = harness.clean_env(DATABASE_URL=database, **({"REDIS_URL": redis_url} if redis_url else {}))
    return create_app(Settings.from_env(env))


def _close_app(app) -> None:
    from backend.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _upgrade(database: str) -> None:
    harness.upgrade_database(database)


# --- (a) submission ----------------------------------------------------------------------------------


def claim_payload(i: int, org_id: int) -> dict[str, Any]:
    """Claim ``i``: two claims per employer (its first inserts the cluster, its second updates it),
    a crew of one to three, valid and unique."""
    employer = f"临汾{BRANDS[i // 2 % len(BRANDS)]}建筑{i // 2}有限公司"
    return {
        "org_id": org_id,
        "employer": employer,
        "project": "尧都区滨河花园三期工地",
        "amount_owed": f"{8000 + i % 5000}.50",
        "workers_owed": 1 + i % 3,
        "owed_since": "2025-10-01",
        "contact_phone": f"137{i:08d}",
    }


def _worker_tokens(app, count: int) -> list[str]:
    """``count`` new WeChat accounts (one Core insert) and an access token for each."""
    from sqlalchemy import insert, select

    from backend.auth.service import WORKER, issue_tokens
    from backend.common.types import utcnow
    from backend.extensions import db
    from backend.members.models import WxAccount

    with app.app_context():
        with db.engine.begin() as conn:
            for start in range(0, count, CHUNK):
                rows = [
                    {"openid": f"o_bench_wage_{i}", "created_at": utcnow()}
                    for i in range(start, min(count, start + CHUNK))
                ]
                conn.execute(insert(WxAccount.__table__), rows)
        ids = db.session.scalars(
            select(WxAccount.id).where(WxAccount.openid.like("o_bench_wage_%")).order_by(WxAccount.id)
        ).all()
        return [issue_tokens(WORKER, account_id).access_token for account_id in ids]


def _demo_town(app) -> int:
    from sqlalchemy import select

    from backend.extensions import db
    from backend.orgs.models import Org, OrgLevel

    with app.app_context():
        return db.session.scalars(select(Org.id).where(Org.level == OrgLevel.TOWN).order_by(Org.id)).first()


def measure_submission(args: argparse.Namespace, engine) -> tuple[list[tuple[str, Result]], dict]:
    n, c, warmup = args.requests, args.concurrency, args.warmup
    rows: list[tuple[str, Result]] = []
    statements: dict[str, dict[str, float]] = {}
    with ExitStack() as stack:
        harness.flush_redis(args.redis_url)
        stack.callback(harness.flush_redis, args.redis_url)
        database = stack.enter_context(harness.scratch_database("bench_wages"))
        started = time.perf_counter()
        _upgrade(database)
        harness.run_flask("seed-demo", env=harness.clean_env(DATABASE_URL=database))
        app = _app(database, args.redis_url)
        stack.callback(_close_app, app)
        town = _demo_town(app)
        tokens = _worker_tokens(app, (n + warmup) * (1 + len(args.extra_app)))
        print(
            f"schema, demo data and {len(tokens)} workers in {time.perf_counter() - started:.1f}s",
            file=sys.stderr,
        )
        env = harness.clean_env(DATABASE_URL=database, REDIS_URL=args.redis_url)
        servers = {"workers": args.workers, "threads": args.threads}

        def timed(name: str, request_fn, url: harness.Server) -> None:
            cpu = harness.cpu_meter(server=url.pid)
            before = _status(engine)
            result = harness.load(request_fn, n=n, concurrency=c, warmup=warmup, cpu=cpu)
            after = _status(engine)
            # The counters are server-wide; the warm-up ran before ``before`` was read.
            statements[name] = {k: round((after[k] - before[k]) / result.count, 2) for k in STATUS_COUNTERS}
            _require_all_ok(name, result, url)
            rows.append((name, result))
            print(f"{name}: {result.rps:.0f} req/s", file=sys.stderr)

        with harness.gunicorn(harness.BASELINE_APP, env=env, **servers) as url:
            timed(BASELINE, harness.baseline_insert(url), url)

        for k, spec in enumerate([harness.BACKEND_APP, *args.extra_app]):
            offset = k * (n + warmup)
            with harness.gunicorn(spec, env=env, **servers) as url:

                def submit(session: requests.Session, i: int, url=url, offset=offset) -> requests.Response:
                    headers = _bearer(tokens[offset + i])
                    if not args.no_idempotency_key:
                        headers["Idempotency-Key"] = f"bench-wage-{offset + i}"
                    return session.post(
                        f"{url}{API}/wage-claims", json=claim_payload(offset + i, town), headers=headers
                    )

                timed(SUBMIT if k == 0 else f"{SUBMIT} [{spec}]", submit, url)
        statements["check"] = _check_submission(app, len(tokens))
    return rows, statements


def _check_submission(app, expected: int) -> dict[str, int]:
    from sqlalchemy import func, select

    from backend.extensions import db
    from backend.wages.models import WageClaim, WageCluster

    with app.app_context():
        claims = db.session.scalar(select(func.count()).select_from(WageClaim))
        clusters = db.session.scalar(select(func.count()).select_from(WageCluster))
        counted = db.session.scalar(select(func.sum(WageCluster.claim_count)))
        db.session.remove()
    if claims != expected or counted != claims:
        print(
            f"PROBLEM: {claims} claims stored, {counted} counted in clusters, {expected} sent",
            file=sys.stderr,
        )
    return {"claims": claims, "clusters": clusters}


# --- (b) the staff queue over a million claims --------------------------------------------------------


@contextmanager
def _named_database(name: str):
    """A database kept after the run (created when missing)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    server = create_engine(f"{harness.MYSQL_SERVER_URL.rstrip('/')}/", poolclass=NullPool)
    with server.connect() as conn:
        conn.execute(
            text(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        )
    server.dispose()
    yield f"{harness.MYSQL_SERVER_URL.rstrip('/')}/{name}?charset=utf8mb4"


def _weighted(rng: random.Random, mix: tuple[tuple[str, int], ...]):
    names = [name for name, _ in mix]
    cumulative = list(itertools.accumulate(weight for _, weight in mix))
    return lambda: rng.choices(names, cum_weights=cumulative)[0]


def load_claims(app, total: int, *, seed: int = 7) -> dict[str, Any]:
    """A generated city with ``total`` claims and their clusters, loaded with Core bulk inserts."""
    from sqlalchemy import func, insert, select, text

    from backend.cases.sla import SlaTable
    from backend.common.crypto import phone_index
    from backend.demo.generator import generate_city
    from backend.extensions import db
    from backend.members.models import WxAccount
    from backend.orgs.models import Org, OrgLevel
    from backend.staff.models import Role, Staff
    from backend.staff.passwords import hash_password
    from backend.wages.clusters import normalise_employer
    from backend.wages.models import OPEN_STATUSES, WageClaim, WageCluster
    from backend.wages.priority import local_date, priority_of
    from backend.wages.rules import rules

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()

    def note(stage: str) -> None:
        print(f"  {stage:<34} {time.perf_counter() - started:7.1f} s", file=sys.stderr, flush=True)

    with app.app_context():
        counts = generate_city(db.session, unions=6000, members=2000, seed=seed)
        note(f"city: {counts['orgs']} orgs")
        city_id = counts["city_id"]
        orgs = db.session.execute(
            select(Org.id, Org.level, Org.parent_id, Org.path).where(Org.path.like(f"/{city_id}/%"))
        ).all()
        counties = [o.id for o in orgs if o.level == OrgLevel.COUNTY]
        towns = [(o.id, o.parent_id) for o in orgs if o.level == OrgLevel.TOWN]
        password = hash_password("bench-pass-2026")
        town_for_staff = towns[len(towns) // 2][0]
        staff_rows = [
            ("bench_wage_city", Role.CITY_ADMIN, city_id),
            ("bench_wage_county", Role.COUNTY_ADMIN, counties[0]),
            ("bench_wage_town", Role.TOWN_ADMIN, town_for_staff),
        ]
        for username, role, org_id in staff_rows:
            db.session.add(
                Staff(username=username, password_hash=password, name=username, role=role, org_id=org_id)
            )
        accounts = [WxAccount(openid=f"o_bench_queue_{i}", created_at=now) for i in range(1000)]
        db.session.add_all(accounts)
        db.session.commit()
        account_ids = [a.id for a in accounts]
        staff_ids = db.session.scalars(select(Staff.id).where(Staff.username.like("bench_wage_%"))).all()

        wage_rules = rules()
        sla: SlaTable = app.extensions["zhigong.sla"]
        today = local_date(now)
        status_of = _weighted(rng, STATUS_MIX)
        # Who each claim is against: 90 % an employer of its own, 10 % one of 10,000 repeat offenders
        # (about ten claims each, so those clusters are warned).
        shared = [
            (rng.choice(counties), f"{rng.choice(BRANDS)}{rng.choice(TRADES)}{k}{rng.choice(FORMS)}")
            for k in range(10_000)
        ]
        cluster_ids: dict[tuple[int, str], int] = {}
        cluster_rows: list[dict[str, Any]] = []
        claim_cluster = array("i")
        claim_org = array("i")
        claim_workers = array("h")
        claim_amount = array("q")
        for i in range(total):
            where = rng.random()
            if where < 0.75:
                org_id, county_id = rng.choice(towns)
            elif where < 0.97:
                org_id = county_id = rng.choice(counties)
            else:
                county_id = rng.choice(counties)
                org_id = city_id  # escalated twice
            if rng.random() < 0.10:
                county_id, employer = rng.choice(shared)
                if org_id != city_id:
                    org_id = county_id
            else:
                employer = f"{rng.choice(BRANDS)}{rng.choice(TRADES)}{i}{rng.choice(FORMS)}"
            key = (county_id, normalise_employer(employer, wage_rules))
            workers = 1 if rng.random() < 0.7 else rng.randint(2, 30)
            amount = rng.randint(2000, 60000) * max(1, workers // 2)
            cid = cluster_ids.get(key)
            if cid is None:
                cid = cluster_ids[key] = len(cluster_rows) + 1
                cluster_rows.append(
                    {
                        "id": cid,
                        "county_id": county_id,
                        "employer_key": key[1],
                        "employer": employer,
                        "claim_count": 0,
                        "workers_total": 0,
                        "amount_total": Decimal(0),
                        "first_at": now,
                        "last_at": now,
                        "warned_at": None,
                    }
                )
            row = cluster_rows[cid - 1]
            row["claim_count"] += 1
            row["workers_total"] += workers
            row["amount_total"] += amount
            claim_cluster.append(cid)
            claim_org.append(org_id)
            claim_workers.append(workers)
            claim_amount.append(amount)
        for row in cluster_rows:
            if (
                row["claim_count"] >= wage_rules.warning_claims
                or row["workers_total"] >= wage_rules.warning_workers
            ):
                row["warned_at"] = now
        note(f"planned {total} claims, {len(cluster_rows)} clusters")

        with db.engine.begin() as conn:
            conn.execute(text("SET unique_checks=0, foreign_key_checks=0"))
            cluster_base = conn.execute(select(func.max(WageCluster.id))).scalar() or 0
            for row in cluster_rows:
                row["id"] += cluster_base
            for start in range(0, len(cluster_rows), CHUNK):
                conn.execute(insert(WageCluster.__table__), cluster_rows[start : start + CHUNK])
        note("clusters inserted")

        phone = "13800138000"
        phone_blind = phone_index(phone)
        table = WageClaim.__table__
        claim_base = (db.session.scalar(select(func.max(WageClaim.id))) or 0) + 1
        warned = {row["id"] for row in cluster_rows if row["warned_at"] is not None}
        with db.engine.begin() as conn:
            conn.execute(text("SET unique_checks=0, foreign_key_checks=0"))
            batch: list[dict[str, Any]] = []
            for i in range(total):
                status = status_of()
                submitted = now - timedelta(seconds=rng.randrange(60, 3 * 365 * 86400))
                owed_since = (submitted - timedelta(days=rng.randint(10, 400))).date()
                workers, amount = int(claim_workers[i]), Decimal(claim_amount[i])
                is_open = status in OPEN_STATUSES
                # Open claims: most within their deadline, some a few days over it.
                due = now + timedelta(hours=rng.randint(-120, 400)) if is_open else None
                settled = None if is_open else submitted + timedelta(days=rng.randint(1, 60))
                assigned = status != "submitted" and rng.random() < 0.6
                cid = claim_cluster[i] + cluster_base
                batch.append(
                    {
                        "id": claim_base + i,
                        "employer": cluster_rows[claim_cluster[i] - 1]["employer"],
                        "project": f"{rng.choice(SURNAMES)}家庄安置房{i % 97}号楼工地",
                        "amount_owed": amount,
                        "workers_owed": workers,
                        "crew": None,
                        "owed_since": owed_since,
                        "contact_name": None,
                        "contact_phone": phone,  # one value: the cipher text still costs one encryption
                        "contact_phone_blind": phone_blind,
                        "description": None,
                        "priority": priority_of(
                            amount=amount,
                            workers=workers,
                            owed_since=owed_since,
                            today=today,
                            rules=wage_rules,
                        ),
                        "cluster_id": cid,
                        "warning": cid in warned,
                        "referral_target": "labour_inspection" if status == "referred" else None,
                        "referred_at": None,
                        "amount_recovered": amount if status == "resolved" else None,
                        "workers_paid": workers if status == "resolved" else None,
                        "resolved_at": settled if status == "resolved" else None,
                        "close_reason": "用人单位已注销" if status == "closed_unresolved" else None,
                        "status": status,
                        "account_id": account_ids[i % len(account_ids)],
                        "org_id": claim_org[i],
                        "origin_org_id": claim_org[i],
                        "assignee_id": rng.choice(staff_ids) if assigned else None,
                        "due_at": due,
                        "escalations": 0,
                        "submitted_at": submitted,
                        "updated_at": submitted,
                        "closed_at": settled,
                    }
                )
                if len(batch) >= CHUNK:
                    conn.execute(insert(table), batch)
                    batch = []
                if (i + 1) % 200_000 == 0:
                    note(f"claims {i + 1:>9,}")
            if batch:
                conn.execute(insert(table), batch)
        note("claims inserted")
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE TABLE wage_claims, wage_clusters, orgs"))
        note("analyzed")
        db.session.remove()
    del sla
    return {"city_id": city_id, "town_id": town_for_staff, "claims": total, "clusters": len(cluster_rows)}


def _existing_claims(app) -> int:
    from sqlalchemy import func, select

    from backend.extensions import db
    from backend.wages.models import WageClaim

    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(WageClaim)) or 0
        finally:
            db.session.remove()


def _deep_cursor(app, username: str) -> tuple[str, int]:
    """The cursor at the middle of ``username``'s queue (as X-Next-Cursor would hand it over), and
    how many claims that queue holds."""
    from sqlalchemy import func, select

    from backend.cases.paging import encode_cursor
    from backend.extensions import db
    from backend.staff.models import Staff
    from backend.staff.scope import Scope
    from backend.wages import service as wages
    from backend.wages.models import WageClaim

    with app.app_context():
        staff = db.session.scalars(select(Staff).where(Staff.username == username)).one()
        stmt = wages.queue_stmt(Scope.of(staff), staff_level=staff.org.level)
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        middle = db.session.execute(
            stmt.with_only_columns(WageClaim.priority, WageClaim.id)
            .order_by(WageClaim.priority.desc(), WageClaim.id.desc())
            .offset(total // 2)
            .limit(1)
        ).one()
        cursor = encode_cursor(wages.QUEUE_ORDER, list(middle))
        db.session.remove()
    return cursor, total


def _staff_token(url: str, username: str) -> str:
    response = requests.post(
        f"{url}{API}/staff/login", json={"username": username, "password": "bench-pass-2026"}, timeout=30
    )
    response.raise_for_status()
    return response.json()["access_token"]


def measure_queue(args: argparse.Namespace) -> tuple[list[tuple[str, Result]], dict[str, Any]]:
    rows: list[tuple[str, Result]] = []
    info: dict[str, Any] = {}
    with ExitStack() as stack:
        if args.queue_database:
            database = stack.enter_context(_named_database(args.queue_database))
        else:
            database = stack.enter_context(harness.scratch_database("bench_wage_queue"))
        _upgrade(database)
        app = _app(database)
        stack.callback(_close_app, app)
        existing = _existing_claims(app)
        if existing == 0:
            started = time.perf_counter()
            print(f"loading {args.claims:,} claims …", file=sys.stderr)
            info.update(load_claims(app, args.claims))
            info["load_s"] = round(time.perf_counter() - started, 1)
        else:
            print(f"reusing {existing:,} claims in {args.queue_database}", file=sys.stderr)
            info["claims"] = existing
        deep: dict[str, tuple[str, int]] = {}
        for who in ("bench_wage_city", "bench_wage_county", "bench_wage_town"):
            deep[who] = _deep_cursor(app, who)
            info[f"{who}_queue"] = deep[who][1]
        env = harness.clean_env(DATABASE_URL=database, LOGIN_RATE_LIMIT="1000 per minute")
        with harness.gunicorn(
            harness.BACKEND_APP, env=env, workers=args.workers, threads=args.threads
        ) as url:
            tokens = {who: _staff_token(url, who) for who in deep}
            runs = [
                ("city: first page", "bench_wage_city", {}),
                ("city: deep page (cursor)", "bench_wage_city", {"cursor": deep["bench_wage_city"][0]}),
                ("county: first page", "bench_wage_county", {}),
                ("county: deep page (cursor)", "bench_wage_county", {"cursor": deep["bench_wage_county"][0]}),
                ("town: first page", "bench_wage_town", {}),
                ("town: deep page (cursor)", "bench_wage_town", {"cursor": deep["bench_wage_town"][0]}),
                ("city: status=submitted", "bench_wage_city", {"status": "submitted"}),
                ("city: warning=true", "bench_wage_city", {"warning": "true"}),
                (
                    "city: unassigned, accepted",
                    "bench_wage_city",
                    {"unassigned": "true", "status": "accepted"},
                ),
                ("city: overdue=true", "bench_wage_city", {"overdue": "true"}),
                ("town: status=submitted", "bench_wage_town", {"status": "submitted"}),
                ("city: q=恒达建筑", "bench_wage_city", {"q": "恒达建筑"}),
                ("city: clusters", "bench_wage_city", {"path": "wage-clusters"}),
                (
                    "city: clusters warning=true",
                    "bench_wage_city",
                    {"path": "wage-clusters", "warning": "true"},
                ),
                ("town: clusters", "bench_wage_town", {"path": "wage-clusters"}),
            ]
            cpu = harness.cpu_meter(server=url.pid)
            for name, who, params in runs:
                headers = _bearer(tokens[who])
                target = f"{url}{API}/staff/{params.pop('path', 'wage-claims')}"

                def page(
                    session: requests.Session, i: int, params=params, headers=headers, target=target
                ) -> requests.Response:
                    response = session.get(
                        target, params={"page_size": 20, **params}, headers=headers, timeout=30
                    )
                    if response.status_code == 200 and not response.json():
                        raise RuntimeError("an empty page measures nothing")
                    return response

                result = harness.load(
                    page, n=args.queue_requests, concurrency=args.queue_concurrency, warmup=20, cpu=cpu
                )
                _require_all_ok(name, result, url)
                rows.append((name, result))
                print(
                    f"{name}: p50 {result.p50 * 1000:.1f} ms, p99 {result.p99 * 1000:.1f} ms", file=sys.stderr
                )
    return rows, info


# --- main --------------------------------------------------------------------------------------------


def _terminate(signum, _frame) -> None:
    # A plain SIGTERM would skip the clean-up: the gunicorn servers and the scratch databases.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    signal.signal(signal.SIGTERM, _terminate)
    args = parse_args(argv)
    meta: dict[str, Any] = {
        "benchmark": "wages",
        **harness.machine(),
        **{k: v for k, v in vars(args).items()},
    }
    ok = True
    document: dict[str, Any] = {"meta": meta}
    if not args.skip_submit:
        engine = create_engine(f"{harness.MYSQL_SERVER_URL.rstrip('/')}/", poolclass=NullPool)
        rows, statements = measure_submission(args, engine)
        print("\n(a) wage-claim submission vs. the bare one-row insert")
        document["submission"] = harness.report(rows, meta=meta)
        print("\nSQL statements per request (MariaDB global status)")
        for name, counters in statements.items():
            print(f"  {name:<24} " + "  ".join(f"{k}={v}" for k, v in counters.items()))
        document["statements"] = statements
        ok &= all(r.ok == r.count for _, r in rows)
    if not args.skip_queue:
        rows, info = measure_queue(args)
        claims, concurrency = info.get("claims", 0), args.queue_concurrency
        print(f"\n(b) staff queue over {claims:,} claims (limit 20), concurrency {concurrency}")
        document["queue"] = harness.report(rows, meta={**meta, **info})
        document["queue_info"] = info
        print("  " + ", ".join(f"{k}={v}" for k, v in info.items()))
        ok &= all(r.ok == r.count for _, r in rows)
    if args.json:
        import json

        Path(args.json).write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
        print(f"\nwritten to {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
