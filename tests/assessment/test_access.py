"""Who sees which results, who may start a run, and what bad input gets back."""

from __future__ import annotations

import pytest

from tests.assessment.test_runs import _results, _run
from tests.factories import auth


def test_a_union_sees_itself_a_county_its_subtree_and_another_county_gets_404(client, factory, city):
    run = _run(client, factory.staff_token("t_city"))
    tree = city.tree
    union = factory.staff_token("t_union_a1")
    assert [r["org"]["id"] for r in _results(client, union, run["id"])] == [tree.union_a1.id]
    county_a = factory.staff_token("t_county_a")
    seen = {r["org"]["id"] for r in _results(client, county_a, run["id"])}
    assert seen == {tree.county_a.id, tree.union_a1.id, city.n3.id, city.n5.id}
    rows = {r["org"]["id"]: r["id"] for r in _results(client, factory.staff_token("t_city"), run["id"])}
    county_b = factory.staff_token("t_county_b")
    assert (
        client.get(
            f"/api/v1/staff/assessments/results/{rows[tree.union_a1.id]}", headers=auth(county_b)
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/staff/assessments/results/{rows[tree.union_b1.id]}", headers=auth(county_b)
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/staff/assessments/results/{rows[tree.union_b1.id]}", headers=auth(union)
        ).status_code
        == 404
    )
    # filters: category and name
    only = _results(client, county_a, run["id"], category="county_federation")
    assert [r["org"]["id"] for r in only] == [tree.county_a.id]
    assert [r["org"]["name"] for r in _results(client, county_a, run["id"], q="物业")] == ["甲区物业公司工会"]


def test_only_the_city_may_start_a_run(client, factory, city):
    response = client.post(
        "/api/v1/staff/assessments/runs",
        json={"period_type": "month", "period": "2026-03"},
        headers=auth(factory.staff_token("t_county_a")),
    )
    assert response.status_code == 403


NEW_ENDPOINTS = [
    ("post", "/api/v1/staff/assessments/runs"),
    ("get", "/api/v1/staff/assessments/runs"),
    ("get", "/api/v1/staff/assessments/runs/1"),
    ("get", "/api/v1/staff/assessments/runs/1/results"),
    ("get", "/api/v1/staff/assessments/results/1"),
    ("get", "/api/v1/staff/stats/summary"),
    ("get", "/api/v1/staff/stats/monthly"),
    ("get", "/api/v1/staff/stats/export"),
]


@pytest.mark.parametrize(("method", "url"), NEW_ENDPOINTS)
def test_a_worker_token_is_refused_on_every_staff_endpoint(client, factory, method, url):
    token = factory.worker_token("w_assess")
    response = getattr(client, method)(url, headers=auth(token), json={} if method == "post" else None)
    assert response.status_code == 403
    assert response.json["message"] == "此接口仅限工会工作人员使用"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"period_type": "week", "period": "2026-03"}, "period_type", "取值应为：月度、季度、年度"),
        ({"period_type": "month", "period": "2026-13"}, "period", "月度期间应为 YYYY-MM，如 2026-03"),
        ({"period_type": "quarter", "period": "2026-03"}, "period", "季度期间应为 YYYY-Qn，如 2026-Q1"),
        ({"period_type": "year", "period": "1999"}, "period", "年份应在 2000 到 2100 之间"),
        ({"period_type": "month"}, "period", "此项为必填项"),
    ],
)
def test_a_bad_run_request_gets_422_per_field_in_chinese(client, factory, city, body, field, message):
    from sqlalchemy import func, select

    from backend.assessment.models import AssessmentRun
    from backend.extensions import db

    response = client.post(
        "/api/v1/staff/assessments/runs", json=body, headers=auth(factory.staff_token("t_city"))
    )
    assert response.status_code == 422, response.json
    assert response.json["errors"][field] == [message]
    assert db.session.scalar(select(func.count()).select_from(AssessmentRun)) == 0


def test_an_unknown_category_gets_422(client, factory, city):
    token = factory.staff_token("t_city")
    run = _run(client, token)
    response = client.get(
        f"/api/v1/staff/assessments/runs/{run['id']}/results",
        query_string={"category": "bank"},
        headers=auth(token),
    )
    assert response.status_code == 422
    assert response.json["errors"]["category"] == ["取值应为：县市区、行政事业、国有集体、非公企业、乡镇街道"]
