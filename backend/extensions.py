"""Extension objects, created once here and bound to the app in ``create_app``."""

from __future__ import annotations

from flask import current_app
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from redis import Redis
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from backend.api.base import Api

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


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
api = Api()
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def redis_client() -> Redis | None:
    """The shared Redis connection, or None in embedded mode."""
    return current_app.extensions.get("zhigong.redis")


def init_redis(app, url: str | None) -> None:
    app.extensions["zhigong.redis"] = (
        Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30)
        if url
        else None
    )
