"""法援 network in the panel: a county sets up a township station, registers a lawyer, gives them a
weekly schedule (slots appear), closes one slot and then the rest of that day."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from backend.admin.filters import SHANGHAI
from backend.common.types import utcnow
from backend.extensions import db
from backend.legal.models import LegalCenter, LegalSlot
from tests.admin.conftest import flashes


def test_a_county_runs_its_legal_aid_network_in_the_panel(factory, panel):
    tree = factory.org_tree()
    county = panel("t_county_a")
    made = county.post(
        "/admin/legal/centers",
        {"org_id": tree.town_a.id, "name": "甲区东街道职工法律服务站", "address": "东街道12号"},
        follow=True,
    )
    assert any(
        "已设立 甲区东街道职工法律服务站（乡镇（街道）工作站）" in m
        for m in flashes(made.get_data(as_text=True))
    )
    center = db.session.scalars(select(LegalCenter)).one()
    center_id = center.id
    assert panel("t_county_b").get(f"/admin/legal/centers/{center_id}").status_code == 404
    assert "甲区东街道职工法律服务站" in county.text("/admin/legal/network")

    lawyer = tree.staff["t_lawyer"].id
    page = county.text(f"/admin/legal/centers/{center_id}")
    assert f'<option value="{lawyer}">' in page
    registered = county.post(
        f"/admin/legal/centers/{center_id}/lawyers",
        {"staff_id": lawyer, "title": "某律师事务所 律师"},
        follow=True,
    )
    assert "律师已登记到本中心" in flashes(registered.get_data(as_text=True))
    lawyer_id = int(
        re.search(r'data-lawyer="(\d+)"', county.text(f"/admin/legal/centers/{center_id}")).group(1)
    )

    day = (utcnow() + timedelta(days=2)).astimezone(SHANGHAI).date()
    bad = county.post(
        f"/admin/legal/lawyers/{lawyer_id}/schedules",
        {
            "weekday": day.weekday(),
            "start_time": "11:00",
            "end_time": "09:00",
            "slot_minutes": "30",
            "modes": "in_person",
        },
        follow=True,
    )
    assert [m for m in flashes(bad.get_data(as_text=True)) if "时间" in m], flashes(
        bad.get_data(as_text=True)
    )
    added = county.post(
        f"/admin/legal/lawyers/{lawyer_id}/schedules",
        {
            "weekday": day.weekday(),
            "start_time": "09:00",
            "end_time": "11:00",
            "slot_minutes": "30",
            "modes": "in_person",
        },
        follow=True,
    )
    assert any("已新增每周排班" in m for m in flashes(added.get_data(as_text=True)))
    slots = county.text(f"/admin/legal/centers/{center_id}?date={day.isoformat()}")
    assert slots.count("可预约") == 4

    first = db.session.scalars(select(LegalSlot).order_by(LegalSlot.starts_at)).first()
    closed = county.post(f"/admin/legal/slots/{first.id}/close", {"date": day.isoformat()}, follow=True)
    assert "该时段已关闭" in flashes(closed.get_data(as_text=True))
    rest = county.post(f"/admin/legal/centers/{center_id}/close-day", {"date": day.isoformat()}, follow=True)
    assert any(f"{day.isoformat()} 已关闭 3 个空闲时段" in m for m in flashes(rest.get_data(as_text=True)))
    db.session.rollback()
    assert all(
        s.closed_at
        for s in db.session.scalars(select(LegalSlot))
        if s.starts_at.astimezone(SHANGHAI).date() == day
    )
