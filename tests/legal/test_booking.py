"""法律援助预约, the member's side: find a slot, book it, cancel it, move it — within the windows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from backend.extensions import db
from backend.legal.models import LegalBooking, LegalSlot
from backend.notify.models import Notification
from backend.outbox.models import OutboxMessage
from tests.factories import auth
from tests.legal.conftest import T0, booking_payload, local

TODAY = T0.date()
TOMORROW = TODAY + timedelta(days=1)


def book(client, token, slot_id, **overrides):
    return client.post(
        "/api/v1/legal-aid/bookings", json=booking_payload(slot_id, **overrides), headers=auth(token)
    )


def facts(kind: str) -> list[dict]:
    db.session.rollback()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "participation.record"))
    return [row.payload for row in rows if row.payload["kind"] == kind]


def kinds_told(account_openid_code: str) -> list[str]:
    from backend.members.models import WxAccount

    db.session.rollback()
    account = db.session.scalars(
        select(WxAccount).where(WxAccount.openid == f"o_{account_openid_code}")
    ).one()
    stmt = select(Notification.kind).where(Notification.account_id == account.id).order_by(Notification.id)
    return list(db.session.scalars(stmt))


def test_a_member_books_a_free_slot_and_it_leaves_the_free_list(factory, client, network):
    token = factory.member(network.tree, "booker")
    slots = network.free_slots(client, TOMORROW)
    assert [s["starts_at"] for s in slots] == [
        "2026-12-02T09:00:00+08:00",
        "2026-12-02T10:00:00+08:00",
        "2026-12-02T11:00:00+08:00",
    ]
    assert slots[0]["lawyer"]["name"] == "t_lawyer"
    assert slots[0]["modes"] == ["in_person", "phone", "video"]

    booked = book(client, token, slots[0]["id"], mode="phone")
    assert booked.status_code == 201, booked.json
    assert booked.json["status"] == "booked" and booked.json["status_label"] == "已预约"
    assert booked.json["starts_at"] == "2026-12-02T09:00:00+08:00"
    assert booked.json["topic_label"] == "工资报酬" and booked.json["mode_label"] == "电话"
    assert booked.json["center"]["name"] == "甲区职工维权中心"
    assert booked.json["allowed_actions"] == ["cancel", "reschedule"]

    assert [s["id"] for s in network.free_slots(client, TOMORROW)] == [slots[1]["id"], slots[2]["id"]]
    mine = client.get("/api/v1/legal-aid/bookings/mine", headers=auth(token))
    assert [b["id"] for b in mine.json] == [booked.json["id"]]
    assert network.slot_at(local(TOMORROW, 9)).booking_id == booked.json["id"]
    assert kinds_told("booker")[-1] == "legal.booked"
    member_org = network.tree.union_a1.id
    assert [(f["org_id"], f["ref_id"]) for f in facts("legal.booked")] == [(member_org, booked.json["id"])]


def test_a_retried_booking_with_the_same_key_creates_nothing_new(factory, client, network):
    token = factory.member(network.tree, "retry")
    slot = network.free_slots(client, TOMORROW)[0]
    headers = {**auth(token), "Idempotency-Key": "legal-booking-1"}
    payload = booking_payload(slot["id"])
    first = client.post("/api/v1/legal-aid/bookings", json=payload, headers=headers)
    again = client.post("/api/v1/legal-aid/bookings", json=payload, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(LegalBooking)) == 1


def test_a_taken_slot_is_refused_with_a_clear_409(factory, client, network):
    first, second = factory.member(network.tree, "first"), factory.member(network.tree, "second")
    slot = network.free_slots(client, TOMORROW)[0]
    assert book(client, first, slot["id"]).status_code == 201
    lost = book(client, second, slot["id"])
    assert lost.status_code == 409
    assert lost.json["code"] == "slot_taken"
    assert "已被其他职工预约" in lost.json["message"]
    assert db.session.scalar(select(func.count()).select_from(LegalBooking)) == 1


def test_non_members_and_staff_cannot_book(factory, client, network):
    slot = network.free_slots(client, TOMORROW)[0]
    outsider = factory.worker_token("not-yet-member")
    refused = book(client, outsider, slot["id"])
    assert refused.status_code == 404
    assert refused.json["code"] == "not_a_member" and "请先申请入会" in refused.json["message"]
    as_staff = book(client, network.admin, slot["id"])
    assert as_staff.status_code == 403 and as_staff.json["message"] == "此接口仅限职工使用"
    assert client.post("/api/v1/legal-aid/bookings", json=booking_payload(slot["id"])).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(LegalBooking)) == 0
    assert network.slot_at(local(TOMORROW, 9)).booking_id is None


def test_bad_input_gets_a_chinese_message_per_field_and_writes_nothing(factory, client, network):
    token = factory.member(network.tree, "careless")
    slot = network.free_slots(client, TOMORROW)[0]
    missing = client.post("/api/v1/legal-aid/bookings", json={"topic": "wages"}, headers=auth(token))
    assert missing.status_code == 422
    assert missing.json["errors"]["slot_id"] == ["此项为必填项"]
    assert missing.json["errors"]["mode"] == ["此项为必填项"]
    bad_mode = book(client, token, slot["id"], mode="letter")
    assert bad_mode.json["errors"]["mode"] == ["取值应为：现场、电话、视频"]
    bad_topic = book(client, token, slot["id"], topic="divorce")
    assert bad_topic.status_code == 422 and "工资报酬" in bad_topic.json["errors"]["topic"][0]
    no_slot = book(client, token, 999999)
    assert no_slot.status_code == 422 and no_slot.json["errors"]["slot_id"] == ["所选时段不存在"]
    too_long = book(client, token, slot["id"], opposing_party="某" * 101)
    assert too_long.json["errors"]["opposing_party"] == ["长度应在 0 到 100 之间"]
    assert db.session.scalar(select(func.count()).select_from(LegalBooking)) == 0


def test_a_slot_offered_only_by_phone_cannot_be_booked_in_person(factory, client, network):
    schedules = client.get(
        f"/api/v1/staff/legal-aid/lawyers/{network.lawyer_id}/schedules", headers=auth(network.admin)
    )
    wednesday = next(s for s in schedules.json if s["weekday"] == TOMORROW.weekday())
    changed = client.put(
        f"/api/v1/staff/legal-aid/schedules/{wednesday['id']}",
        json={
            "weekday": wednesday["weekday"],
            "start_time": "09:00",
            "end_time": "12:00",
            "slot_minutes": 60,
            "modes": ["phone"],
        },
        headers=auth(network.admin),
    )
    assert changed.status_code == 200, changed.json
    token = factory.member(network.tree, "phone-only")
    slot = network.free_slots(client, TOMORROW)[0]
    assert slot["modes"] == ["phone"]
    refused = book(client, token, slot["id"], mode="in_person")
    assert refused.status_code == 422 and refused.json["errors"]["mode"] == [
        "该时段不提供现场咨询，可选：电话"
    ]
    assert book(client, token, slot["id"], mode="phone").status_code == 201


def test_booking_closes_half_an_hour_before_the_start(factory, client, network, clock):
    factory.member(network.tree, "late")
    nine = network.slot_at(local(TODAY, 9))
    clock.move_to(local(TODAY, 8, 29))
    assert nine.id in [s["id"] for s in network.free_slots(client, TODAY)]
    clock.move_to(local(TODAY, 8, 31))
    assert nine.id not in [s["id"] for s in network.free_slots(client, TODAY)]
    refused = book(client, factory.worker_token("late"), nine.id)
    assert refused.status_code == 409 and refused.json["code"] == "slot_closed"
    assert "已截止预约" in refused.json["message"]


def test_cancelling_frees_the_slot_for_somebody_else(factory, client, network):
    first, second = factory.member(network.tree, "cancels"), factory.member(network.tree, "takes-over")
    slot = network.free_slots(client, TOMORROW)[0]
    booked = book(client, first, slot["id"])
    cancelled = client.post(
        f"/api/v1/legal-aid/bookings/{booked.json['id']}/cancel",
        json={"reason": "问题已和单位协商解决"},
        headers=auth(first),
    )
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["status"] == "cancelled" and cancelled.json["cancelled_by"] == "member"
    assert cancelled.json["allowed_actions"] == []
    assert slot["id"] in [s["id"] for s in network.free_slots(client, TOMORROW)]
    rebooked = book(client, second, slot["id"])
    assert rebooked.status_code == 201
    assert network.slot_at(local(TOMORROW, 9)).booking_id == rebooked.json["id"]
    assert kinds_told("cancels") == [
        "membership.submitted",
        "membership.approved",
        "legal.booked",
        "legal.cancelled",
    ]
    assert [f["ref_id"] for f in facts("legal.cancelled")] == [booked.json["id"]]
    again = client.post(f"/api/v1/legal-aid/bookings/{booked.json['id']}/cancel", headers=auth(first))
    assert again.status_code == 409 and again.json["code"] == "illegal_transition"


def test_cancel_and_reschedule_close_two_hours_before_the_start(factory, client, network, clock):
    token = factory.member(network.tree, "window")
    at_ten = book(client, token, network.slot_at(local(TODAY, 10)).id).json["id"]
    at_eleven = book(client, token, network.slot_at(local(TODAY, 11)).id).json["id"]
    other = network.slot_at(local(TOMORROW, 10))
    clock.move_to(local(TODAY, 8, 59))
    token = factory.worker_token("window")  # a fresh log-in: the first token expired meanwhile
    cancel = client.post(f"/api/v1/legal-aid/bookings/{at_ten}/cancel", json={}, headers=auth(token))
    assert cancel.status_code == 409 and cancel.json["code"] == "window_closed"
    assert "不足2小时" in cancel.json["message"]
    moved = client.post(
        f"/api/v1/legal-aid/bookings/{at_ten}/reschedule", json={"slot_id": other.id}, headers=auth(token)
    )
    assert moved.status_code == 409 and moved.json["code"] == "window_closed"
    ten = client.get(f"/api/v1/legal-aid/bookings/{at_ten}", headers=auth(token)).json
    assert ten["status"] == "booked" and ten["allowed_actions"] == []
    # 11:00 is still more than two hours away
    moved = client.post(
        f"/api/v1/legal-aid/bookings/{at_eleven}/reschedule", json={"slot_id": other.id}, headers=auth(token)
    )
    assert moved.status_code == 200, moved.json
    assert (
        client.post(f"/api/v1/legal-aid/bookings/{at_eleven}/cancel", headers=auth(token)).status_code == 200
    )


def test_rescheduling_takes_the_new_slot_and_frees_the_old_one_together(factory, client, network):
    token = factory.member(network.tree, "mover")
    old, new = network.slot_at(local(TOMORROW, 9)), network.slot_at(local(TOMORROW, 11))
    booking_id = book(client, token, old.id).json["id"]
    moved = client.post(
        f"/api/v1/legal-aid/bookings/{booking_id}/reschedule",
        json={"slot_id": new.id, "mode": "video"},
        headers=auth(token),
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["id"] == booking_id and moved.json["status"] == "booked"
    assert moved.json["starts_at"] == "2026-12-02T11:00:00+08:00" and moved.json["mode"] == "video"
    assert moved.json["reschedule_count"] == 1
    assert network.slot_at(local(TOMORROW, 9)).booking_id is None
    assert network.slot_at(local(TOMORROW, 11)).booking_id == booking_id
    assert kinds_told("mover")[-1] == "legal.rescheduled"
    told = db.session.scalars(select(Notification).order_by(Notification.id.desc())).first()
    assert "2026年12月02日 09:00" in told.body and "2026年12月02日 11:00" in told.body
    assert [f["ref_id"] for f in facts("legal.rescheduled")] == [new.id]


def test_rescheduling_onto_a_taken_slot_keeps_the_original_booking(factory, client, network):
    mover, other = factory.member(network.tree, "stays"), factory.member(network.tree, "holder")
    old, taken = network.slot_at(local(TOMORROW, 9)), network.slot_at(local(TOMORROW, 10))
    booking_id = book(client, mover, old.id).json["id"]
    holder_id = book(client, other, taken.id).json["id"]
    refused = client.post(
        f"/api/v1/legal-aid/bookings/{booking_id}/reschedule", json={"slot_id": taken.id}, headers=auth(mover)
    )
    assert refused.status_code == 409 and refused.json["code"] == "slot_taken"
    assert network.slot_at(local(TOMORROW, 9)).booking_id == booking_id
    assert network.slot_at(local(TOMORROW, 10)).booking_id == holder_id
    unchanged = client.get(f"/api/v1/legal-aid/bookings/{booking_id}", headers=auth(mover)).json
    assert unchanged["slot_id"] == old.id and unchanged["reschedule_count"] == 0


def test_a_booking_can_be_moved_at_most_the_configured_number_of_times(factory, client, network):
    token = factory.member(network.tree, "restless")
    hours = [network.slot_at(local(TOMORROW, h)).id for h in (9, 10, 11)]
    day_after = network.slot_at(local(TOMORROW + timedelta(days=1), 9)).id
    booking_id = book(client, token, hours[0]).json["id"]
    url = f"/api/v1/legal-aid/bookings/{booking_id}/reschedule"
    assert client.post(url, json={"slot_id": hours[1]}, headers=auth(token)).status_code == 200
    assert client.post(url, json={"slot_id": hours[2]}, headers=auth(token)).status_code == 200
    third = client.post(url, json={"slot_id": day_after}, headers=auth(token))
    assert third.status_code == 409 and third.json["code"] == "too_many_reschedules"
    same = client.post(url, json={"slot_id": hours[2]}, headers=auth(token))
    assert same.status_code in (409, 422)


def test_a_member_holds_at_most_two_upcoming_bookings(factory, client, network):
    token = factory.member(network.tree, "greedy")
    slots = network.free_slots(client, TOMORROW)
    assert book(client, token, slots[0]["id"]).status_code == 201
    assert book(client, token, slots[1]["id"]).status_code == 201
    third = book(client, token, slots[2]["id"])
    assert third.status_code == 409 and third.json["code"] == "too_many_bookings"
    assert "最多可同时预约2个" in third.json["message"]
    assert network.slot_at(local(TOMORROW, 11)).booking_id is None


def test_only_the_owner_sees_or_changes_a_booking(factory, client, network):
    owner, stranger = factory.member(network.tree, "owner"), factory.member(network.tree, "stranger")
    booking_id = book(client, owner, network.free_slots(client, TOMORROW)[0]["id"]).json["id"]
    assert client.get(f"/api/v1/legal-aid/bookings/{booking_id}", headers=auth(stranger)).status_code == 404
    cancel = client.post(f"/api/v1/legal-aid/bookings/{booking_id}/cancel", headers=auth(stranger))
    assert cancel.status_code == 404
    assert client.get("/api/v1/legal-aid/bookings/mine", headers=auth(stranger)).json == []


def test_centres_are_found_by_org_level_and_name(factory, client, network):
    admin_b = factory.staff_token("t_city")
    made = client.post(
        "/api/v1/staff/legal-aid/centers",
        json={
            "org_id": network.tree.town_b.id,
            "name": "城关镇职工法律服务工作站",
            "address": "城关镇政府院内",
        },
        headers=auth(admin_b),
    )
    assert made.status_code == 201 and made.json["level"] == "town_station"
    everything = client.get("/api/v1/legal-aid/centers").json
    assert [c["name"] for c in everything] == ["甲区职工维权中心", "城关镇职工法律服务工作站"]
    assert everything[0]["level_label"] == "县区维权中心"
    in_b = client.get("/api/v1/legal-aid/centers", query_string={"org_id": network.tree.county_b.id}).json
    assert [c["id"] for c in in_b] == [made.json["id"]]
    stations = client.get("/api/v1/legal-aid/centers", query_string={"level": "town_station"})
    assert [c["id"] for c in stations.json] == [made.json["id"]]
    by_name = client.get("/api/v1/legal-aid/centers", query_string={"q": "维权"})
    assert [c["id"] for c in by_name.json] == [network.center_id]
    assert "X-Next-Cursor" not in by_name.headers
    bad = client.get("/api/v1/legal-aid/centers", query_string={"level": "palace"})
    assert bad.status_code == 422 and "县区维权中心" in bad.json["errors"]["level"][0]


def test_slots_of_an_unknown_centre_are_a_404(client, network):
    assert client.get("/api/v1/legal-aid/slots", query_string={"center_id": 999999}).status_code == 404
    missing = client.get("/api/v1/legal-aid/slots")
    assert missing.status_code == 422 and missing.json["errors"]["center_id"] == ["此项为必填项"]
    assert db.session.scalar(select(func.count()).select_from(LegalSlot)) == 7 * 4 * 3
