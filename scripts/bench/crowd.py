"""A crowd on the one-command demo: N members sign up for the demo event at the same moment.

    LOGIN_RATE_LIMIT="100000 per minute" make run        # one terminal (the crowd logs in from one address)
    .venv/bin/python scripts/bench/crowd.py --people 300  # in another

The members join through the API first (log-in, application, the city staff's approval), then every
one of them posts the sign-up at once, each on its own connection. Prints how the answers came out:
the event has 40 seats, so most answers are a 409 (full); the point is that none is a 5xx and none
goes unanswered.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # runnable from a plain checkout

from backend.common.idcard import make_id_number

EVENT_WORD = "联谊会"  # the demo content's matchmaking event
DEMO_PASSWORD = "demo-pass-2026"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="the API (default :8000)")
    parser.add_argument("--people", type=int, default=300, help="at most 500")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a client waits for its answer")
    return parser.parse_args(argv)


def ok(response: requests.Response, *expected: int) -> dict:
    if response.status_code not in expected:
        request = response.request
        raise SystemExit(f"{request.method} {request.url}: {response.status_code} {response.text[:300]}")
    return response.json()


def join(http: requests.Session, api: str, staff: str, org_id: int, run: str, born: date, n: int) -> str:
    token = ok(http.post(f"{api}/auth/wechat-login", json={"code": f"crowd-{run}-{n}"}), 200)["access_token"]
    gender = "male" if n % 2 else "female"
    body = {
        "org_id": org_id,
        "name": f"{'张' if gender == 'male' else '李'}众{n}",
        "gender": gender,
        "id_number": make_id_number("141002", born, n, gender),
        "mobile": f"136{n:08d}",
        "employer": "临汾市某物流公司",
        "worker_type": "courier",
        "consent": True,
        "consent_version": "2026-01",
    }
    auth = {"Authorization": f"Bearer {token}"}
    applied = ok(http.post(f"{api}/membership/applications", json=body, headers=auth), 201)
    ok(
        http.post(
            f"{api}/staff/membership/applications/{applied['id']}/transition",
            json={"action": "approve"},
            headers={"Authorization": f"Bearer {staff}"},
        ),
        200,
    )
    return token


def main(argv=None) -> int:
    args = parse_args(argv)
    api = f"{args.base}/api/v1"
    http = requests.Session()
    login = {"username": "demo_city", "password": DEMO_PASSWORD}
    staff_token = ok(http.post(f"{api}/staff/login", json=login), 200)["access_token"]
    org_id = ok(http.get(f"{api}/orgs", params={"q": "解放路街道建筑业"}), 200)[0]["id"]
    run = uuid.uuid4().hex[:6]
    born = date(1990, 1, 1) + timedelta(days=random.randrange(3650))  # one birthday per run

    started = time.monotonic()
    local = threading.local()

    def prepare(n: int) -> str:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        return join(local.http, api, staff_token, org_id, run, born, n)

    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(prepare, range(1, args.people + 1)))
    print(f"{len(tokens)} members joined in {time.monotonic() - started:.1f} s; all sign up at once …")
    member = {"Authorization": f"Bearer {tokens[0]}"}
    listed = ok(http.get(f"{api}/events", params={"page_size": 100}, headers=member), 200)
    event = next(e for e in listed if EVENT_WORD in e["title"])

    barrier = threading.Barrier(len(tokens))
    answers: list[tuple[str, float]] = []

    def sign_up(token: str) -> None:
        barrier.wait()
        began = time.monotonic()
        try:
            response = requests.post(
                f"{api}/events/{event['id']}/signups",
                json={"single_declared": True, "declaration_version": "2026-01"},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
                timeout=args.timeout,
            )
            answers.append((str(response.status_code), time.monotonic() - began))
        except requests.RequestException as exc:
            answers.append((f"no answer ({type(exc).__name__})", time.monotonic() - began))

    threads = [threading.Thread(target=sign_up, args=(t,)) for t in tokens]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - began
    counts = Counter(status for status, _ in answers)
    slowest = max(seconds for _, seconds in answers)
    five_xx = sum(n for status, n in counts.items() if status.startswith("5"))
    unanswered = sum(n for status, n in counts.items() if status.startswith("no answer"))
    print(f"{len(answers)} sign-ups in {took:.1f} s (slowest answer {slowest:.1f} s):")
    print("  answers:", dict(sorted(counts.items())))
    print(f"5xx: {five_xx}, unanswered: {unanswered}")
    return 1 if five_xx or unanswered else 0


if __name__ == "__main__":
    raise SystemExit(main())
