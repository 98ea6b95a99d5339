"""Benchmark the legal-aid slot race against the bare one-row-insert baseline (DESIGN §8).

    .venv/bin/python scripts/bench/bench_legal.py [--requests 4000] [--per-slot 20] [--concurrency 32]
        [--workers 4] [--threads 1] [--warmup 100] [--json results.json]

One run, on gunicorn + MariaDB + Redis, in a scratch database that is dropped afterwards:

1. baseline      ``POST /insert`` on ``scripts/bench/baseline_app.py`` (same gunicorn workers);
2. slots         ``GET /api/v1/legal-aid/slots?center_id=…`` (the free-slot page the mini-program shows);
3. slot race     ``POST /api/v1/legal-aid/bookings``: ``--requests`` members, each with their own token,
                 rush ``requests / per-slot`` slots. Request ``i`` goes for slot ``i // per-slot``, and the
                 load generator hands out indices in order, so ``--concurrency`` clients are on the same
                 one or two slots at any moment: every slot is a race.

The set-up goes through the real staff API (a 维权中心 in the demo county, the demo lawyer, a weekly
schedule of 15-minute slots); the members are written straight to the database with their tokens
(joining is benchmarked by ``bench_membership.py``). Afterwards the database is checked: bookings ==
slots rushed, no slot held twice, every slot held by the booking that points at it, every loser a
409 ``slot_taken``, zero 5xx. Exits 1 if an invariant fails.
"""

from __future__ import annotations

import argparse
import collections
import sys
import threading
import time
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # runnable from a plain checkout

import requests

from scripts.bench import harness
from scripts.bench.harness import Result

API = "/api/v1"
BASELINE = "baseline POST /insert"
SLOTS = "GET /legal-aid/slots"
RACE = "POST /legal-aid/bookings (race)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The legal-aid slot race vs. a bare one-row insert.")
    harness.add_arguments(parser, n=4000, concurrency=32)
    parser.add_argument("--per-slot", type=int, default=20, help="clients rushing each slot (20)")
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/13",
        help="a Redis database this benchmark may flush (redis://127.0.0.1:6379/13)",
    )
    return parser.parse_args(argv)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _staff_token(url: str, username: str) -> str:
    from backend.demo.tree import DEMO_PASSWORD

    login = {"username": username, "password": DEMO_PASSWORD}
    response = requests.post(f"{url}{API}/staff/login", json=login)
    response.raise_for_status()
    return response.json()["access_token"]


def _post(url: str, token: str, body: dict) -> dict:
    response = requests.post(url, json=body, headers=_bearer(token))
    if response.status_code != 201:
        raise RuntimeError(f"POST {url}: {response.status_code} {response.text}")
    return response.json()


def set_up_network(url: str) -> int:
    """A centre in the demo county, the demo lawyer, 08:00–20:00 every day in 15-minute slots."""
    admin = _staff_token(url, "demo_county")
    center = _post(
        f"{url}{API}/staff/legal-aid/centers",
        admin,
        {"org_id": _demo_county_id(), "name": "尧都区职工维权中心", "address": "尧都区解放路职工服务中心"},
    )
    lawyer = _post(
        f"{url}{API}/staff/legal-aid/lawyers",
        admin,
        {"staff_id": _demo_lawyer_id(), "center_id": center["id"], "specialties": ["劳动争议"]},
    )
    for weekday in range(7):
        _post(
            f"{url}{API}/staff/legal-aid/lawyers/{lawyer['id']}/schedules",
            admin,
            {
                "weekday": weekday,
                "start_time": "08:00",
                "end_time": "20:00",
                "slot_minutes": 15,
                "modes": ["in_person", "phone", "video"],
            },
        )
    return center["id"]


def _demo_lawyer_id() -> int:
    from sqlalchemy import select

    from backend.extensions import db
    from backend.staff.models import Staff

    return db.session.scalar(select(Staff.id).where(Staff.username == "demo_lawyer"))


def _demo_county_id() -> int:
    from sqlalchemy import select

    from backend.extensions import db
    from backend.staff.models import Staff

    return db.session.scalar(select(Staff.org_id).where(Staff.username == "demo_county"))


