"""Keyset ("seek") pagination for queues that must stay fast at a million rows.

``OFFSET 500000`` makes the database walk half a million index entries; a cursor holding the last
row's sort key lets it jump straight there. The cursor is opaque to clients: pass back the
``X-Next-Cursor`` header of one page to get the next.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, and_, or_

from backend.common.errors import InvalidInput
from backend.extensions import db


@dataclass(frozen=True)
class SortKey:
    column: object  # an ORM attribute
    descending: bool = False


def _encode(values: list) -> str:
    def plain(v):
        if isinstance(v, datetime):
            return {"t": v.isoformat()}
        if isinstance(v, Decimal):
            return {"d": str(v)}
        return v

    raw = json.dumps([plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, json.JSONDecodeError) as exc:
        raise InvalidInput("cursor", "分页游标无效，请从第一页重新开始") from exc
    if not isinstance(values, list) or len(values) != size:
        raise InvalidInput("cursor", "分页游标无效，请从第一页重新开始")

    def typed(v):
        if isinstance(v, dict) and "t" in v:
            return datetime.fromisoformat(v["t"])
        if isinstance(v, dict) and "d" in v:
            return Decimal(v["d"])
        return v

    return [typed(v) for v in values]


def _after(keys: list[SortKey], values: list):
    """(k1, k2, …) strictly after ``values`` in the given directions, as nested OR/AND."""
    clauses = []
    for i, key in enumerate(keys):
        equal_before = [keys[j].column == values[j] for j in range(i)]
        step = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(and_(*equal_before, step))
    return or_(*clauses)


def seek(stmt: Select, keys: list[SortKey], *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """One page of ``stmt`` ordered by ``keys`` (the last key must be unique, e.g. the id)."""
    if cursor:
        stmt = stmt.where(_after(keys, _decode(cursor, len(keys))))
    order = [k.column.desc() if k.descending else k.column.asc() for k in keys]
    rows = list(db.session.scalars(stmt.order_by(*order).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, _encode([getattr(last, k.column.key) for k in keys])
