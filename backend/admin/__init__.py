"""The staff admin panel (管理后台) at ``/admin``: server-rendered Chinese pages over the same services
the staff API calls, with a session log-in and CSRF protection of its own (the JSON API keeps its
bearer tokens and needs no CSRF token)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import marshmallow as ma
from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect

from backend.common.config_files import ConfigSchema, WholeNumber, load
from backend.config import CONFIG_DIR

HERE = Path(__file__).parent
bp = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
csrf = CSRFProtect()


class PanelFile(ConfigSchema):
    """``config/admin.yaml``: the panel's session lifetime and page size."""

    session_hours = ma.fields.Float(
        load_default=8,
        validate=ma.validate.Range(
            min=0, max=24 * 7, min_inclusive=False, error="should be a number of hours between 0 and 168"
        ),
    )
    page_size = WholeNumber(load_default=20)

    @ma.validates("page_size")
    def _page_size(self, value: int, **_kwargs) -> None:
        if not 5 <= value <= 100:
            raise ma.ValidationError("should be an integer between 5 and 100")


def load_settings(path: Path = CONFIG_DIR / "admin.yaml") -> dict:
    """The panel's tunables (session lifetime, page size); a malformed file stops the app at start."""
    return load(path, PanelFile())


def init_app(app: Flask) -> None:
    """Session cookie hardening, CSRF for the panel only, the blueprint and its views."""
    # The pages register their routes on ``bp`` when imported, which needs ``bp`` to exist first.
    from backend.admin import filters, views  # noqa: F401

    settings = app.extensions["zhigong.settings"]
    panel = load_settings()
    app.extensions["zhigong.admin"] = panel
    app.config.update(
        SESSION_COOKIE_NAME="zhigong_admin",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.env not in ("development", "test"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=panel["session_hours"]),
        # CSRF is checked by the panel's own before_request (see views.base), never on the JSON API.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    csrf.init_app(app)
    filters.install(app)
    app.register_blueprint(bp)
