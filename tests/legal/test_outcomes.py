"""After the consultation: the lawyer records the outcome or a no-show; the centre may cancel with a
reason. The booking state machine refuses everything else with 409."""

from __future__ import annotations

from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.legal.flow import BOOKING_FLOW
from backend.notify.models import Notification
from backend.outbox.models import OutboxMessage
from tests.factories import auth
from tests.legal.conftest import STAFF_API, T0, booking_payload, local

TODAY = T0.date()


def transition(client, token, booking_id, action, **body):
    return client.post(
        f"{STAFF_API}/bookings/{booking_id}/transition", json={"action": action, **body}, headers=auth(token)
    )


def booked_at_nine(factory, client, network, code="consulted") -> int:
    token = factory.member(network.tree, code)
    nine = network.slot_at(local(TODAY, 9))
    response = client.post("/api/v1/legal-aid/bookings", json=booking_payload(nine.id), headers=auth(token))
    assert response.status_code == 201, response.json
    return response.json["id"]


def last_notification() -> Notification:
    db.session.rollback()
    return db.session.scalars(select(Notification).order_by(Notification.id.desc())).first()


def facts(kind: str) -> list[dict]:
    db.session.rollback()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "participation.record"))
    return [row.payload for row in rows if row.payload["kind"] == kind]


def test_the_state_machine_is_a_table():
    assert {t.action for t in BOOKING_FLOW.actions("booked", "worker")} == {"cancel", "reschedule"}
    assert {t.action for t in BOOKING_FLOW.actions("booked", "staff")} == {
        "staff_cancel",
        "complete",
        "no_show",
    }
    for final in ("completed", "no_show", "cancelled"):
        assert BOOKING_FLOW.actions(final, "staff") == [] and BOOKING_FLOW.actions(final, "worker") == []


def test_the_lawyer_records_the_outcome_once_the_consultation_has_begun(factory, client, network, clock):
    booking_id = booked_at_nine(factory, client, network)
    early = transition(client, network.lawyer, booking_id, "complete", outcome="advice")
    assert early.status_code == 409 and early.json["code"] == "too_early"

    clock.move_to(local(TODAY, 9, 40))
    lawyer = factory.staff_token("t_lawyer")
    no_outcome = transition(client, lawyer, booking_id, "complete")
    assert (
        no_outcome.status_code == 422 and "已解答、已受理、已转介" in no_outcome.json["errors"]["outcome"][0]
    )
    referred_without_where = transition(client, lawyer, booking_id, "complete", outcome="referred")
    assert (
        referred_without_where.status_code == 422
        and "转介去向" in referred_without_where.json["errors"]["note"][0]
    )

    done = transition(
        client, lawyer, booking_id, "complete", outcome="referred", note="已指导申请劳动仲裁，材料清单已告知"
    )
    assert done.status_code == 200, done.json
    assert done.json["status"] == "completed" and done.json["status_label"] == "已咨询"
    assert done.json["outcome_label"] == "已转介" and done.json["allowed_actions"] == []
    told = last_notification()
    assert told.kind == "legal.completed" and "已转介" in told.body and "劳动仲裁" in told.body
    held = facts("legal.consultation_held")
    assert [(f["org_id"], f["ref_type"], f["ref_id"]) for f in held] == [
        (network.tree.county_a.id, "legal_booking", booking_id)  # credited to the centre's org
    ]
    db.session.rollback()
    assert db.session.scalars(
        select(AuditLog.action).where(
            AuditLog.target_type == "legal_booking", AuditLog.target_id == booking_id
        )
    ).all() == ["legal.booking.complete"]
    worker = factory.worker_token("consulted")
    mine = client.get(f"/api/v1/legal-aid/bookings/{booking_id}", headers=auth(worker)).json
    assert mine["outcome"] == "referred" and mine["outcome_note"].startswith("已指导申请劳动仲裁")


