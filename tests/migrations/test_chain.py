"""The migration chain: every downgrade undoes its upgrade, on the database the suite runs against."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from backend.config import ROOT
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database beside the test database (a file on the embedded default)."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'chain.db'}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_chain"
    server = create_engine(url.set(database=""))
    with server.begin() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.begin() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    server.dispose()


def flask_db(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "test"}
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "backend:create_app", "db", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def schema(url: str) -> dict[str, tuple]:
    """Every table with its columns, indexes and foreign keys."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {
            name: (
                sorted(c["name"] for c in inspector.get_columns(name)),
                sorted(i["name"] for i in inspector.get_indexes(name)),
                sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"])
                    for f in inspector.get_foreign_keys(name)
                ),
            )
            for name in inspector.get_table_names()
        }
    finally:
        engine.dispose()


def test_downgrading_to_empty_and_upgrading_again_gives_the_same_schema(app, scratch_url):
    flask_db(scratch_url, "upgrade")
    upgraded = schema(scratch_url)
    assert {"orgs", "members", "wage_claims", "participation_facts"} <= set(upgraded)

    flask_db(scratch_url, "downgrade", "base")
    assert set(schema(scratch_url)) == {"alembic_version"}

    flask_db(scratch_url, "upgrade")
    assert schema(scratch_url) == upgraded
