"""The first worker journey over real HTTP: gunicorn, the configured database and Redis, and the
fake WeChat server — log in, apply, get approved by the base union, see the card."""

from __future__ import annotations

import uuid

import requests

from tests.factories import PASSWORD, application_payload


def test_login_apply_approve_card_over_http(factory, gunicorn_server, settings):
    tree = factory.org_tree()
    api = f"{gunicorn_server}/api/v1"
    http = requests.Session()

    login = http.post(f"{api}/auth/wechat-login", json={"code": "e2e-worker"}, timeout=10)
    assert login.status_code == 200, login.text
    worker = {"Authorization": f"Bearer {login.json()['access_token']}"}

    found = http.get(f"{api}/orgs", params={"q": "建筑公司"}, timeout=10).json()
    assert [o["id"] for o in found] == [tree.union_a1.id]

    payload = application_payload(tree.union_a1.id, name="王春生")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    applied = http.post(f"{api}/membership/applications", json=payload, headers={**worker, **key}, timeout=10)
    assert applied.status_code == 201, applied.text
    retried = http.post(f"{api}/membership/applications", json=payload, headers={**worker, **key}, timeout=10)
    assert retried.json()["id"] == applied.json()["id"]

    staff_login = http.post(
        f"{api}/staff/login", json={"username": "t_union_a1", "password": PASSWORD}, timeout=10
    )
    assert staff_login.status_code == 200, staff_login.text
    staff = {"Authorization": f"Bearer {staff_login.json()['access_token']}"}
    approved = http.post(
        f"{api}/staff/membership/applications/{applied.json()['id']}/transition",
        json={"action": "approve"},
        headers=staff,
        timeout=10,
    )
    assert approved.status_code == 200, approved.text

    card = http.get(f"{api}/me/card", headers=worker, timeout=10)
    assert card.status_code == 200, card.text
    verified = http.post(
        f"{api}/staff/cards/verify", json={"payload": card.json()["qr_payload"]}, headers=staff, timeout=10
    )
    assert verified.json()["member"]["card_no"] == card.json()["card_no"]
    for response in (login, applied, approved, card, verified):
        assert payload["id_number"] not in response.text

    ready = http.get(f"{gunicorn_server}/readyz", timeout=10).json()
    assert ready["checks"] == {"database": "ok", "redis": "ok" if settings.redis_url else "embedded"}
