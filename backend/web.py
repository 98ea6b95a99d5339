"""HTTP plumbing shared by every endpoint: Flask settings, one unit of work per request, database
error mapping, request ids, JWT error format, the local assets of the API docs UI."""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
import weakref
from datetime import timedelta
from functools import partial
from pathlib import Path

from flask import Flask, g, got_request_exception, request, send_from_directory
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from backend import replica
from backend.api.access import forget_caller
from backend.api.base import error_response
from backend.auth import tokens
from backend.common import unit_of_work
from backend.config import ROOT, Settings
from backend.extensions import db, jwt

MIGRATIONS_DIR = ROOT / "migrations"
STATIC_DIR = Path(__file__).parent / "static"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REQUEST_ID_HEADER = "X-Request-Id"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

log = logging.getLogger(__name__)


class App(Flask):
    """Flask whose view runs inside one unit of work: the commit happens in the same guarded block
    as the view (as Indico's request handler does), so a failing COMMIT reaches the error handlers
    (409/503) like any other error, and a deadlock or lock-wait timeout re-runs the request's
    transaction a few times before it is answered 503."""

    def dispatch_request(self):
        writes = request.method in WRITE_METHODS
        return unit_of_work.run(
            lambda: self.make_response(Flask.dispatch_request(self)),
            keep=lambda response: writes and response.status_code < 400,
            writes=writes,
            what=f"{request.method} {request.path}",
        )


def flask_config(settings: Settings) -> dict:
    url = settings.sqlalchemy_url
    # MySQL/MariaDB connections are pinged only after they sat idle (``_ping_if_idle``): a ping before
    # every checkout is one more round trip per request, on a connection used a millisecond ago.
    engine_options: dict = {"pool_pre_ping": not url.startswith("mysql")}
    # A request that finds every connection busy waits this long, then is answered 503 + Retry-After.
    engine_options["pool_timeout"] = settings.db_pool_timeout_s
    if url.startswith("mysql"):
        # READ COMMITTED: every statement sees the latest commits (a job's result, another worker's
        # claim) and InnoDB takes no gap locks on unique checks; contended rows use explicit locks.
        engine_options.update(
            pool_recycle=280,
            pool_size=settings.db_pool_size,
            max_overflow=2 * settings.db_pool_size,
            isolation_level="READ COMMITTED",
            # The pool rolls a returned connection back itself, unless its transaction has just
            # ended (``_reset_unless_ended``).
            pool_reset_on_return=None,
        )
    else:
        # The embedded server's threads each hold at most one connection; writers queue on the
        # unit of work's SQLite turn, so busy_timeout is only a backstop for another process.
        engine_options.update(pool_size=settings.db_pool_size, max_overflow=4)
        engine_options["connect_args"] = {"timeout": 30, "check_same_thread": False}
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


def _bound_waits(dbapi_connection, _record, *, lock_wait_s: int, statement_s: float) -> None:
    """Per MySQL/MariaDB session: row and table (metadata) lock waits and statements end well before
    gunicorn's worker timeout, so a locked table answers 503 instead of hanging the worker."""
    if not type(dbapi_connection).__module__.startswith("pymysql"):
        return
    cursor = dbapi_connection.cursor()
    try:
        wait = int(lock_wait_s)
        cursor.execute(f"SET SESSION innodb_lock_wait_timeout = {wait}, lock_wait_timeout = {wait}")
        if statement_s:
            try:
                cursor.execute(f"SET SESSION max_statement_time = {float(statement_s)}")  # MariaDB
            except Exception:
                cursor.execute(f"SET SESSION max_execution_time = {int(statement_s * 1000)}")  # MySQL
    finally:
        cursor.close()


# A connection back in the pool for longer than this is pinged before it is handed out again; one
# checked in a moment ago is used as it is (a server restart in that moment costs that request a
# 503, and SQLAlchemy then replaces every connection of the pool).
PING_AFTER_IDLE_S = 2.0


def _checked_in(_dbapi_connection, record) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    """Pessimistic disconnect handling, only for connections that sat idle: a dead one is replaced
    by the pool (``DisconnectionError`` makes it connect again) before any statement is sent."""
    idle_since = record.info.get("checked_in_at")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
        return
    try:
        dbapi_connection.ping(reconnect=False)
    except Exception as exc:
        raise DisconnectionError(f"connection lost while idle: {exc}") from exc


# A connection whose last act was a COMMIT (or a ROLLBACK) that the server answered holds no
# transaction: the ROLLBACK the pool would send on its return is a round trip for nothing, one in ten
# of a submission's. The mark is set when the transaction ends and taken away by a failure (the
# commit's own included: a commit whose answer was lost did not end cleanly) or by the next
# transaction's begin; every connection returned without it is rolled back, as the pool's default.
_ENDED = "transaction_ended"


