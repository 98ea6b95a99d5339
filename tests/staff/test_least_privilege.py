"""Least privilege by role, not only by subtree: evidence goes to the roles that handle its case kind,
alerts and notices need their permissions (acknowledging is audited), and nobody manages a peer."""

from __future__ import annotations

import io

from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.cases import service as cases
from backend.cases.models import StaffAlert
from backend.extensions import db
from backend.staff.models import Staff
from tests.admin.conftest import flashes
from tests.factories import auth
from tests.uploads.test_uploads import PNG
from tests.wages import filed


def _claim_with_evidence(factory, client, tree) -> int:
    token = factory.worker_token("evidence-owner")
    upload = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(PNG), "工资条.png")},
        headers=auth(token),
        content_type="multipart/form-data",
    ).json
    filed(client, token, tree.town_a.id, evidence_ids=[upload["id"]])
    return upload["id"]


def test_the_lawyer_cannot_download_the_countys_case_evidence(factory, client, panel):
    tree = factory.org_tree()
    upload_id = _claim_with_evidence(factory, client, tree)
    lawyer = factory.staff_token("t_lawyer")
    refused = client.get(f"/api/v1/staff/uploads/{upload_id}", headers=auth(lawyer))
    assert refused.status_code == 403 and refused.data != PNG
    assert panel("t_lawyer").get(f"/admin/uploads/{upload_id}").status_code == 403
    # a base-union admin handles aid, not wage claims: the role decides, not only the subtree
    union = factory.staff_token("t_union_a1")
    assert client.get(f"/api/v1/staff/uploads/{upload_id}", headers=auth(union)).status_code in (403, 404)
    county = factory.staff_token("t_county_a")
    served = client.get(f"/api/v1/staff/uploads/{upload_id}", headers=auth(county))
    assert served.status_code == 200 and served.data == PNG
    assert panel("t_county_a").get(f"/admin/uploads/{upload_id}").data == PNG


def test_alerts_need_a_permission_and_acknowledging_is_audited(factory, client, panel):
    tree = factory.org_tree()
    alert = cases.raise_alert(
        org_id=tree.county_a.id, kind="wage.warning", title="劳动关系预警", body="同一单位的欠薪求助"
    )
    db.session.commit()
    alert_id = alert.id
    lawyer = factory.staff_token("t_lawyer")
    assert client.get("/api/v1/staff/alerts", headers=auth(lawyer)).status_code == 403
    ack = f"/api/v1/staff/alerts/{alert_id}/acknowledge"
    assert client.post(ack, headers=auth(lawyer)).status_code == 403
    lawyer_panel = panel("t_lawyer")
    assert lawyer_panel.get("/admin/alerts").status_code == 403
    assert lawyer_panel.post(f"/admin/alerts/{alert_id}/acknowledge").status_code == 403
    assert db.session.get(StaffAlert, alert_id).acknowledged_at is None

    county = factory.staff_token("t_county_a")
    assert client.post(ack, headers=auth(county)).status_code == 200
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "alert.acknowledge")).one()
    assert (entry.staff_id, entry.target_id) == (tree.staff["t_county_a"].id, alert_id)


def test_the_lawyer_cannot_withdraw_an_announcement(factory, client, panel):
    tree = factory.org_tree()
    county = factory.staff_token("t_county_a")
    notice = client.post(
        "/api/v1/staff/announcements", json={"title": "通知", "body": "内容"}, headers=auth(county)
    ).json
    lawyer = factory.staff_token("t_lawyer")
    withdraw = f"/api/v1/staff/announcements/{notice['id']}/withdraw"
    assert client.post(withdraw, headers=auth(lawyer)).status_code == 403
    assert panel("t_lawyer").post(f"/admin/announcements/{notice['id']}/withdraw").status_code == 403
    listed = client.get("/api/v1/announcements", headers=auth(factory.member(tree, "reader"))).json
    assert [n["id"] for n in listed] == [notice["id"]]


def test_staff_cannot_take_over_a_peer_at_their_own_node(factory, client, panel):
    tree = factory.org_tree()
    peer = Staff(
        username="t_town_a_peer",
        password_hash=db.session.get(Staff, tree.staff["t_town_a"].id).password_hash,
        name="同级",
        role="town_admin",
        org_id=tree.town_a.id,
    )
    db.session.add(peer)
    db.session.commit()
    peer_id = peer.id
    town = panel("t_town_a")
    reset = town.post(f"/admin/people/staff/{peer_id}/password", {"password": "Taken-over-2026"}, follow=True)
    assert any("不能管理同级" in m for m in flashes(reset.get_data(as_text=True)))
    off = town.post(f"/admin/people/staff/{peer_id}/active", {"active": "false"}, follow=True)
    assert any("不能管理同级" in m for m in flashes(off.get_data(as_text=True)))
    assert panel().login("t_town_a_peer").status_code == 303  # the old password still works
    assert db.session.get(Staff, peer_id).active is True
    made = town.post(
        "/admin/people/staff",
        {"org_id": tree.town_a.id, "username": "t_town_a_twin", "name": "同级", "role": "town_admin",
         "password": "Twin-pass-2026"},
        follow=True,
    )
    assert any("同级管理员账号由上级工会开设" in m for m in flashes(made.get_data(as_text=True)))
    # a lower node, and the lawyer attached to the county, are the county admin's to manage
    county = panel("t_county_a")
    for target in (peer_id, tree.staff["t_lawyer"].id):
        done = county.post(f"/admin/people/staff/{target}/active", {"active": "false"}, follow=True)
        assert any("已停用" in m for m in flashes(done.get_data(as_text=True))), target
