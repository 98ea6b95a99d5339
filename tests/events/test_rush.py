"""The rush (DESIGN §8): a thousand members at once on a 100-seat event with a 50/50 gender quota, over
real HTTP — gunicorn with several worker processes on the configured database — and a member who taps
"报名" many times at once."""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import requests

from backend.extensions import db
from scripts.bench import harness
from tests.events import Person, add_members, event_row, publish_event, signup_body, signups, staff_token

CLIENT_THREADS = 32


def rush_size() -> tuple[int, int]:
    """(members, seats): 1,000 on 100 on MariaDB. SQLite has one writer, and in embedded mode every
    sign-up also runs its notification and participation jobs inline (three more commits each), so a
    thousand would take most of a minute there: the same race at three tenths of the size, 300 on 30."""
    return (1000, 100) if db.engine.dialect.name in ("mysql", "mariadb") else (300, 30)


@pytest.fixture(scope="module")
def server(app, settings):
    """gunicorn, four sync workers, on the test database (and the test Redis when there is one). The
    app is loaded once before the fork (it opens no connection while loading), so the workers boot in
    a second instead of importing it four times over on a small machine."""
    env = harness.clean_env(
        GUNICORN_CMD_ARGS="--preload",
        APP_ENV="test",
        DATABASE_URL=settings.database_url,
        WECHAT_API_BASE=settings.wechat_api_base,
        LOGIN_RATE_LIMIT=settings.login_rate_limit,
    )
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    with harness.gunicorn(harness.BACKEND_APP, env=env, workers=4) as url:
        yield url


def rush(server: str, event_id: int, people: list[Person]) -> list[tuple[Person, int, dict]]:
    """Every person signs up once, from a pool of client threads; (person, status, body) each."""
    local = threading.local()

    def one(who: Person) -> tuple[Person, int, dict]:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        answer = local.http.post(
            f"{server}/api/v1/events/{event_id}/signups",
            json=signup_body(),
            headers={**who.headers, "Idempotency-Key": str(uuid.uuid4())},
            timeout=120,
        )
        return who, answer.status_code, answer.json()

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        return list(pool.map(one, people))


def test_a_thousand_members_rushing_a_hundred_seats_get_fifty_fifty_and_a_fifo_waitlist(factory, server):
    tree = factory.org_tree()
    clients, seats = rush_size()
    half, waitlist = seats // 2, clients - seats
    staff = staff_token(tree, "t_city")
    event = publish_event(
        factory.client, staff, capacity=seats, male_quota=half, female_quota=half, min_age=None, max_age=None
    )
    born = [date(1988, 1, 1) + timedelta(days=i) for i in range(clients)]
    people = add_members(tree.union_a1, [("male" if i % 2 else "female", day) for i, day in enumerate(born)])
    random.Random(2026).shuffle(people)

    results = rush(server, event["id"], people)

    assert Counter(status for _, status, _ in results) == {201: clients}
    rows = signups(event["id"])
    seated = [s for s in rows if s.status == "seated"]
    waiting = [s for s in rows if s.status == "waitlisted"]
    assert len(rows) == clients and len(seated) == seats
    assert Counter(s.gender for s in seated) == {"male": half, "female": half}
    # First come, first served: a sign-up's row is written while it holds the event's lock, so ids follow
    # the order sign-ups were served. The waitlist runs in that order without a gap, and within each
    # gender every seat went to someone served before everyone of that gender who waits.
    assert [s.waitlist_position for s in waiting] == list(range(1, waitlist + 1))
    for gender in ("male", "female"):
        assert max(s.id for s in seated if s.gender == gender) < min(
            s.id for s in waiting if s.gender == gender
        )
    # Every client was told what the database holds.
    held = {s.member_id: (s.status, s.waitlist_position) for s in rows}
    assert all((body["status"], body["waitlist_position"]) == held[who.member_id] for who, _, body in results)
    counters = event_row(event["id"])
    assert (counters.seated, counters.seated_male, counters.seated_female) == (seats, half, half)
    assert counters.waitlist_seq == waitlist

    # One woman leaves: the earliest waiting woman takes her seat, nobody else moves.
    leaving = next(p for p in people if held[p.member_id][0] == "seated" and p.gender == "female")
    first_woman = next(s.member_id for s in waiting if s.gender == "female")  # waiting is in position order
    cancelled = requests.post(
        f"{server}/api/v1/events/{event['id']}/signups/cancel", headers=leaving.headers, timeout=30
    )
    assert cancelled.status_code == 200, cancelled.text
    after = {s.member_id: s.status for s in signups(event["id"])}
    changed = {m for m, status in after.items() if status != held[m][0]}
    assert changed == {leaving.member_id, first_woman}
    assert after[first_woman] == "seated"


def test_a_member_tapping_sign_up_many_times_at_once_gets_one_place(factory, server):
    tree = factory.org_tree()
    event = publish_event(factory.client, staff_token(tree, "t_county_a"))
    (he,) = add_members(tree.union_a1, [("male", date(1995, 5, 5))])

    results = rush(server, event["id"], [he] * 12)

    assert sorted(status for _, status, _ in results) == [201] + [409] * 11
    assert {body["code"] for _, status, body in results if status == 409} == {"already_signed_up"}
    assert len(signups(event["id"])) == 1
    assert event_row(event["id"]).seated == 1


def test_one_sign_up_sent_many_times_at_once_with_one_key_answers_every_time_with_the_first(factory, server):
    tree = factory.org_tree()
    event = publish_event(factory.client, staff_token(tree, "t_county_a"))
    (she,) = add_members(tree.union_a1, [("female", date(1994, 4, 4))])
    headers = {**she.headers, "Idempotency-Key": str(uuid.uuid4())}

    def one(_: int) -> requests.Response:
        return requests.post(
            f"{server}/api/v1/events/{event['id']}/signups", json=signup_body(), headers=headers, timeout=120
        )

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(one, range(12)))

    assert [a.status_code for a in answers] == [201] * 12
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 11
    assert len(signups(event["id"])) == 1
    assert event_row(event["id"]).seated == 1