def make_members(count: int) -> list[str]:
    """``count`` members of the demo county's first base union, each with a worker token."""
    from sqlalchemy import select

    from backend.auth.service import WORKER, issue_tokens
    from backend.common import crypto
    from backend.common.idcard import make_id_number
    from backend.extensions import db
    from backend.members.models import Member, WxAccount
    from backend.orgs.models import Org, OrgLevel

    union_id = db.session.scalar(
        select(Org.id).where(Org.level == OrgLevel.BASE, Org.accepts_members.is_(True)).order_by(Org.id)
    )
    tokens: list[str] = []
    for start in range(0, count, 1000):
        accounts = []
        for i in range(start, min(count, start + 1000)):
            id_number = make_id_number("141002", date(1970, 1, 1) + timedelta(days=i // 500), i % 500, "male")
            account = WxAccount(openid=f"o_bench_legal_{i}")
            account.member = Member(
                org_id=union_id,
                name="赵建军",
                gender="male",
                id_number=id_number,
                id_blind=crypto.id_number_index(id_number),
                mobile=f"136{i:08d}",
                mobile_blind=crypto.phone_index(f"136{i:08d}"),
                employer="临汾市某某物流有限公司",
                worker_type="truck_driver",
            )
            accounts.append(account)
        db.session.add_all(accounts)
        db.session.commit()
        tokens += [issue_tokens(WORKER, account.id).access_token for account in accounts]
    return tokens


def free_slot_ids(center_id: int, count: int) -> list[int]:
    """The ``count`` earliest bookable slots of the centre."""
    from sqlalchemy import select

    from backend.common.types import utcnow
    from backend.extensions import db
    from backend.legal.models import LegalSlot

    stmt = (
        select(LegalSlot.id)
        .where(
            LegalSlot.center_id == center_id,
            LegalSlot.booking_id.is_(None),
            LegalSlot.starts_at > utcnow() + timedelta(hours=1),
        )
        .order_by(LegalSlot.starts_at)
        .limit(count)
    )
    slots = list(db.session.scalars(stmt))
    if len(slots) < count:
        raise RuntimeError(f"only {len(slots)} of {count} slots: lower --requests or raise --per-slot")
    return slots


def check_invariants(race: Result, rushed: list[int], warmup_slots: list[int]) -> list[str]:
    """What must hold after the race; returns the violations (empty: all good)."""
    from sqlalchemy import func, select

    from backend.extensions import db
    from backend.legal.models import LegalBooking, LegalSlot

    db.session.rollback()
    problems = []
    every_slot = rushed + warmup_slots
    bookings = db.session.scalar(select(func.count()).select_from(LegalBooking))
    if bookings != len(every_slot):
        problems.append(f"{bookings} bookings for {len(every_slot)} slots rushed")
    twice = db.session.execute(
        select(LegalBooking.slot_id).group_by(LegalBooking.slot_id).having(func.count() > 1)
    ).all()
    if twice:
        problems.append(f"slots booked twice: {[row[0] for row in twice][:10]}")
    consistent = db.session.scalar(
        select(func.count())
        .select_from(LegalSlot)
        .join(LegalBooking, LegalBooking.id == LegalSlot.booking_id)
        .where(LegalBooking.slot_id == LegalSlot.id, LegalSlot.id.in_(every_slot))
    )
    if consistent != len(every_slot):
        problems.append(f"{consistent} of {len(every_slot)} slots held by the booking pointing at them")
    if race.statuses.get(201, 0) != len(rushed):
        problems.append(f"{race.statuses.get(201, 0)} × 201 in the timed race for {len(rushed)} slots")
    server_errors = {s: n for s, n in race.statuses.items() if not isinstance(s, int) or s >= 500}
    if server_errors:
        problems.append(f"5xx or failed requests: {server_errors}")
    others = {s: n for s, n in race.statuses.items() if s not in (201, 409) and s not in server_errors}
    if others:
        problems.append(f"unexpected statuses: {others}")
    return problems


def measure(args: argparse.Namespace) -> tuple[list[tuple[str, Result]], dict]:
    n, c, warmup, per_slot = args.requests, args.concurrency, args.warmup, args.per_slot
    rows: list[tuple[str, Result]] = []
    with ExitStack() as stack:
        database = harness.demo_database(stack, "bench_legal", args.redis_url)
        env = harness.clean_env(DATABASE_URL=database, REDIS_URL=args.redis_url)
        servers = {"workers": args.workers, "threads": args.threads}
        stack.enter_context(harness.app_context(env))
        rows.append((BASELINE, harness.measure_baseline(env, n=n, concurrency=c, warmup=warmup, **servers)))

        with harness.gunicorn(harness.BACKEND_APP, env=env, **servers) as url:
            started = time.perf_counter()
            center_id = set_up_network(url)
            tokens = make_members(n + warmup)
            timed_slots = -(-n // per_slot)
            slots = free_slot_ids(center_id, timed_slots + -(-warmup // per_slot))
            print(
                f"{len(slots)} slots and {len(tokens)} members in {time.perf_counter() - started:.1f}s",
                file=sys.stderr,
            )

            def list_slots(session: requests.Session, i: int) -> requests.Response:
                return session.get(f"{url}{API}/legal-aid/slots", params={"center_id": center_id})

            refusals: collections.Counter = collections.Counter()
            refusals_lock = threading.Lock()

            def book(session: requests.Session, i: int) -> requests.Response:
                # indices n .. n+warmup-1 are the warm-up: they race for the slots after the timed ones
                slot = slots[i // per_slot] if i < n else slots[timed_slots + (i - n) // per_slot]
                response = session.post(
                    f"{url}{API}/legal-aid/bookings",
                    json={
                        "slot_id": slot,
                        "topic": "wages",
                        "mode": "in_person",
                        "opposing_party": "某运输公司",
                    },
                    headers={**_bearer(tokens[i]), "Idempotency-Key": f"bench-{i}"},
                )
                if response.status_code == 409:
                    with refusals_lock:
                        refusals[response.json().get("code")] += 1
                return response

            cpu = harness.cpu_meter(server=url.pid)
            listing = harness.load(list_slots, n=min(n, 2000), concurrency=c, warmup=warmup, cpu=cpu)
            rows.append((SLOTS, listing))
            print(f"{SLOTS}: {listing.rps:.0f} req/s", file=sys.stderr)
            race = harness.load(book, n=n, concurrency=c, warmup=warmup, cpu=cpu)
            rows.append((RACE, race))
            print(f"{RACE}: {race.rps:.0f} req/s", file=sys.stderr)
            if any(isinstance(s, int) and s >= 500 for s in race.statuses):
                print(f"--- server log, last lines ---\n{url.log_tail()}", file=sys.stderr)

        problems = check_invariants(race, slots[:timed_slots], slots[timed_slots:])
        if set(refusals) - {"slot_taken"}:
            problems.append(f"409s other than slot_taken: {dict(refusals)}")
        summary = {
            "slots_rushed": timed_slots,
            "clients_per_slot": per_slot,
            "bookings_per_s": round(race.statuses.get(201, 0) / race.elapsed, 1) if race.elapsed else 0,
            "invariant_violations": problems,
        }
    return rows, summary


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    meta = {"benchmark": "legal", **harness.machine(), **{k: v for k, v in vars(args).items() if k != "json"}}
    rows, summary = measure(args)
    print()
    harness.report(rows, json_path=args.json, meta={**meta, **summary})
    race = dict(rows)[RACE]
    print(
        f"\nslot race: {summary['slots_rushed']} slots × {summary['clients_per_slot']} clients, "
        f"{race.statuses.get(201, 0)} booked, {race.statuses.get(409, 0)} refused (409), "
        f"{summary['bookings_per_s']} bookings/s, {race.rps:.0f} requests/s, p99 {race.p99 * 1000:.1f} ms"
    )
    if summary["invariant_violations"]:
        print("INVARIANTS VIOLATED:", *summary["invariant_violations"], sep="\n  ")
    else:
        print("invariants hold: bookings == slots, no slot twice, every loser 409, zero 5xx")
    return 1 if summary["invariant_violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
