"""What a Galera cluster needs from the schema and the code: every table InnoDB with a primary key
(Galera replicates only those reliably), and no LOCK TABLES, GET_LOCK or XA anywhere."""

from __future__ import annotations

import re

from sqlalchemy import inspect, text

from backend.config import ROOT
from backend.extensions import db


def test_every_table_has_a_primary_key(app):
    inspector = inspect(db.engine)
    tables = inspector.get_table_names()
    assert "upload_blobs" in tables and "alembic_version" in tables
    missing = [name for name in tables if not inspector.get_pk_constraint(name)["constrained_columns"]]
    assert missing == []


def test_every_table_is_innodb(app):
    # No model asks for another engine, and (on MariaDB) the server made every table InnoDB.
    asked = {t.name: t.kwargs.get("mysql_engine") for t in db.metadata.sorted_tables}
    assert {name: engine for name, engine in asked.items() if engine not in (None, "InnoDB")} == {}
    with db.engine.connect() as conn:
        if conn.dialect.name in ("mysql", "mariadb"):
            other = conn.execute(
                text(
                    "SELECT table_name, engine FROM information_schema.tables"
                    " WHERE table_schema = DATABASE() AND engine <> 'InnoDB'"
                )
            ).all()
            assert other == []


def test_nothing_uses_what_galera_lacks():
    lacking = re.compile(
        r"LOCK\s+TABLES|GET_LOCK|RELEASE_LOCK|\bXA\s+(START|BEGIN|COMMIT)|ENGINE\s*=\s*(MyISAM|MEMORY|Aria)",
        re.I,
    )
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("backend", "migrations")
        for path in (ROOT / folder).rglob("*.py")
        if lacking.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
