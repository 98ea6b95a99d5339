"""The day-before reminder: a periodic RQ job, each booking reminded exactly once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.jobs.legal import send_legal_reminders
from backend.jobs.queues import DEFAULT, enqueue
from backend.jobs.schedule import PERIODIC_JOBS
from backend.legal.models import LegalBooking
from backend.notify.models import Notification
from tests.factories import auth
from tests.legal.conftest import T0, booking_payload, local
from tests.notify.conftest import work

TODAY = T0.date()
WEDNESDAY, THURSDAY = TODAY + timedelta(days=1), TODAY + timedelta(days=2)


def reminders() -> list[Notification]:
    db.session.rollback()
    stmt = select(Notification).where(Notification.kind == "legal.reminder").order_by(Notification.id)
    return list(db.session.scalars(stmt))


def book(client, token, slot_id) -> int:
    response = client.post("/api/v1/legal-aid/bookings", json=booking_payload(slot_id), headers=auth(token))
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_the_reminder_is_a_periodic_job_with_a_stable_name():
    jobs = {job.name: job for job in PERIODIC_JOBS}
    assert jobs["legal.send-reminders"].func is send_legal_reminders
    assert jobs["legal.send-reminders"].interval == 900
    assert "legal.extend-slots" in jobs


def test_each_booking_is_reminded_once_the_day_before_however_often_the_job_runs(
    factory, client, network, clock
):
    token = factory.member(network.tree, "forgetful")
    nine = book(client, token, network.slot_at(local(WEDNESDAY, 9)).id)
    ten = book(client, token, network.slot_at(local(WEDNESDAY, 10)).id)
    assert send_legal_reminders() == 0  # more than a day ahead

    clock.move_to(local(TODAY, 9, 5))
    assert send_legal_reminders() == 1
    assert send_legal_reminders() == 0
    sent = reminders()
    assert len(sent) == 1
    assert sent[0].title == "明天有您的法律咨询"
    assert "2026年12月02日 09:00" in sent[0].body and "甲区职工维权中心" in sent[0].body
    assert sent[0].values["time2"] == "2026年12月02日 09:00"

    clock.move_to(local(TODAY, 10, 5))
    assert send_legal_reminders() == 1
    assert send_legal_reminders() == 0
    db.session.rollback()
    reminded = {b.id: b.reminded_at for b in db.session.scalars(select(LegalBooking))}
    assert reminded[nine] == local(TODAY, 9, 5) and reminded[ten] == local(TODAY, 10, 5)
    assert [n.body.count("09:00") + n.body.count("10:00") for n in reminders()] == [1, 1]


def test_a_real_worker_running_the_job_twice_sends_one_reminder(factory, client, network, clock, queue_redis):
    token = factory.member(network.tree, "worker-run")
    book(client, token, network.slot_at(local(WEDNESDAY, 11)).id)
    work(queue_redis)  # deliver the booking confirmation first
    clock.move_to(local(TODAY, 11, 30))
    enqueue(queue_redis, DEFAULT, send_legal_reminders)
    enqueue(queue_redis, DEFAULT, send_legal_reminders)
    work(queue_redis)
    assert len(reminders()) == 1


def test_a_booking_made_inside_the_last_day_gets_no_reminder(factory, client, network, clock):
    clock.move_to(local(TODAY, 9, 30))
    token = factory.member(network.tree, "last-minute")
    book(client, token, network.slot_at(local(WEDNESDAY, 9)).id)  # 23½ hours ahead: just confirmed
    assert send_legal_reminders() == 0
    clock.move_to(local(TODAY, 20))
    assert send_legal_reminders() == 0
    assert reminders() == []


def test_a_moved_booking_is_reminded_again_for_its_new_time(factory, client, network, clock):
    factory.member(network.tree, "moves")
    booking_id = book(client, factory.worker_token("moves"), network.slot_at(local(WEDNESDAY, 9)).id)
    clock.move_to(local(TODAY, 9, 30))
    assert send_legal_reminders() == 1
    moved = client.post(
        f"/api/v1/legal-aid/bookings/{booking_id}/reschedule",
        json={"slot_id": network.slot_at(local(THURSDAY, 10)).id},
        headers=auth(factory.worker_token("moves")),
    )
    assert moved.status_code == 200, moved.json
    assert send_legal_reminders() == 0
    clock.move_to(local(WEDNESDAY, 10))
    assert send_legal_reminders() == 1
    assert [("09:00" in n.body, "10:00" in n.body) for n in reminders()] == [(True, False), (False, True)]


def test_cancelled_bookings_are_not_reminded(factory, client, network, clock):
    token = factory.member(network.tree, "cancelled")
    booking_id = book(client, token, network.slot_at(local(WEDNESDAY, 9)).id)
    assert (
        client.post(f"/api/v1/legal-aid/bookings/{booking_id}/cancel", headers=auth(token)).status_code == 200
    )
    clock.move_to(local(TODAY, 9, 30))
    assert send_legal_reminders() == 0
