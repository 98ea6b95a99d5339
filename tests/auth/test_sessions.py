"""Tokens and panel sessions can be taken back: a password change or reset, a deactivation and "log
out everywhere" end every token; refresh tokens rotate and a replayed one revokes its session; a
panel log-out ends the session server-side; a token without ``exp`` or ``iat`` is refused."""

from __future__ import annotations

from datetime import timedelta

import jwt as pyjwt

from backend.common.types import utcnow
from backend.extensions import db
from backend.staff.models import Staff
from tests.factories import PASSWORD, auth

QUEUE = "/api/v1/staff/membership/applications"


def staff_login(client, username: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/staff/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return response.json


def test_a_password_reset_ends_the_accounts_tokens(factory, client, panel):
    tree = factory.org_tree()
    tokens = staff_login(client, "t_union_a1")
    assert client.get(QUEUE, headers=auth(tokens["access_token"])).status_code == 200
    county = panel("t_county_a")
    target = tree.staff["t_union_a1"].id
    county.post(f"/admin/people/staff/{target}/password", {"password": "Fresh-pass-2026"})
    after = client.get(QUEUE, headers=auth(tokens["access_token"]))
    assert after.status_code == 401 and after.json["code"] == "token_revoked"
    refreshed = client.post("/api/v1/auth/refresh", headers=auth(tokens["refresh_token"]))
    assert refreshed.status_code == 401
    fresh = staff_login(client, "t_union_a1", "Fresh-pass-2026")
    assert client.get(QUEUE, headers=auth(fresh["access_token"])).status_code == 200


def test_a_changed_password_ends_the_api_tokens_too(factory, client, panel):
    factory.org_tree()
    tokens = staff_login(client, "t_county_a")
    browser = panel("t_county_a")
    changed = browser.post(
        "/admin/password",
        {
            "current_password": PASSWORD,
            "new_password": "Brand-new-2026",
            "new_password_again": "Brand-new-2026",
        },
    )
    assert changed.status_code == 303
    assert client.get(QUEUE, headers=auth(tokens["access_token"])).status_code == 401
    assert browser.get("/admin/").status_code == 200  # the session that changed it stays


def test_reactivating_an_account_does_not_revive_its_old_tokens(factory, client, panel):
    tree = factory.org_tree()
    tokens = staff_login(client, "t_union_a1")
    county = panel("t_county_a")
    target = tree.staff["t_union_a1"].id
    county.post(f"/admin/people/staff/{target}/active", {"active": "false"})
    county.post(f"/admin/people/staff/{target}/active", {"active": "true"})
    assert db.session.get(Staff, target).active is True
    assert client.get(QUEUE, headers=auth(tokens["access_token"])).status_code == 401
    assert client.post("/api/v1/auth/refresh", headers=auth(tokens["refresh_token"])).status_code == 401


def test_refresh_tokens_rotate_and_a_replayed_one_revokes_the_session(factory, client):
    factory.org_tree()
    first = staff_login(client, "t_county_a")
    second = client.post("/api/v1/auth/refresh", headers=auth(first["refresh_token"]))
    assert second.status_code == 200 and second.json["refresh_token"] != first["refresh_token"]
    third = client.post("/api/v1/auth/refresh", headers=auth(second.json["refresh_token"]))
    assert third.status_code == 200
    # the first refresh token, spent already, comes back: someone holds a copy
    replay = client.post("/api/v1/auth/refresh", headers=auth(first["refresh_token"]))
    assert replay.status_code == 401 and replay.json["code"] == "token_revoked"
    for token in (third.json["access_token"], second.json["access_token"]):
        assert client.get(QUEUE, headers=auth(token)).status_code == 401
    assert client.post("/api/v1/auth/refresh", headers=auth(third.json["refresh_token"])).status_code == 401
    # another log-in of the same account is a session of its own and goes on
    other = staff_login(client, "t_county_a")
    assert client.get(QUEUE, headers=auth(other["access_token"])).status_code == 200


def test_log_out_and_log_out_everywhere_for_workers(factory, client):
    first = client.post("/api/v1/auth/wechat-login", json={"code": "phone-a"}).json
    second = client.post("/api/v1/auth/wechat-login", json={"code": "phone-a"}).json
    assert client.post("/api/v1/auth/logout", headers=auth(first["access_token"])).status_code == 204
    assert client.get("/api/v1/notifications", headers=auth(first["access_token"])).status_code == 401
    assert client.post("/api/v1/auth/refresh", headers=auth(first["refresh_token"])).status_code == 401
    assert client.get("/api/v1/notifications", headers=auth(second["access_token"])).status_code == 200
    everywhere = client.post("/api/v1/auth/logout-everywhere", headers=auth(second["access_token"]))
    assert everywhere.status_code == 204
    assert client.get("/api/v1/notifications", headers=auth(second["access_token"])).status_code == 401
    again = client.post("/api/v1/auth/wechat-login", json={"code": "phone-a"}).json
    assert client.get("/api/v1/notifications", headers=auth(again["access_token"])).status_code == 200


def test_a_copied_panel_cookie_is_dead_after_log_out(factory, panel):
    factory.org_tree()
    browser = panel("t_county_a")
    cookie = browser.client.get_cookie("zhigong_admin").value
    assert browser.post("/admin/logout").status_code == 303
    thief = panel()
    thief.client.set_cookie("zhigong_admin", cookie)
    response = thief.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_log_out_everywhere_in_the_panel_ends_api_tokens_and_other_sessions(factory, client, panel):
    factory.org_tree()
    tokens = staff_login(client, "t_county_a")
    here, elsewhere = panel("t_county_a"), panel("t_county_a")
    assert here.post("/admin/logout-everywhere").status_code == 303
    assert elsewhere.get("/admin/").status_code == 302
    assert here.get("/admin/").status_code == 302
    assert client.get(QUEUE, headers=auth(tokens["access_token"])).status_code == 401


def test_a_token_without_exp_or_iat_is_refused(app, factory, client):
    factory.org_tree()
    good = staff_login(client, "t_city")
    claims = pyjwt.decode(good["access_token"], options={"verify_signature": False})
    secret = app.config["JWT_SECRET_KEY"]
    assert client.get(QUEUE, headers=auth(pyjwt.encode(claims, secret, algorithm="HS256"))).status_code == 200
    for missing in ("exp", "iat"):
        forged = pyjwt.encode({k: v for k, v in claims.items() if k != missing}, secret, algorithm="HS256")
        response = client.get(QUEUE, headers=auth(forged))
        assert response.status_code == 401 and response.json["code"] == "invalid_token", missing
    expired = {**claims, "exp": int((utcnow() - timedelta(minutes=1)).timestamp())}
    stale = pyjwt.encode(expired, secret, algorithm="HS256")
    assert client.get(QUEUE, headers=auth(stale)).status_code == 401
