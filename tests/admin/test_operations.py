"""Operations in the panel: staff accounts of the subtree (create with a role, deactivate, reset a
password — scoped and audited), failed notifications with a retry, failed jobs, event check-in."""

from __future__ import annotations

from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.notify.models import Notification
from backend.staff.models import Staff
from tests.admin.conftest import flashes


def test_staff_are_created_in_the_subtree_with_a_role_of_its_level(factory, panel):
    tree = factory.org_tree()
    county = panel("t_county_a")
    made = county.post(
        "/admin/people/staff",
        {
            "org_id": tree.town_a.id,
            "username": "town_clerk",
            "name": "李干事",
            "role": "town_admin",
            "password": "Town-clerk-2026",
        },
        follow=True,
    )
    assert "已开设账号 town_clerk" in flashes(made.get_data(as_text=True))
    created = db.session.scalars(select(Staff).where(Staff.username == "town_clerk")).one()
    assert (created.org_id, created.role, created.active) == (tree.town_a.id, "town_admin", True)
    assert panel().login("town_clerk", "Town-clerk-2026").status_code == 303

    for data, message in (
        ({"org_id": tree.county_b.id, "role": "county_admin"}, "只能在本级或下级工会开设账号"),
        ({"org_id": tree.town_a.id, "role": "county_admin"}, "账号角色只能是"),
        ({"org_id": tree.town_a.id, "role": "town_admin", "username": "town_clerk"}, "该用户名已被使用"),
        ({"org_id": tree.town_a.id, "role": "town_admin", "password": "short"}, "密码至少 10 位"),
    ):
        body = {"username": "another", "name": "某人", "password": "Long-enough-2026", **data}
        refused = county.post("/admin/people/staff", body, follow=True)
        assert any(message in m for m in flashes(refused.get_data(as_text=True))), (data, message)
    assert db.session.scalars(select(Staff).where(Staff.username == "another")).first() is None
    assert len(db.session.scalars(select(AuditLog).where(AuditLog.action == "staff.create")).all()) == 1

    listed = county.text("/admin/people")
    assert "t_town_a" in listed and "t_union_a1" in listed and "t_county_b" not in listed
    assert panel("t_union_a1").get("/admin/people").status_code == 403


def test_reset_password_and_deactivation_are_scoped(factory, panel):
    tree = factory.org_tree()
    county = panel("t_county_a")
    union_id, outside_id = tree.staff["t_union_a1"].id, tree.staff["t_county_b"].id
    reset = county.post(
        f"/admin/people/staff/{union_id}/password", {"password": "Fresh-pass-2026"}, follow=True
    )
    assert "账号 t_union_a1 的密码已重置" in flashes(reset.get_data(as_text=True))
    assert panel().login("t_union_a1", "Fresh-pass-2026").status_code == 303
    assert (
        county.post(f"/admin/people/staff/{outside_id}/password", {"password": "Fresh-pass-2026"}).status_code
        == 404
    )
    assert county.post(f"/admin/people/staff/{outside_id}/active", {"active": "false"}).status_code == 404
    own = county.post(
        f"/admin/people/staff/{tree.staff['t_county_a'].id}/active", {"active": "false"}, follow=True
    )
    assert any("不能对自己的账号" in m for m in flashes(own.get_data(as_text=True)))
    assert db.session.get(Staff, tree.staff["t_county_a"].id).active is True
    actions = [e.action for e in db.session.scalars(select(AuditLog).where(AuditLog.action.like("staff.%")))]
    assert actions.count("staff.reset_password") == 1 and "staff.deactivate" not in actions


def test_failed_notifications_are_listed_with_reasons_and_retried(factory, panel):
    tree = factory.org_tree()
    factory.member(tree, "ops-member")
    notification = db.session.scalars(select(Notification)).first()
    notification.wechat_status, notification.wechat_reason = "failed", "43101 用户拒绝接受消息"
    db.session.commit()

    county = panel("t_county_a")
    page = county.text("/admin/ops/notifications")
    assert "43101 用户拒绝接受消息" in page and f"#{notification.id}" in page
    assert f"#{notification.id}" not in panel("t_county_b").text("/admin/ops/notifications")
    done = county.post(f"/admin/ops/notifications/{notification.id}/retry", follow=True)
    assert f"消息 #{notification.id} 已重新排队发送" in flashes(done.get_data(as_text=True))
    again = county.post(f"/admin/ops/notifications/{notification.id}/retry", follow=True)
    assert any("只能重发" in m for m in flashes(again.get_data(as_text=True)))
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "notification.retry"))


def test_failed_jobs_are_for_the_city_only(factory, panel):
    factory.org_tree()
    assert panel("t_county_a").get("/admin/ops/jobs").status_code == 403
    page = panel("t_city").text("/admin/ops/jobs")
    assert "失败的任务" in page


def test_check_in_refuses_a_bad_ticket_in_chinese(factory, panel):
    factory.org_tree()
    town = panel("t_town_a")
    page = town.text("/admin/check-in")
    assert "入场码" in page
    missing = town.post("/admin/check-in", {"event_id": "", "token": "x"}, follow=True)
    assert "请选择活动" in flashes(missing.get_data(as_text=True))
    unknown = town.post("/admin/check-in", {"event_id": "999999", "token": "garbage"})
    assert unknown.status_code == 303
    assert panel("t_lawyer").get("/admin/check-in").status_code == 403
