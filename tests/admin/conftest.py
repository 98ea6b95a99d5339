"""The admin panel through Flask's test client: a logged-in browser session with its CSRF token."""

from __future__ import annotations

import re

import pytest

from tests.assessment.conftest import city, test_rubrics  # noqa: F401 (the hand-computed city)
from tests.e2e.conftest import gunicorn_server  # noqa: F401 (the browser tests' real server)
from tests.factories import PASSWORD

CSRF = re.compile(r'name="csrf(?:_token" value|-token" content)="([^"]+)"')


def csrf_of(html: str) -> str:
    return CSRF.search(html).group(1)


def flashes(html: str) -> list[str]:
    return re.findall(r'class="flash (?:success|error|info)"[^>]*>([^<]*)<', html)


class Panel:
    """One browser: cookies kept, the CSRF token of its session sent with every form."""

    def __init__(self, app):
        self.client = app.test_client()
        self.token: str | None = None

    def refresh_token(self) -> str:
        self.token = csrf_of(self.client.get("/admin/login", follow_redirects=True).get_data(as_text=True))
        return self.token

    def login(self, username: str, password: str = PASSWORD):
        self.refresh_token()
        response = self.client.post(
            "/admin/login", data={"username": username, "password": password, "csrf_token": self.token}
        )
        if response.status_code == 303:  # a new session: its pages carry a new token
            self.refresh_token()
        return response

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, *, follow: bool = False, **kw):
        body = {"csrf_token": self.token or self.refresh_token(), **(data or {})}
        return self.client.post(url, data=body, follow_redirects=follow, **kw)

    def text(self, url: str) -> str:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def panel(app):
    """Make a fresh browser: ``panel()``; logged in: ``panel("t_county_a")``."""

    def make(username: str | None = None) -> Panel:
        browser = Panel(app)
        if username:
            response = browser.login(username)
            assert response.status_code == 303, response.get_data(as_text=True)
        return browser

    return make
