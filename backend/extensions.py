"""Extension objects, created once here and bound to the app in ``create_app``."""

from __future__ import annotations

from flask import current_app
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from redis import Redis
from redis.sentinel import Sentinel
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from backend import replica

# Stable constraint names so Alembic migrations read the same on MariaDB and SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(
    model_class=Base, session_options={"expire_on_commit": False, "class_": replica.RoutingSession}
)
migrate = Migrate()
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def redis_client() -> Redis | None:
    """The shared Redis connection, or None in embedded mode."""
    return current_app.extensions.get("zhigong.redis")


_REDIS_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "health_check_interval": 30}


def connect_redis(settings) -> Redis | None:
    """A Redis client for ``settings``: the master that Sentinel names when ``REDIS_SENTINELS`` is set
    (it follows a fail-over by itself), else ``REDIS_URL``, else None (embedded mode)."""
    if settings.redis_sentinels:
        sentinel = Sentinel(
            list(settings.redis_sentinels),
            sentinel_kwargs={"socket_timeout": 1, "socket_connect_timeout": 1},
            db=settings.redis_db,
            password=settings.redis_password,
            **_REDIS_OPTIONS,
        )
        return sentinel.master_for(settings.redis_sentinel_master)
    if settings.redis_url:
        return Redis.from_url(settings.redis_url, **_REDIS_OPTIONS)
    return None


def init_redis(app, settings) -> None:
    app.extensions["zhigong.redis"] = connect_redis(settings)
