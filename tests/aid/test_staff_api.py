"""Staff triage of 困难帮扶: only their own subtree, a filterable queue that pages by cursor,
assignment, and evidence seen only through a case they may see."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select, update

from backend.aid.models import AidRequest
from backend.audit.models import AuditLog
from backend.common.types import utcnow
from backend.extensions import db
from tests.aid import JPEG, act, illness_payload, member, payload, submit, upload, walk
from tests.factories import auth


def queue(client, token: str, **params):
    return client.get("/api/v1/staff/aid-requests", query_string=params, headers=auth(token))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [r["id"] for r in response.json]


def test_staff_of_another_county_cannot_see_or_touch_a_request(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "scoped")
    request_id = submit(client, token).json["id"]
    other = factory.staff_token("t_county_b")
    sibling = factory.staff_token("t_union_a2")  # same town, another base union

    for outsider in (other, sibling):
        assert (
            client.get(f"/api/v1/staff/aid-requests/{request_id}", headers=auth(outsider)).status_code == 404
        )
        assert act(client, outsider, request_id, "accept").status_code == 404
        assigned = client.post(
            f"/api/v1/staff/aid-requests/{request_id}/assign",
            json={"assignee_id": None},
            headers=auth(outsider),
        )
        assert assigned.status_code == 404
        assert ids(queue(client, outsider)) == []
    assert db.session.get(AidRequest, request_id).status == "submitted"
    assert db.session.scalars(select(AuditLog).where(AuditLog.target_type == "aid")).all() == []

    for insider in ("t_union_a1", "t_town_a", "t_county_a", "t_city"):
        assert ids(queue(client, factory.staff_token(insider))) == [request_id], insider


def test_workers_and_lawyers_are_refused_the_staff_endpoints(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "refused")
    request_id = submit(client, token).json["id"]
    lawyer = factory.staff_token("t_lawyer")
    for who in (token, lawyer):
        assert client.get("/api/v1/staff/aid-requests", headers=auth(who)).status_code == 403
        assert act(client, who, request_id, "accept").status_code == 403
        assert client.get("/api/v1/staff/needy-households", headers=auth(who)).status_code == 403


def test_the_queue_filters_by_status_category_assignee_overdue_and_text(factory, client):
    tree = factory.org_tree()
    worker = member(factory, tree, "filters")
    staff = factory.staff_token("t_union_a1")
    town = factory.staff_token("t_town_a")
    plain = submit(client, worker, payload(situation="房屋漏雨")).json["id"]
    ill = submit(client, worker, illness_payload("20000", illness="尿毒症")).json["id"]
    school = submit(client, worker, payload(category="education", situation="孩子考上大学")).json["id"]
    act(client, staff, ill, "accept")  # assigned to t_union_a1
    act(client, town, school, "accept")  # assigned to t_town_a
    db.session.execute(
        update(AidRequest).where(AidRequest.id == plain).values(due_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()

    assert ids(queue(client, staff, status="submitted")) == [plain]
    assert ids(queue(client, staff, category="serious_illness")) == [ill]
    assert ids(queue(client, staff, assignee="mine")) == [ill]
    assert ids(queue(client, town, assignee="mine")) == [school]
    assert ids(queue(client, staff, assignee="none")) == [plain]
    assert ids(queue(client, staff, assignee=str(tree.staff["t_town_a"].id))) == [school]
    assert ids(queue(client, staff, overdue="true")) == [plain]
    assert ids(queue(client, staff, overdue="false")) == [ill, school]
    assert ids(queue(client, staff, q="尿毒")) == [ill]
    assert ids(queue(client, staff, q="大学")) == [school]
    assert ids(queue(client, staff, q="张建国")) == [plain, ill, school]  # the requester's name
    assert ids(queue(client, staff, q="100%")) == []
    listed = queue(client, staff).json
    assert [r["overdue"] for r in listed] == [True, False, False]
    assert listed[0]["member"]["mobile"].count("*") == 4  # masked

    for bad in ({"status": "lost"}, {"assignee": "someone"}, {"category": "x"}, {"page_size": 0}):
        refused = queue(client, staff, **bad)
        assert refused.status_code == 422 and set(refused.json["errors"]) == set(bad), bad


def test_the_queue_pages_by_cursor_in_submission_order(factory, client):
    tree = factory.org_tree()
    worker = member(factory, tree, "pages")
    staff = factory.staff_token("t_county_a")
    start = utcnow()
    created = []
    for i in range(7):
        # the same instant for a few of them: the id breaks the tie
        with time_machine.travel(start + timedelta(seconds=i // 3), tick=False):
            created.append(submit(client, worker, payload(category="other", situation=f"第{i}件")).json["id"])

    seen, cursor, pages = [], None, 0
    while True:
        params = {"page_size": 3, **({"cursor": cursor} if cursor else {})}
        page = queue(client, staff, **params)
        seen += ids(page)
        pages += 1
        cursor = page.headers.get("X-Next-Cursor")
        if cursor is None:
            break
    assert seen == created and pages == 3

    broken = queue(client, staff, cursor="not-a-cursor")
    assert broken.status_code == 400 and "cursor" in broken.json["errors"]


def test_assignment_is_within_the_subtree_and_audited(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "assign")
    request_id = submit(client, token).json["id"]
    county = factory.staff_token("t_county_a")
    path = f"/api/v1/staff/aid-requests/{request_id}/assign"

    given = client.post(path, json={"assignee_id": tree.staff["t_union_a1"].id}, headers=auth(county))
    assert given.status_code == 200 and given.json["assignee_id"] == tree.staff["t_union_a1"].id
    elsewhere = client.post(path, json={"assignee_id": tree.staff["t_county_b"].id}, headers=auth(county))
    assert elsewhere.status_code == 422 and "assignee_id" in elsewhere.json["errors"]
    lawyer = client.post(path, json={"assignee_id": tree.staff["t_lawyer"].id}, headers=auth(county))
    assert lawyer.status_code == 422

    # accepting keeps an owner who is already there
    accepted = act(client, county, request_id, "accept")
    assert accepted.json["assignee_id"] == tree.staff["t_union_a1"].id
    entries = db.session.scalars(
        select(AuditLog.action).where(AuditLog.target_type == "aid", AuditLog.target_id == request_id)
    ).all()
    assert entries == ["aid.assign", "aid.accept"]

    second = submit(client, token, payload(category="other")).json["id"]
    handed = act(client, county, second, "accept", assignee_id=tree.staff["t_town_a"].id)
    assert handed.status_code == 200 and handed.json["assignee_id"] == tree.staff["t_town_a"].id
    for action, body in (("verify", {}), ("reject", {"note": "不符合条件"})):
        assert act(client, county, second, action, **body).status_code == 200
    late = client.post(
        f"/api/v1/staff/aid-requests/{second}/assign", json={"assignee_id": None}, headers=auth(county)
    )
    assert late.status_code == 422 and late.json["errors"]["assignee_id"] == ["已办结的案件不能再分派"]


def test_staff_see_evidence_only_of_cases_in_their_subtree(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "photos")
    photo = upload(client, token)
    request_id = submit(client, token, payload(evidence_ids=[photo])).json["id"]

    detail = client.get(
        f"/api/v1/staff/aid-requests/{request_id}", headers=auth(factory.staff_token("t_town_a"))
    )
    assert [a["id"] for a in detail.json["attachments"]] == [photo]
    inside = client.get(f"/api/v1/staff/uploads/{photo}", headers=auth(factory.staff_token("t_union_a1")))
    assert inside.status_code == 200 and inside.data == JPEG
    assert inside.headers["Content-Type"] == "image/jpeg"
    outside = client.get(f"/api/v1/staff/uploads/{photo}", headers=auth(factory.staff_token("t_county_b")))
    assert outside.status_code == 404


def test_the_case_view_lists_the_actions_allowed_now(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "actions")
    staff = factory.staff_token("t_union_a1")
    request_id = submit(client, token).json["id"]
    walk(client, staff, request_id, "verifying")
    case = client.get(f"/api/v1/staff/aid-requests/{request_id}", headers=auth(staff)).json
    assert case["allowed_actions"] == [
        {"action": "approve", "label": "批准", "needs_note": False},
        {"action": "reject", "label": "不予批准", "needs_note": True},
    ]
    assert [e["action"] for e in case["timeline"]] == ["submit", "accept", "assign", "verify"]
    assert case["timeline"][1]["actor_type"] == "staff"
    assert case["timeline"][1]["actor_id"] == tree.staff["t_union_a1"].id
