"""掌上职工之家 backend."""

from __future__ import annotations

from flask import Flask

from backend import admin, cli, edge, web
from backend.api import api, register_blueprints
from backend.common import crypto
from backend.config import CONFIG_DIR, INSTANCE_DIR, Settings
from backend.domains import register_domains
from backend.extensions import db, init_redis, jwt, limiter, migrate


def create_app(settings: Settings | None = None) -> Flask:
    """The app factory: settings → domains (their config, kinds, topics) → extensions → API → CLI."""
    settings = settings or Settings.from_env()
    app = web.App(__name__, instance_path=str(INSTANCE_DIR))  # views run in one unit of work
    app.config.update(web.flask_config(settings))
    app.extensions["zhigong.settings"] = settings
    app.json.ensure_ascii = False  # Chinese as UTF-8, not \\u escapes
    if settings.sqlalchemy_url.startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(exist_ok=True)

    crypto.configure(settings.data_key)
    # Every config file is read (and so checked) here: a broken one stops the start, not a request.
    register_domains(app, CONFIG_DIR)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(web.MIGRATIONS_DIR), render_as_batch=True)
    init_redis(app, settings)
    jwt.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    register_blueprints(api)
    web.init_app(app)
    cli.init_app(app)
    admin.init_app(app)  # the staff panel at /admin (session log-in, CSRF of its own)
    edge.init_app(app, settings)  # trusted proxy hops; CSP, frame and referrer policies, HSTS
    return app
