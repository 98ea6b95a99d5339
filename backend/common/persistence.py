"""Writing under unique keys: a concurrent twin that got there first becomes a clean 409."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from backend.common.errors import Conflict
from backend.extensions import db


def flush_or_conflict(message: str, code: str = "duplicate") -> None:
    """Flush the session; a unique-index violation rolls the transaction back and raises 409 with
    ``message``, so nothing of the request is written."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(message, code=code) from exc