def test_illegal_transitions_are_refused_with_409(factory, client, network, clock):
    booking_id = booked_at_nine(factory, client, network)
    clock.move_to(local(TODAY, 9, 20))
    lawyer = factory.staff_token("t_lawyer")
    assert transition(client, lawyer, booking_id, "complete", outcome="advice").status_code == 200
    for action, body in (
        ("complete", {"outcome": "case_taken"}),
        ("no_show", {}),
        ("staff_cancel", {"note": "律师临时有事"}),
    ):
        refused = transition(client, lawyer, booking_id, action, **body)
        assert refused.status_code == 409, action
        assert refused.json["code"] == "illegal_transition" and "已咨询" in refused.json["message"]
    worker = factory.worker_token("consulted")
    cancel = client.post(f"/api/v1/legal-aid/bookings/{booking_id}/cancel", headers=auth(worker))
    assert cancel.status_code == 409 and cancel.json["code"] == "illegal_transition"
    unknown = transition(client, lawyer, booking_id, "approve")
    assert unknown.status_code == 422 and "complete" in unknown.json["errors"]["action"][0]


def test_a_no_show_is_marked_after_a_quarter_of_an_hour(factory, client, network, clock):
    booking_id = booked_at_nine(factory, client, network, "absent")
    clock.move_to(local(TODAY, 9, 10))
    lawyer = factory.staff_token("t_lawyer")
    early = transition(client, lawyer, booking_id, "no_show")
    assert early.status_code == 409 and "15分钟后" in early.json["message"]
    clock.move_to(local(TODAY, 9, 16))
    marked = transition(client, lawyer, booking_id, "no_show", note="电话未接通")
    assert marked.status_code == 200 and marked.json["status"] == "no_show"
    assert last_notification().kind == "legal.no_show"
    assert [f["org_id"] for f in facts("legal.no_show")] == [network.tree.county_a.id]
    # the slot stays with the booking: it is history, not a free place in the past
    assert network.slot_at(local(TODAY, 9)).booking_id == booking_id


def test_only_the_lawyer_holding_the_booking_records_its_outcome(factory, client, network, clock):
    booking_id = booked_at_nine(factory, client, network)
    clock.move_to(local(TODAY, 9, 20))
    admin = factory.staff_token("t_county_a")
    refused = transition(client, admin, booking_id, "complete", outcome="advice")
    assert refused.status_code == 403 and "接待该预约的律师" in refused.json["message"]
    assert transition(client, admin, booking_id, "no_show").status_code == 403


def test_the_centre_cancels_with_a_reason_and_may_close_the_slot(factory, client, network):
    first = booked_at_nine(factory, client, network, "first-patient")
    no_reason = transition(client, network.admin, first, "staff_cancel")
    assert no_reason.status_code == 422 and no_reason.json["errors"]["note"] == [
        "请填写取消原因，我们会告知职工"
    ]
    cancelled = transition(
        client, network.admin, first, "staff_cancel", note="律师临时出庭，请改约其他时段", close_slot=True
    )
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["status"] == "cancelled" and cancelled.json["cancelled_by"] == "staff"
    told = last_notification()
    assert told.kind == "legal.cancelled_by_center" and "律师临时出庭" in told.body
    nine = network.slot_at(local(TODAY, 9))
    assert nine.booking_id is None and nine.closed_at is not None  # nobody else books the lawyer's absence

    ten_booking = factory.member(network.tree, "second-patient")
    ten = network.slot_at(local(TODAY, 10))
    booked = client.post(
        "/api/v1/legal-aid/bookings", json=booking_payload(ten.id), headers=auth(ten_booking)
    )
    by_lawyer = transition(
        client, network.lawyer, booked.json["id"], "staff_cancel", note="当事人电话申请取消"
    )
    assert by_lawyer.status_code == 200
    assert network.slot_at(local(TODAY, 10)).booking_id is None
    assert network.slot_at(local(TODAY, 10)).closed_at is None  # free again for somebody else
    outcome_on_cancel = transition(client, network.lawyer, booked.json["id"], "complete", outcome="advice")
    assert outcome_on_cancel.status_code == 409
