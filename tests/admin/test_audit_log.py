"""审计日志: who revealed a member's ID number, found by filters in the panel and through the staff
API; a county sees its own subtree's entries only, and a role without ``audit.read`` is refused."""

from __future__ import annotations

import re

from tests.factories import auth, new_id_number


def _revealed(factory, panel, tree):
    token = factory.worker_token("audit-worker")
    application = factory.apply(token, tree.union_a1.id, id_number=new_id_number()).json["id"]
    assert panel("t_town_a").post(f"/admin/membership/{application}/reveal").status_code == 200
    return application


def test_the_audit_log_finds_who_revealed_an_id_number(factory, panel):
    tree = factory.org_tree()
    application = _revealed(factory, panel, tree)
    county = panel("t_county_a")
    page = county.text(
        f"/admin/audit-log?action=pii.reveal&target_type=membership_application&target_id={application}"
    )
    rows = re.findall(r"<tr>(.*?)</tr>", page.split('id="audit"')[1], re.S)[1:]
    assert len(rows) == 1
    row = re.sub(r"<[^>]+>", " ", rows[0])
    assert "t_town_a" in row and "查看完整身份证号/电话" in row and f"入会申请 #{application}" in row
    assert "pii.reveal" not in re.sub(r"<[^>]+>", "", page.split('id="audit"')[1])
    assert "没有符合条件的记录" in county.text(
        "/admin/audit-log?action=pii.reveal&start=2020-01-01&end=2020-01-07"
    )
    assert "记录编号应为数字" in county.text("/admin/audit-log?target_id=abc")

    # The other county's staff never see it; a base union's role has no audit page at all.
    assert "t_town_a" not in panel("t_county_b").text("/admin/audit-log?action=pii.reveal")
    assert panel("t_union_a1").get("/admin/audit-log").status_code == 403


def test_the_staff_api_serves_the_same_log(factory, panel):
    tree = factory.org_tree()
    application = _revealed(factory, panel, tree)
    client = factory.client
    found = client.get(
        "/api/v1/staff/audit-log",
        query_string={"action": "pii.reveal", "target_id": application},
        headers=auth(factory.staff_token("t_county_a")),
    )
    assert found.status_code == 200, found.json
    [entry] = found.json
    assert entry["staff_name"] == "t_town_a" and entry["action_label"] == "个人信息 · 查看完整身份证号/电话"
    assert entry["target_label"] == "入会申请" and "X-Next-Cursor" not in found.headers  # one page
    elsewhere = client.get(
        "/api/v1/staff/audit-log",
        query_string={"action": "pii"},
        headers=auth(factory.staff_token("t_county_b")),
    )
    assert elsewhere.status_code == 200 and elsewhere.json == []
    refused = client.get("/api/v1/staff/audit-log", headers=auth(factory.staff_token("t_union_a1")))
    assert refused.status_code == 403
    bad = client.get(
        "/api/v1/staff/audit-log",
        query_string={"start": "2026-02-30"},
        headers=auth(factory.staff_token("t_city")),
    )
    assert bad.status_code == 422 and "start" in bad.json["errors"]
