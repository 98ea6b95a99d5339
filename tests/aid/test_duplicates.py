"""A second request for the same member, category (and illness) inside the configured window is
accepted but flagged for staff; outside the window, or for something else, it is not."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from backend.aid.service import illness_key
from backend.common.types import utcnow
from tests.aid import events, illness_payload, member, payload, submit
from tests.factories import auth


def submitted_days_ago(factory, code: str, days: float, body: dict) -> int:
    """Submit with the clock turned back (and a token issued then, so it is valid then)."""
    with time_machine.travel(utcnow() - timedelta(days=days), tick=False):
        response = submit(factory.client, factory.worker_token(code), body)
    assert response.status_code == 201, response.json
    return response.json["id"]


def staff_view(client, factory, request_id: int) -> dict:
    response = client.get(
        f"/api/v1/staff/aid-requests/{request_id}", headers=auth(factory.staff_token("t_union_a1"))
    )
    assert response.status_code == 200, response.json
    return response.json


def test_a_repeat_inside_the_window_is_accepted_and_flagged(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "repeat")
    first = submitted_days_ago(factory, "repeat", 364, illness_payload("20000", illness="肺癌"))
    again = submit(client, token, illness_payload("26000", illness=" 肺 癌。"))
    assert again.status_code == 201, again.json
    assert "flagged_duplicate" not in again.json  # the worker is not told; staff weigh it

    case = staff_view(client, factory, again.json["id"])
    assert case["flagged_duplicate"] is True and case["duplicate_of_id"] == first
    flag = [e for e in case["timeline"] if e["action"] == "flag_duplicate"]
    assert len(flag) == 1 and f"#{first}" in flag[0]["note"] and "同一疾病" in flag[0]["note"]
    assert flag[0]["detail"] == {"duplicate_of_id": first}
    assert "flag_duplicate" not in [e["action"] for e in again.json["timeline"]]

    flagged = client.get(
        "/api/v1/staff/aid-requests",
        query_string={"flagged": "true"},
        headers=auth(factory.staff_token("t_town_a")),
    )
    assert [r["id"] for r in flagged.json] == [again.json["id"]]
    unflagged = client.get(
        "/api/v1/staff/aid-requests",
        query_string={"flagged": "false"},
        headers=auth(factory.staff_token("t_town_a")),
    )
    assert [r["id"] for r in unflagged.json] == [first]


def test_a_repeat_outside_the_window_is_not_flagged(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "yearly")
    submitted_days_ago(factory, "yearly", 366, payload(category="education"))
    again = submit(client, token, payload(category="education"))
    case = staff_view(client, factory, again.json["id"])
    assert case["flagged_duplicate"] is False and case["duplicate_of_id"] is None
    assert [e.action for e in events(again.json["id"])] == ["submit"]


def test_another_category_illness_or_member_is_not_a_duplicate(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "varied")
    neighbour = member(factory, tree, "neighbour")
    submit(client, token, illness_payload("20000", illness="肺癌"))
    submit(client, token, payload(category="living_hardship"))
    for body, who in (
        (illness_payload("20000", illness="白血病"), token),
        (payload(category="education"), token),
        (illness_payload("20000", illness="肺癌"), neighbour),
    ):
        response = submit(client, who, body)
        assert staff_view(client, factory, response.json["id"])["flagged_duplicate"] is False, body


def test_a_withdrawn_request_does_not_make_the_next_one_a_duplicate(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "retry")
    first = submit(client, token).json["id"]
    assert client.post(f"/api/v1/aid-requests/{first}/withdraw", headers=auth(token)).status_code == 200
    again = submit(client, token)
    assert staff_view(client, factory, again.json["id"])["flagged_duplicate"] is False


def test_the_latest_earlier_request_is_the_one_pointed_to(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "thrice")
    submitted_days_ago(factory, "thrice", 200, payload())
    second = submitted_days_ago(factory, "thrice", 100, payload())
    third = submit(client, token)
    assert staff_view(client, factory, third.json["id"])["duplicate_of_id"] == second


def test_illness_names_are_compared_without_spacing_punctuation_or_width():
    assert illness_key("肺癌") == illness_key(" 肺 癌。") == illness_key("肺癌（）")
    assert illness_key("ＡＬＳ") == illness_key("als")
    assert illness_key("肺癌") != illness_key("胃癌")
