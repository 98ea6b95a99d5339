"""The legal-aid network as staff run it: centres, lawyers, weekly schedules → slots, and who may see
what (subtree scoping for admins, own bookings only for lawyers)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.legal.models import Lawyer, LegalSlot
from backend.legal.slots import sync_lawyer_slots
from backend.staff.models import Staff
from backend.staff.passwords import hash_password
from tests.factories import PASSWORD, auth
from tests.legal.conftest import STAFF_API, T0, booking_payload, local

TOMORROW = T0.date() + timedelta(days=1)


def slot_count(**where) -> int:
    db.session.rollback()
    stmt = select(func.count()).select_from(LegalSlot)
    for name, value in where.items():
        column = getattr(LegalSlot, name.removesuffix("__isnull"))
        stmt = stmt.where(column.is_(None) if name.endswith("__isnull") and value else column == value)
    return db.session.scalar(stmt)


def add_lawyer_account(org_id: int, username: str) -> int:
    staff = Staff(
        username=username, password_hash=hash_password(PASSWORD), name=username, role="lawyer", org_id=org_id
    )
    db.session.add(staff)
    db.session.commit()
    staff_id = staff.id
    db.session.expunge_all()
    return staff_id


def test_a_schedule_in_local_time_becomes_utc_slots_for_the_coming_weeks(client, network):
    db.session.rollback()
    first = db.session.scalars(select(LegalSlot).order_by(LegalSlot.starts_at)).first()
    assert first.starts_at.isoformat() == "2026-12-01T01:00:00+00:00"  # 09:00 in Shanghai
    assert first.ends_at - first.starts_at == timedelta(hours=1)
    assert slot_count() == 4 * 7 * 3  # four weeks, every day, 09:00 / 10:00 / 11:00
    last = db.session.scalars(select(LegalSlot).order_by(LegalSlot.starts_at.desc())).first()
    assert last.starts_at == local(T0.date() + timedelta(days=27), 11)
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("legal.%"))))
    assert actions == {"legal.center.create", "legal.lawyer.add", "legal.schedule.add"}


def test_generation_is_idempotent_and_rolls_the_window_on(client, network, clock):
    db.session.rollback()
    lawyer = db.session.get(Lawyer, network.lawyer_id)
    assert sync_lawyer_slots(lawyer).created == 0
    assert slot_count() == 84
    clock.move_to(T0 + timedelta(days=2))
    from backend.jobs.legal import extend_legal_slots

    assert extend_legal_slots() == 6  # two more days at the far end
    assert extend_legal_slots() == 0
    assert slot_count() == 90


def test_changing_a_schedule_moves_free_slots_but_never_a_booked_one(factory, client, network):
    token = factory.member(network.tree, "keeps-her-slot")
    ten = network.slot_at(local(TOMORROW, 10))
    booked = client.post("/api/v1/legal-aid/bookings", json=booking_payload(ten.id), headers=auth(token))
    assert booked.status_code == 201
    schedules = client.get(f"{STAFF_API}/lawyers/{network.lawyer_id}/schedules", headers=auth(network.admin))
    wednesday = next(s for s in schedules.json if s["weekday"] == TOMORROW.weekday())
    assert wednesday["weekday_label"] == "周三" and wednesday["start_time"] == "09:00"
    changed = client.put(
        f"{STAFF_API}/schedules/{wednesday['id']}",
        json={
            "weekday": 2,
            "start_time": "14:00",
            "end_time": "17:00",
            "slot_minutes": 90,
            "modes": ["video"],
        },
        headers=auth(network.admin),
    )
    assert changed.status_code == 200, changed.json
    free = [s["starts_at"] for s in network.free_slots(client, TOMORROW)]
    assert free == ["2026-12-02T14:00:00+08:00", "2026-12-02T15:30:00+08:00"]
    assert network.slot_at(local(TOMORROW, 10)).booking_id == booked.json["id"]  # untouched
    assert network.slot_at(local(TOMORROW, 9)).closed_at is not None

    # back to the morning: the closed slots reopen instead of being duplicated
    back = client.put(
        f"{STAFF_API}/schedules/{wednesday['id']}",
        json={
            "weekday": 2,
            "start_time": "09:00",
            "end_time": "12:00",
            "slot_minutes": 60,
            "modes": ["phone"],
        },
        headers=auth(network.admin),
    )
    assert back.status_code == 200
    free = network.free_slots(client, TOMORROW)
    assert [s["starts_at"][11:16] for s in free] == ["09:00", "11:00"]
    assert free[0]["modes"] == ["phone"]

    removed = client.delete(f"{STAFF_API}/schedules/{wednesday['id']}", headers=auth(network.admin))
    assert removed.status_code == 200
    assert network.free_slots(client, TOMORROW) == []
    assert network.slot_at(local(TOMORROW, 10)).booking_id == booked.json["id"]


def test_schedules_are_checked_with_chinese_messages(client, network):
    url = f"{STAFF_API}/lawyers/{network.lawyer_id}/schedules"
    base = {"weekday": 0, "start_time": "11:30", "end_time": "13:00", "slot_minutes": 30, "modes": ["phone"]}
    overlap = client.post(url, json=base, headers=auth(network.admin))
    assert overlap.status_code == 422
    assert overlap.json["errors"]["start_time"] == ["与该律师周一 09:00–12:00 的排班时间重叠"]
    backwards = client.post(
        url, json={**base, "start_time": "15:00", "end_time": "14:00"}, headers=auth(network.admin)
    )
    assert backwards.json["errors"]["end_time"] == ["结束时间应晚于开始时间，且至少容纳一个完整时段"]
    too_short = client.post(
        url,
        json={**base, "start_time": "14:00", "end_time": "17:00", "slot_minutes": 5},
        headers=auth(network.admin),
    )
    assert too_short.json["errors"]["slot_minutes"] == ["每个时段应在 15 到 240 分钟之间"]
    nonsense = client.post(
        url, json={**base, "weekday": 7, "start_time": "9点", "modes": []}, headers=auth(network.admin)
    )
    assert nonsense.status_code == 422
    assert set(nonsense.json["errors"]) == {"weekday", "start_time", "modes"}
    assert nonsense.json["errors"]["modes"] == ["至少选择一种咨询方式"]
    afternoon = client.post(
        url, json={**base, "start_time": "14:00", "end_time": "17:00"}, headers=auth(network.admin)
    )
    assert afternoon.status_code == 201 and afternoon.json["modes"] == ["phone"]


def test_a_centre_takes_the_level_of_its_org_and_stays_in_the_subtree(factory, client, network):
    town_admin = factory.staff_token("t_town_a")
    station = client.post(
        f"{STAFF_API}/centers",
        json={"org_id": network.tree.town_a.id, "name": "东街道工作站", "address": "东街道社区服务中心"},
        headers=auth(town_admin),
    )
    assert station.status_code == 201 and station.json["level"] == "town_station"
    union_admin = factory.staff_token("t_union_a1")
    point = client.post(
        f"{STAFF_API}/centers",
        json={"org_id": network.tree.union_a1.id, "name": "建筑公司工作点", "address": "项目部"},
        headers=auth(union_admin),
    )
    assert point.status_code == 201 and point.json["level"] == "enterprise_point"
    above = client.post(
        f"{STAFF_API}/centers",
        json={"org_id": network.tree.county_a.id, "name": "越级", "address": "某处"},
        headers=auth(town_admin),
    )
    assert above.status_code == 422
    assert above.json["errors"]["org_id"] == ["所选组织不存在或不在您的管辖范围内"]
    mine = client.get(f"{STAFF_API}/centers", headers=auth(town_admin)).json
    assert {c["id"] for c in mine} == {station.json["id"], point.json["id"]}  # not the county's centre


def test_another_countys_admin_sees_none_of_it(factory, client, network):
    token = factory.member(network.tree, "scoped")
    slot = network.free_slots(client, TOMORROW)[0]
    booking = client.post("/api/v1/legal-aid/bookings", json=booking_payload(slot["id"]), headers=auth(token))
    other = factory.staff_token("t_county_b")
    booking_id, center_id, lawyer_id = booking.json["id"], network.center_id, network.lawyer_id
    for url in (
        f"{STAFF_API}/centers/{center_id}",
        f"{STAFF_API}/lawyers/{lawyer_id}",
        f"{STAFF_API}/lawyers/{lawyer_id}/schedules",
        f"{STAFF_API}/bookings/{booking_id}",
    ):
        assert client.get(url, headers=auth(other)).status_code == 404, url
    assert (
        client.patch(f"{STAFF_API}/centers/{center_id}", json={"name": "x"}, headers=auth(other)).status_code
        == 404
    )
    cancel = client.post(
        f"{STAFF_API}/bookings/{booking_id}/transition",
        json={"action": "staff_cancel", "note": "试图越权"},
        headers=auth(other),
    )
    assert cancel.status_code == 404
    assert client.post(f"{STAFF_API}/slots/{slot['id']}/close", headers=auth(other)).status_code == 404
    for url in (
        f"{STAFF_API}/bookings",
        f"{STAFF_API}/centers",
        f"{STAFF_API}/lawyers",
        f"{STAFF_API}/slots",
    ):
        assert client.get(url, headers=auth(other)).json == [], url
    city = factory.staff_token("t_city")
    assert [b["id"] for b in client.get(f"{STAFF_API}/bookings", headers=auth(city)).json] == [booking_id]


def test_a_lawyer_sees_only_their_own_bookings(factory, client, network):
    second_id = add_lawyer_account(network.tree.county_a.id, "t_lawyer_2")
    added = client.post(
        f"{STAFF_API}/lawyers",
        json={"staff_id": second_id, "center_id": network.center_id, "specialties": ["社会保险"]},
        headers=auth(network.admin),
    )
    assert added.status_code == 201, added.json
    client.post(
        f"{STAFF_API}/lawyers/{added.json['id']}/schedules",
        json={
            "weekday": 2,
            "start_time": "14:00",
            "end_time": "15:00",
            "slot_minutes": 60,
            "modes": ["phone"],
        },
        headers=auth(network.admin),
    )
    token_a, token_b = factory.member(network.tree, "client-a"), factory.member(network.tree, "client-b")
    slots = network.free_slots(client, TOMORROW)
    mine = next(s for s in slots if s["lawyer"]["id"] == network.lawyer_id)
    theirs = next(s for s in slots if s["lawyer"]["id"] == added.json["id"])
    booked_a = client.post(
        "/api/v1/legal-aid/bookings", json=booking_payload(mine["id"]), headers=auth(token_a)
    )
    booked_b = client.post(
        "/api/v1/legal-aid/bookings", json=booking_payload(theirs["id"], mode="phone"), headers=auth(token_b)
    )
    assert booked_a.status_code == booked_b.status_code == 201

    own = client.get(f"{STAFF_API}/bookings", headers=auth(network.lawyer))
    assert [b["id"] for b in own.json] == [booked_a.json["id"]]
    assert own.json[0]["member"]["mobile"].count("*") == 4  # masked
    assert own.json[0]["allowed_actions"] == ["staff_cancel", "complete", "no_show"]
    other = client.get(f"{STAFF_API}/bookings/{booked_b.json['id']}", headers=auth(network.lawyer))
    assert other.status_code == 404
    assert {
        s["lawyer"]["id"] for s in client.get(f"{STAFF_API}/slots", headers=auth(network.lawyer)).json
    } == {network.lawyer_id}
    # lawyers do not manage the network
    assert client.get(f"{STAFF_API}/centers", headers=auth(network.lawyer)).status_code == 403
    assert client.get(f"{STAFF_API}/lawyers", headers=auth(network.lawyer)).status_code == 403
    # the admin sees both, and a lawyer cannot be registered twice
    admin_view = client.get(f"{STAFF_API}/bookings", headers=auth(network.admin)).json
    assert {b["id"] for b in admin_view} == {booked_a.json["id"], booked_b.json["id"]}
    assert admin_view[0]["allowed_actions"] == ["staff_cancel"]
    again = client.post(
        f"{STAFF_API}/lawyers",
        json={"staff_id": second_id, "center_id": network.center_id},
        headers=auth(network.admin),
    )
    assert again.status_code == 409 and again.json["code"] == "lawyer_exists"
    not_a_lawyer = client.post(
        f"{STAFF_API}/lawyers",
        json={"staff_id": network.tree.staff["t_town_a"].id, "center_id": network.center_id},
        headers=auth(network.admin),
    )
    assert not_a_lawyer.status_code == 422 and "律师账号" in not_a_lawyer.json["errors"]["staff_id"][0]


def test_the_lawyers_contact_view_is_audited_and_refused_to_others(factory, client, network):
    token = factory.member(network.tree, "needs-a-call")
    slot = network.free_slots(client, TOMORROW)[0]
    booking = client.post(
        "/api/v1/legal-aid/bookings", json=booking_payload(slot["id"], mode="phone"), headers=auth(token)
    ).json
    contact = client.post(f"{STAFF_API}/bookings/{booking['id']}/contact", headers=auth(network.lawyer))
    assert (
        contact.status_code == 200 and len(contact.json["mobile"]) == 11 and "*" not in contact.json["mobile"]
    )
    db.session.rollback()
    reveals = db.session.scalars(select(AuditLog).where(AuditLog.action == "pii.reveal")).all()
    assert [(r.target_type, r.target_id) for r in reveals] == [("legal_booking", booking["id"])]
    union_admin = factory.staff_token("t_union_a1")  # no centre of theirs: the booking is not theirs to see
    assert (
        client.post(f"{STAFF_API}/bookings/{booking['id']}/contact", headers=auth(union_admin)).status_code
        == 404
    )


def test_closing_a_centre_or_a_lawyer_closes_their_free_slots(factory, client, network):
    paused = client.patch(
        f"{STAFF_API}/lawyers/{network.lawyer_id}", json={"active": False}, headers=auth(network.admin)
    )
    assert paused.status_code == 200 and paused.json["active"] is False
    assert network.free_slots(client, TOMORROW) == []
    back = client.patch(
        f"{STAFF_API}/lawyers/{network.lawyer_id}", json={"active": True}, headers=auth(network.admin)
    )
    assert back.status_code == 200 and len(network.free_slots(client, TOMORROW)) == 3
    closed = client.patch(
        f"{STAFF_API}/centers/{network.center_id}", json={"active": False}, headers=auth(network.admin)
    )
    assert closed.status_code == 200 and closed.json["active"] is False
    assert client.get("/api/v1/legal-aid/centers").json == []
    assert (
        client.get("/api/v1/legal-aid/slots", query_string={"center_id": network.center_id}).status_code
        == 404
    )
    assert slot_count(closed_at__isnull=True) == 0


def test_staff_close_a_single_free_slot_but_not_a_booked_one(factory, client, network):
    token = factory.member(network.tree, "holiday")
    nine, ten = network.slot_at(local(TOMORROW, 9)), network.slot_at(local(TOMORROW, 10))
    client.post("/api/v1/legal-aid/bookings", json=booking_payload(ten.id), headers=auth(token))
    closed = client.post(f"{STAFF_API}/slots/{nine.id}/close", headers=auth(network.lawyer))
    assert closed.status_code == 200 and closed.json["closed_at"] is not None
    refused = client.post(f"{STAFF_API}/slots/{ten.id}/close", headers=auth(network.admin))
    assert refused.status_code == 409 and refused.json["code"] == "slot_not_free"
    assert [s["starts_at"][11:16] for s in network.free_slots(client, TOMORROW)] == ["11:00"]
    # a closed-by-staff slot stays closed when the schedules are regenerated
    db.session.rollback()
    assert sync_lawyer_slots(db.session.get(Lawyer, network.lawyer_id)).reopened == 0
    db.session.commit()
    assert network.slot_at(local(TOMORROW, 9)).closed_at is not None


def test_workers_are_refused_by_every_staff_endpoint(factory, client, network):
    worker = factory.member(network.tree, "curious")
    for method, url in (
        ("get", f"{STAFF_API}/centers"),
        ("post", f"{STAFF_API}/centers"),
        ("get", f"{STAFF_API}/lawyers"),
        ("get", f"{STAFF_API}/bookings"),
        ("get", f"{STAFF_API}/slots"),
        ("post", f"{STAFF_API}/bookings/1/transition"),
        ("post", f"{STAFF_API}/bookings/1/contact"),
        ("post", f"{STAFF_API}/slots/1/close"),
        ("put", f"{STAFF_API}/schedules/1"),
    ):
        response = getattr(client, method)(url, json={}, headers=auth(worker))
        assert response.status_code == 403, url
        assert response.json["message"] == "此接口仅限工会工作人员使用"
