"""What a staffer reads and does on the case and statistics pages: every accepted case has an owner,
error messages name the field of the action at hand, money and counts read as money and counts, a
warning's count follows its cluster, and an impossible date range shows no figures."""

from __future__ import annotations

from sqlalchemy import select

from backend.aid.models import AidRequest
from backend.audit.models import AuditLog
from backend.extensions import db
from backend.wages.models import WageClaim
from tests.admin.conftest import flashes
from tests.aid import member, submit
from tests.aid import walk as walk_aid
from tests.factories import auth
from tests.wages import filed


def test_accepting_a_wage_claim_or_a_help_request_makes_the_staffer_its_owner(factory, panel):
    tree = factory.org_tree()
    worker = factory.worker_token("owner-wage")
    claim = filed(factory.client, worker, tree.county_a.id)
    aid_worker = member(factory, tree, "owner-aid")
    request_id = submit(factory.client, aid_worker).json["id"]
    county, union = panel("t_county_a"), panel("t_union_a1")

    assert county.post(f"/admin/wage/{claim}/act", {"action": "accept"}).status_code == 303
    assert union.post(f"/admin/aid/{request_id}/act", {"action": "accept"}).status_code == 303
    db.session.rollback()
    assert db.session.get(WageClaim, claim).assignee_id == tree.staff["t_county_a"].id
    assert db.session.get(AidRequest, request_id).assignee_id == tree.staff["t_union_a1"].id
    page = county.text(f"/admin/wage/{claim}")
    assert "未分派" not in page and "（取消分派）" not in page
    automatic = db.session.scalars(select(AuditLog).where(AuditLog.action == "wage.assign")).all()
    assert [(a.target_id, a.detail.get("automatic")) for a in automatic] == [(claim, True)]

    # Mediated and resolved, the owner stays; the timeline says "已解决" once, with the money formatted.
    assert county.post(f"/admin/wage/{claim}/act", {"action": "mediate"}).status_code == 303
    done = county.post(
        f"/admin/wage/{claim}/act",
        {"action": "resolve", "amount_recovered": "1234567.5", "workers_paid": "1"},
        follow=True,
    ).get_data(as_text=True)
    timeline = done[done.index("办理记录") :]
    assert "→ 已解决" not in timeline and "1,234,567.50 元，1 人" in timeline
    assert db.session.get(WageClaim, claim).assignee_id == tree.staff["t_county_a"].id


def test_an_approval_error_names_the_approved_amount(factory, panel):
    tree = factory.org_tree()
    worker = member(factory, tree, "approve-label")
    request_id = submit(factory.client, worker).json["id"]
    walk_aid(factory.client, factory.staff_token("t_union_a1"), request_id, "verifying")
    union = panel("t_union_a1")
    page = union.text(f"/admin/aid/{request_id}")
    assert "pattern=" not in page and " required" not in page.split('data-action="approve"')[1][:600]
    refused = union.post(
        f"/admin/aid/{request_id}/act", {"action": "approve", "amount": "500,000"}, follow=True
    ).get_data(as_text=True)
    messages = flashes(refused)
    assert any("批准金额" in m for m in messages) and not any("发放金额" in m for m in messages), messages
    assert db.session.get(AidRequest, request_id).status == "verifying"


def test_an_early_warning_counts_its_cluster_as_it_is_now(factory, panel):
    tree = factory.org_tree()
    worker = factory.worker_token("cluster-alerts")
    for i in range(3):
        filed(factory.client, worker, tree.county_a.id, project=f"滨河花园{i}期")
    county = panel("t_county_a")
    assert "已达 3 件" in county.text("/admin/alerts")
    filed(factory.client, worker, tree.county_a.id, project="滨河花园9期", amount_owed="1234567.00")
    alerts = county.text("/admin/alerts")
    assert "已达 4 件" in alerts and "已达 3 件" not in alerts
    assert "已达 4 件" in county.text("/admin/")
    shown = factory.client.get("/api/v1/staff/alerts", headers=auth(factory.staff_token("t_county_a")))
    assert "已达 4 件" in shown.json[0]["body"]


def test_statistics_refuse_a_reversed_range_and_pick_any_union_of_the_subtree(factory, panel):
    tree = factory.org_tree()
    county = panel("t_county_a")
    reversed_range = county.text("/admin/stats?start=2026-05-01&end=2026-04-01")
    assert "开始日期不能晚于结束日期" in reversed_range and 'id="figures"' not in reversed_range
    assert county.get("/admin/stats/export.csv?start=2026-05-01&end=2026-04-01").status_code == 422

    found = county.text("/admin/stats?org_q=建筑")
    assert "甲区建筑公司工会" in found and "乙县物流公司工会" not in found
    assert "乙县" not in county.text("/admin/stats?org_q=物流").split('id="org-choices"')[1].split("</ul>")[0]
    picked = county.text(f"/admin/stats?org_id={tree.union_a1.id}&start=2026-01-01&end=2026-12-31")
    assert "统计 · 甲区建筑公司工会" in picked
    assert 'id="sla-by-kind"' in picked and "困难帮扶" in picked and "会员评议" in picked
