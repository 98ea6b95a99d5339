"""会员关系转接 and 单位建会 go through the same review flow, each within the reviewer's subtree."""

from __future__ import annotations

from sqlalchemy import select

from backend.common.idcard import make_credit_code
from backend.extensions import db
from backend.members.models import Member
from backend.orgs.models import Org
from tests.factories import auth


def _transition(client, token, path, action, note=None):
    body = {"action": action} | ({"note": note} if note else {})
    return client.post(f"/api/v1/staff/{path}/transition", json=body, headers=auth(token))


def test_a_transfer_is_reviewed_by_the_receiving_side(factory, client):
    tree = factory.org_tree()
    worker = factory.member(tree, "mover")
    asked = client.post(
        "/api/v1/membership/transfers",
        json={"to_org_id": tree.union_b1.id, "reason": "换了工作单位"},
        headers=auth(worker),
    )
    assert asked.status_code == 201, asked.json
    assert asked.json["to_org"]["id"] == tree.union_b1.id
    again = client.post(
        "/api/v1/membership/transfers",
        json={"to_org_id": tree.union_b1.id, "reason": "再申请一次"},
        headers=auth(worker),
    )
    assert again.status_code == 409

    sending_side = factory.staff_token("t_county_a")
    assert (
        _transition(client, sending_side, f"membership/transfers/{asked.json['id']}", "approve").status_code
        == 404
    )
    receiving = factory.staff_token("t_county_b")
    queue = client.get("/api/v1/staff/membership/transfers", headers=auth(receiving)).json
    assert [t["id"] for t in queue] == [asked.json["id"]]
    approved = _transition(client, receiving, f"membership/transfers/{asked.json['id']}", "approve")
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    member = db.session.scalars(select(Member)).one()
    assert member.org_id == tree.union_b1.id
    assert client.get("/api/v1/me", headers=auth(worker)).json["member"]["org"]["id"] == tree.union_b1.id


def test_only_members_may_ask_for_a_transfer(factory, client):
    tree = factory.org_tree()
    outsider = factory.worker_token("outsider")
    response = client.post(
        "/api/v1/membership/transfers",
        json={"to_org_id": tree.union_b1.id, "reason": "想转会"},
        headers=auth(outsider),
    )
    assert response.status_code == 404 and response.json["code"] == "not_a_member"


def test_a_transfer_to_the_same_union_or_a_non_union_is_refused(factory, client):
    tree = factory.org_tree()
    worker = factory.member(tree, "stay")
    same = client.post(
        "/api/v1/membership/transfers",
        json={"to_org_id": tree.union_a1.id, "reason": "x"},
        headers=auth(worker),
    )
    assert same.status_code == 422 and "to_org_id" in same.json["errors"]
    town = client.post(
        "/api/v1/membership/transfers",
        json={"to_org_id": tree.town_b.id, "reason": "x"},
        headers=auth(worker),
    )
    assert town.status_code == 422


def _unit_payload(town_id: int, **overrides) -> dict:
    payload = {
        "unit_name": "甲区新能源科技有限公司",
        "credit_code": make_credit_code("140102", 4242),
        "org_id": town_id,
        "category": "non_public",
        "address": "甲区东街道创业路8号",
        "employee_count": 86,
        "contact_name": "赵经理",
        "contact_phone": "13700001111",
    }
    return payload | overrides


def test_an_approved_unit_application_founds_a_base_union(factory, client):
    tree = factory.org_tree()
    employer = factory.worker_token("employer")
    applied = client.post(
        "/api/v1/unit-applications", json=_unit_payload(tree.town_a.id), headers=auth(employer)
    )
    assert applied.status_code == 201, applied.json
    assert applied.json["contact_phone"] == "137****1111"
    duplicate = client.post(
        "/api/v1/unit-applications",
        json=_unit_payload(tree.town_a.id),
        headers=auth(factory.worker_token("employer2")),
    )
    assert duplicate.status_code == 409

    other_county = factory.staff_token("t_county_b")
    assert (
        _transition(client, other_county, f"unit-applications/{applied.json['id']}", "approve").status_code
        == 404
    )
    town = factory.staff_token("t_town_a")
    approved = _transition(client, town, f"unit-applications/{applied.json['id']}", "approve")
    assert approved.status_code == 200, approved.json
    union = db.session.get(Org, approved.json["created_org_id"])
    assert union.parent_id == tree.town_a.id and union.level == "base" and union.category == "non_public"
    assert union.path == f"{tree.town_a.path}{union.id}/"
    assert union.name == "甲区新能源科技有限公司工会委员会"

    # the new union accepts members straight away
    joined = factory.apply(factory.worker_token("first-member"), union.id)
    assert joined.status_code == 201


def test_unit_applications_validate_the_credit_code_and_parent(factory, client):
    tree = factory.org_tree()
    employer = factory.worker_token("employer")
    bad_code = client.post(
        "/api/v1/unit-applications",
        json=_unit_payload(tree.town_a.id, credit_code="91140102000000000X"),
        headers=auth(employer),
    )
    assert bad_code.status_code == 422 and "credit_code" in bad_code.json["errors"]
    under_a_union = client.post(
        "/api/v1/unit-applications", json=_unit_payload(tree.union_a1.id), headers=auth(employer)
    )
    assert under_a_union.status_code == 422 and "乡镇" in under_a_union.json["errors"]["org_id"][0]
    county_category = client.post(
        "/api/v1/unit-applications",
        json=_unit_payload(tree.town_a.id, category="county_federation"),
        headers=auth(employer),
    )
    assert county_category.status_code == 422
