"""Idempotency keys: a retried create returns the first response and creates nothing new.

The key row is written, with the response, in the same transaction as the thing it creates, so
either both exist or neither does. Two concurrent requests with one key serialise on the unique
index: the second waits there for the first to commit, then undoes its own work and replays the
first response.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import String, Text, UniqueConstraint, delete, select
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from backend.common import persistence
from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db

KEEP_FOR = timedelta(days=2)


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    principal: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text().with_variant(mysql.MEDIUMTEXT(), "mysql"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (UniqueConstraint("principal", "key"),)


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def store(*, principal: str, key: str, request_hash: str, status_code: int, response_body: str) -> None:
    """Write the key with the response it answers, in the caller's transaction. Raises
    ``IntegrityError`` when the key is taken (by a run that committed, or one that is still running:
    then the INSERT waits for it)."""
    session = db.session()
    session.flush()  # the rows the key guards go first: a conflict among them is a replay too
    row = {
        "principal": principal,
        "key": key,
        "request_hash": request_hash,
        "status_code": status_code,
        "response_body": response_body,
        "created_at": utcnow(),
    }
    persistence.insert_row(IdempotencyKey, row, session)


def find(principal: str, key: str) -> IdempotencyKey | None:
    stmt = select(IdempotencyKey).where(IdempotencyKey.principal == principal, IdempotencyKey.key == key)
    return db.session.scalars(stmt).first()


def purge_expired(now: datetime | None = None) -> int:
    """Forget keys older than ``KEEP_FOR`` (a periodic job calls this)."""
    cutoff = (now or utcnow()) - KEEP_FOR
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return result.rowcount or 0
