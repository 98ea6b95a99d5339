"""Crowds share addresses: 120 phones logging in from one venue's Wi-Fi all get in, while one WeChat
code or user replayed is limited, and the staff password limits stay strict — keyed on the user name
as the log-in reads it (spaces and case do not make a new name)."""

from __future__ import annotations

import dataclasses

import pytest

from backend.extensions import limiter
from tests.admin.conftest import Panel


@pytest.fixture
def real_limits(app):
    """The shipped defaults for the WeChat log-in, the strict staff limit of a deployment."""
    limiter.reset()  # counts of earlier tests from this test client's address
    settings = app.extensions["zhigong.settings"]
    defaults = type(settings)()
    app.extensions["zhigong.settings"] = dataclasses.replace(
        settings,
        wechat_login_code_limit=defaults.wechat_login_code_limit,
        wechat_login_address_limit=defaults.wechat_login_address_limit,
        login_rate_limit="3 per minute",
    )
    yield
    app.extensions["zhigong.settings"] = settings
    limiter.reset()


def test_a_crowd_of_120_phones_behind_one_address_all_log_in(client, real_limits):
    codes = [f"venue-phone-{i}" for i in range(120)]
    statuses = [client.post("/api/v1/auth/wechat-login", json={"code": code}).status_code for code in codes]
    assert statuses == [200] * 120


def test_one_wechat_code_or_user_replayed_is_limited(client, real_limits):
    replayed = [
        client.post("/api/v1/auth/wechat-login", json={"code": "same-code"}).status_code for _ in range(7)
    ]
    assert replayed[:5] == [200] * 5 and replayed[5:] == [429, 429]
    assert client.post("/api/v1/auth/wechat-login", json={"code": "another-user"}).status_code == 200


def test_the_staff_limit_cannot_be_dodged_with_spaces_or_case(factory, client, app, real_limits):
    factory.org_tree()
    names = ["t_city", " t_city", "T_CITY ", "\tt_city"]
    statuses = [  # each from another address, so only the per-user-name limit can refuse
        client.post(
            "/api/v1/staff/login",
            json={"username": name, "password": "guess"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"},
        ).status_code
        for i, name in enumerate(names)
    ]
    assert statuses == [401, 401, 401, 429]
    # the panel's log-in shares the same per-user-name count
    browser = Panel(app)
    browser.refresh_token()
    refused = browser.client.post(
        "/admin/login",
        data={"username": "T_City", "password": "guess", "csrf_token": browser.token},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert refused.status_code == 429


def test_a_user_name_logs_in_however_it_is_typed(factory, client):
    factory.org_tree()
    for name in (" t_city", "T_City", "ｔ_ｃｉｔｙ"):
        response = client.post("/api/v1/staff/login", json={"username": name, "password": "test-pass-2026"})
        assert response.status_code == 200, name
