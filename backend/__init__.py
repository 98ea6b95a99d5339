"""掌上职工之家 backend."""

from __future__ import annotations

from flask import Flask

from backend.config import CONFIG_DIR, INSTANCE_DIR, Settings


def create_app(settings: Settings | None = None) -> Flask:
    """The app factory: settings → extensions → API → CLI."""
    from backend import cli, edge, web
    from backend.api import register_blueprints
    from backend.assessment.rubrics import load_rubric_dir
    from backend.cases.sla import load_sla
    from backend.common import crypto
    from backend.events import rules as event_rules
    from backend.extensions import api, db, init_redis, jwt, limiter, migrate
    from backend.legal import rules as legal_rules
    from backend.notify.templates import load_template_dir

    settings = settings or Settings.from_env()
    app = web.App(__name__, instance_path=str(INSTANCE_DIR))  # views run in one unit of work
    app.config.update(web.flask_config(settings))
    app.extensions["zhigong.settings"] = settings
    app.json.ensure_ascii = False  # Chinese as UTF-8, not \\u escapes
    if settings.sqlalchemy_url.startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(exist_ok=True)

    crypto.configure(settings.data_key)
    app.extensions["zhigong.templates"] = load_template_dir(CONFIG_DIR / "notifications")
    app.extensions["zhigong.sla"] = load_sla(CONFIG_DIR / "sla.yaml")
    # Read (and so checked) at start: a broken file stops the app here, not a worker's request later.
    app.extensions["zhigong.event_rules"] = event_rules.load_rules()
    app.extensions["zhigong.legal_rules"] = legal_rules.load_rules()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(web.MIGRATIONS_DIR), render_as_batch=True)
    init_redis(app, settings)
    jwt.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    register_blueprints(api)
    app.extensions["zhigong.rubrics"] = load_rubric_dir(CONFIG_DIR / "assessment")  # after the kinds register
    web.init_app(app)
    cli.init_app(app)

    from backend import admin

    admin.init_app(app)  # the staff panel at /admin (session log-in, CSRF of its own)
    edge.init_app(app, settings)  # trusted proxy hops; CSP, frame and referrer policies, HSTS
    return app
