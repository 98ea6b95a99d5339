"""组织架构: a county creates, renames and moves unions of its subtree (each audited), the paths of a
moved subtree follow it, and the org picker finds unions by name inside the subtree only."""

from __future__ import annotations

from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.orgs.models import Org
from tests.admin.conftest import flashes


def _org(org_id: int) -> Org:
    db.session.rollback()
    return db.session.get(Org, org_id, populate_existing=True)


def test_a_county_creates_renames_and_moves_unions_of_its_subtree(factory, panel):
    tree = factory.org_tree()
    county = panel("t_county_a")
    created = county.post(
        "/admin/orgs", {"parent_id": tree.county_a.id, "name": "甲区西街道工会"}, follow=True
    ).get_data(as_text=True)
    assert any("已新建 甲区西街道工会" in m for m in flashes(created))
    west = db.session.scalar(select(Org).where(Org.name == "甲区西街道工会"))
    west_id, west_path = west.id, west.path
    assert (west.level, west.category, west_path) == (
        "town",
        "township_street",
        f"{tree.county_a.path}{west_id}/",
    )
    missing_category = county.post(
        "/admin/orgs", {"parent_id": west_id, "name": "甲区快递驿站工会"}, follow=True
    )
    assert any("考核类别" in m for m in flashes(missing_category.get_data(as_text=True)))
    assert (
        county.post(
            "/admin/orgs", {"parent_id": west_id, "name": "甲区快递驿站工会", "category": "non_public"}
        ).status_code
        == 303
    )

    renamed = county.post(f"/admin/orgs/{tree.union_a1.id}/rename", {"name": "甲区建工集团工会"}, follow=True)
    assert any("已更名为 甲区建工集团工会" in m for m in flashes(renamed.get_data(as_text=True)))
    assert _org(tree.union_a1.id).name == "甲区建工集团工会"

    wrong_level = county.post(
        f"/admin/orgs/{tree.union_a1.id}/move", {"parent_id": tree.county_a.id}, follow=True
    )
    assert any("上级应为乡镇（街道）工会" in m for m in flashes(wrong_level.get_data(as_text=True)))
    moved = county.post(f"/admin/orgs/{tree.town_a.id}/move", {"parent_id": west_id}, follow=True)
    assert any("上级应为县区总工会" in m for m in flashes(moved.get_data(as_text=True)))
    moved = county.post(f"/admin/orgs/{tree.union_a1.id}/move", {"parent_id": west_id}, follow=True)
    assert any("已调整到 甲区西街道工会 之下" in m for m in flashes(moved.get_data(as_text=True)))
    a1 = _org(tree.union_a1.id)
    assert (a1.parent_id, a1.path) == (west_id, f"{west_path}{a1.id}/")
    assert _org(tree.union_a2.id).path.startswith(tree.town_a.path)  # its sibling stays

    # Outside the subtree nothing moves, and every change left an audit line.
    assert county.post(f"/admin/orgs/{tree.union_b1.id}/rename", {"name": "改名"}).status_code == 404
    assert (
        county.post(f"/admin/orgs/{tree.union_a2.id}/move", {"parent_id": tree.town_b.id}).status_code == 404
    )
    actions = [a.action for a in db.session.scalars(select(AuditLog).where(AuditLog.target_type == "org"))]
    assert sorted(actions) == ["org.create", "org.create", "org.move", "org.rename"]
    assert panel("t_union_a1").get("/admin/orgs").status_code == 403


def test_the_org_picker_searches_the_subtree_by_name(factory, panel):
    tree = factory.org_tree()
    county = panel("t_county_a")
    found = county.get("/admin/orgs/search?q=公司").json
    assert [o["name"] for o in found] == ["甲区建筑公司工会"] and found[0]["level"] == "基层工会"
    assert county.get("/admin/orgs/search?q=乙县").json == []
    towns = county.get("/admin/orgs/search?q=甲区&level=town").json
    assert [o["id"] for o in towns] == [tree.town_a.id]
    page = county.text("/admin/people")
    assert 'data-org-picker="org_id"' in page and "所属工会编号" not in page
