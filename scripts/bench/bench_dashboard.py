"""The staff panel's 工作台 and the statistics of a county and of the whole city at city scale, with wrk:
p50/p99 with the statistics cache (Redis, ``backend/stats/cache.py``) and without it.

    flock -x … .venv/bin/python scripts/bench/bench_dashboard.py [--unions 6000] [--members 700000]
        [--claims 1000000] [--seconds 10] [--connections 8] [--workers 4] [--redis-url URL]
        [--json results.json]

One run, on its own mariadbd (as ``bench_submissions.py``) in a scratch database built with the
migrations:

* the benchmark city of ``scripts/gen_city.py`` (``--unions`` base unions, ``--members`` members,
  counted in the rollups), then ``--claims`` wage claims spread over its counties and towns and over
  the last three years, with every status, written set-based (``INSERT … SELECT`` over MariaDB's
  ``seq_1_to_N``; no row goes through Python), and a city and a county administrator;
* two gunicorns (``--workers`` sync workers each) on that database: one with ``--redis-url`` (the
  figures come from Redis for a minute — "cached"; the first request computes them), one without
  Redis, which computes every figure on every request ("uncached");
* for the county and for the city: the panel's dashboard ``GET /admin/`` (a signed-in session),
  ``GET /api/v1/staff/stats/summary`` and ``GET /api/v1/staff/stats/monthly`` (this year so far),
  each driven by wrk (``--connections`` connections, two threads, ``--seconds``) on both servers.

Prints req/s, p50 and p99 of each; exits 1 if any answer was not a 200.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # runnable from a plain checkout

import requests

from scripts.bench import harness
from scripts.bench.bench_submissions import own_mariadb

API = "/api/v1"
CLAIM_CHUNK = 200_000  # claims per INSERT … SELECT statement
THREE_YEARS_S = 3 * 365 * 24 * 3600
# How claims end up, out of 20: most are closed one way or the other, some still open.
STATUS_CYCLE = (
    ["resolved"] * 10 + ["closed_unresolved"] * 4 + ["submitted"] * 2 + ["accepted"] * 2
    + ["mediating", "referred"]
)  # fmt: skip
WRK_THREADS = 2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=6000, help="base unions (6,000)")
    parser.add_argument("--members", type=int, default=700_000, help="members (700,000)")
    parser.add_argument("--claims", type=int, default=1_000_000, help="wage claims (1,000,000)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of each wrk run (10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers per server (4)")
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/15",
        help="the cached server's Redis database (flushed)",
    )
    parser.add_argument("--mysql-url", help="use this MariaDB server instead of starting one")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    return parser.parse_args(argv)


# --- the city ------------------------------------------------------------------------------------------


def build_city(database: str, args) -> dict[str, Any]:
    """The benchmark city, its claims and two administrators; what was built, and how long it took."""
    took: dict[str, float] = {}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(harness.ROOT / "scripts" / "gen_city.py"), "--unions", str(args.unions),
         "--members", str(args.members), "--database-url", database, "--quiet"],
        check=True, cwd=harness.ROOT, env=harness.clean_env(),
    )  # fmt: skip
    took["city_s"] = round(time.perf_counter() - started, 1)
    from backend import create_app
    from backend.config import Settings

    app = create_app(Settings.from_env(database_url=database))
    with app.app_context():
        started = time.perf_counter()
        scopes = _claims_and_staff(args.claims)
        took["claims_s"] = round(time.perf_counter() - started, 1)
    return {**scopes, **took}


def _claims_and_staff(claims: int) -> dict[str, Any]:
    from sqlalchemy import func, insert, select, text

    from backend.demo.generator import BENCH_CITY_NAME
    from backend.demo.tree import DEMO_PASSWORD
    from backend.extensions import db
    from backend.members.models import WxAccount
    from backend.orgs.models import Org, OrgLevel
    from backend.staff.models import Role, Staff
    from backend.staff.passwords import hash_password
    from backend.wages.models import WageClaim, WageCluster

    session = db.session
    city = session.scalars(select(Org).where(Org.name == BENCH_CITY_NAME, Org.parent_id.is_(None))).one()
    county = session.scalars(
        select(Org).where(Org.parent_id == city.id, Org.level == OrgLevel.COUNTY).order_by(Org.id).limit(1)
    ).one()
    now = datetime.now(UTC).replace(microsecond=0)
    account = WxAccount(openid="o_bench_dashboard")
    cluster = WageCluster(
        county_id=county.id, employer_key="基准建设", employer="基准建设有限公司", first_at=now
    )
    password = hash_password(DEMO_PASSWORD)
    session.add_all(
        [
            account,
            cluster,
            Staff(
                username="bench_city",
                password_hash=password,
                name="市管理员",
                role=Role.CITY_ADMIN,
                org_id=city.id,
            ),
            Staff(
                username="bench_county",
                password_hash=password,
                name="县管理员",
                role=Role.COUNTY_ADMIN,
                org_id=county.id,
            ),
        ]
    )
    session.flush()
    # One claim written through the model (its encrypted phone as the app writes it); the rest copy it.
    first = session.execute(
        insert(WageClaim.__table__).values(
            status="submitted",
            account_id=account.id,
            org_id=county.id,
            origin_org_id=county.id,
            submitted_at=now,
            updated_at=now,
            employer="基准建设有限公司",
            project="基准工地",
            amount_owed=Decimal("12000.00"),
            workers_owed=1,
            owed_since=now.date() - timedelta(days=90),
            contact_phone="13800000000",
            contact_phone_blind="bench",
            cluster_id=cluster.id,
        )
    ).inserted_primary_key[0]
    session.commit()
    # Claims are filed with a county or a township union: number those of the city 0..n-1.
    session.execute(text("DROP TEMPORARY TABLE IF EXISTS bench_desks"))
    session.execute(
        text(
            "CREATE TEMPORARY TABLE bench_desks (n INT PRIMARY KEY, org_id INT) "
            "SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id AS org_id FROM orgs "
            "WHERE level IN ('county', 'town') AND path LIKE :city"
        ),
        {"city": f"{city.path}%"},
    )
    desks = session.scalar(text("SELECT COUNT(*) FROM bench_desks"))
    statuses = ", ".join(f"'{s}'" for s in STATUS_CYCLE)
    made = 1
    while made < claims:
        n = min(CLAIM_CHUNK, claims - made)
        # seconds back from now, spread over three years by a multiplicative hash of the claim number
        k = f"(seq + {made})"
        session.execute(
            text(
                f"""INSERT INTO wage_claims (status, account_id, org_id, origin_org_id, due_at, escalations,
                    submitted_at, updated_at, closed_at, employer, project, amount_owed, workers_owed,
                    crew, owed_since, contact_name, contact_phone, contact_phone_blind, description,
                    priority, cluster_id, warning, amount_recovered, workers_paid, resolved_at)
                SELECT s.status, f.account_id, d.org_id, d.org_id, s.sub + INTERVAL 7 DAY, 0, s.sub, s.sub,
                    IF(s.status IN ('resolved', 'closed_unresolved'), s.sub + INTERVAL 20 DAY, NULL),
                    f.employer, f.project, 1000 + (s.k % 50) * 500, 1 + s.k % 5, NULL,
                    DATE(s.sub) - INTERVAL 60 DAY, NULL, f.contact_phone, f.contact_phone_blind, NULL,
                    s.k % 3, f.cluster_id, 0,
                    IF(s.status = 'resolved', 800 + (s.k % 50) * 400, NULL),
                    IF(s.status = 'resolved', 1 + s.k % 5, NULL),
                    IF(s.status = 'resolved', s.sub + INTERVAL 20 DAY, NULL)
                FROM (
                    SELECT {k} AS k, :now - INTERVAL ({k} * 7919 % {THREE_YEARS_S}) SECOND AS sub,
                        ELT(1 + {k} % {len(STATUS_CYCLE)}, {statuses}) AS status
                    FROM seq_1_to_{n}
                ) s
                JOIN bench_desks d ON d.n = s.k % {desks}
                JOIN wage_claims f ON f.id = :first"""
            ).bindparams(now=now.replace(tzinfo=None), first=first)
        )
        session.commit()
        made += n
    total = session.scalar(select(func.count()).select_from(WageClaim))
    return {"city_id": city.id, "county_id": county.id, "claims": total, "desks": desks}


# --- the servers, signed in ----------------------------------------------------------------------------


def api_token(url: str, username: str) -> str:
    from backend.demo.tree import DEMO_PASSWORD

    answer = requests.post(f"{url}{API}/staff/login", json={"username": username, "password": DEMO_PASSWORD})
    answer.raise_for_status()
    return answer.json()["access_token"]


def panel_cookie(url: str, username: str) -> str:
    """The ``Cookie`` header of a panel session signed in as ``username``."""
    from backend.demo.tree import DEMO_PASSWORD

    browser = requests.Session()
    form = browser.get(f"{url}/admin/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed_in = browser.post(
        f"{url}/admin/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf_token": csrf},
        allow_redirects=False,
    )
    if signed_in.status_code != 303:
        raise RuntimeError(f"panel log-in of {username} answered {signed_in.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def wrk(url: str, header: str, *, connections: int, seconds: int) -> dict[str, Any]:
    """wrk on one URL; req/s, p50/p99 (ms) and how many answers were not 2xx/3xx."""
    done = subprocess.run(
        ["wrk", "-t", str(WRK_THREADS), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "60s",
         "--latency", "-H", header, url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    out = done.stdout
    latency = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+[a-z]+)\s*$", out, re.MULTILINE))
    requests_done = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)$", out, re.MULTILINE)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": requests_done,
        "p50_ms": _ms(latency.get("50", "0ms")),
        "p99_ms": _ms(latency.get("99", "0ms")),
        "not_ok": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def measure(name: str, url: str, scopes: dict[str, Any], args) -> list[dict[str, Any]]:
    rows = []
    for scope, username in (("county", "bench_county"), ("city", "bench_city")):
        bearer = f"Authorization: Bearer {api_token(url, username)}"
        cookie = f"Cookie: {panel_cookie(url, username)}"
        for page, path, header in (
            ("dashboard /admin/", "/admin/", cookie),
            ("stats summary", f"{API}/staff/stats/summary", bearer),
            ("stats monthly", f"{API}/staff/stats/monthly", bearer),
        ):
            key, value = header.split(": ", 1)
            first = time.perf_counter()
            warm = requests.get(f"{url}{path}", headers={key: value}, allow_redirects=False, timeout=120)
            first_ms = (time.perf_counter() - first) * 1000
            if warm.status_code != 200:
                raise RuntimeError(f"{name} {scope} {path} answered {warm.status_code}: {warm.text[:300]}")
            result = wrk(f"{url}{path}", header, connections=args.connections, seconds=args.seconds)
            rows.append(
                {"server": name, "scope": scope, "page": page, "first_ms": round(first_ms, 1), **result}
            )
            print(
                f"  {name:<8} {scope:<6} {page:<18} first {first_ms:8.1f} ms  {result['rps']:8.1f} req/s  "
                f"p50 {result['p50_ms']:8.1f} ms  p99 {result['p99_ms']:8.1f} ms  bad: {result['not_ok']}",
                flush=True,
            )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    by = {(r["server"], r["scope"], r["page"]): r for r in rows}
    print(
        f"\n{'scope':<7}{'page':<19}{'cached p50':>11}{'p99':>9}{'req/s':>9}"
        f"{'uncached p50':>14}{'p99':>9}{'req/s':>9}{'first':>9}"
    )
    for scope in ("county", "city"):
        for page in ("dashboard /admin/", "stats summary", "stats monthly"):
            c, u = by[("cached", scope, page)], by[("uncached", scope, page)]
            print(
                f"{scope:<7}{page:<19}{c['p50_ms']:>11.1f}{c['p99_ms']:>9.1f}{c['rps']:>9.1f}"
                f"{u['p50_ms']:>14.1f}{u['p99_ms']:>9.1f}{u['rps']:>9.1f}{u['first_ms']:>9.1f}"
            )
    print("(ms; 'first' is the uncached server's first answer; the cached server computes once a minute)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with ExitStack() as stack:
        if args.mysql_url:
            server = args.mysql_url
        else:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-mariadb-")))
            server = stack.enter_context(own_mariadb(directory))
        database = stack.enter_context(harness.scratch_database("bench_dashboard", server_url=server))
        harness.upgrade_database(database)
        built = build_city(database, args)
        print(
            f"city: {args.unions:,} unions, {args.members:,} members (gen_city {built['city_s']} s), "
            f"{built['claims']:,} wage claims over {built['desks']} desks ({built['claims_s']} s)",
            flush=True,
        )
        harness.flush_redis(args.redis_url)
        stack.callback(harness.flush_redis, args.redis_url)
        common = {"GUNICORN_CMD_ARGS": "--preload", "DATABASE_URL": database}
        rows: list[dict[str, Any]] = []
        for name, env in (
            ("cached", harness.clean_env(**common, REDIS_URL=args.redis_url)),
            ("uncached", harness.clean_env(**common)),
        ):
            with harness.gunicorn(harness.BACKEND_APP, env=env, workers=args.workers) as url:
                rows += measure(name, url, built, args)
        print_table(rows)
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {"machine": harness.machine(), "city": built, "runs": rows}, indent=2, ensure_ascii=False
                )
            )
    return 1 if any(r["not_ok"] or r["socket_errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
