"""The app's edge: which proxy hops are trusted for the client's address and scheme, and the security
headers of every response (flask-talisman): a Content-Security-Policy that allows no
inline script, frame-ancestors/X-Frame-Options against click-jacking, a Referrer-Policy that never
sends a panel URL elsewhere, nosniff, and HSTS under production. TLS ends at the reverse proxy, so
nothing is redirected here; ProxyFix tells which requests came in over https.

Behind ``TRUSTED_PROXY_HOPS`` reverse proxies (0 = none, the default) the client's address is taken
from the X-Forwarded-For entry that many hops back: rate limits and the audit log then see the real
phone, not the proxy. With 0, forwarded headers are ignored (a client could forge them)."""

from __future__ import annotations

from functools import wraps

from flask import Flask
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from backend.config import Settings

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",  # panel scripts are static files; no inline script or event handler
    "style-src": "'self' 'unsafe-inline'",  # style attributes in the panel's markup
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The API docs page (flask-smorest's Swagger UI) starts itself with one inline script of its own.
DOCS_CSP = {**CSP, "script-src": "'self' 'unsafe-inline'"}
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"


def trust_proxies(app: Flask, hops: int) -> None:
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def init_app(app: Flask, settings: Settings) -> None:
    trust_proxies(app, settings.trusted_proxy_hops)
    production = settings.env == "production"
    # One Talisman per app: it keeps its options on itself, not on the app.
    talisman = Talisman()
    app.extensions["zhigong.talisman"] = talisman
    talisman.init_app(
        app,
        force_https=False,
        frame_options="DENY",
        strict_transport_security=production,
        strict_transport_security_max_age=365 * 24 * 3600,
        strict_transport_security_include_subdomains=False,
        content_security_policy=CSP,
        referrer_policy="same-origin",
        # The session cookie's flags stay the panel's own (``admin.init_app``).
        session_cookie_secure=settings.env not in ("development", "test"),
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        x_content_type_options=True,
    )
    docs = app.view_functions.get(DOCS_ENDPOINT)
    if docs is not None:

        @wraps(docs)
        def docs_page(*args, **kwargs):
            return docs(*args, **kwargs)

        app.view_functions[DOCS_ENDPOINT] = talisman(content_security_policy=DOCS_CSP)(docs_page)
