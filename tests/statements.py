"""Counting the SQL a request sends: the hot paths promise a fixed handful of statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from backend.extensions import db


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The statements sent to the database inside the block, each as its first three words
    ("SELECT orgs.id, orgs.name,", "INSERT INTO notifications" …)."""
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        sent.append(" ".join(statement.split()[:3]))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def inserted_tables(sent: list[str]) -> list[str]:
    """The tables the INSERTs among ``sent`` wrote, sorted."""
    return sorted(s.split()[2] for s in sent if s.startswith("INSERT"))
