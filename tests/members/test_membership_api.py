"""入会: the worker journey and the staff review, over the Flask test client."""

from __future__ import annotations

import re

from sqlalchemy import func, select, text

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.members.models import Member, MembershipApplication
from tests.factories import application_payload, auth
from tests.notify.conftest import private_redis, queue_redis  # noqa: F401 (fixtures)
from tests.statements import inserted_tables, statements_sent


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_login_apply_approve_card_journey(factory, client):
    tree = factory.org_tree()
    login = client.post("/api/v1/auth/wechat-login", json={"code": "journey"})
    assert login.status_code == 200
    assert login.json["is_member"] is False and login.json["member"] is None
    token = login.json["access_token"]

    payload = application_payload(tree.union_a1.id, name="李秀英", gender="female")
    applied = client.post("/api/v1/membership/applications", json=payload, headers=auth(token))
    assert applied.status_code == 201, applied.json
    assert applied.json["status"] == "submitted"
    assert applied.json["org"]["id"] == tree.union_a1.id

    mine = client.get("/api/v1/membership/applications/mine", headers=auth(token))
    assert [a["id"] for a in mine.json] == [applied.json["id"]]
    assert client.get("/api/v1/me/card", headers=auth(token)).status_code == 404

    staff = factory.staff_token("t_union_a1")
    queue = client.get("/api/v1/staff/membership/applications?status=submitted", headers=auth(staff))
    assert [a["id"] for a in queue.json] == [applied.json["id"]]
    assert queue.json[0]["allowed_actions"] == ["approve", "reject", "request_info"]
    assert "X-Next-Cursor" not in queue.headers

    approved = factory.transition(staff, applied.json["id"], "approve")
    assert approved.status_code == 200 and approved.json["status"] == "approved"

    me = client.get("/api/v1/me", headers=auth(token)).json
    assert me["is_member"] is True
    assert me["member"]["name"] == "李秀英"
    card = client.get("/api/v1/me/card", headers=auth(token))
    assert card.status_code == 200
    assert card.json["card_no"] == me["member"]["card_no"] and len(card.json["card_no"]) == 16
    assert card.json["name"] == "李秀英"  # the member's own card carries their own name

    verified = client.post(
        "/api/v1/staff/cards/verify", json={"payload": card.json["qr_payload"]}, headers=auth(staff)
    )
    assert verified.status_code == 200
    assert verified.json["member"]["card_no"] == card.json["card_no"]
    tampered = client.post(
        "/api/v1/staff/cards/verify", json={"payload": card.json["qr_payload"] + "x"}, headers=auth(staff)
    )
    assert tampered.status_code == 422 and tampered.json["message"] == "会员码无效"

    # a later log-in returns the member summary straight away
    again = client.post("/api/v1/auth/wechat-login", json={"code": "journey"}).json
    assert again["is_member"] is True and again["member"]["card_no"] == card.json["card_no"]


def test_full_id_number_and_phone_never_leave_the_server(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("pii")
    payload = application_payload(tree.union_a1.id)
    staff = factory.staff_token("t_city")
    bodies = []
    applied = client.post("/api/v1/membership/applications", json=payload, headers=auth(token))
    bodies.append(applied.get_data(as_text=True))
    bodies.append(
        client.get("/api/v1/membership/applications/mine", headers=auth(token)).get_data(as_text=True)
    )
    bodies.append(
        client.get("/api/v1/staff/membership/applications", headers=auth(staff)).get_data(as_text=True)
    )
    bodies.append(factory.transition(staff, applied.json["id"], "approve").get_data(as_text=True))
    bodies.append(client.get("/api/v1/me", headers=auth(token)).get_data(as_text=True))
    bodies.append(client.get("/api/v1/me/card", headers=auth(token)).get_data(as_text=True))
    bodies.append(client.post("/api/v1/auth/wechat-login", json={"code": "pii"}).get_data(as_text=True))
    for body in bodies:
        assert payload["id_number"] not in body
        assert payload["mobile"] not in body
    assert payload["id_number"][:3] + "*" * 11 + payload["id_number"][-4:] in bodies[0]

    # stored encrypted: the plaintext is not in the row's bytes
    raw = db.session.execute(text("SELECT id_number FROM membership_applications")).scalar_one()
    assert payload["id_number"].encode() not in bytes(raw)


def test_revealing_personal_data_is_deliberate_and_audited(factory, client):
    tree = factory.org_tree()
    applied = factory.apply(factory.worker_token("reveal"), tree.union_a1.id, mobile="13912345678")
    staff = factory.staff_token("t_union_a1")
    revealed = client.post(
        f"/api/v1/staff/membership/applications/{applied.json['id']}/reveal", headers=auth(staff)
    )
    assert revealed.status_code == 200 and revealed.json["mobile"] == "13912345678"
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "pii.reveal")).one()
    assert entry.staff_id == tree.staff["t_union_a1"].id and entry.target_id == applied.json["id"]
    lawyer = factory.staff_token("t_lawyer")
    assert (
        client.post(
            f"/api/v1/staff/membership/applications/{applied.json['id']}/reveal", headers=auth(lawyer)
        ).status_code
        == 403
    )


