"""工会公告: published by a node to its subtree; a member sees their union's and every ancestor's,
nothing from a sibling branch; staff API, worker API and the panel page."""

from __future__ import annotations

from sqlalchemy import select

from backend.announcements import service as announcements
from backend.audit.models import AuditLog
from backend.extensions import db
from backend.orgs.models import ancestor_ids
from backend.staff.models import Staff
from backend.staff.scope import Scope
from tests.admin.conftest import flashes
from tests.factories import auth


def _publish(client, username_token: str, **body):
    return client.post("/api/v1/staff/announcements", json=body, headers=auth(username_token))


def test_a_member_sees_notices_of_their_union_and_its_ancestors_only(factory, client):
    tree = factory.org_tree()
    member = factory.member(tree, "notice-member")  # of union_a1
    for username, title in (
        ("t_city", "全市职工运动会"),
        ("t_county_a", "甲区春送岗位"),
        ("t_town_a", "街道法律讲座"),
        ("t_union_a1", "本会换届通知"),
        ("t_county_b", "乙县劳模评选"),
        ("t_union_a2", "一中工会活动"),
    ):
        response = _publish(client, factory.staff_token(username), title=title, body=f"{title}的详细内容")
        assert response.status_code == 201, response.json

    seen = client.get("/api/v1/announcements", headers=auth(member))
    assert seen.status_code == 200
    assert [n["title"] for n in seen.json] == [
        "本会换届通知",
        "街道法律讲座",
        "甲区春送岗位",
        "全市职工运动会",
    ]
    assert seen.json[0]["org"]["name"] == "甲区建筑公司工会"
    assert "X-Next-Cursor" not in seen.headers  # one page holds them all
    first = client.get("/api/v1/announcements", query_string={"page_size": 2}, headers=auth(member))
    assert [n["title"] for n in first.json] == ["本会换届通知", "街道法律讲座"]
    cursor = first.headers["X-Next-Cursor"]
    page = client.get(
        "/api/v1/announcements", query_string={"page_size": 2, "cursor": cursor}, headers=auth(member)
    )
    assert [n["title"] for n in page.json] == ["甲区春送岗位", "全市职工运动会"]
    assert "X-Next-Cursor" not in page.headers

    non_member = factory.worker_token("not-a-member")
    assert client.get("/api/v1/announcements", headers=auth(non_member)).status_code == 404
    assert client.get("/api/v1/announcements").status_code == 401


def test_publishing_is_validated_scoped_and_audited(factory, client):
    tree = factory.org_tree()
    county = factory.staff_token("t_county_a")
    blank = _publish(client, county, title=" ", body="")
    assert blank.status_code == 422
    assert set(blank.json["errors"]) == {"title", "body"}
    too_long = _publish(client, county, title="长" * 101, body="内容")
    assert too_long.status_code == 422 and "100" in too_long.json["errors"]["title"][0]
    outside = _publish(client, county, title="越权", body="内容", org_id=tree.county_b.id)
    assert outside.status_code == 422 and "本级或下级" in outside.json["errors"]["org_id"][0]
    lawyer = _publish(client, factory.staff_token("t_lawyer"), title="律师", body="内容")
    assert lawyer.status_code == 403
    assert client.post("/api/v1/staff/announcements", json={"title": "x", "body": "y"}).status_code == 401

    below = _publish(client, county, title="以街道名义", body="内容", org_id=tree.town_a.id)
    assert below.status_code == 201 and below.json["org"]["id"] == tree.town_a.id
    [entry] = db.session.scalars(select(AuditLog).where(AuditLog.action == "announcement.publish")).all()
    assert entry.target_id == below.json["id"] and entry.staff_id == tree.staff["t_county_a"].id

    listed = client.get("/api/v1/staff/announcements", headers=auth(factory.staff_token("t_county_b")))
    assert listed.json == []
    assert [a["id"] for a in client.get("/api/v1/staff/announcements", headers=auth(county)).json] == [
        below.json["id"]
    ]


def test_a_withdrawn_notice_is_no_longer_shown(factory, client):
    tree = factory.org_tree()
    member = factory.member(tree, "withdraw-member")
    county = factory.staff_token("t_county_a")
    notice = _publish(client, county, title="将撤回", body="内容").json
    assert [n["id"] for n in client.get("/api/v1/announcements", headers=auth(member)).json] == [notice["id"]]
    other = client.post(
        f"/api/v1/staff/announcements/{notice['id']}/withdraw",
        headers=auth(factory.staff_token("t_county_b")),
    )
    assert other.status_code == 404
    done = client.post(f"/api/v1/staff/announcements/{notice['id']}/withdraw", headers=auth(county))
    assert done.status_code == 200 and done.json["withdrawn_at"]
    assert client.get("/api/v1/announcements", headers=auth(member)).json == []


def test_the_service_reads_ancestors_from_the_path(factory):
    tree = factory.org_tree()
    assert ancestor_ids(tree.union_a1) == [
        tree.city.id,
        tree.county_a.id,
        tree.town_a.id,
        tree.union_a1.id,
    ]
    staff = db.session.get(Staff, tree.staff["t_town_a"].id)
    notice = announcements.publish(scope=Scope.of(staff), staff=staff, title=" 标题 ", body=" 内容 ")
    assert (notice.title, notice.body, notice.org_id) == ("标题", "内容", tree.town_a.id)
    db.session.rollback()


def test_the_panel_publishes_and_lists_notices(factory, panel):
    factory.org_tree()
    browser = panel("t_town_a")
    empty = browser.post("/admin/announcements", {"title": "", "body": ""})
    assert empty.status_code == 422 and "请填写公告标题" in empty.get_data(as_text=True)
    done = browser.post(
        "/admin/announcements", {"title": "防暑降温慰问", "body": "七月起开展送清凉活动"}, follow=True
    )
    html = done.get_data(as_text=True)
    assert "公告“防暑降温慰问”已发布" in flashes(html)
    assert "防暑降温慰问" in html and "甲区东街道工会" in html
    assert "防暑降温慰问" not in panel("t_county_b").text("/admin/announcements")
    assert panel("t_lawyer").get("/admin/announcements").status_code == 403
