"""The OpenAPI document says what the server does: errors, paging, money, numbers and who may call what."""

from __future__ import annotations

import json

from backend.staff import permissions
from backend.staff.models import Role
from tests.factories import auth


def _walk(node, found):
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)
    return found


def _spec(client):
    return client.get("/api/openapi.json").json


def test_errors_are_documented_with_string_codes(client):
    error = _spec(client)["components"]["schemas"]["ErrorOut"]
    assert error["properties"]["code"]["type"] == "string"
    assert set(error["required"]) == {"code", "message", "errors"}


def test_every_bound_in_the_document_is_a_number_and_money_is_a_pattern_string(client):
    spec = _spec(client)
    for node in _walk(spec, []):
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in node and not isinstance(node[key], dict):
                assert isinstance(node[key], int | float) and not isinstance(node[key], bool), node
    amount = spec["components"]["schemas"]["WageClaimIn"]["properties"]["amount_owed"]
    assert amount["type"] == "string" and amount["pattern"] == r"^\d{1,12}(\.\d{1,2})?$"


def test_lists_document_cursor_paging_and_nothing_documents_x_pagination(client):
    spec = _spec(client)
    assert "X-Pagination" not in json.dumps(spec["paths"])
    inbox = spec["paths"]["/api/v1/notifications"]["get"]
    names = {p["name"] for p in inbox["parameters"]}
    assert {"cursor", "page_size"} <= names and "page" not in names
    assert "X-Next-Cursor" in inbox["responses"]["200"]["headers"]
    mine = spec["paths"]["/api/v1/wage-claims/mine"]["get"]
    assert "X-Next-Cursor" in mine["responses"]["200"]["headers"]


def test_every_staff_operation_names_its_roles_from_the_permission_table(client):
    spec = _spec(client)
    staff_ops = [
        (path, method, op)
        for path, ops in spec["paths"].items()
        if path.startswith("/api/v1/staff/") and path != "/api/v1/staff/login"
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(staff_ops) > 50
    for path, method, op in staff_ops:
        assert "x-roles" in op and "403" in op["responses"], (path, method)
        permission = op["x-permission"]
        need = None if permission is None else tuple(permission.split(" | "))
        expected = [str(r) for r in Role if need is None or permissions.allows(r, need)]
        assert op["x-roles"] == expected, (path, method)
    claims = spec["paths"]["/api/v1/staff/wage-claims"]["get"]
    assert "union_admin" not in claims["x-roles"]
    assert "基层工会管理员、法律援助律师调用时返回 403" in claims["description"]


def test_the_documented_refusal_is_what_a_base_union_staffer_gets(factory, client):
    factory.org_tree()
    union = factory.staff_token("t_union_a1")
    refused = client.get("/api/v1/staff/wage-claims", headers=auth(union))
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    county = factory.staff_token("t_county_a")
    assert client.get("/api/v1/staff/wage-claims", headers=auth(county)).status_code == 200


def test_enums_carry_their_chinese_labels(client):
    spec = _spec(client)
    worker_type = spec["components"]["schemas"]["ApplicationIn"]["properties"]["worker_type"]
    assert worker_type["x-enum-labels"]["migrant"] == "农民工" and "migrant" in worker_type["enum"]


def test_create_calls_document_the_idempotency_key_and_the_inbox_its_unread_header(client):
    spec = _spec(client)
    for path in ("/api/v1/wage-claims", "/api/v1/aid-requests", "/api/v1/membership/applications"):
        params = spec["paths"][path]["post"].get("parameters", [])
        key = next(p for p in params if p["name"] == "Idempotency-Key")
        assert key["in"] == "header" and key["schema"]["maxLength"] == 100
    unread = spec["paths"]["/api/v1/notifications"]["get"]["responses"]["200"]["headers"]["X-Unread-Count"]
    assert unread["schema"]["type"] == "integer"
    example = spec["paths"]["/api/v1/wage-claims"]["post"]["requestBody"]["content"]["application/json"]
    assert example["example"]["amount_owed"] == "38600.00"
