"""One paging style for every list: ?page_size=&cursor=, a JSON array, X-Next-Cursor until the last page."""

from __future__ import annotations

from tests.factories import auth


def _walk(client, path, token, page_size):
    pages, seen, cursor = 0, [], None
    while True:
        query = {"page_size": page_size, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, query_string=query, headers=auth(token))
        assert response.status_code == 200 and isinstance(response.json, list)
        assert "X-Pagination" not in response.headers
        pages += 1
        seen += [row["id"] for row in response.json]
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            return pages, seen


def test_a_workers_own_lists_are_paged_like_every_other(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("crew-lead")
    claim = {
        "employer": "某建筑公司",
        "project": "城南工地",
        "org_id": tree.county_a.id,
        "amount_owed": "3000.00",
        "workers_owed": 1,
        "owed_since": "2025-11-01",
        "contact_phone": "13800138000",
    }
    made = []
    for i in range(5):
        body = {**claim, "project": f"工地{i}"}
        response = client.post("/api/v1/wage-claims", json=body, headers=auth(token))
        assert response.status_code == 201, response.json
        made.append(response.json["id"])
    pages, seen = _walk(client, "/api/v1/wage-claims/mine", token, 2)
    assert pages == 3 and seen == sorted(made, reverse=True)  # newest first, each once


def test_a_cursor_from_another_list_or_edited_is_a_400_with_a_chinese_message(factory, client):
    factory.org_tree()
    first = client.get("/api/v1/orgs", query_string={"page_size": 1})
    cursor = first.headers["X-Next-Cursor"]
    token = factory.worker_token()
    for path, query in (
        ("/api/v1/orgs", {"cursor": cursor[:-3] + "abc"}),
        ("/api/v1/notifications", {"cursor": cursor}),  # another list's order
        ("/api/v1/orgs", {"cursor": "x" * 501}),
    ):
        response = client.get(path, query_string=query, headers=auth(token))
        assert response.status_code in (400, 422), (path, response.json)
        assert response.json["errors"]["cursor"] == ["分页游标无效，请从第一页重新开始"]


def test_a_page_number_however_large_is_not_a_server_error(factory, client):
    token = factory.worker_token()
    response = client.get(
        "/api/v1/notifications", query_string={"page": "56381462838310715392"}, headers=auth(token)
    )
    assert response.status_code == 200 and response.json == []
    for bad in ("0", "101", "2.5", "56381462838310715392"):
        refused = client.get("/api/v1/notifications", query_string={"page_size": bad}, headers=auth(token))
        assert refused.status_code == 422 and refused.json["errors"]["page_size"], bad