def _mark_ended(connection) -> None:
    if not connection.invalidated:  # an invalidated one is closed, not returned
        connection.info[_ENDED] = True


def _unmark(connection, *_args) -> None:
    if not connection.invalidated:  # an invalidated one lost its mark with its DBAPI connection
        connection.info.pop(_ENDED, None)


def _unmark_on_error(context) -> None:
    if context.connection is not None:
        _unmark(context.connection)


def _reset_unless_ended(dbapi_connection, record, reset_state) -> None:
    ended = record.info.pop(_ENDED, False) if record is not None else False
    if ended or reset_state.terminate_only or reset_state.transaction_was_reset:
        return
    dbapi_connection.rollback()


def _skip_rollback_after_the_end(engine: Engine) -> None:
    event.listen(engine, "commit", _mark_ended)
    event.listen(engine, "rollback", _mark_ended)
    event.listen(engine, "begin", _unmark)
    event.listen(engine, "handle_error", _unmark_on_error)
    event.listen(engine.pool, "reset", _reset_unless_ended)


def _request_id():
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def request_id() -> str:
    """The id of the current request, also sent back as ``X-Request-Id`` (and logged with errors)."""
    return g.get("request_id") or "-"


def mapped_error(
    status: int, code: str, message: str, error: BaseException, *, retry_after: int | None = None
):
    """Log a mapped error once (with the request id and the reason) and answer it in our format."""
    reason = unit_of_work.mysql_code(error)
    detail = (str(getattr(error, "orig", error)).splitlines() or [""])[0][:300]
    log.log(
        logging.WARNING if status >= 500 else logging.INFO,
        "request %s %s %s answered %d %s: %s%s: %s",
        request_id(),
        request.method,
        request.path,
        status,
        code,
        type(getattr(error, "orig", error)).__name__,
        f" ({reason})" if reason else "",
        detail,
    )
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return error_response(status, code, message, headers=headers)


# Engines of every app in this process: a forked child (a gunicorn worker of a preloaded app, RQ's
# scheduler) must open its own connections, never use the parent's sockets.
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_parent_connections() -> None:
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_parent_connections)


def init_app(app: Flask) -> None:
    settings: Settings = app.extensions["zhigong.settings"]
    app.before_request(_request_id)
    app.before_request(forget_caller)
    replica.init_app(app)
    with app.app_context():
        for engine in db.engines.values():  # the primary's, and the read replica's when there is one
            _engines.add(engine)
            if engine.dialect.name == "mysql":
                event.listen(engine.pool, "checkin", _checked_in)
                event.listen(engine.pool, "checkout", _ping_if_idle)
                _skip_rollback_after_the_end(engine)
            event.listen(
                engine,
                "connect",
                partial(
                    _bound_waits,
                    lock_wait_s=settings.db_lock_wait_s,
                    statement_s=settings.db_statement_timeout_s,
                ),
            )

    @app.after_request
    def _send_request_id(response):
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response

    def _unhandled(_sender, exception, **_extra):
        # Flask logs the traceback itself; this line ties it to the id the client was given.
        log.error("request %s %s %s answered 500: %r", request_id(), request.method, request.path, exception)

    got_request_exception.connect(_unhandled, app, weak=False)

    @app.teardown_request
    def _end_session(_exc):
        # Each request starts from a clean identity map, even when an outer app context (a CLI
        # command, a test) outlives it.
        db.session.remove()

    # The unit of work has rolled back already; these only choose the answer (and log it once).
    @app.errorhandler(IntegrityError)
    def _integrity_error(error):
        return mapped_error(409, "conflict", "与现有记录冲突，请刷新后重试", error)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(error: DBAPIError):
        code = unit_of_work.mysql_code(error)
        if unit_of_work.is_retryable(error) or code in unit_of_work.STATEMENT_TIMEOUT_MYSQL:
            return mapped_error(503, "database_busy", "系统繁忙，请稍后重试", error, retry_after=2)
        return mapped_error(503, "database_unavailable", "数据库暂时不可用，请稍后重试", error, retry_after=5)

    @app.errorhandler(PoolTimeout)
    def _pool_exhausted(error):
        return mapped_error(503, "server_busy", "访问人数较多，请稍后重试", error, retry_after=2)

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def _redis_unavailable(error):
        return mapped_error(503, "service_unavailable", "服务暂时不可用，请稍后重试", error, retry_after=5)

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
    tokens.install_hooks()
