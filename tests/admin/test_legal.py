"""法律援助 in the panel: the lawyer's schedule and upcoming consultations, the outcome recorded from
the booking page (only by the lawyer who holds it), the phone revealed to that lawyer, audited."""

from __future__ import annotations

import re

import pytest
import time_machine
from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.legal.models import LegalBooking
from tests.admin.conftest import flashes
from tests.factories import auth
from tests.legal.conftest import T0, booking_payload, build_network, local


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_the_lawyer_sees_the_schedule_and_records_the_outcome(factory, client, panel, clock):
    network = build_network(factory, client)
    member = factory.member(network.tree, "legal-panel-member")
    nine = network.slot_at(local(T0.date(), 9))
    booked = client.post("/api/v1/legal-aid/bookings", json=booking_payload(nine.id), headers=auth(member))
    assert booked.status_code == 201, booked.json
    booking_id = booked.json["id"]

    lawyer = panel("t_lawyer")
    schedule = lawyer.text("/admin/legal/schedule")
    assert "甲区职工维权中心" in schedule and "星期一 09:00–12:00" in schedule
    assert f"/admin/legal/{booking_id}" in schedule

    page = lawyer.text(f"/admin/legal/{booking_id}")
    assert sorted(re.findall(r'data-action="(\w+)"', page)) == ["complete", "no_show", "staff_cancel"]
    admin_page = panel("t_county_a").text(f"/admin/legal/{booking_id}")
    assert re.findall(r'data-action="(\w+)"', admin_page) == ["staff_cancel"]  # not in the room

    early = lawyer.post(
        f"/admin/legal/{booking_id}/act", {"action": "complete", "outcome": "advice"}, follow=True
    )
    assert any("咨询尚未开始" in m for m in flashes(early.get_data(as_text=True)))
    clock.move_to(local(T0.date(), 9, 30))
    no_outcome = lawyer.post(f"/admin/legal/{booking_id}/act", {"action": "complete"}, follow=True)
    assert any("请选择咨询结果" in m for m in flashes(no_outcome.get_data(as_text=True)))
    done = lawyer.post(
        f"/admin/legal/{booking_id}/act",
        {"action": "complete", "outcome": "referred", "note": "已指导申请劳动仲裁"},
        follow=True,
    )
    assert "已办理：记录咨询结果" in flashes(done.get_data(as_text=True))
    booking = db.session.get(LegalBooking, booking_id)
    assert (booking.status, booking.outcome, booking.outcome_note) == (
        "completed",
        "referred",
        "已指导申请劳动仲裁",
    )

    shown = lawyer.post(f"/admin/legal/{booking_id}/reveal")
    assert shown.status_code == 200 and "完整信息" in shown.get_data(as_text=True)
    [entry] = db.session.scalars(select(AuditLog).where(AuditLog.action == "pii.reveal")).all()
    assert (entry.target_type, entry.target_id) == ("legal_booking", booking_id)
    assert panel("t_county_b").get(f"/admin/legal/{booking_id}").status_code == 404
