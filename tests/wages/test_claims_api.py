"""欠薪求助 over the API: a worker files and follows a claim; what the phone may send; who sees what."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from backend.audit.models import AuditLog
from backend.cases.models import CaseEvent
from backend.common.types import utcnow
from backend.extensions import db
from backend.notify.models import Notification
from backend.outbox.models import OutboxMessage
from backend.wages.models import WageClaim, WageCluster
from backend.wages.priority import local_date
from tests.factories import auth
from tests.notify.conftest import private_redis, queue_redis  # noqa: F401 (fixtures)
from tests.statements import inserted_tables, statements_sent
from tests.uploads.test_uploads import PNG
from tests.wages import claim_payload, count, filed, queue, submit


def test_a_worker_who_is_not_a_member_reports_unpaid_wages_and_follows_the_claim(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("migrant")
    assert client.get("/api/v1/me", headers=auth(token)).json["is_member"] is False

    response = submit(
        client,
        token,
        tree.town_a.id,
        employer="临汾恒达建筑有限公司",
        amount_owed=23600.5,  # a JSON number is read exactly, through its text
        contact_name="王师傅",
        description="干了四个月，老板一直说年底结",
    )
    assert response.status_code == 201, response.json
    claim = response.json
    assert claim["status"] == "submitted" and claim["status_label"] == "待受理"
    assert claim["amount_owed"] == "23600.50" and claim["workers_owed"] == 1
    assert claim["org"] == {"id": tree.town_a.id, "name": "甲区东街道工会", "level": "town"}

    mine = client.get("/api/v1/wage-claims/mine", headers=auth(token))
    assert [c["id"] for c in mine.json] == [claim["id"]]
    detail = client.get(f"/api/v1/wage-claims/{claim['id']}", headers=auth(token)).json
    assert [(e["title"], e["status_label"], e["org_name"]) for e in detail["timeline"]] == [
        ("已提交欠薪求助", "待受理", "甲区东街道工会")
    ]
    inbox = client.get("/api/v1/notifications", headers=auth(token)).json
    assert [n["title"] for n in inbox] == ["欠薪求助已提交"]
    assert "临汾恒达建筑有限公司" in inbox[0]["body"] and "甲区东街道工会" in inbox[0]["body"]

    stored = db.session.get(WageClaim, claim["id"])
    cluster = db.session.get(WageCluster, stored.cluster_id)
    assert stored.amount_owed == cluster.amount_total == Decimal("23600.50")
    assert stored.due_at is not None and stored.org_id == stored.origin_org_id == tree.town_a.id
    assert stored.priority > 0

    # the town's and the county's staff see it in their queue
    for username in ("t_town_a", "t_county_a", "t_city"):
        seen = queue(client, factory.staff_token(username))
        assert [c["id"] for c in seen.json] == [claim["id"]], username


def test_a_crew_claim_retried_with_the_same_idempotency_key_files_one_claim(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("crew-leader")
    crew = [{"name": "李四", "phone": "13900000001"}, {"name": "赵五"}]
    payload = claim_payload(tree.town_a.id, workers_owed=3, crew=crew, amount_owed="45000")
    headers = {**auth(token), "Idempotency-Key": "7b1e2c1a-crew"}
    first = client.post("/api/v1/wage-claims", json=payload, headers=headers)
    second = client.post("/api/v1/wage-claims", json=payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    shown = client.get(f"/api/v1/wage-claims/{first.json['id']}", headers=auth(token)).json
    assert shown["crew"] == [{"name": "李四", "phone": "139****0001"}, {"name": "赵五", "phone": None}]
    assert shown["workers_owed"] == 3 and first.json["workers_owed"] == 3
    assert count(WageClaim) == 1 and count(Notification) == 1
    cluster = db.session.scalars(select(WageCluster)).one()
    assert (cluster.claim_count, cluster.workers_total) == (1, 3)  # the replay counted nothing

    changed = client.post("/api/v1/wage-claims", json={**payload, "workers_owed": 4}, headers=headers)
    assert changed.status_code == 422 and changed.json["code"] == "idempotency_key_reused"
    assert count(WageClaim) == 1


def test_phone_numbers_are_stored_encrypted_and_never_shown_whole(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("pii")
    crew = [{"name": "李四", "phone": "13912345678"}]
    response = submit(client, token, tree.town_a.id, contact_phone="13787654321", workers_owed=2, crew=crew)
    claim_id = response.json["id"]
    staff = factory.staff_token("t_town_a")
    bodies = [
        response.get_data(as_text=True),
        client.get("/api/v1/wage-claims/mine", headers=auth(token)).get_data(as_text=True),
        client.get(f"/api/v1/wage-claims/{claim_id}", headers=auth(token)).get_data(as_text=True),
        queue(client, staff).get_data(as_text=True),
        client.get(f"/api/v1/staff/wage-claims/{claim_id}", headers=auth(staff)).get_data(as_text=True),
    ]
    for body in bodies:
        assert "13787654321" not in body and "13912345678" not in body
    assert "137****4321" in bodies[1] and "139****5678" in bodies[2] and "139****5678" in bodies[4]
    raw_phone, raw_crew = db.session.execute(text("SELECT contact_phone, crew FROM wage_claims")).one()
    assert b"13787654321" not in bytes(raw_phone) and b"13912345678" not in bytes(raw_crew)

    # the whole number is there for staff who must call, and looking at it is audited
    revealed = client.post(f"/api/v1/staff/wage-claims/{claim_id}/reveal", headers=auth(staff))
    assert revealed.status_code == 200
    assert revealed.json == {"contact_phone": "13787654321", "crew": crew}
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "pii.reveal")).one()
    assert (entry.target_type, entry.target_id) == ("wage", claim_id)
    # and a staff member may look it up by the whole number (through its blind index), sent in a
    # POST body for a token: the number itself never goes into a URL
    token = client.post("/api/v1/staff/lookup-tokens", json={"value": "13787654321"}, headers=auth(staff))
    assert token.status_code == 200 and "13787654321" not in token.json["lookup"]
    found = queue(client, staff, lookup=token.json["lookup"])
    assert [c["id"] for c in found.json] == [claim_id]
    in_url = queue(client, staff, q="13787654321")
    assert in_url.status_code == 422 and "不能放在网址里" in in_url.json["errors"]["q"][0]


def _tomorrow() -> str:
    return (local_date(utcnow()) + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("owed_since", {"owed_since": "2999-01-01"}),
        ("owed_since", {"owed_since": "2025-02-30"}),
        ("owed_since", {"owed_since": "1999-12-31"}),
        ("amount_owed", {"amount_owed": "0"}),
        ("amount_owed", {"amount_owed": "-500"}),
        ("amount_owed", {"amount_owed": "12800.005"}),
        ("amount_owed", {"amount_owed": 12.345}),
        ("amount_owed", {"amount_owed": "一万二"}),
        ("amount_owed", {"amount_owed": "1e12"}),
        ("amount_owed", {"amount_owed": True}),
        ("contact_phone", {"contact_phone": "1380013800"}),
        ("contact_phone", {"contact_phone": "23800138000"}),
        ("employer", {"employer": "   "}),
        ("employer", {"employer": "恒" * 101}),
        ("project", {"project": None}),
        ("workers_owed", {"workers_owed": 0}),
        ("crew", {"workers_owed": 1, "crew": [{"name": "李四"}, {"name": "赵五"}]}),
        ("crew", {"workers_owed": 3, "crew": [{"name": "李四", "phone": "12345"}]}),
        ("org_id", {"org_id": 999_999}),
        ("org_id", {"org_id": "base"}),  # replaced below by a base union's id
        ("org_id", {"org_id": "city"}),  # replaced below by the city's id
        ("surprise", {"surprise": 1}),
    ],
)
def test_bad_input_is_refused_per_field_and_nothing_is_written(factory, client, field, change):
    tree = factory.org_tree()
    token = factory.worker_token("careless")
    change = dict(change)
    if change.get("org_id") == "base":
        change["org_id"] = tree.union_a1.id
    if change.get("org_id") == "city":
        change["org_id"] = tree.city.id
    payload = {**claim_payload(tree.town_a.id), **change}
    response = client.post("/api/v1/wage-claims", json=payload, headers=auth(token))
    assert response.status_code == 422, response.json
    assert field in response.json["errors"], response.json
    assert response.json["message"]
    for model in (WageClaim, WageCluster, CaseEvent, Notification, OutboxMessage):
        assert count(model) == 0, model


def test_the_messages_say_what_is_wrong_in_chinese(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("careless")
    response = client.post(
        "/api/v1/wage-claims",
        json=claim_payload(tree.town_a.id, owed_since=_tomorrow(), amount_owed="100.123", contact_phone="1"),
        headers=auth(token),
    )
    assert response.json["errors"] == {
        "owed_since": ["欠薪开始日期不能晚于今天"],
        "amount_owed": ["金额最多保留两位小数（精确到分）"],
        "contact_phone": ["手机号格式不正确，应为11位中国大陆手机号"],
    }
    base = client.post("/api/v1/wage-claims", json=claim_payload(tree.union_a1.id), headers=auth(token)).json
    assert base["errors"] == {"org_id": ["请选择欠薪发生地所在的县区或乡镇（街道）工会"]}


def test_photos_uploaded_first_are_attached_to_the_claim(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("with-photos")
    upload = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(PNG), "工资条.png")},
        headers=auth(token),
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201
    claim_id = filed(client, token, tree.town_a.id, evidence_ids=[upload.json["id"]])
    detail = client.get(f"/api/v1/wage-claims/{claim_id}", headers=auth(token)).json
    assert [a["id"] for a in detail["attachments"]] == [upload.json["id"]]
    staff = factory.staff_token("t_county_a")
    staff_detail = client.get(f"/api/v1/staff/wage-claims/{claim_id}", headers=auth(staff)).json
    assert [a["id"] for a in staff_detail["attachments"]] == [upload.json["id"]]
    served = client.get(f"/api/v1/staff/uploads/{upload.json['id']}", headers=auth(staff))
    assert served.status_code == 200 and served.data == PNG

    # somebody else's upload cannot be attached, and then nothing is filed
    other = factory.worker_token("other")
    stolen = submit(client, other, tree.town_a.id, evidence_ids=[upload.json["id"]])
    assert stolen.status_code == 422 and "evidence_ids" in stolen.json["errors"]
    assert count(WageClaim) == 1 and count(WageCluster) == 1


def test_another_worker_cannot_see_the_claim(factory, client):
    tree = factory.org_tree()
    claim_id = filed(client, factory.worker_token("owner"), tree.town_a.id)
    other = factory.worker_token("neighbour")
    response = client.get(f"/api/v1/wage-claims/{claim_id}", headers=auth(other))
    assert response.status_code == 404 and response.json["message"] == "欠薪求助不存在"
    assert client.get("/api/v1/wage-claims/mine", headers=auth(other)).json == []
    assert client.get("/api/v1/wage-claims/999999", headers=auth(other)).status_code == 404


def test_staff_of_another_county_see_nothing_of_it(factory, client):
    tree = factory.org_tree()
    claim_id = filed(client, factory.worker_token("scoped"), tree.town_a.id)
    other = factory.staff_token("t_county_b")
    base = f"/api/v1/staff/wage-claims/{claim_id}"
    assert client.get(base, headers=auth(other)).status_code == 404
    assert (
        client.post(f"{base}/transition", json={"action": "accept"}, headers=auth(other)).status_code == 404
    )
    assert client.post(f"{base}/assign", json={"assignee_id": None}, headers=auth(other)).status_code == 404
    assert client.post(f"{base}/reveal", headers=auth(other)).status_code == 404
    assert queue(client, other).json == []
    assert client.get("/api/v1/staff/wage-clusters", headers=auth(other)).json == []
    for username in ("t_city", "t_county_a", "t_town_a"):
        assert client.get(base, headers=auth(factory.staff_token(username))).status_code == 200, username
    # base-union staff and lawyers do not handle wage claims at all
    for username in ("t_union_a1", "t_lawyer"):
        response = client.get(base, headers=auth(factory.staff_token(username)))
        assert response.status_code == 403, username
    assert db.session.get(WageClaim, claim_id).status == "submitted"


def test_worker_routes_refuse_staff_tokens(factory, client):
    tree = factory.org_tree()
    staff = factory.staff_token("t_city")
    response = client.post("/api/v1/wage-claims", json=claim_payload(tree.town_a.id), headers=auth(staff))
    assert response.status_code == 403
    assert client.post("/api/v1/wage-claims", json=claim_payload(tree.town_a.id)).status_code == 401
    assert count(WageClaim) == 0


def test_a_submission_runs_a_fixed_handful_of_statements(factory, client, queue_redis):  # noqa: F811
    """The phone's hot path: no needless SELECT, no lazy load, one upsert for the cluster. (With
    Redis the notification's job is queued; without it would run inline after the commit.)"""
    tree = factory.org_tree()
    token = factory.worker_token("lean")
    filed(client, token, tree.town_a.id)  # warm: the cluster exists, so the upsert takes its update path
    with statements_sent() as statements:
        assert submit(client, token, tree.town_a.id).status_code == 201
    assert len(statements) == 7, statements
    assert [s for s in statements if s.startswith("SELECT")] == [
        # who is calling, whether the log-in session was revoked, and their member record with its
        # union (the shared worker check: one statement, the joined member's union's columns first)
        "SELECT orgs.id, orgs.parent_id,",
        "SELECT orgs.id, orgs.name,",  # where the claim is filed
    ]
    # the cluster's upsert (an INSERT that updates the row it meets), the claim and what follows it
    assert inserted_tables(statements) == [
        "case_events", "notifications", "outbox", "wage_claims", "wage_clusters",
    ]  # fmt: skip
