"""Benchmark the matchmaking-event rush against the bare one-row-insert baseline (DESIGN §8).

    .venv/bin/python scripts/bench/bench_events.py [--requests 1000] [--seats 100] [--concurrency 1000]
        [--workers 4] [--threads 1] [--warmup 100] [--json results.json]

"A 100-seat event rushed by 1,000 concurrent sign-ups seats exactly 100 within quota, the rest
waitlisted, no 5xx." One run, on gunicorn + MariaDB + Redis, in a scratch database that is dropped
afterwards:

1. baseline      ``POST /insert`` on ``scripts/bench/baseline_app.py`` (same gunicorn workers, same clients);
2. event rush    ``POST /api/v1/events/{id}/signups`` with an ``Idempotency-Key``: ``--requests`` members
                 (half men, half women, in shuffled order), each with their own token, from
                 ``--concurrency`` client threads at once, on one event of ``--seats`` seats with a 50/50
                 gender quota. The warm-up signs other members up for a second event.

The events go through the real staff API (created and published by ``demo_city``); the members are
written straight to the database with their tokens (joining is benchmarked by ``bench_membership.py``).
Afterwards the database is checked: every request 201, seated == seats, half men and half women,
waitlist positions exactly 1..requests-seats, served first come first served (ids, positions and seats
agree), the event's counters equal to the rows, zero 5xx. Exits 1 if an invariant fails.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # runnable from a plain checkout

import requests

from scripts.bench import harness
from scripts.bench.harness import Result

API = "/api/v1"
BASELINE = "baseline POST /insert"
RUSH = "POST /events/{id}/signups (rush)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The matchmaking-event rush vs. a bare one-row insert.")
    harness.add_arguments(parser, n=1000, concurrency=1000)
    parser.add_argument(
        "--seats", type=int, default=100, help="seats of the rushed event, half per gender (100)"
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/11",
        help="a Redis database this benchmark may flush (redis://127.0.0.1:6379/11)",
    )
    return parser.parse_args(argv)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


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
    created = requests.post(f"{url}{API}/staff/events", json=body, headers=_bearer(staff))
    if created.status_code != 201:
        raise RuntimeError(f"creating the event: {created.status_code} {created.text}")
    event_id = created.json()["id"]
    published = requests.post(
        f"{url}{API}/staff/events/{event_id}/transition", json={"action": "publish"}, headers=_bearer(staff)
    )
    if published.status_code != 200:
        raise RuntimeError(f"publishing the event: {published.status_code} {published.text}")
    return event_id


def _staff_token(url: str) -> str:
    from backend.demo.tree import DEMO_PASSWORD

    response = requests.post(
        f"{url}{API}/staff/login", json={"username": "demo_city", "password": DEMO_PASSWORD}
    )
    response.raise_for_status()
    return response.json()["access_token"]


def make_members(count: int) -> list[str]:
    """``count`` members spread over the demo city's base unions, alternately men and women, aged 25
    to 35, each with a worker token."""
    from sqlalchemy import select

    from backend.auth.service import WORKER, issue_tokens
    from backend.common import crypto
    from backend.common.idcard import make_id_number
    from backend.extensions import db
    from backend.members.models import Member, WxAccount
    from backend.orgs.models import Org, OrgLevel

    unions = list(db.session.scalars(select(Org.id).where(Org.level == OrgLevel.BASE).order_by(Org.id)))
    tokens: list[str] = []
    for start in range(0, count, 1000):
        accounts = []
        for i in range(start, min(count, start + 1000)):
            gender = "male" if i % 2 else "female"
            born = date(1991, 1, 1) + timedelta(days=i // 500)
            id_number = make_id_number("141002", born, i % 500, gender)
            account = WxAccount(openid=f"o_bench_events_{i}")
            account.member = Member(
                org_id=unions[i % len(unions)],
                name="王会员",
                gender=gender,
                birth_date=born,
                id_number=id_number,
                id_blind=crypto.id_number_index(id_number),
                mobile=f"135{i:08d}",
                mobile_blind=crypto.phone_index(f"135{i:08d}"),
                employer="临汾市某某科技有限公司",
                worker_type="regular",
            )
            accounts.append(account)
        db.session.add_all(accounts)
        db.session.commit()
        tokens += [issue_tokens(WORKER, account.id).access_token for account in accounts]
    return tokens


def check_invariants(rush: Result, event_id: int, requests_made: int, seats: int) -> list[str]:
    """What must hold after the rush; returns the violations (empty: all good)."""
    from sqlalchemy import select

    from backend.events.models import Event, EventSignup
    from backend.extensions import db

    db.session.rollback()
    problems = []
    if rush.statuses != Counter({201: requests_made}):
        problems.append(f"statuses {dict(rush.statuses)}, expected {requests_made} × 201")
    rows = db.session.scalars(
        select(EventSignup).where(EventSignup.event_id == event_id).order_by(EventSignup.id)
    ).all()
    seated = [s for s in rows if s.status == "seated"]
    waiting = [s for s in rows if s.status == "waitlisted"]
    if len(rows) != requests_made:
        problems.append(f"{len(rows)} sign-ups for {requests_made} requests")
    genders = Counter(s.gender for s in seated)
    if len(seated) != seats or genders != {"male": seats // 2, "female": seats // 2}:
        problems.append(f"seated {len(seated)} ({dict(genders)}), expected {seats} half and half")
    positions = [s.waitlist_position for s in waiting]
    if sorted(positions) != list(range(1, requests_made - seats + 1)):
        problems.append(f"waitlist positions are not 1..{requests_made - seats} without gaps or duplicates")
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


def measure(args: argparse.Namespace) -> tuple[list[tuple[str, Result]], dict]:
    n, c, warmup, seats = args.requests, args.concurrency, args.warmup, args.seats
    rows: list[tuple[str, Result]] = []
    with ExitStack() as stack:
        database = harness.demo_database(stack, "bench_events", args.redis_url)
        env = harness.clean_env(DATABASE_URL=database, REDIS_URL=args.redis_url)
        servers = {"workers": args.workers, "threads": args.threads}
        stack.enter_context(harness.app_context(env))
        rows.append((BASELINE, harness.measure_baseline(env, n=n, concurrency=c, warmup=warmup, **servers)))

        with harness.gunicorn(harness.BACKEND_APP, env=env, **servers) as url:
            started = time.perf_counter()
            staff = _staff_token(url)
            event_id = publish_event(url, staff, title="全市单身职工联谊会", seats=seats, half=seats // 2)
            warmup_event = publish_event(url, staff, title="预热活动", seats=max(1, warmup), half=None)
            tokens = make_members(n + warmup)
            order = list(range(n))  # men and women arrive mixed, not in turns
            random.Random(2026).shuffle(order)
            print(
                f"events and {len(tokens)} members in {time.perf_counter() - started:.1f}s", file=sys.stderr
            )

            def sign_up(session: requests.Session, i: int) -> requests.Response:
                # indices n .. n+warmup-1 are the warm-up: other members, the other event
                who, event = (order[i], event_id) if i < n else (i, warmup_event)
                return session.post(
                    f"{url}{API}/events/{event}/signups",
                    json={"single_declared": True, "declaration_version": "2026-01"},
                    headers={**_bearer(tokens[who]), "Idempotency-Key": f"bench-{i}"},
                )

            cpu = harness.cpu_meter(server=url.pid)
            rush = harness.load(sign_up, n=n, concurrency=c, warmup=warmup, cpu=cpu)
            rows.append((RUSH, rush))
            print(f"{RUSH}: {rush.rps:.0f} req/s", file=sys.stderr)
            if any(not isinstance(s, int) or s >= 500 for s in rush.statuses):
                print(f"--- server log, last lines ---\n{url.log_tail()}", file=sys.stderr)

        problems = check_invariants(rush, event_id, n, seats)
        summary = {
            "seats": seats,
            "signups_per_s": round(rush.rps, 1),
            "invariant_violations": problems,
        }
    return rows, summary


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.seats % 2 or args.seats > args.requests:
        raise SystemExit("--seats must be even and at most --requests")
    meta = {
        "benchmark": "events",
        **harness.machine(),
        **{k: v for k, v in vars(args).items() if k != "json"},
    }
    rows, summary = measure(args)
    print()
    harness.report(rows, json_path=args.json, meta={**meta, **summary})
    rush = dict(rows)[RUSH]
    print(
        f"\nevent rush: {args.requests} members on {args.seats} seats from {args.concurrency} clients: "
        f"{summary['signups_per_s']} sign-ups/s, p50 {rush.p50 * 1000:.0f} ms, p99 {rush.p99 * 1000:.0f} ms"
    )
    if summary["invariant_violations"]:
        print("INVARIANTS VIOLATED:", *summary["invariant_violations"], sep="\n  ")
    else:
        half, waiting = args.seats // 2, args.requests - args.seats
        print(
            f"invariants hold: seated {args.seats} = {half} men + {half} women, waitlist 1..{waiting} "
            "without gaps or duplicates in serving order, counters == rows, zero 5xx"
        )
    return 1 if summary["invariant_violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
