"""Benchmark the membership journey against the bare one-row-insert baseline (DESIGN §8).

    .venv/bin/python scripts/bench/bench_membership.py [--requests 2000] [--concurrency 16]
        [--workers 4] [--threads 1] [--warmup 100] [--no-approve] [--json results.json]

One run, on gunicorn + MariaDB + Redis with the fake WeChat server, in a scratch database that is
dropped afterwards:

1. baseline      ``POST /insert`` on ``scripts/bench/baseline_app.py`` (same gunicorn workers);
2. login         ``POST /api/v1/auth/wechat-login``, a new WeChat user per request;
3. apply         ``POST /api/v1/membership/applications``, each by one of those users, with a unique
                 valid ID number, into a base union of the ``flask seed-demo`` city;
4. approve       ``POST /api/v1/staff/membership/applications/{id}/transition`` as ``demo_city``.

Each row shows requests/s, p50/p90/p99 and their ratios to the baseline; a second table shows CPU
milliseconds per request of the client, gunicorn, the fake WeChat server, MariaDB and Redis (read from
``/proc``). The load generator runs in this process and shares the cores with the servers, so on a
small machine the servers' CPU ratio is the steadier figure. No RQ worker runs: the jobs the outbox
enqueues wait in the flushed Redis database. Exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # runnable from a plain checkout

import requests

from backend.common.idcard import make_id_number
from scripts.bench import harness
from scripts.bench.harness import Result

API = "/api/v1"
BASELINE = "baseline POST /insert"
DEMO_STAFF = "demo_city"  # the whole demo city is in its scope
REGION = "141002"  # 临汾市尧都区
# make_id_number keeps sequence % 500: vary the birth date every 500 applicants to stay unique.
_PER_BIRTHDAY = 500
_FIRST_BIRTHDAY = date(1980, 1, 1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Membership endpoints vs. a bare one-row insert.")
    harness.add_arguments(parser)
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="a Redis database this benchmark may flush (redis://127.0.0.1:6379/14)",
    )
    parser.add_argument("--no-approve", action="store_true", help="skip the staff approval run")
    return parser.parse_args(argv)


def application_payload(i: int, org_id: int) -> dict:
    """Applicant ``i``: a valid, unique ID number and mobile; everything else like the mini-program."""
    born = _FIRST_BIRTHDAY + timedelta(days=i // _PER_BIRTHDAY)
    return {
        "name": "张建国",
        "gender": "male",
        "id_number": make_id_number(REGION, born, i % _PER_BIRTHDAY, "male"),
        "mobile": f"139{i:08d}",
        "employer": "临汾市某某建筑工程有限公司",
        "worker_type": "migrant",
        "org_id": org_id,
        "consent": True,
        "consent_version": "2026-01",
    }


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _base_union(url: str) -> int:
    """The first base union of the demo city that accepts members."""
    response = requests.get(f"{url}{API}/orgs", params={"level": "base", "accepting_members": "true"})
    response.raise_for_status()
    unions = [o for o in response.json() if o["accepts_members"]]
    if not unions:
        raise RuntimeError("no base union accepts members: did flask seed-demo run?")
    return unions[0]["id"]


def _staff_token(url: str) -> str:
    from backend.demo.tree import DEMO_PASSWORD

    response = requests.post(
        f"{url}{API}/staff/login", json={"username": DEMO_STAFF, "password": DEMO_PASSWORD}
    )
    response.raise_for_status()
    return response.json()["access_token"]


def _require_all_ok(name: str, result: Result, server: harness.Server) -> None:
    # A run with failures measures error paths, not the endpoint; its ratios would mislead.
    if result.ok != result.count:
        print(f"warning: {name}: only {result.ok} of {result.count} requests succeeded", file=sys.stderr)
    if any(isinstance(s, int) and s >= 500 for s in result.statuses):
        print(f"--- server log, last lines ---\n{server.log_tail()}", file=sys.stderr)


def measure(args: argparse.Namespace) -> list[tuple[str, Result]]:
    n, c, warmup = args.requests, args.concurrency, args.warmup
    rows: list[tuple[str, Result]] = []
    with ExitStack() as stack:
        database = harness.demo_database(stack, "bench_membership", args.redis_url)
        wechat = stack.enter_context(harness.fake_wechat())
        env = harness.clean_env(
            DATABASE_URL=database,
            REDIS_URL=args.redis_url,
            WECHAT_API_BASE=wechat,
            LOGIN_RATE_LIMIT="1000000 per minute",  # one client address makes every log-in
        )
        servers = {"workers": args.workers, "threads": args.threads}

        with harness.gunicorn(harness.BASELINE_APP, env=env, **servers) as url:
            insert_one = harness.baseline_insert(url)
            cpu = harness.cpu_meter(server=url.pid, wechat=wechat.pid)
            result = harness.load(insert_one, n=n, concurrency=c, warmup=warmup, cpu=cpu)
            _require_all_ok(BASELINE, result, url)
            rows.append((BASELINE, result))
            print(f"{BASELINE}: {result.rps:.0f} req/s", file=sys.stderr)

        with harness.gunicorn(harness.BACKEND_APP, env=env, **servers) as url:
            org_id = _base_union(url)
            tokens: dict[int, str] = {}
            application_ids: dict[int, int] = {}

            def login(session: requests.Session, i: int) -> requests.Response:
                response = session.post(f"{url}{API}/auth/wechat-login", json={"code": f"bench-{i}"})
                if response.status_code == 200:
                    tokens[i] = response.json()["access_token"]
                return response

            def apply(session: requests.Session, i: int) -> requests.Response:
                response = session.post(
                    f"{url}{API}/membership/applications",
                    json=application_payload(i, org_id),
                    headers=_bearer(tokens[i]),
                )
                if response.status_code == 201:
                    application_ids[i] = response.json()["id"]
                return response

            runs = [("POST /auth/wechat-login", login), ("POST /membership/applications", apply)]
            if not args.no_approve:
                staff = _bearer(_staff_token(url))

                def approve(session: requests.Session, i: int) -> requests.Response:
                    return session.post(
                        f"{url}{API}/staff/membership/applications/{application_ids[i]}/transition",
                        json={"action": "approve"},
                        headers=staff,
                    )

                runs.append(("POST …/applications/{id}/transition", approve))

            cpu = harness.cpu_meter(server=url.pid, wechat=wechat.pid)
            for name, request_fn in runs:
                result = harness.load(request_fn, n=n, concurrency=c, warmup=warmup, cpu=cpu)
                _require_all_ok(name, result, url)
                rows.append((name, result))
                print(f"{name}: {result.rps:.0f} req/s", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    meta = {
        "benchmark": "membership",
        **harness.machine(),
        **{k: v for k, v in vars(args).items() if k != "json"},
    }
    rows = measure(args)
    print()
    harness.report(rows, json_path=args.json, meta=meta)
    # Non-zero when any request failed: those figures measured error paths, not the endpoints.
    return 0 if all(result.ok == result.count for _, result in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
