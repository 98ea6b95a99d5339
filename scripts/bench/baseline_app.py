"""The yardstick of DESIGN §8: a bare Flask endpoint that inserts one row and answers 201.

    gunicorn 'scripts.bench.baseline_app:create_app()'    # DATABASE_URL as for the app

No smorest, no schemas, no auth, no ORM session: JSON in, one SQLAlchemy Core ``INSERT`` through a
pooled engine configured like the app's, JSON out. Whatever the real endpoints cost beyond this is
what the benchmarks' ratios show.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from flask import Flask, jsonify, request
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    insert,
    inspect,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

metadata = MetaData()
bench_baseline = Table(
    "bench_baseline",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("created_at", DateTime, nullable=False),
    mysql_charset="utf8mb4",
)


def _engine(url: str) -> Engine:
    if url.startswith("mysql+pymysql://") and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    # The same pool settings as the app (backend/web.py), so the pool is not what differs.
    options: dict = {"pool_pre_ping": True}
    if url.startswith("mysql"):
        options.update(pool_recycle=280, pool_size=10, max_overflow=20)
    return create_engine(url, **options)


def _create_table(engine: Engine) -> None:
    try:
        metadata.create_all(engine)
    except (OperationalError, ProgrammingError):
        # Several gunicorn workers start at once; another may have created it since our check.
        if not inspect(engine).has_table(bench_baseline.name):
            raise


def create_app() -> Flask:
    """The bare app on ``DATABASE_URL``; creates ``bench_baseline`` if it is missing."""
    engine = _engine(os.environ["DATABASE_URL"])
    _create_table(engine)
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.post("/insert")
    def insert_one():
        body = request.get_json(silent=True) or {}
        name = str(body.get("name", ""))[:100]
        try:
            amount = Decimal(str(body.get("amount")))
        except InvalidOperation:
            return jsonify(error="amount must be a number"), 422
        if not name or not amount.is_finite():
            return jsonify(error="name and amount are required"), 422
        with engine.begin() as conn:
            row_id = conn.execute(
                insert(bench_baseline).values(
                    name=name, amount=amount, created_at=datetime.now(UTC).replace(tzinfo=None)
                )
            ).inserted_primary_key[0]
        return jsonify(id=row_id, name=name, amount=str(amount)), 201

    return app
