"""Hostile input is a clear 4xx with a Chinese message, and nothing is written — never a 500."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.wages.models import WageClaim
from tests.factories import auth


def _claim(tree, **overrides) -> dict:
    return {
        "employer": "某建筑公司",
        "project": "城南工地",
        "org_id": tree.county_a.id,
        "amount_owed": "3000.00",
        "workers_owed": 3,
        "owed_since": "2025-11-01",
        "contact_phone": "13800138000",
        **overrides,
    }


def _claims() -> int:
    return db.session.scalar(select(func.count()).select_from(WageClaim))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("employer", "某\ud800公司", "包含无法识别的字符，请删除后重试"),
        ("amount_owed", "1E+50", "金额格式不正确，应为数字，最多两位小数（如 2600.50）"),
        ("amount_owed", 1e308, "金额不能超过"),
        ("amount_owed", "NaN", "不支持该数值"),
        ("workers_owed", 2.5, "应为整数"),
        ("workers_owed", True, "应为整数"),
        ("workers_owed", 2**63, "数值过大"),
        ("org_id", 2**63 + 5, "数值过大"),
        ("org_id", -(2**64), "数值过大"),
    ],
)
def test_a_hostile_field_is_refused_with_its_chinese_message(factory, client, field, value, message):
    tree = factory.org_tree()
    token = factory.worker_token("hostile")
    body = json.dumps(_claim(tree, **{field: value}))  # ASCII escapes, as a phone sends "\ud800"
    response = client.post(
        "/api/v1/wage-claims", data=body, content_type="application/json", headers=auth(token)
    )
    assert response.status_code == 422, response.json
    assert response.json["code"] == "validation_error"
    assert response.json["errors"][field][0].startswith(message), response.json
    assert _claims() == 0


def test_the_same_claim_written_sanely_is_accepted(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("sane")
    response = client.post("/api/v1/wage-claims", json=_claim(tree, workers_owed=3.0), headers=auth(token))
    assert response.status_code == 201 and response.json["workers_owed"] == 3
    assert _claims() == 1


def test_an_id_beyond_a_bigint_in_a_path_is_no_such_record(factory, client):
    token = factory.worker_token()
    for path in ("/api/v1/wage-claims/9223372036854775808", "/api/v1/aid-requests/99999999999999999999"):
        response = client.get(path, headers=auth(token))
        assert response.status_code == 404 and response.json["code"] == "not_found"


def test_a_crafted_staff_queue_cursor_is_a_400(factory, client):
    factory.org_tree()
    staff = factory.staff_token("t_county_a")
    for cursor in ("W1siXzJFOS4yMjMzNzIwMzY4NTQ3NzZlKzE4Il0sWzFdXQ", "eyJ0IjoiYWJjIn0.x", "..", "\u0000"):
        for path in ("/api/v1/staff/wage-claims", "/api/v1/staff/aid-requests", "/api/v1/staff/alerts"):
            response = client.get(path, query_string={"cursor": cursor}, headers=auth(staff))
            assert response.status_code == 400, (path, cursor, response.json)
            assert response.json["errors"]["cursor"] == ["分页游标无效，请从第一页重新开始"]


def test_a_wrong_method_says_which_are_allowed(client):
    response = client.delete("/api/v1/meta")
    assert response.status_code == 405 and response.json["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}


def test_a_csv_export_has_one_charset(factory, client):
    factory.org_tree()
    token = factory.staff_token("t_county_a")
    response = client.get(
        "/api/v1/staff/stats/export",
        query_string={"format": "csv", "start": "2026-01-01", "end": "2026-12-31"},
        headers=auth(token),
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
