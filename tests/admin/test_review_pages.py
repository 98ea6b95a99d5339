"""Review work that had no page: 会员关系转接 (a transfer reviewed by the receiving union), 建档立卡 (a
needy household filed from a help request), 会员卡核验 (a scanned member card), and the audited reveal
of a help request's applicant."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from backend.aid.models import NeedyHousehold
from backend.audit.models import AuditLog
from backend.extensions import db
from backend.members import cards
from backend.members.models import Member, MembershipTransfer
from tests.admin.conftest import flashes
from tests.aid import member as joined_member
from tests.aid import submit
from tests.factories import auth


def _member(factory, tree, code: str) -> tuple[str, Member]:
    token = joined_member(factory, tree, code)
    db.session.rollback()
    me = factory.client.get("/api/v1/me", headers=auth(token)).json
    return token, db.session.get(Member, me["member"]["id"])


def test_a_transfer_is_reviewed_in_the_panel_by_the_receiving_union(factory, panel):
    tree = factory.org_tree()
    token, member = _member(factory, tree, "transfer-worker")
    asked = factory.client.post(
        "/api/v1/membership/transfers",
        json={"to_org_id": tree.union_a2.id, "reason": "调到第一中学食堂工作"},
        headers=auth(token),
    )
    assert asked.status_code == 201, asked.json
    transfer_id = asked.json["id"]
    receiving = panel("t_union_a2")
    queue = receiving.text("/admin/transfer/")
    assert f"#{transfer_id}" in queue and "调到第一中学食堂工作" in queue and "甲区建筑公司工会" in queue
    assert panel("t_union_a1").get(f"/admin/transfer/{transfer_id}").status_code == 404
    page = receiving.text(f"/admin/transfer/{transfer_id}")
    assert member.id_number not in page
    approved = receiving.post(f"/admin/transfer/{transfer_id}/act", {"action": "approve"}, follow=True)
    assert "已办理：通过" in flashes(approved.get_data(as_text=True))
    db.session.rollback()
    assert db.session.get(MembershipTransfer, transfer_id).status == "approved"
    assert db.session.get(Member, member.id).org_id == tree.union_a2.id


def test_a_needy_household_is_filed_from_a_help_request(factory, panel):
    tree = factory.org_tree()
    token, member = _member(factory, tree, "household-worker")
    request_id = submit(factory.client, token).json["id"]
    union = panel("t_union_a1")
    case = union.text(f"/admin/aid/{request_id}")
    assert f"/admin/households?member_id={member.id}" in case
    form = union.text(f"/admin/households?member_id={member.id}")
    assert member.card_no in form and member.name not in form

    refused = union.post("/admin/households", {"member_id": member.id, "hardship_type": "illness"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and html.count('class="error-text" role="alert"') >= 3
    assert not db.session.scalars(select(NeedyHousehold)).all()
    filed = union.post(
        "/admin/households",
        {
            "member_id": member.id,
            "hardship_type": "illness",
            "situation": "爱人患病长期住院，家中两个孩子上学",
            "plan": "申请大病救助并安排子女金秋助学",
            "measures": "大病救助\n金秋助学\n就业援助",
        },
        follow=True,
    )
    assert any("已建档" in m for m in flashes(filed.get_data(as_text=True)))
    [household] = db.session.scalars(select(NeedyHousehold)).all()
    assert household.measures == ["大病救助", "金秋助学", "就业援助"] and household.created_by
    assert household.file_no in union.text("/admin/households")
    # Another union cannot use the member id to see or file them.
    other = panel("t_union_a2")
    assert member.card_no not in other.text(f"/admin/households?member_id={member.id}")
    again = other.post(
        "/admin/households",
        {"member_id": member.id, "hardship_type": "illness", "situation": "x", "plan": "x", "measures": "x"},
    )
    assert again.status_code == 422


def test_a_member_card_is_verified_and_a_forged_one_refused(factory, panel):
    tree = factory.org_tree()
    _, member = _member(factory, tree, "card-worker")
    payload = cards.sign_card(current_app.config["SECRET_KEY"], member_id=member.id, card_no=member.card_no)
    lawyer = panel("t_lawyer")
    shown = lawyer.post("/admin/cards/verify", {"payload": payload}).get_data(as_text=True)
    assert "会员卡有效" in shown and "甲区建筑公司工会" in shown
    forged = lawyer.post("/admin/cards/verify", {"payload": payload[:-3] + "abc"})
    assert forged.status_code == 422 and "会员码无效" in forged.get_data(as_text=True)
    assert lawyer.post("/admin/cards/verify", {"payload": ""}).status_code == 422


def test_an_aid_applicant_can_be_revealed_for_the_home_visit_with_an_audit_line(factory, panel):
    tree = factory.org_tree()
    token, member = _member(factory, tree, "reveal-aid")
    request_id = submit(factory.client, token).json["id"]
    union = panel("t_union_a1")
    assert member.name not in union.text(f"/admin/aid/{request_id}")
    shown = union.post(f"/admin/aid/{request_id}/reveal").get_data(as_text=True)
    assert member.name in shown and member.mobile in shown
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "pii.reveal")).all()
    assert [(e.target_type, e.target_id) for e in entries] == [("aid", request_id)]
