"""The staff queue of wage claims: most urgent first, cursor pages that visit every claim once, the
filters staff triage with, and assignment."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import event, select

from backend.audit.models import AuditLog
from backend.common.types import utcnow
from backend.extensions import db
from backend.wages.models import WageClaim
from tests.factories import auth
from tests.wages import act, filed, queue


def _claims(client, worker: str, org_id: int, n: int) -> list[int]:
    return [
        filed(
            client,
            worker,
            org_id,
            employer=f"第{i}建筑公司",
            project=f"滨河{i}号工地",
            amount_owed=str(1000 * (i % 4 + 1)),
        )
        for i in range(n)
    ]


def test_cursor_pages_visit_every_claim_once_most_urgent_first(factory, client):
    tree = factory.org_tree()
    worker = factory.worker_token("many")
    ids = _claims(client, worker, tree.town_a.id, 7) + _claims(client, worker, tree.county_a.id, 2)
    staff = factory.staff_token("t_county_a")
    seen, cursor, pages = [], None, 0
    while True:
        params = {"page_size": 3, **({"cursor": cursor} if cursor else {})}
        page = queue(client, staff, **params)
        assert page.status_code == 200
        seen += [(c["priority"], c["id"]) for c in page.json]
        pages += 1
        cursor = page.headers.get("X-Next-Cursor")
        if cursor is None:
            break
    assert pages == 3 and sorted(i for _, i in seen) == sorted(ids)
    assert seen == sorted(seen, reverse=True)
    assert queue(client, staff, cursor="garbage!").status_code == 400

    # the town sees only what was filed with it
    town = queue(client, factory.staff_token("t_town_a"), page_size=100).json
    assert len(town) == 7 and {c["org"]["id"] for c in town} == {tree.town_a.id}


def test_the_filters_narrow_the_queue(factory, client):
    tree = factory.org_tree()
    worker = factory.worker_token("filters")
    start = utcnow()
    with time_machine.travel(start, tick=False):
        a, b, c, d = _claims(client, worker, tree.town_a.id, 4)
        staff = factory.staff_token("t_county_a")
        act(client, staff, b, "accept")
        act(client, staff, c, "accept")
        act(client, staff, c, "mediate")
        town_staff = tree.staff["t_town_a"].id
        assigned = client.post(
            f"/api/v1/staff/wage-claims/{b}/assign", json={"assignee_id": town_staff}, headers=auth(staff)
        )
        assert assigned.status_code == 200 and assigned.json["assignee_id"] == town_staff

        def ids(**params) -> set[int]:
            response = queue(client, staff, page_size=100, **params)
            assert response.status_code == 200, response.json
            return {row["id"] for row in response.json}

        assert ids(status="submitted") == {a, d}
        assert ids(status=["accepted", "mediating"]) == {b, c}
        assert ids(assignee_id=town_staff) == {b}
        assert ids(unassigned="true") == {a, d}  # c became its accepter's; b was handed to the town
        assert ids(assignee_id=tree.staff["t_county_a"].id) == {c}
        assert ids(q="第2建筑") == {c}
        assert ids(q="滨河3号") == {d}
        assert ids(q="100%") == set()
        priorities = {row["id"]: row["priority"] for row in queue(client, staff, page_size=100).json}
        top = max(priorities.values())
        assert ids(priority_min=top) == {i for i, p in priorities.items() if p == top}
        assert ids(priority_max=top - 1) == {i for i, p in priorities.items() if p < top}
        assert ids(overdue="true") == set()
        assert queue(client, staff, assignee_id=1, unassigned="true").status_code == 422
        assert queue(client, staff, status="withdrawn").status_code == 422

    # a day later the two still waiting to be accepted are overdue (until the job escalates them)
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        staff = factory.staff_token("t_county_a")
        overdue = queue(client, staff, overdue="true", page_size=100).json
        assert {row["id"] for row in overdue} == {a, d} and all(row["overdue"] for row in overdue)
        assert {row["id"] for row in queue(client, staff, overdue="false", page_size=100).json} == {b, c}


def test_assignment_stays_inside_the_subtree_and_is_audited(factory, client):
    tree = factory.org_tree()
    claim_id = filed(client, factory.worker_token("assign"), tree.town_a.id)
    staff = factory.staff_token("t_county_a")
    url = f"/api/v1/staff/wage-claims/{claim_id}/assign"
    outsider = tree.staff["t_county_b"].id
    refused = client.post(url, json={"assignee_id": outsider}, headers=auth(staff))
    assert refused.status_code == 422 and "assignee_id" in refused.json["errors"]
    ok = client.post(
        url, json={"assignee_id": tree.staff["t_town_a"].id, "note": "请街道先联系"}, headers=auth(staff)
    )
    assert ok.status_code == 200 and ok.json["timeline"][-1]["action"] == "assign"
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "wage.assign")).one()
    assert entry.target_id == claim_id and entry.staff_id == tree.staff["t_county_a"].id
    # the worker's timeline keeps internal steps out
    assert db.session.get(WageClaim, claim_id).assignee_id == tree.staff["t_town_a"].id
    worker = factory.worker_token("assign")
    timeline = client.get(f"/api/v1/wage-claims/{claim_id}", headers=auth(worker)).json["timeline"]
    assert [e["title"] for e in timeline] == ["已提交欠薪求助"]

    act(client, staff, claim_id, "accept")
    act(client, staff, claim_id, "close", note="工人已自行与老板协商解决")
    closed = client.post(url, json={"assignee_id": None}, headers=auth(staff))
    assert closed.status_code == 422


def test_a_queue_page_takes_the_same_few_statements_however_many_rows_it_shows(factory, client):
    tree = factory.org_tree()
    worker = factory.worker_token("n-plus-one")
    _claims(client, worker, tree.town_a.id, 6)
    _claims(client, worker, tree.county_a.id, 6)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_):
        statements.append(statement)

    for username in ("t_county_a", "t_town_a"):
        staff = factory.staff_token(username)
        seen = []
        for limit in (2, 6):
            statements.clear()
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                page = queue(client, staff, page_size=limit)
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            assert len(page.json) == limit and all(row["org"]["name"] for row in page.json)
            seen.append(len(statements))
        # the staff member with their log-in session (not revoked), the page's keys, the page's rows
        assert seen == [3, 3], (username, statements)
