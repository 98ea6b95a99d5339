"""联谊活动 in the panel: a county creates an event (bad input answered per field in Chinese), edits
and publishes it, reads the roster with the waitlist in order, checks a member in from it, cancels a
seat on a member's behalf (the next person waiting moves up) and exports the roster."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.common.types import utcnow
from backend.events.models import Event
from backend.extensions import db
from tests.admin.conftest import flashes
from tests.events import add_members, sign_up, signups


def _local(moment) -> str:
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")  # Beijing time, as the form sends it


def _form(**overrides) -> dict:
    now = utcnow()
    form = {
        "title": "“金秋有约”单身职工联谊会",
        "place": "甲区职工之家二楼",
        "description": "破冰游戏、自由交流",
        "starts_at": _local(now + timedelta(hours=2)),
        "ends_at": _local(now + timedelta(hours=5)),
        "signup_opens_at": _local(now - timedelta(minutes=5)),
        "signup_closes_at": _local(now + timedelta(hours=1)),
        "capacity": "2",
        "male_quota": "1",
        "female_quota": "1",
        "min_age": "22",
        "max_age": "40",
    }
    form.update(overrides)
    return form


def test_an_event_is_created_published_and_run_from_its_roster(factory, panel):
    tree = factory.org_tree()
    county = panel("t_county_a")
    assert "新建联谊活动" in county.text("/admin/event/")

    bad = county.post("/admin/events/new", _form(capacity="很多", ends_at="", male_quota="3"))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert html.count('class="error-text" role="alert"') >= 2 and "活动人数" in html
    assert "match the requested format" not in html and not db.session.scalars(select(Event)).all()

    created = county.post("/admin/events/new", _form())
    assert created.status_code == 303, created.get_data(as_text=True)
    event = db.session.scalars(select(Event)).one()
    event_id = event.id
    edited = county.post(f"/admin/events/{event_id}/edit", _form(place="甲区职工之家三楼"), follow=True)
    assert "活动已修改" in flashes(edited.get_data(as_text=True))
    published = county.post(f"/admin/event/{event_id}/act", {"action": "publish"}, follow=True)
    assert "已办理：发布" in flashes(published.get_data(as_text=True))

    first, second = add_members(tree.union_a1, [("male", date(1993, 3, 3))] * 2)
    (she,) = add_members(tree.union_a2, [("female", date(1996, 6, 6))])
    for who in (first, second, she):
        assert sign_up(factory.client, who, event_id).status_code == 201
    roster = county.text(f"/admin/events/{event_id}/roster")
    body = roster.split('id="roster"')[1]
    assert body.index("报名成功") < body.index("候补中")  # seated first, then the waitlist in order

    by_member = {s.member_id: s.id for s in signups(event_id)}
    checked = county.post(
        f"/admin/events/{event_id}/roster/{by_member[she.member_id]}/check-in", follow=True
    ).get_data(as_text=True)
    assert any("签到成功" in m for m in flashes(checked))
    cancelled = county.post(
        f"/admin/events/{event_id}/roster/{by_member[first.member_id]}/cancel", follow=True
    ).get_data(as_text=True)
    assert any("已代为取消" in m for m in flashes(cancelled))
    states = {s.member_id: s.status for s in signups(event_id)}
    assert states == {first.member_id: "cancelled", second.member_id: "seated", she.member_id: "seated"}
    refused = county.post(f"/admin/events/{event_id}/roster/{by_member[she.member_id]}/cancel", follow=True)
    assert any("已签到" in m for m in flashes(refused.get_data(as_text=True)))
    actions = {a.action for a in db.session.scalars(select(AuditLog))}
    assert {"event.create", "event.update", "event.check_in", "event.cancel_signup"} <= actions

    exported = county.get(f"/admin/events/{event_id}/roster.csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "姓名", "昵称"] and len(rows) == 4
    assert she.mobile not in exported.data.decode("utf-8-sig")
    assert panel("t_county_b").get(f"/admin/events/{event_id}/roster").status_code == 404
