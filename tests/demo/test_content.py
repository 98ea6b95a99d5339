"""Demo content (演示内容): what `flask seed-demo` puts in front of a worker on day one."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.competitions.models import Competition
from backend.demo.content import CENTER_NAME, EVENT_TITLE, INNOVATION_TITLE, SKILL_TITLE, seed_demo_content
from backend.demo.tree import seed_demo
from backend.events.models import Event
from backend.extensions import db
from backend.legal.models import LegalCenter


def _seed():
    seed_demo(db.session)
    content = seed_demo_content(db.session)
    db.session.commit()
    return content


def test_demo_content_is_added_once_and_a_second_run_adds_nothing(app):
    first = _seed()
    assert first.added == [CENTER_NAME, EVENT_TITLE, SKILL_TITLE, INNOVATION_TITLE]
    assert _seed().added == []
    assert db.session.scalar(select(func.count()).select_from(LegalCenter)) == 1
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    assert db.session.scalar(select(func.count()).select_from(Competition)) == 2


def test_a_worker_finds_the_demo_centre_with_bookable_slots(app, client):
    _seed()
    centers = client.get("/api/v1/legal-aid/centers")
    assert centers.status_code == 200
    (center,) = [c for c in centers.json if c["name"] == CENTER_NAME]
    slots = client.get("/api/v1/legal-aid/slots", query_string={"center_id": center["id"]})
    assert slots.status_code == 200
    assert len(slots.json) > 0


def test_the_demo_event_and_contests_are_open(app):
    _seed()
    event = db.session.scalars(select(Event).where(Event.title == EVENT_TITLE)).one()
    assert event.status == "published" and event.capacity == 40
    statuses = set(db.session.scalars(select(Competition.status)))
    assert statuses == {"open"}
