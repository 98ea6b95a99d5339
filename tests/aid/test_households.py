"""Needy-household files (建档立卡): one file, one plan, one set of measures per household, kept by
staff of the member's subtree, every change audited, the household's help requests linked to it."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.aid.models import NeedyHousehold
from backend.audit.models import AuditLog
from backend.extensions import db
from backend.members.models import Member, WxAccount
from tests.aid import facts, member, payload, submit
from tests.factories import Tree, auth

PATH = "/api/v1/staff/needy-households"


def member_id(code: str) -> int:
    account = db.session.scalars(select(WxAccount).where(WxAccount.openid == f"o_{code}")).one()
    return db.session.scalars(select(Member.id).where(Member.account_id == account.id)).one()


def file_body(code: str, **overrides) -> dict:
    body = {
        "member_id": member_id(code),
        "hardship_type": "illness",
        "situation": "丈夫患尿毒症长期透析，妻子打零工，一子读初中",
        "plan": "三年内帮助家庭稳定脱困",
        "measures": ["大病救助", "金秋助学", "推荐公益性岗位"],
    }
    body.update(overrides)
    return body


def new_file(client, token: str, code: str, **overrides):
    return client.post(PATH, json=file_body(code, **overrides), headers=auth(token))


def setup(factory) -> tuple[Tree, str, str]:
    tree = factory.org_tree()
    worker = member(factory, tree, "household")
    return tree, worker, factory.staff_token("t_town_a")


def test_a_household_is_filed_once_with_a_plan_and_measures(factory, client):
    tree, worker, staff = setup(factory)
    earlier = submit(client, worker).json["id"]
    filed = new_file(client, staff, "household")
    assert filed.status_code == 201, filed.json
    record = filed.json
    assert record["status"] == "active" and record["hardship_label"] == "因病致困"
    assert record["file_no"].startswith("KN") and len(record["file_no"]) == 12
    assert record["measures"] == ["大病救助", "金秋助学", "推荐公益性岗位"]
    assert record["member"]["name"] == "张建国" and "*" in record["member"]["id_number"]
    assert record["org_id"] == tree.union_a1.id and record["created_by"] == tree.staff["t_town_a"].id

    twice = new_file(client, factory.staff_token("t_county_a"), "household", plan="另一份计划")
    assert twice.status_code == 409 and twice.json["code"] == "already_filed"
    assert record["file_no"] in twice.json["message"]
    assert db.session.scalar(select(func.count()).select_from(NeedyHousehold)) == 1

    # the household's requests, earlier and later, point at its file
    later = submit(client, worker, payload(category="education")).json["id"]
    town = auth(staff)
    for request_id in (earlier, later):
        case = client.get(f"/api/v1/staff/aid-requests/{request_id}", headers=town).json
        assert case["needy_household_id"] == record["id"]
    assert [(f.kind, f.ref_id) for f in facts("aid.household")] == [("aid.household_filed", record["id"])]


def test_a_file_number_given_by_staff_is_kept_and_unique(factory, client):
    tree, _, staff = setup(factory)
    member(factory, tree, "second")
    first = new_file(client, staff, "household", file_no="PT-2026-001")
    assert first.status_code == 201 and first.json["file_no"] == "PT-2026-001"
    clash = new_file(client, staff, "second", file_no="PT-2026-001")
    assert clash.status_code == 422 and clash.json["errors"]["file_no"] == ["档案号已被使用"]


def test_bad_files_are_refused_per_field(factory, client):
    _, _, staff = setup(factory)
    for body, field in (
        (file_body("household", hardship_type="laziness"), "hardship_type"),
        (file_body("household", measures=[]), "measures"),
        (file_body("household", plan=" "), "plan"),
        (file_body("household", member_id=999999), "member_id"),
    ):
        response = client.post(PATH, json=body, headers=auth(staff))
        assert response.status_code == 422 and field in response.json["errors"], body
    assert db.session.scalar(select(func.count()).select_from(NeedyHousehold)) == 0


def test_files_stay_inside_the_subtree(factory, client):
    _, _, staff = setup(factory)
    other_county = factory.staff_token("t_county_b")
    refused = new_file(client, other_county, "household")
    assert refused.status_code == 422 and "member_id" in refused.json["errors"]

    household_id = new_file(client, staff, "household").json["id"]
    assert client.get(f"{PATH}/{household_id}", headers=auth(other_county)).status_code == 404
    assert (
        client.patch(f"{PATH}/{household_id}", json={"plan": "x"}, headers=auth(other_county)).status_code
        == 404
    )
    closed = client.post(
        f"{PATH}/{household_id}/transition", json={"action": "close", "note": "x"}, headers=auth(other_county)
    )
    assert closed.status_code == 404
    assert client.get(PATH, headers=auth(other_county)).json == []
    assert [h["id"] for h in client.get(PATH, headers=auth(factory.staff_token("t_union_a1"))).json] == [
        household_id
    ]


def test_a_file_is_updated_closed_and_reopened_with_every_step_audited(factory, client):
    _, _, staff = setup(factory)
    household_id = new_file(client, staff, "household").json["id"]
    one = f"{PATH}/{household_id}"

    updated = client.patch(one, json={"measures": ["大病救助", "送温暖慰问"]}, headers=auth(staff))
    assert updated.status_code == 200 and updated.json["measures"] == ["大病救助", "送温暖慰问"]
    no_reason = client.post(f"{one}/transition", json={"action": "close"}, headers=auth(staff))
    assert no_reason.status_code == 422 and no_reason.json["errors"]["note"] == ["请填写销档原因"]
    closed = client.post(
        f"{one}/transition", json={"action": "close", "note": "已稳定就业，脱困"}, headers=auth(staff)
    )
    assert closed.json["status"] == "closed" and closed.json["close_reason"] == "已稳定就业，脱困"
    assert (
        client.post(
            f"{one}/transition", json={"action": "close", "note": "again"}, headers=auth(staff)
        ).status_code
        == 409
    )
    assert client.patch(one, json={"plan": "新的计划"}, headers=auth(staff)).status_code == 409
    assert [
        h["id"] for h in client.get(PATH, query_string={"status": "closed"}, headers=auth(staff)).json
    ] == [household_id]
    assert client.get(PATH, query_string={"q": "张建国", "status": "active"}, headers=auth(staff)).json == []

    reopened = client.post(f"{one}/transition", json={"action": "reopen"}, headers=auth(staff))
    assert reopened.json["status"] == "active" and reopened.json["closed_at"] is None

    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.target_type == "needy_household").order_by(AuditLog.id)
    ).all()
    assert actions == [
        "aid.household.create",
        "aid.household.update",
        "aid.household.close",
        "aid.household.reopen",
    ]
