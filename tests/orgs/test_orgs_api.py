"""GET /orgs — finding the union to join."""

from __future__ import annotations


def test_orgs_are_found_by_name_parent_and_level(factory, client):
    tree = factory.org_tree()
    by_name = client.get("/api/v1/orgs", query_string={"q": "甲区"}).json
    assert {o["name"] for o in by_name} >= {"甲区总工会", "甲区建筑公司工会", "甲区第一中学工会"}
    children = client.get("/api/v1/orgs", query_string={"parent_id": tree.town_a.id}).json
    assert [o["id"] for o in children] == [tree.union_a1.id, tree.union_a2.id]
    assert children[1]["category_label"] == "行政事业"
    unions = client.get("/api/v1/orgs", query_string={"level": "base", "page_size": 2})
    assert len(unions.json) == 2 and "X-Pagination" not in unions.headers
    cursor = unions.headers["X-Next-Cursor"]
    rest = client.get("/api/v1/orgs", query_string={"level": "base", "page_size": 2, "cursor": cursor})
    assert len(rest.json) == 1 and "X-Next-Cursor" not in rest.headers
    every = [o["id"] for o in unions.json + rest.json]
    assert sorted(every) == sorted([tree.union_a1.id, tree.union_a2.id, tree.union_b1.id])
    crafted = client.get("/api/v1/orgs", query_string={"cursor": "eyJpZCI6MX0.forged"})
    assert crafted.status_code == 400 and crafted.json["code"] == "invalid_cursor"
    assert crafted.json["errors"]["cursor"] == ["分页游标无效，请从第一页重新开始"]


def test_org_search_treats_wildcards_as_text(factory, client):
    factory.org_tree()
    assert client.get("/api/v1/orgs", query_string={"q": "%"}).json == []
    bad_level = client.get("/api/v1/orgs", query_string={"level": "galaxy"})
    assert bad_level.status_code == 422 and "level" in bad_level.json["errors"]
    too_big = client.get("/api/v1/orgs", query_string={"page_size": 1000})
    assert too_big.status_code == 422 and too_big.json["errors"]["page_size"] == [
        "每页条数应为 1 到 100"
    ]