def test_staff_of_another_county_see_nothing_of_it(factory, client):
    tree = factory.org_tree()
    applied = factory.apply(factory.worker_token("scoped"), tree.union_a1.id)
    app_id = applied.json["id"]
    other = factory.staff_token("t_county_b")
    assert (
        client.get(f"/api/v1/staff/membership/applications/{app_id}", headers=auth(other)).status_code == 404
    )
    assert factory.transition(other, app_id, "approve").status_code == 404
    assert client.get("/api/v1/staff/membership/applications", headers=auth(other)).json == []
    sibling = factory.staff_token("t_union_a2")
    assert factory.transition(sibling, app_id, "approve").status_code == 404
    for username in ("t_city", "t_county_a", "t_town_a", "t_union_a1"):
        seen = client.get(
            f"/api/v1/staff/membership/applications/{app_id}", headers=auth(factory.staff_token(username))
        )
        assert seen.status_code == 200, username
    assert db.session.get(MembershipApplication, app_id).status == "submitted"


def test_every_staff_route_refuses_workers_and_anonymous_callers(app, factory, client):
    factory.org_tree()
    worker = factory.worker_token("intruder")
    routes = [
        (re.sub(r"<[^>]+>", "1", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/staff/") and rule.rule != "/api/v1/staff/login"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    ]
    assert len(routes) >= 9
    for path, method in routes:
        anonymous = client.open(path, method=method, json={})
        assert anonymous.status_code == 401, (path, method)
        assert anonymous.json["message"]
        as_worker = client.open(path, method=method, json={}, headers=auth(worker))
        assert as_worker.status_code == 403, (path, method)
        assert as_worker.json["code"] == "forbidden"


def test_worker_routes_refuse_staff_tokens(factory, client):
    tree = factory.org_tree()
    staff = factory.staff_token("t_city")
    response = client.post(
        "/api/v1/membership/applications", json=application_payload(tree.union_a1.id), headers=auth(staff)
    )
    assert response.status_code == 403
    assert count(MembershipApplication) == 0


def test_a_retry_with_the_same_idempotency_key_returns_the_first_response(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("retry")
    payload = application_payload(tree.union_a1.id)
    headers = {**auth(token), "Idempotency-Key": "b3f1c2d4-retry"}
    first = client.post("/api/v1/membership/applications", json=payload, headers=headers)
    second = client.post("/api/v1/membership/applications", json=payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count(MembershipApplication) == 1

    changed = client.post(
        "/api/v1/membership/applications", json={**payload, "employer": "另一家单位"}, headers=headers
    )
    assert changed.status_code == 422 and changed.json["code"] == "idempotency_key_reused"

    # keys belong to the caller: another worker's identical key is a different request
    other = factory.worker_token("retry-other")
    fresh = client.post(
        "/api/v1/membership/applications",
        json=application_payload(tree.union_a1.id),
        headers={**auth(other), "Idempotency-Key": "b3f1c2d4-retry"},
    )
    assert fresh.status_code == 201 and fresh.json["id"] != first.json["id"]


def test_a_failed_create_does_not_burn_its_idempotency_key(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("fix-and-retry")
    headers = {**auth(token), "Idempotency-Key": "k-1"}
    bad = client.post(
        "/api/v1/membership/applications",
        json=application_payload(tree.union_a1.id, mobile="123"),
        headers=headers,
    )
    assert bad.status_code == 422
    good = client.post(
        "/api/v1/membership/applications", json=application_payload(tree.union_a1.id), headers=headers
    )
    assert good.status_code == 201


def test_one_membership_per_id_number_without_confirming_it_to_a_stranger(factory, client):
    tree = factory.org_tree()
    payload = application_payload(tree.union_a1.id)
    first = client.post(
        "/api/v1/membership/applications", json=payload, headers=auth(factory.worker_token("first"))
    )
    assert first.status_code == 201
    # someone else types the same ID number: the answer does not say it is being applied for …
    duplicate = client.post(
        "/api/v1/membership/applications",
        json={**payload, "org_id": tree.union_b1.id},
        headers=auth(factory.worker_token("second")),
    )
    assert duplicate.status_code == 201 and duplicate.json["status"] == first.json["status"]

    city = factory.staff_token("t_city")
    factory.transition(city, first.json["id"], "approve")
    # … nor that it belongs to a member now
    after = client.post(
        "/api/v1/membership/applications", json=payload, headers=auth(factory.worker_token("third"))
    )
    assert after.status_code == 201 and set(after.json) == set(first.json)
    # and none of them becomes a second member: staff meet the clash when they review
    for application in (duplicate.json, after.json):
        refused = factory.transition(city, application["id"], "approve")
        assert refused.status_code == 409 and "身份证号" in refused.json["message"]
    assert count(MembershipApplication) == 3 and count(Member) == 1


def test_a_rejected_applicant_may_apply_again(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("again")
    payload = application_payload(tree.union_a1.id)
    first = client.post("/api/v1/membership/applications", json=payload, headers=auth(token))
    staff = factory.staff_token("t_union_a1")
    assert factory.transition(staff, first.json["id"], "reject").status_code == 422  # a reason is required
    rejected = factory.transition(staff, first.json["id"], "reject", note="所填单位与实际不符")
    assert rejected.json["status"] == "rejected" and rejected.json["status_note"] == "所填单位与实际不符"
    second = client.post("/api/v1/membership/applications", json=payload, headers=auth(token))
    assert second.status_code == 201


def test_more_information_requested_then_resubmitted_then_approved(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("info")
    payload = application_payload(tree.union_a1.id, employer="某公司")
    app_id = client.post("/api/v1/membership/applications", json=payload, headers=auth(token)).json["id"]
    staff = factory.staff_token("t_union_a1")
    asked = factory.transition(staff, app_id, "request_info", note="请填写单位全称")
    assert asked.json["status"] == "needs_info"
    assert factory.transition(staff, app_id, "approve").status_code == 409  # must wait for the worker

    resubmitted = client.post(
        f"/api/v1/membership/applications/{app_id}/resubmit",
        json={**payload, "employer": "临汾市某某建筑工程有限公司"},
        headers=auth(token),
    )
    assert resubmitted.status_code == 200 and resubmitted.json["status"] == "submitted"
    assert resubmitted.json["employer"] == "临汾市某某建筑工程有限公司"
    assert factory.transition(staff, app_id, "approve").json["status"] == "approved"
    assert factory.transition(staff, app_id, "approve").status_code == 409
    assert (
        client.post(f"/api/v1/membership/applications/{app_id}/withdraw", headers=auth(token)).status_code
        == 409
    )


def test_illegal_and_unknown_actions_are_refused(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("illegal")
    app_id = factory.apply(token, tree.union_a1.id).json["id"]
    staff = factory.staff_token("t_union_a1")
    assert factory.transition(staff, app_id, "resubmit").status_code == 409  # a worker's action
    assert factory.transition(staff, app_id, "explode").status_code == 409
    withdrawn = client.post(f"/api/v1/membership/applications/{app_id}/withdraw", headers=auth(token))
    assert withdrawn.json["status"] == "withdrawn"
    for action in ("approve", "reject", "request_info"):
        assert factory.transition(staff, app_id, action, note="x").status_code == 409
    # someone else's application is invisible to a worker
    stranger = factory.worker_token("stranger")
    assert (
        client.post(f"/api/v1/membership/applications/{app_id}/withdraw", headers=auth(stranger)).status_code
        == 404
    )


def test_every_staff_decision_is_audited(factory, client):
    tree = factory.org_tree()
    app_id = factory.apply(factory.worker_token("audited"), tree.union_a1.id).json["id"]
    factory.transition(factory.staff_token("t_town_a"), app_id, "request_info", note="补充工作证明")
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["staff.login", "membership.request_info"]


def test_lawyers_cannot_review_membership(factory, client):
    tree = factory.org_tree()
    app_id = factory.apply(factory.worker_token("law"), tree.union_a1.id).json["id"]
    lawyer = factory.staff_token("t_lawyer")
    assert factory.transition(lawyer, app_id, "approve").status_code == 403


def test_an_application_runs_a_fixed_handful_of_statements(factory, client, queue_redis):  # noqa: F811
    """The phone's hot path: who is calling, the union, and every rule about who may apply in one
    SELECT; the answer shows the union without reading it again. (With Redis the notification's job
    is queued; without it would run inline after the commit.)"""
    tree = factory.org_tree()
    factory.apply(factory.worker_token("earlier"), tree.union_a1.id)  # warm
    token = factory.worker_token("lean")
    headers = {**auth(token), "Idempotency-Key": "lean-application-1"}
    with statements_sent() as statements:
        applied = client.post(
            "/api/v1/membership/applications", json=application_payload(tree.union_a1.id), headers=headers
        )
    assert applied.status_code == 201, applied.json
    assert applied.json["org"]["name"] == tree.union_a1.name
    assert [s for s in statements if s.startswith("SELECT")] == [
        "SELECT orgs.id, orgs.parent_id,",  # the shared worker check (account, log-in session, member)
        "SELECT orgs.id, orgs.parent_id,",  # the union applied to
        "SELECT EXISTS (SELECT",  # an open application of the account; the ID number in use
    ]
    assert inserted_tables(statements) == [
        "idempotency_keys", "membership_applications", "notifications", "outbox",
    ]  # fmt: skip
    assert len(statements) == 7, statements
