"""Log-in, log-out, password change, CSRF, session cookie, and no page for anonymous visitors."""

from __future__ import annotations

import dataclasses
import re

from flask import url_for
from sqlalchemy import select

from backend.admin.kinds import KINDS
from backend.audit.models import AuditLog
from backend.extensions import db
from backend.staff.models import Staff
from tests.admin.conftest import csrf_of, flashes
from tests.factories import PASSWORD, auth


def _admin_rules(app, method: str) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or method not in rule.methods:
            continue
        if rule.endpoint in ("admin.login", "admin.static"):
            continue
        for kind in KINDS if "kind" in rule.arguments else [None]:
            values = {arg: 1 for arg in rule.arguments}
            if kind:
                values["kind"] = kind
            with app.test_request_context():
                urls.append(url_for(rule.endpoint, **values))
    return urls


def test_every_page_sends_anonymous_visitors_to_the_login(app, panel):
    browser = panel()
    gets, posts = _admin_rules(app, "GET"), _admin_rules(app, "POST")
    assert len(gets) >= 25 and len(posts) >= 30
    for url in gets:
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/admin/login"), url
    for url in posts:  # with a valid CSRF token, still no session: refused the same way
        response = browser.post(url, {"action": "accept"})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/admin/login"), url


def test_log_in_audited_then_log_out(factory, panel):
    tree = factory.org_tree()
    browser = panel()
    browser.refresh_token()
    response = browser.post(
        "/admin/login", {"username": "t_county_a", "password": PASSWORD, "next": "/admin/wage/"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/admin/wage/"
    home = browser.text("/admin/")
    assert "甲区总工会" in home and "欠薪求助" in home
    logins = db.session.scalars(select(AuditLog).where(AuditLog.action == "staff.login")).all()
    assert [entry.staff_id for entry in logins] == [tree.staff["t_county_a"].id]

    browser.refresh_token()
    out = browser.post("/admin/logout")
    assert out.status_code == 303
    assert browser.get("/admin/").status_code == 302


def test_wrong_password_is_refused_in_chinese(factory, panel):
    factory.org_tree()
    browser = panel()
    response = browser.login("t_county_a", "wrong-password")
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert browser.get("/admin/").status_code == 302
    unknown = browser.login("nobody", "wrong-password")
    assert "用户名或密码错误" in unknown.get_data(as_text=True)


def test_login_never_redirects_off_site(factory, panel):
    factory.org_tree()
    browser = panel()
    browser.refresh_token()
    for target in ("https://evil.example/", "//evil.example/", "/api/v1/me"):
        response = browser.post("/admin/login", {"username": "t_city", "password": PASSWORD, "next": target})
        assert response.headers["Location"] == "/admin/", target
        browser.refresh_token()


def test_session_cookie_is_http_only_and_same_site(factory, panel):
    factory.org_tree()
    response = panel().login("t_city")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_password_change_ends_other_sessions(factory, panel):
    factory.org_tree()
    here, elsewhere = panel("t_town_a"), panel("t_town_a")
    wrong = here.post(
        "/admin/password", {"current_password": "nope", "new_password": "abc", "new_password_again": "abc"}
    )
    assert wrong.status_code == 422 and "两次输入" not in wrong.get_data(as_text=True)
    mismatch = here.post(
        "/admin/password",
        {
            "current_password": PASSWORD,
            "new_password": "Neu-pass-2026x",
            "new_password_again": "Neu-pass-2026y",
        },
    )
    assert "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    weak = here.post(
        "/admin/password",
        {"current_password": PASSWORD, "new_password": "short1", "new_password_again": "short1"},
    )
    assert "密码至少 10 位" in weak.get_data(as_text=True)

    done = here.post(
        "/admin/password",
        {
            "current_password": PASSWORD,
            "new_password": "Neu-pass-2026x",
            "new_password_again": "Neu-pass-2026x",
        },
    )
    assert done.status_code == 303
    assert here.get("/admin/").status_code == 200  # this session stays
    assert elsewhere.get("/admin/").status_code == 302  # the other one ends
    assert panel().login("t_town_a").status_code == 422  # the old password no longer works
    assert panel().login("t_town_a", "Neu-pass-2026x").status_code == 303
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "staff.change_password"))


def test_a_post_without_the_csrf_token_is_refused(factory, panel, client):
    tree = factory.org_tree()
    worker = factory.worker_token("csrf-worker")
    application = factory.apply(worker, tree.union_a1.id).json["id"]
    browser = panel("t_union_a1")

    bare = browser.client.post(f"/admin/membership/{application}/act", data={"action": "approve"})
    assert bare.status_code == 400
    assert "CSRF" in bare.get_data(as_text=True)
    forged = browser.client.post(
        f"/admin/membership/{application}/act", data={"action": "approve", "csrf_token": "forged"}
    )
    assert forged.status_code == 400
    assert (
        panel().client.post("/admin/login", data={"username": "t_city", "password": PASSWORD}).status_code
        == 400
    )
    page = browser.text(f"/admin/membership/{application}")
    assert "待审核" in page or "已提交" in page or 'id="case-status"' in page
    assert factory.transition(factory.staff_token("t_union_a1"), application, "approve").status_code == 200

    # The JSON API keeps working with its bearer token and no CSRF token at all.
    token = client.post("/api/v1/staff/login", json={"username": "t_city", "password": PASSWORD}).json
    assert client.get("/api/v1/staff/alerts", headers=auth(token["access_token"])).status_code == 200


def test_a_deactivated_account_loses_its_session(factory, panel):
    tree = factory.org_tree()
    town = panel("t_town_a")
    county = panel("t_county_a")
    town_id = tree.staff["t_town_a"].id
    response = county.post(f"/admin/people/staff/{town_id}/active", {"active": "false"}, follow=True)
    assert "已停用" in " ".join(flashes(response.get_data(as_text=True)))
    assert town.get("/admin/").status_code == 302
    assert panel().login("t_town_a").status_code == 422
    assert db.session.get(Staff, town_id).active is False


def test_lawyer_is_refused_pages_of_other_roles(factory, panel):
    factory.org_tree()
    lawyer = panel("t_lawyer")
    assert lawyer.get("/admin/wage/").status_code == 403
    assert lawyer.get("/admin/people").status_code == 403
    assert lawyer.get("/admin/legal/").status_code == 200
    nav = lawyer.text("/admin/")
    assert "欠薪求助" not in nav and "法援预约" in nav
    assert re.search(r"csrf-token", nav) and csrf_of(nav)


def test_log_in_attempts_are_rate_limited_like_the_api(factory, panel, app):
    factory.org_tree()
    settings = app.extensions["zhigong.settings"]
    app.extensions["zhigong.settings"] = dataclasses.replace(settings, login_rate_limit="3 per minute")
    try:
        browser = panel()
        statuses = [browser.login("t_union_a2", "wrong-password").status_code for _ in range(4)]
        assert statuses == [422, 422, 422, 429]
        refused = browser.login("t_union_a2")
        assert refused.status_code == 429 and "登录尝试过于频繁" in refused.get_data(as_text=True)
    finally:
        app.extensions["zhigong.settings"] = settings
