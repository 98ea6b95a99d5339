"""GET /orgs — finding the union to join."""

from __future__ import annotations

import json


def test_orgs_are_found_by_name_parent_and_level(factory, client):
    tree = factory.org_tree()
    by_name = client.get("/api/v1/orgs", query_string={"q": "甲区"}).json
    assert {o["name"] for o in by_name} >= {"甲区总工会", "甲区建筑公司工会", "甲区第一中学工会"}
    children = client.get("/api/v1/orgs", query_string={"parent_id": tree.town_a.id}).json
    assert [o["id"] for o in children] == [tree.union_a1.id, tree.union_a2.id]
    assert children[1]["category_label"] == "行政事业"
    unions = client.get("/api/v1/orgs", query_string={"level": "base", "page_size": 2})
    assert len(unions.json) == 2
    assert json.loads(unions.headers["X-Pagination"]) == {
        "total": 3,
        "total_pages": 2,
        "first_page": 1,
        "last_page": 2,
        "page": 1,
        "next_page": 2,
    }


def test_org_search_treats_wildcards_as_text(factory, client):
    factory.org_tree()
    assert client.get("/api/v1/orgs", query_string={"q": "%"}).json == []
    bad_level = client.get("/api/v1/orgs", query_string={"level": "galaxy"})
    assert bad_level.status_code == 422 and "level" in bad_level.json["errors"]
    too_big = client.get("/api/v1/orgs", query_string={"page_size": 1000})
    assert too_big.status_code == 422 and too_big.json["errors"]["page_size"] == [
        "应大于或等于 1 且小于或等于 100"
    ]
