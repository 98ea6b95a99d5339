"""Test fixtures. The suite runs on the embedded default (a SQLite file, no Redis) and, when
``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` are set, against real MariaDB and Redis. The schema is
always built by running the migrations, so every run also proves ``upgrade`` from empty."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from backend import create_app
from backend.config import Settings
from backend.extensions import db, redis_client
from scripts.fake_wechat import serve_in_thread
from tests.factories import Factory

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _reset_database() -> None:
    """Drop every table (MariaDB keeps them between runs) so the migrations start from empty."""
    db.session.remove()
    with db.engine.begin() as conn:
        if conn.dialect.name in ("mysql", "mariadb"):
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
            for (name,) in conn.execute(text("SHOW TABLES")).all():
                conn.execute(text(f"DROP TABLE `{name}`"))
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))


@pytest.fixture(scope="session")
def fake_wechat():
    server, base_url, state = serve_in_thread()
    yield base_url, state
    server.shutdown()


@pytest.fixture(scope="session")
def settings(tmp_path_factory, fake_wechat) -> Settings:
    database_url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return Settings(
        env="test",
        database_url=database_url,
        redis_url=TEST_REDIS_URL,
        wechat_api_base=fake_wechat[0],
        login_rate_limit="10000 per minute",
        wechat_login_code_limit="10000 per minute",
        wechat_login_address_limit="10000 per minute",
        application_rate_limit="10000 per minute",
        upload_rate_limit="10000 per minute",
        upload_dir=tmp_path_factory.mktemp("uploads"),
    )


@pytest.fixture(scope="session")
def app(settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    with app.app_context():
        _reset_database()
        upgrade()
        yield app
        db.session.remove()


@pytest.fixture(autouse=True)
def _clean_state(request, fake_wechat):
    """Every test starts with empty tables, an empty Redis test database and a fresh fake WeChat."""
    yield
    if "app" not in request.fixturenames:
        return
    db.session.rollback()
    with db.engine.begin() as conn:
        mysql = conn.dialect.name in ("mysql", "mariadb")
        if mysql:  # orgs.parent_id refers to orgs itself; InnoDB checks row by row
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        if mysql:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    redis = redis_client()
    if redis is not None:
        redis.flushdb()
    fake_wechat[1].reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(app, client) -> Iterator[Factory]:
    yield Factory(client)
