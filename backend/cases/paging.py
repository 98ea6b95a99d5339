"""Keyset ("seek") pagination: the one paging style of every list, API and panel alike.

``OFFSET 500000`` makes the database walk half a million index entries; a cursor holding the last
row's sort key lets it jump straight there, and no list counts its rows. The cursor is opaque to
clients: pass back the ``X-Next-Cursor`` header of one page to get the next. It is signed with the
app's secret and names the order it belongs to, so a crafted or edited cursor, or one taken from
another list, is refused with a 400 instead of reaching the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import marshmallow as ma
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import Select, and_, false, or_
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from backend import extensions  # the module, not its names: backend.api.base imports this file
from backend.common.errors import DomainError

CURSOR_MAX_LENGTH = 500
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_BAD_CURSOR = "分页游标无效，请从第一页重新开始"


class InvalidCursor(DomainError):
    """A cursor this server did not hand out (or for another list): start again from the first page."""

    status = 400
    code = "invalid_cursor"

    def __init__(self, message: str = _BAD_CURSOR):
        super().__init__(message, errors={"cursor": [message]})


@dataclass(frozen=True)
class SortKey:
    column: object  # an ORM attribute or any SQL expression of the selected rows
    descending: bool = False


def sort_keys_of(stmt: Select) -> list[SortKey]:
    """The ORDER BY of ``stmt`` as sort keys, ended by the selected entity's primary key when the
    order does not already end with it (keyset paging needs a unique last key)."""
    keys = []
    for clause in stmt._order_by_clauses:
        if isinstance(clause, UnaryExpression) and clause.modifier in (operators.desc_op, operators.asc_op):
            keys.append(SortKey(clause.element, descending=clause.modifier is operators.desc_op))
        else:
            keys.append(SortKey(clause))
    entity = stmt.column_descriptions[0]["entity"]
    (primary,) = entity.__mapper__.primary_key
    last = keys[-1].column if keys else None
    unique = getattr(last, "table", None) is primary.table and getattr(last, "key", None) == primary.key
    if not unique:
        keys.append(SortKey(getattr(entity, primary.key), descending=bool(keys) and keys[-1].descending))
    return keys


def _fingerprint(keys: list[SortKey]) -> str:
    shape = ";".join(f"{k.column}{' desc' if k.descending else ''}" for k in keys)
    return hashlib.sha256(shape.encode()).hexdigest()[:12]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="zhigong.cursor")


def _plain(value):
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d8": value.isoformat()}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _typed(value):
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "d8" in value:
        return date.fromisoformat(value["d8"])
    if isinstance(value, dict) and "d" in value:
        return Decimal(value["d"])
    return value


def encode_cursor(keys: list[SortKey], values: list) -> str:
    """The cursor of the row whose sort key is ``values`` (the next page starts after it)."""
    return _serializer().dumps([_fingerprint(keys), [_plain(v) for v in values]])


def decode_cursor(keys: list[SortKey], cursor: str) -> list:
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise InvalidCursor()
    try:
        shape, values = _serializer().loads(cursor)
    except (BadData, TypeError, ValueError) as exc:
        raise InvalidCursor() from exc
    if shape != _fingerprint(keys) or not isinstance(values, list) or len(values) != len(keys):
        raise InvalidCursor()
    return [_typed(v) for v in values]


def _after(keys: list[SortKey], values: list):
    """Rows strictly after ``values`` in the order of ``keys``. NULLs sort first ascending and last
    descending, as MariaDB/MySQL and SQLite do."""
    clauses = []
    equal_before: list = []
    for key, value in zip(keys, values, strict=True):
        column = key.column
        if value is None:
            step = false() if key.descending else column.is_not(None)
            equal = column.is_(None)
        else:
            step = or_(column < value, column.is_(None)) if key.descending else column > value
            equal = column == value
        clauses.append(and_(*equal_before, step))
        equal_before.append(equal)
    return or_(*clauses)


def seek(
    stmt: Select, keys: list[SortKey] | None = None, *, cursor: str | None, limit: int
) -> tuple[list, str | None]:
    """One page of ``stmt`` ordered by ``keys`` (by default its own ORDER BY, made unique by the
    primary key) and the cursor of the next page, or None on the last page."""
    keys = keys or sort_keys_of(stmt)
    stmt = stmt.order_by(None)
    if cursor:
        stmt = stmt.where(_after(keys, decode_cursor(keys, cursor)))
    order = [k.column.desc() if k.descending else k.column.asc() for k in keys]
    paged = stmt.add_columns(*(k.column for k in keys)).order_by(*order).limit(limit + 1)
    rows = extensions.db.session.execute(paged).unique().all()
    if len(rows) <= limit:
        return [row[0] for row in rows], None
    rows = rows[:limit]
    return [row[0] for row in rows], encode_cursor(keys, list(rows[-1][1:]))


# --- the paging query of every list ---------------------------------------------------------------
def cursor_field() -> ma.fields.String:
    return ma.fields.String(
        validate=ma.validate.Length(min=1, max=CURSOR_MAX_LENGTH, error="分页游标无效，请从第一页重新开始"),
        metadata={"description": "上一页响应头 X-Next-Cursor 的值；不传则从第一页开始"},
    )


def page_size_field(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE, error=f"每页条数应为 1 到 {MAX_PAGE_SIZE}"),
        metadata={"description": f"每页条数（1–{MAX_PAGE_SIZE}，默认 {DEFAULT_PAGE_SIZE}）"},
        **kwargs,
    )
