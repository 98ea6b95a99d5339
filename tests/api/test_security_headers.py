"""Security headers: a CSP without inline script on the panel, frame and referrer policies, and HSTS
only under production."""

from __future__ import annotations

import dataclasses

from flask import Flask, request

from backend import edge


def test_panel_pages_carry_a_csp_without_inline_script(client):
    response = client.get("/admin/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # development/test: plain http
    assert "<script>" not in response.get_data(as_text=True)


def test_no_panel_template_has_inline_script_or_handlers(app):
    import re
    from pathlib import Path

    templates = Path(app.root_path) / "admin" / "templates"
    for path in templates.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path


def _edge_app(settings, **changes) -> Flask:
    """A bare app with only the edge installed: what ``create_app`` adds for proxies and headers."""
    app = Flask(__name__)
    edge.init_app(app, dataclasses.replace(settings, **changes))

    @app.get("/who")
    def who():
        return {"address": request.remote_addr, "scheme": request.scheme}

    return app


def test_hsts_is_sent_under_production_over_https_only(settings):
    production = _edge_app(settings, env="production", trusted_proxy_hops=1).test_client()
    secure = production.get("/who", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert secure.json == {"address": "1.2.3.4", "scheme": "https"}
    assert "Strict-Transport-Security" not in production.get("/who").headers
    development = _edge_app(settings).test_client()
    assert "Strict-Transport-Security" not in development.get(
        "/who", headers={"X-Forwarded-Proto": "https"}
    ).headers


def test_forwarded_addresses_are_believed_only_through_the_configured_hops(settings):
    untrusted = _edge_app(settings).test_client()
    forged = untrusted.get("/who", headers={"X-Forwarded-For": "9.9.9.9"})
    assert forged.json["address"] == "127.0.0.1"  # no proxy configured: the header is ignored
    two_hops = _edge_app(settings, trusted_proxy_hops=2).test_client()
    # the phone's proxy chain: client forged "6.6.6.6", then the CDN saw 1.2.3.4, then the LB
    seen = two_hops.get("/who", headers={"X-Forwarded-For": "6.6.6.6, 1.2.3.4, 10.0.0.2"})
    assert seen.json["address"] == "1.2.3.4"
