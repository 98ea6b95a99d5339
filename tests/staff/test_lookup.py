"""Full ID numbers and phones never travel in a URL: staff trade them in a POST body for a lookup
token, and the queues refuse them as ``q``."""

from __future__ import annotations

from tests.factories import application_payload, auth

QUEUE = "/api/v1/staff/membership/applications"


def test_membership_applications_are_found_by_id_number_through_a_token(factory, client):
    tree = factory.org_tree()
    payload = application_payload(tree.union_a1.id)
    id_number, mobile = payload["id_number"], payload["mobile"]
    applied = client.post(
        "/api/v1/membership/applications", json=payload, headers=auth(factory.worker_token("looked-up"))
    )
    assert applied.status_code == 201, applied.json
    factory.apply(factory.worker_token("someone-else"), tree.union_a1.id)
    staff = factory.staff_token("t_county_a")

    for value in (id_number, mobile, f" {id_number.lower()} "):
        token = client.post("/api/v1/staff/lookup-tokens", json={"value": value}, headers=auth(staff))
        assert token.status_code == 200, token.json
        assert id_number not in token.json["lookup"] and mobile not in token.json["lookup"]
        found = client.get(QUEUE, query_string={"lookup": token.json["lookup"]}, headers=auth(staff))
        assert [a["id"] for a in found.json] == [applied.json["id"]], value

    for value in (id_number, mobile):
        refused = client.get(QUEUE, query_string={"q": value}, headers=auth(staff))
        assert refused.status_code == 422 and "不能放在网址里" in refused.json["errors"]["q"][0]

    forged = client.get(QUEUE, query_string={"lookup": "x" * 40}, headers=auth(staff))
    assert forged.status_code == 422 and "lookup" in forged.json["errors"]
    bad = client.post("/api/v1/staff/lookup-tokens", json={"value": "张三"}, headers=auth(staff))
    assert bad.status_code == 422 and "value" in bad.json["errors"]
    lawyer = factory.staff_token("t_lawyer")
    refused = client.post("/api/v1/staff/lookup-tokens", json={"value": mobile}, headers=auth(lawyer))
    assert refused.status_code == 403


def test_a_token_from_another_deployment_or_tampered_is_refused(factory, client):
    factory.org_tree()
    staff = factory.staff_token("t_county_a")
    token = client.post(
        "/api/v1/staff/lookup-tokens", json={"value": "13900001111"}, headers=auth(staff)
    ).json
    tampered = token["lookup"][:-2] + ("AA" if not token["lookup"].endswith("AA") else "BB")
    refused = client.get(QUEUE, query_string={"lookup": tampered}, headers=auth(staff))
    assert refused.status_code == 422
