"""Every case queue filters the same way: a repeatable ``status``, ``overdue`` and ``assignee``
(mine / none / any / a staff id), with the wage queue's older ``assignee_id`` / ``unassigned`` meaning
the same; the same filter gives the same answer whichever kind of case it lists."""

from __future__ import annotations

import pytest

from tests import aid as aid_steps
from tests.factories import auth
from tests.wages import act as wage_act
from tests.wages import filed


def _ids(client, token, path, **query) -> set[int]:
    response = client.get(f"/api/v1/staff/{path}", query_string=query, headers=auth(token))
    assert response.status_code == 200, response.json
    return {row["id"] for row in response.json}


def _assign(client, token, path, case_id, assignee_id):
    response = client.post(
        f"/api/v1/staff/{path}/{case_id}/assign", json={"assignee_id": assignee_id}, headers=auth(token)
    )
    assert response.status_code == 200, response.json


@pytest.fixture
def wage_cases(factory, client):
    tree = factory.org_tree()
    worker = factory.worker_token("queue-filters")
    ids = [filed(client, worker, tree.town_a.id, employer=f"第{i}建筑公司") for i in range(3)]
    return tree, "wage-claims", ids, lambda token, case_id: wage_act(client, token, case_id, "accept")


@pytest.fixture
def aid_cases(factory, client):
    tree = factory.org_tree()
    token = aid_steps.member(factory, tree, "queue-filters")
    ids = []
    for i in range(3):
        submitted = aid_steps.submit(client, token, aid_steps.payload(situation=f"家庭困难情况第{i}种"))
        assert submitted.status_code == 201, submitted.json
        ids.append(submitted.json["id"])
    return tree, "aid-requests", ids, lambda token, case_id: aid_steps.act(client, token, case_id, "accept")


@pytest.mark.parametrize("cases", ["wage_cases", "aid_cases"])
def test_every_queue_takes_the_same_status_and_assignee_filters(cases, factory, client, request):
    tree, path, (first, second, third), accept = request.getfixturevalue(cases)
    county = factory.staff_token("t_county_a")
    county_id = tree.staff["t_county_a"].id
    assert accept(county, first).status_code == 200  # accepting makes it the county staffer's
    _assign(client, county, path, second, tree.staff["t_town_a"].id if path == "wage-claims" else county_id)

    assert _ids(client, county, path, status=["submitted"]) == {second, third}
    assert _ids(client, county, path, status=["submitted", "accepted"]) == {first, second, third}
    assert _ids(client, county, path, assignee="mine") >= {first}
    assert _ids(client, county, path, assignee="none") == {third}
    assert _ids(client, county, path, assignee="any") == {first, second}
    assert _ids(client, county, path, assignee=str(county_id)) == _ids(client, county, path, assignee="mine")
    # the older names mean the same
    assert _ids(client, county, path, unassigned="true") == {third}
    assert _ids(client, county, path, unassigned="false") == {first, second}
    assert _ids(client, county, path, assignee_id=county_id) == _ids(client, county, path, assignee="mine")
    assert _ids(client, county, path, overdue="false") == {first, second, third}
    assert _ids(client, county, path, overdue="true") == set()


@pytest.mark.parametrize("path", ["wage-claims", "aid-requests"])
@pytest.mark.parametrize(
    "query, field",
    [
        ({"assignee": "someone"}, "assignee"),
        ({"assignee": "9" * 30}, "assignee"),
        ({"assignee": "mine", "unassigned": "true"}, "unassigned"),
        ({"status": ["submitted", "nonsense"]}, "status"),
        ({"assignee_id": 2**64}, "assignee_id"),
    ],
)
def test_a_bad_queue_filter_is_a_422_naming_the_field(path, query, field, factory, client):
    factory.org_tree()
    response = client.get(
        f"/api/v1/staff/{path}", query_string=query, headers=auth(factory.staff_token("t_county_a"))
    )
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json["errors"][field]))  # said in Chinese


def test_the_review_queues_take_repeated_statuses_and_open_one_case(factory, client):
    tree = factory.org_tree()
    staff = factory.staff_token("t_county_a")
    first = factory.apply(factory.worker_token("review-1"), tree.union_a1.id).json["id"]
    second = factory.apply(factory.worker_token("review-2"), tree.union_a1.id).json["id"]
    assert factory.transition(staff, first, "approve").status_code == 200
    path = "membership/applications"
    assert _ids(client, staff, path, status=["submitted"]) == {second}
    assert _ids(client, staff, path, status=["submitted", "approved"]) == {first, second}
    shown = client.get(f"/api/v1/staff/{path}/{second}", headers=auth(staff))
    assert shown.status_code == 200 and shown.json["allowed_actions"]
    elsewhere = client.get(f"/api/v1/staff/{path}/{second}", headers=auth(factory.staff_token("t_county_b")))
    assert elsewhere.status_code == 404
