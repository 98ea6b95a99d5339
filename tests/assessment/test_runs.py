"""Assessment runs over the hand-computed city of conftest.City."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from backend.assessment.models import AssessmentResult, AssessmentRun
from backend.extensions import db
from tests.assessment.conftest import drain_assessment_queue
from tests.factories import auth


def _run(client, token, period_type="month", period="2026-03"):
    response = client.post(
        "/api/v1/staff/assessments/runs",
        json={"period_type": period_type, "period": period},
        headers=auth(token),
    )
    assert response.status_code == 202, response.json
    drain_assessment_queue()
    run = client.get(f"/api/v1/staff/assessments/runs/{response.json['id']}", headers=auth(token)).json
    assert run["status"] == "done", run
    return run


def _results(client, token, run_id, **params):
    response = client.get(
        f"/api/v1/staff/assessments/runs/{run_id}/results",
        query_string={"page_size": 100, **params},
        headers=auth(token),
    )
    assert response.status_code == 200, response.json
    return response.json


def _standings(client, token, run_id):
    return {
        r["org"]["name"]: (r["tier"], r["grade"], r["score"], r["rank"], r["position"], r["peers"])
        for r in _results(client, token, run_id)
    }


def test_every_union_gets_the_tier_level_and_rank_worked_out_by_hand(client, factory, city):
    token = factory.staff_token("t_city")
    run = _run(client, token)
    assert run["orgs_assessed"] == 7 and run["results_count"] == 7
    assert _standings(client, token, run["id"]) == {
        "甲区总工会": ("good", "advanced", "100.00", 1, 1, 2),
        "乙县总工会": ("qualified", None, "40.00", 2, 2, 2),
        "甲区建筑公司工会": ("excellent", "flagship", "100.00", 1, 1, 5),
        "乙县物流公司工会": ("good", "leading", "50.00", 2, 2, 5),
        "乙县餐饮公司工会": ("good", "leading", "50.00", 2, 3, 5),
        "甲区物业公司工会": ("good", None, "45.00", 4, 4, 5),
        "甲区快递网点工会": ("unqualified", None, "100.00", 5, 5, 5),
    }


def test_a_result_shows_why_the_union_stands_where_it_stands(client, factory, city):
    token = factory.staff_token("t_city")
    run = _run(client, token)
    row = next(r for r in _results(client, token, run["id"]) if r["org"]["id"] == city.tree.union_b1.id)
    detail = client.get(f"/api/v1/staff/assessments/results/{row['id']}", headers=auth(token)).json
    assert detail["tier_label"] == "良好" and detail["grade_label"] == "领先"
    by_key = {i["key"]: i for i in detail["indicators"]}
    assert by_key["new_members"]["value"] == "2.00"
    assert by_key["new_members"]["thresholds"] == {"qualified": "1.00", "good": "2.00", "excellent": "3.00"}
    assert by_key["new_members"]["passed"] is True and by_key["new_members"]["reached"] == "good"
    # no help request was filed, so nothing fell due: the SLA indicator has no data and, under the
    # rubric's rule (no_data: excluded), does not decide the tier
    assert by_key["aid_sla"]["value"] is None and by_key["aid_sla"]["no_data"] == "excluded"
    assert by_key["aid_sla"]["reached"] is None and by_key["aid_sla"]["passed"] is True
    assert (by_key["consultations"]["value"], by_key["consultations"]["points"]) == ("2.00", "30.00")
    assert (by_key["events"]["value"], by_key["events"]["points"]) == ("1.00", "20.00")


def test_a_rerun_replaces_the_results_with_identical_ones(client, factory, city):
    token = factory.staff_token("t_city")
    first = _run(client, token)
    before = sorted(
        (r["org"]["id"], r["tier"], r["grade"], r["score"], r["rank"])
        for r in _results(client, token, first["id"])
    )
    details_before = {
        r["org"]["id"]: client.get(f"/api/v1/staff/assessments/results/{r['id']}", headers=auth(token)).json[
            "indicators"
        ]
        for r in _results(client, token, first["id"])
    }
    second = _run(client, token)
    assert second["id"] != first["id"] and second["rubric_version"] == first["rubric_version"]
    after = sorted(
        (r["org"]["id"], r["tier"], r["grade"], r["score"], r["rank"])
        for r in _results(client, token, second["id"])
    )
    assert after == before
    details_after = {
        r["org"]["id"]: client.get(f"/api/v1/staff/assessments/results/{r['id']}", headers=auth(token)).json[
            "indicators"
        ]
        for r in _results(client, token, second["id"])
    }
    assert details_after == details_before
    assert db.session.scalar(select(func.count()).select_from(AssessmentResult)) == 7  # replaced, not added
    assert db.session.scalar(select(func.count()).select_from(AssessmentRun)) == 2  # history kept
    runs = client.get("/api/v1/staff/assessments/runs", headers=auth(token)).json
    assert [r["id"] for r in runs] == [second["id"], first["id"]]


def test_a_quarter_counts_the_whole_quarter(client, factory, city):
    token = factory.staff_token("t_city")
    run = _run(client, token, "quarter", "2026-Q1")
    standings = _standings(client, token, run["id"])
    # the county rubric has no quarter: only the five non-public unions; b1's February members now count
    assert len(standings) == 5
    # b1: 2 March + 4 February members = 6 ≥ 3 → 优秀; still 2 consultations, 1 attendance → 50 → 领先
    assert standings["乙县物流公司工会"] == ("excellent", "leading", "50.00", 2, 2, 5)
    # a1: the 5 February consultations count now, but the points stop at full marks
    assert standings["甲区建筑公司工会"] == ("excellent", "flagship", "100.00", 1, 1, 5)


def test_results_export_through_the_api_holds_only_the_subtree(client, factory, city):
    run = _run(client, factory.staff_token("t_city"))
    response = client.get(
        f"/api/v1/staff/assessments/runs/{run['id']}/export",
        query_string={"format": "xlsx", "category": "non_public"},
        headers=auth(factory.staff_token("t_county_b")),
    )
    assert response.status_code == 200
    header, *rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert header[:3] == ("工会", "类别", "档次")
    assert sorted((r[0], r[2], r[5]) for r in rows) == [
        ("乙县物流公司工会", "良好", 2),
        ("乙县餐饮公司工会", "良好", 2),
    ]
    bad = client.get(
        f"/api/v1/staff/assessments/runs/{run['id']}/export",
        query_string={"format": "pdf"},
        headers=auth(factory.staff_token("t_city")),
    )
    assert bad.status_code == 422 and "format" in bad.json["errors"]
