"""HTTP plumbing shared by every endpoint: Flask settings, one transaction per request, database
error mapping, JWT error format, the local assets of the API docs UI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, request, send_from_directory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from backend import replica
from backend.api.access import forget_caller
from backend.api.base import error_response
from backend.config import ROOT, Settings
from backend.extensions import db, jwt

MIGRATIONS_DIR = ROOT / "migrations"
STATIC_DIR = Path(__file__).parent / "static"


def flask_config(settings: Settings) -> dict:
    url = settings.sqlalchemy_url
    engine_options: dict = {"pool_pre_ping": True}
    if url.startswith("mysql"):
        # READ COMMITTED: every statement sees the latest commits (a job's result, another worker's
        # claim) and InnoDB takes no gap locks on unique checks; contended rows use explicit locks.
        engine_options.update(
            pool_recycle=280, pool_size=10, max_overflow=20, isolation_level="READ COMMITTED"
        )
    else:
        engine_options["connect_args"] = {"timeout": 30}
    return {
        **replica.flask_config(settings, engine_options),
        "SECRET_KEY": settings.secret_key,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "JWT_SECRET_KEY": settings.secret_key,
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=settings.access_token_minutes),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=settings.refresh_token_days),
        "JWT_TOKEN_LOCATION": ["headers"],
        "MAX_CONTENT_LENGTH": settings.max_body_bytes,
        "API_TITLE": "掌上职工之家 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs-assets/",
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_STORAGE_OPTIONS": settings.ratelimit_storage_options,
        "RATELIMIT_STRATEGY": "moving-window",
        # A Redis outage must not take logins down: fall back to per-process counting.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": True,
    }


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def init_app(app: Flask) -> None:
    app.before_request(forget_caller)
    replica.init_app(app)

    @app.after_request
    def _finish_transaction(response):
        # One transaction per request, settled in one place: kept on success, undone on any error.
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _end_session(_exc):
        # Each request starts from a clean identity map, even when an outer app context (a CLI
        # command, a test) outlives it.
        db.session.remove()

    @app.errorhandler(IntegrityError)
    def _integrity_error(_error):
        db.session.rollback()
        return error_response(409, "conflict", "与现有记录冲突，请刷新后重试")

    @app.errorhandler(OperationalError)
    def _database_unavailable(_error):
        db.session.rollback()
        return error_response(503, "database_unavailable", "数据库暂时不可用，请稍后重试")

    @app.get("/api/docs-assets/<path:filename>")
    def _docs_assets(filename: str):
        return send_from_directory(STATIC_DIR / "swagger-ui", filename, max_age=86400)

    _install_jwt_errors()


def _install_jwt_errors() -> None:
    def unauthorized(_reason: str):
        return error_response(401, "unauthorized", "请先登录")

    def invalid(_reason: str):
        return error_response(401, "invalid_token", "登录凭证无效，请重新登录")

    def expired(_header, _payload):
        return error_response(401, "token_expired", "登录已过期，请重新登录")

    def revoked(_header, _payload):
        return error_response(401, "token_revoked", "登录凭证已失效，请重新登录")

    def lookup_failed(_header, _payload):
        return error_response(401, "account_disabled", "账号不存在或已停用")

    jwt.unauthorized_loader(unauthorized)
    jwt.invalid_token_loader(invalid)
    jwt.expired_token_loader(expired)
    jwt.revoked_token_loader(revoked)
    jwt.needs_fresh_token_loader(revoked)
    jwt.user_lookup_error_loader(lookup_failed)
    jwt.token_verification_failed_loader(lambda _h, _p: invalid(""))
