"""Writing rows: under unique keys (a concurrent twin that got there first becomes a clean 409), and
rows a request only appends (one Core INSERT, no unit-of-work flush)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TypeVar

from sqlalchemy import Insert, Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.common.errors import Conflict
from backend.extensions import db

M = TypeVar("M")


@contextmanager
def _conflict_on_duplicate(message: str, code: str) -> Iterator[None]:
    """A unique-index violation inside rolls the transaction back and raises 409 with ``message``,
    so nothing of the request is written."""
    try:
        yield
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(message, code=code) from exc


def flush_or_conflict(message: str, code: str = "duplicate") -> None:
    """Flush the session; a twin that got there first is a clean 409 (``_conflict_on_duplicate``)."""
    with _conflict_on_duplicate(message, code):
        db.session.flush()


@cache
def _insert(table: Table) -> Insert:
    return insert(table)  # built once per table: building a statement costs more than running it


def insert_row(model: type, row: dict, session: Session | None = None) -> int:
    """One Core INSERT of ``row`` (every column the row should hold: Core applies no Python-side
    default to a key it is given) in the session's transaction; returns the new primary key."""
    session = session or db.session()
    return session.execute(_insert(model.__table__), row).inserted_primary_key[0]


def append(model: type[M], row: dict) -> M:
    """Insert a row the request only appends (a timeline line, a notification …) and return it as a
    detached ``model`` with its ``id``: the caller can read it, the session does not track it."""
    return model(id=insert_row(model, row), **row)


def append_or_conflict(model: type[M], row: dict, message: str, code: str = "duplicate") -> M:
    """``append`` under a unique key: when a twin got there first, the transaction is rolled back
    and 409 is raised with ``message``, as ``flush_or_conflict`` does for the unit of work."""
    with _conflict_on_duplicate(message, code):
        return append(model, row)
