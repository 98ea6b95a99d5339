"""Hostile input from a phone: a clear 4xx with a Chinese message per field, and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.members.models import MembershipApplication
from tests.factories import application_payload, auth, new_id_number


def _no_application_written():
    return db.session.scalar(select(func.count()).select_from(MembershipApplication)) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"id_number": "140102199003080011"}, "id_number", "校验位"),
        ({"id_number": "14010219900230001X"}, "id_number", "出生日期"),
        ({"id_number": "1401021990"}, "id_number", "18位"),
        ({"name": ""}, "name", ""),
        ({"name": "   "}, "name", "不能为空"),
        ({"name": "长" * 51}, "name", "长度"),
        ({"mobile": "12345"}, "mobile", "手机号"),
        ({"mobile": "2391234567a"}, "mobile", "手机号"),
        ({"consent": False}, "consent", "隐私政策"),
        ({"gender": "other"}, "gender", "取值"),
        ({"worker_type": "astronaut"}, "worker_type", "农民工"),
        ({"org_id": "abc"}, "org_id", "整数"),
        ({"unexpected": 1}, "unexpected", "不支持"),
    ],
)
def test_bad_fields_are_refused_with_a_chinese_message(factory, client, overrides, field, fragment):
    tree = factory.org_tree()
    token = factory.worker_token("hostile")
    payload = application_payload(tree.union_a1.id, **overrides)
    response = client.post("/api/v1/membership/applications", json=payload, headers=auth(token))
    assert response.status_code == 422, response.json
    body = response.json
    assert body["code"] == "validation_error" and body["message"]
    assert field in body["errors"], body
    assert all(isinstance(m, str) for m in body["errors"][field])
    assert fragment in "".join(body["errors"][field])
    assert _no_application_written()


def test_missing_fields_are_each_named(factory, client):
    factory.org_tree()
    token = factory.worker_token("empty")
    response = client.post("/api/v1/membership/applications", json={}, headers=auth(token))
    assert response.status_code == 422
    assert set(response.json["errors"]) == {
        "name",
        "id_number",
        "mobile",
        "gender",
        "employer",
        "worker_type",
        "org_id",
        "consent",
        "consent_version",
    }
    assert response.json["errors"]["name"] == ["此项为必填项"]


def test_domain_rules_are_refused_per_field(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("rules")
    cases = [
        ({"org_id": 999999}, "org_id", "所选工会不存在"),
        ({"org_id": tree.town_a.id}, "org_id", "请选择一个基层工会"),
        ({"consent_version": "2020-01"}, "consent_version", "隐私政策已更新"),
        ({"gender": "female", "id_number": new_id_number("male")}, "gender", "性别与身份证号不一致"),
    ]
    for overrides, field, message in cases:
        response = client.post(
            "/api/v1/membership/applications",
            json=application_payload(tree.union_a1.id, **overrides),
            headers=auth(token),
        )
        assert response.status_code == 422, overrides
        assert message in response.json["errors"][field][0]
    assert _no_application_written()


def test_malformed_json_and_wrong_shapes(factory, client):
    factory.org_tree()
    token = factory.worker_token("garbage")
    headers = {**auth(token), "Content-Type": "application/json"}
    broken = client.post("/api/v1/membership/applications", data='{"name": "张', headers=headers)
    assert broken.status_code == 400
    assert broken.json["code"] == "malformed_json" and broken.json["message"] == "请求体不是合法的 JSON"
    a_list = client.post("/api/v1/membership/applications", json=[1, 2], headers=auth(token))
    assert a_list.status_code == 422 and a_list.json["errors"]
    assert _no_application_written()


def test_an_oversized_body_is_refused(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("big")
    payload = application_payload(tree.union_a1.id, employer="大" * 100_000)
    response = client.post("/api/v1/membership/applications", json=payload, headers=auth(token))
    assert response.status_code == 413
    assert response.json["message"] == "请求体过大"
    assert _no_application_written()


def test_unknown_routes_and_methods_answer_in_the_error_format(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json["code"] == "not_found"
    wrong = client.delete("/api/v1/orgs")
    assert wrong.status_code == 405 and wrong.json["message"]
