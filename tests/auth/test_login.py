"""WeChat and staff log-in, token kinds, refresh and the log-in rate limit."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from backend.extensions import db
from backend.members.models import WxAccount
from tests.factories import PASSWORD, auth


def test_wechat_login_creates_one_account_per_openid(factory, client):
    first = client.post("/api/v1/auth/wechat-login", json={"code": "abc"})
    second = client.post("/api/v1/auth/wechat-login", json={"code": "abc"})
    assert first.status_code == second.status_code == 200
    assert first.json["account_id"] == second.json["account_id"]
    assert first.json["token_type"] == "Bearer" and first.json["expires_in"] == 1800
    account = db.session.get(WxAccount, first.json["account_id"])
    assert account.openid == "o_abc"
    assert db.session.scalar(select(func.count()).select_from(WxAccount)) == 1


def test_an_invalid_wechat_code_is_refused_clearly(client):
    response = client.post("/api/v1/auth/wechat-login", json={"code": "invalid"})
    assert response.status_code == 401
    assert response.json["code"] == "wechat_code_invalid" and "重新进入小程序" in response.json["message"]
    assert client.post("/api/v1/auth/wechat-login", json={}).status_code == 422


def test_wechat_unreachable_is_a_502_not_a_crash(app, client):
    settings = app.extensions["zhigong.settings"]
    app.extensions["zhigong.settings"] = dataclasses.replace(settings, wechat_api_base="http://127.0.0.1:9")
    try:
        response = client.post("/api/v1/auth/wechat-login", json={"code": "abc"})
    finally:
        app.extensions["zhigong.settings"] = settings
    assert response.status_code == 502 and response.json["code"] == "wechat_unavailable"


def test_staff_login_with_a_wrong_password_or_unknown_name_says_the_same(factory, client):
    factory.org_tree()
    wrong = client.post("/api/v1/staff/login", json={"username": "t_city", "password": "nope"})
    unknown = client.post("/api/v1/staff/login", json={"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    ok = client.post("/api/v1/staff/login", json={"username": "t_city", "password": PASSWORD})
    assert ok.status_code == 200 and ok.json["staff"]["role"] == "city_admin"


def test_a_disabled_staff_account_is_locked_out_at_once(factory, client):
    tree = factory.org_tree()
    token = factory.staff_token("t_county_a")
    staff = tree.staff["t_county_a"]
    db.session.merge(staff).active = False
    db.session.commit()
    response = client.get("/api/v1/staff/membership/applications", headers=auth(token))
    assert response.status_code == 403
    assert (
        client.post("/api/v1/staff/login", json={"username": "t_county_a", "password": PASSWORD}).status_code
        == 401
    )


def test_refresh_tokens_renew_access_and_are_not_access_tokens(factory, client):
    login = client.post("/api/v1/auth/wechat-login", json={"code": "refresh"}).json
    refreshed = client.post("/api/v1/auth/refresh", headers=auth(login["refresh_token"]))
    assert refreshed.status_code == 200
    assert client.get("/api/v1/me", headers=auth(refreshed.json["access_token"])).status_code == 200
    assert client.get("/api/v1/me", headers=auth(login["refresh_token"])).status_code == 401
    assert client.post("/api/v1/auth/refresh", headers=auth(login["access_token"])).status_code == 401
    assert client.get("/api/v1/me", headers=auth("not.a.token")).status_code == 401
    assert client.get("/api/v1/me").json["message"] == "请先登录"


def test_logins_are_rate_limited(app, factory, client):
    factory.org_tree()
    settings = app.extensions["zhigong.settings"]
    app.extensions["zhigong.settings"] = dataclasses.replace(settings, login_rate_limit="3 per minute")
    try:
        responses = [
            client.post("/api/v1/staff/login", json={"username": "t_city", "password": "guess"})
            for _ in range(5)
        ]
    finally:
        app.extensions["zhigong.settings"] = settings
    assert [r.status_code for r in responses] == [401, 401, 401, 429, 429]
    assert responses[3].json["code"] == "too_many_requests"
    assert responses[3].json["message"] == "请求过于频繁，请稍后再试"
    assert "Retry-After" in responses[3].headers


def test_logging_in_again_shows_the_pending_application_with_its_label(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("applicant")
    applied = factory.apply(token, tree.union_a1.id)
    assert applied.status_code == 201
    again = client.post("/api/v1/auth/wechat-login", json={"code": "applicant"})
    assert again.json["is_member"] is False
    application = again.json["application"]
    assert (application["id"], application["status"]) == (applied.json["id"], "submitted")
    assert application["status_label"] == "待审核"
