"""Queues and case pages: scoping (404 outside the subtree), bulk actions item by item, actions from
the state machine with their inputs, masked personal data and the audited reveal, keyset paging."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.members.models import MembershipApplication
from backend.wages.models import WageClaim
from tests.admin.conftest import flashes
from tests.factories import new_id_number
from tests.wages import act, filed


def _applications(factory, org_id: int, n: int) -> list[int]:
    ids = []
    for i in range(n):
        token = factory.worker_token(f"queue-worker-{i}")
        response = factory.apply(token, org_id, id_number=new_id_number(), mobile=f"1390000{i:04d}")
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
    return ids


def test_another_unions_case_is_a_404_page(factory, panel):
    tree = factory.org_tree()
    [mine] = _applications(factory, tree.union_a1.id, 1)
    worker = factory.worker_token("wage-worker")
    claim = filed(factory.client, worker, tree.county_a.id)

    other_union, other_county = panel("t_union_a2"), panel("t_county_b")
    for browser, url in ((other_union, f"/admin/membership/{mine}"), (other_county, f"/admin/wage/{claim}")):
        response = browser.get(url)
        assert response.status_code == 404
        assert "记录不存在" in response.get_data(as_text=True) or "不存在" in response.get_data(as_text=True)
        assert "<html" in response.get_data(as_text=True)
    for kind, item in (("membership", mine), ("wage", claim)):
        browser = other_union if kind == "membership" else other_county
        acted = browser.post(
            f"/admin/{kind}/{item}/act", {"action": "approve" if kind == "membership" else "accept"}
        )
        assert acted.status_code == 404
    assert f"#{mine}" not in other_union.text("/admin/membership/")
    assert db.session.get(MembershipApplication, mine).status == "submitted"
    assert panel("t_union_a1").get(f"/admin/membership/{mine}").status_code == 200


def test_bulk_accept_goes_item_by_item_and_reports_failures(factory, panel):
    tree = factory.org_tree()
    worker = factory.worker_token("bulk-worker")
    claims = [
        filed(factory.client, worker, tree.county_a.id, employer=f"甲区第{i}建筑公司") for i in range(3)
    ]
    staff_token = factory.staff_token("t_county_a")
    assert act(factory.client, staff_token, claims[0], "accept").status_code == 200

    browser = panel("t_county_a")
    response = browser.post(
        "/admin/wage/bulk", {"ids": claims, "action": "accept", "back": "/admin/wage/"}, follow=True
    )
    messages = flashes(response.get_data(as_text=True))
    assert any(m.startswith("成功办理 2 项") for m in messages), messages
    assert any(m.startswith(f"#{claims[0]} 未能办理") and "已受理" in m for m in messages), messages
    statuses = {c.id: c.status for c in db.session.scalars(select(WageClaim).where(WageClaim.id.in_(claims)))}
    assert set(statuses.values()) == {"accepted"}
    accepts = db.session.scalars(select(AuditLog).where(AuditLog.action == "wage.accept")).all()
    assert len(accepts) == 3  # one through the API, two through the panel


def test_bulk_approve_membership_and_bulk_assign(factory, panel):
    tree = factory.org_tree()
    ids = _applications(factory, tree.union_a1.id, 3)
    browser = panel("t_union_a1")
    response = browser.post("/admin/membership/bulk", {"ids": ids[:2], "action": "approve"}, follow=True)
    assert any(m.startswith("成功办理 2 项") for m in flashes(response.get_data(as_text=True)))
    rows = {a.id: a for a in db.session.scalars(select(MembershipApplication))}
    assert [rows[i].status for i in ids] == ["approved", "approved", "submitted"]
    assert rows[ids[0]].member_id is not None

    refused = browser.post("/admin/membership/bulk", {"ids": [ids[2]], "action": "reject"}, follow=True)
    assert any("请填写原因" in m for m in flashes(refused.get_data(as_text=True)))
    assert db.session.get(MembershipApplication, ids[2]).status == "submitted"

    worker = factory.worker_token("assign-worker")
    claims = [filed(factory.client, worker, tree.county_a.id, employer=f"乙{i}公司") for i in range(2)]
    county = panel("t_county_a")
    town_id = factory_staff_id(tree, "t_town_a")
    done = county.post(
        "/admin/wage/bulk", {"ids": claims, "action": "_assign", "assignee_id": town_id}, follow=True
    )
    assert any(m.startswith("成功办理 2 项") for m in flashes(done.get_data(as_text=True)))
    assert {c.assignee_id for c in db.session.scalars(select(WageClaim))} == {town_id}
    lawyer_id = factory_staff_id(tree, "t_lawyer")
    bad = county.post(
        "/admin/wage/bulk", {"ids": claims, "action": "_assign", "assignee_id": lawyer_id}, follow=True
    )
    assert sum("未能办理" in m for m in flashes(bad.get_data(as_text=True))) == 2


def factory_staff_id(tree, username: str) -> int:
    return tree.staff[username].id


def test_case_page_offers_the_flows_actions_and_records_the_outcome(factory, panel):
    tree = factory.org_tree()
    worker = factory.worker_token("flow-worker")
    claim = filed(factory.client, worker, tree.county_a.id, contact_phone="13712345678", workers_owed=3)
    browser = panel("t_county_a")

    page = browser.text(f"/admin/wage/{claim}")
    assert re.findall(r'data-action="(\w+)"', page) == ["accept"]
    assert "13712345678" not in page and "137****5678" in page
    browser.post(f"/admin/wage/{claim}/act", {"action": "accept"})
    browser.post(f"/admin/wage/{claim}/act", {"action": "mediate", "note": "约双方周三调解"})
    page = browser.text(f"/admin/wage/{claim}")
    assert sorted(re.findall(r'data-action="(\w+)"', page)) == ["close", "refer", "resolve"]

    bad = browser.post(
        f"/admin/wage/{claim}/act", {"action": "resolve", "amount_recovered": "1.005"}, follow=True
    )
    assert any("追回金额" in m for m in flashes(bad.get_data(as_text=True)))
    too_many = browser.post(
        f"/admin/wage/{claim}/act",
        {"action": "resolve", "amount_recovered": "9000", "workers_paid": "4"},
        follow=True,
    )
    assert any("不能超过欠薪人数" in m for m in flashes(too_many.get_data(as_text=True)))
    assert db.session.get(WageClaim, claim).status == "mediating"

    done = browser.post(
        f"/admin/wage/{claim}/act",
        {"action": "resolve", "amount_recovered": "9000.50", "workers_paid": "3"},
        follow=True,
    )
    html = done.get_data(as_text=True)
    assert "已办理：已解决" in flashes(html)
    row = db.session.get(WageClaim, claim)
    assert (row.status, row.amount_recovered, row.workers_paid) == ("resolved", Decimal("9000.50"), 3)
    timeline = html[html.index("办理记录") :]
    for line in ("提交", "受理", "开始调解", "约双方周三调解", "已解决", "9,000.50 元"):
        assert line in timeline, line
    assert "data-action=" not in html


def test_reveal_is_a_deliberate_audited_post(factory, panel):
    tree = factory.org_tree()
    token = factory.worker_token("reveal-worker")
    id_number = new_id_number()
    application = factory.apply(token, tree.union_a1.id, id_number=id_number, mobile="13911112222").json["id"]
    browser = panel("t_town_a")

    page = browser.text(f"/admin/membership/{application}")
    assert id_number not in page and "13911112222" not in page
    assert not db.session.scalars(select(AuditLog).where(AuditLog.action == "pii.reveal")).all()
    assert browser.client.get(f"/admin/membership/{application}/reveal").status_code == 405

    shown = browser.post(f"/admin/membership/{application}/reveal")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and id_number in html and "13911112222" in html
    assert shown.headers["Cache-Control"] == "no-store"
    [entry] = db.session.scalars(select(AuditLog).where(AuditLog.action == "pii.reveal")).all()
    assert (entry.staff_id, entry.target_type, entry.target_id) == (
        tree.staff["t_town_a"].id,
        "membership_application",
        application,
    )
    assert panel("t_union_a2").post(f"/admin/membership/{application}/reveal").status_code == 404
    assert len(db.session.scalars(select(AuditLog).where(AuditLog.action == "pii.reveal")).all()) == 1


def test_queue_filters_search_and_keyset_pages(factory, panel, app):
    tree = factory.org_tree()
    app.extensions["zhigong.admin"]["page_size"], size = 5, app.extensions["zhigong.admin"]["page_size"]
    try:
        ids = _applications(factory, tree.union_a1.id, 7)
        browser = panel("t_county_a")
        first = browser.text("/admin/membership/")
        shown = [int(i) for i in re.findall(r'name="ids" value="(\d+)"', first)]
        assert shown == ids[:5]  # first come, first served
        cursor = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
        second = browser.text(cursor)
        assert [int(i) for i in re.findall(r'name="ids" value="(\d+)"', second)] == ids[5:]
        assert 'rel="next"' not in second

        browser.post("/admin/membership/bulk", {"ids": ids[:2], "action": "approve"})
        pending = browser.text("/admin/membership/?status=submitted")
        assert [int(i) for i in re.findall(r'name="ids" value="(\d+)"', pending)] == ids[2:7]
        looked = browser.post("/admin/membership/lookup", {"value": "13900000003"})
        assert looked.status_code == 303 and "13900000003" not in looked.headers["Location"]
        found = browser.text(looked.headers["Location"])
        assert [int(i) for i in re.findall(r'name="ids" value="(\d+)"', found)] == [ids[3]]
        in_url = browser.text("/admin/membership/?q=13900000003")
        assert "不能放在网址里" in in_url and 'name="ids"' not in in_url
        wrong = browser.text("/admin/membership/?status=nonsense")
        assert "状态：" in wrong and 'name="ids"' not in wrong
    finally:
        app.extensions["zhigong.admin"]["page_size"] = size


def test_dashboard_counts_what_waits_per_queue(factory, panel):
    tree = factory.org_tree()
    _applications(factory, tree.union_a1.id, 2)
    worker = factory.worker_token("dash-worker")
    filed(factory.client, worker, tree.county_a.id)
    html = panel("t_county_a").text("/admin/")
    tiles = dict(re.findall(r'data-queue="([^"]+)">\s*<div>[^<]*</div>\s*<div class="n">([^<]+)</div>', html))
    assert tiles["入会审核"] == "2" and tiles["欠薪求助"] == "1" and tiles["困难帮扶"] == "0"
    assert "入会审核" in html and "考核" not in tiles
