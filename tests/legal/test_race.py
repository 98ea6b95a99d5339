"""A slot is never double-booked, whatever the concurrency: many clients over real HTTP (gunicorn, the
configured database) rush one slot; exactly one gets it, every other gets a clean 409."""

from __future__ import annotations

import collections
import threading

import requests
from sqlalchemy import func, select

from backend.extensions import db
from backend.legal.models import LegalBooking, LegalSlot
from tests.factories import auth
from tests.legal.conftest import booking_payload, build_network, bulk_members

CLIENTS = 300


def rush(url: str, tokens: list[str], body_for) -> list[tuple[int, dict]]:
    """Every token posts at the same moment (a barrier), each on its own connection."""
    barrier = threading.Barrier(len(tokens))
    results: list[tuple[int, dict]] = [(0, {})] * len(tokens)

    def one(i: int) -> None:
        with requests.Session() as http:
            barrier.wait()
            try:
                response = http.post(url, json=body_for(i), headers=auth(tokens[i]), timeout=120)
                results[i] = (response.status_code, response.json())
            except requests.RequestException as exc:
                results[i] = (-1, {"error": str(exc)})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def test_300_clients_on_one_slot_make_exactly_one_booking(factory, client, threaded_server):
    network = build_network(factory, client)
    tokens = bulk_members(network.tree.union_a1, CLIENTS)
    slot_id = network.free_slots(client)[0]["id"]

    results = rush(f"{threaded_server}/api/v1/legal-aid/bookings", tokens, lambda i: booking_payload(slot_id))

    statuses = collections.Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: CLIENTS - 1}, statuses
    losers = [body for status, body in results if status == 409]
    assert {body["code"] for body in losers} == {"slot_taken"}
    assert {body["message"] for body in losers} == {"手慢了，该时段已被其他职工预约，请选择其他时段"}
    winner = next(body for status, body in results if status == 201)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LegalBooking)) == 1
    assert db.session.get(LegalSlot, slot_id).booking_id == winner["id"]


def test_many_clients_on_a_few_slots_fill_each_exactly_once(factory, client, threaded_server):
    network = build_network(factory, client)
    tokens = bulk_members(network.tree.union_a1, 120)
    slots = [s["id"] for s in network.free_slots(client)[:6]]

    results = rush(
        f"{threaded_server}/api/v1/legal-aid/bookings",
        tokens,
        lambda i: booking_payload(slots[i % len(slots)]),
    )

    statuses = collections.Counter(status for status, _ in results)
    assert statuses == {201: len(slots), 409: len(tokens) - len(slots)}, statuses
    db.session.rollback()
    held = db.session.execute(select(LegalSlot.id, LegalSlot.booking_id).where(LegalSlot.id.in_(slots))).all()
    bookings = {b.id: b.slot_id for b in db.session.scalars(select(LegalBooking))}
    assert len(bookings) == len(slots)
    assert {slot_id: bookings[booking_id] for slot_id, booking_id in held} == {s: s for s in slots}


def test_one_members_concurrent_bookings_never_exceed_the_limit(factory, client, threaded_server):
    network = build_network(factory, client)
    token = bulk_members(network.tree.union_a1, 1)[0]
    slots = [s["id"] for s in network.free_slots(client)][:10]
    assert len(slots) == 10

    results = rush(
        f"{threaded_server}/api/v1/legal-aid/bookings", [token] * 10, lambda i: booking_payload(slots[i])
    )

    statuses = collections.Counter(status for status, _ in results)
    assert statuses == {201: 2, 409: 8}, statuses
    assert {body["code"] for status, body in results if status == 409} == {"too_many_bookings"}


def test_a_reschedule_racing_new_bookings_for_a_slot_leaves_every_slot_with_one_holder(
    factory, client, threaded_server
):
    network = build_network(factory, client)
    tokens = bulk_members(network.tree.union_a1, 40)
    first, target = (s["id"] for s in network.free_slots(client)[:2])
    mover = tokens[0]
    held = client.post("/api/v1/legal-aid/bookings", json=booking_payload(first), headers=auth(mover))
    assert held.status_code == 201
    booking_id = held.json["id"]
    api = f"{threaded_server}/api/v1/legal-aid/bookings"
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = [0] * len(tokens)

    def one(i: int) -> None:
        with requests.Session() as http:
            barrier.wait()
            if i == 0:
                url, body = f"{api}/{booking_id}/reschedule", {"slot_id": target}
            else:
                url, body = api, booking_payload(target)
            statuses[i] = http.post(url, json=body, headers=auth(tokens[i]), timeout=120).status_code

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert collections.Counter(statuses) == {200 if statuses[0] == 200 else 201: 1, 409: len(tokens) - 1}
    db.session.rollback()
    holder = db.session.get(LegalSlot, target).booking_id
    moved = db.session.get(LegalBooking, booking_id)
    if statuses[0] == 200:  # the reschedule won: it holds the target and gave its first slot back
        assert holder == booking_id and moved.slot_id == target
        assert db.session.get(LegalSlot, first).booking_id is None
    else:
        assert holder != booking_id and db.session.get(LegalBooking, holder).slot_id == target
        assert db.session.get(LegalSlot, first).booking_id == booking_id and moved.slot_id == first
