"""Taking a scarce place — a lawyer's slot, a seat, a team place — safely under any concurrency.

One conditional UPDATE takes the place: ``SET used = used + 1 WHERE id = :id AND used < limit``.
The database applies it atomically (InnoDB row lock; SQLite's single writer), so when 300 requests
race for the last place exactly one sees ``rowcount == 1``; the others see 0 and never write. No
read-then-write window, no lock held across a round trip to the client.
"""

from __future__ import annotations

from sqlalchemy import Update, bindparam, update
from sqlalchemy.orm import InstrumentedAttribute

from backend.extensions import db


def take(counter: InstrumentedAttribute, limit, *where) -> bool:
    """Add one to ``counter`` on the row(s) matching ``where`` if it stays within ``limit``
    (a column or a number). True if this caller got the place."""
    table = counter.class_
    stmt = update(table).where(*where, counter < limit).values({counter.key: counter + 1})
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1


def take_each(limits: dict[InstrumentedAttribute, object], *where) -> bool:
    """Add one to every counter of ``limits`` (counter → its limit) on the row matching ``where`` if
    each stays within its limit: all of them or none, in one statement. True if this caller got it."""
    return took(take_each_statement(limits, *where))


def take_each_statement(limits: dict, *where) -> Update:
    """``take_each``'s UPDATE, for a path that builds it once (its values as ``bindparam``) and runs it
    with ``took``: building an UPDATE and working out its cache key cost more than running it. Given
    the table's own columns (``Model.__table__.c``), it also skips the ORM's bulk-update handling."""
    counters = list(limits)
    return (
        update(_table_of(counters[0]))
        .where(*where, *(counter < limit for counter, limit in limits.items()))
        .values({counter: counter + 1 for counter in counters})
        .execution_options(synchronize_session=False)
    )


def took(stmt: Update, **values) -> bool:
    """Run a taking UPDATE with its bound ``values``; True if it changed the one row (the place is taken)."""
    return db.session.execute(stmt, values).rowcount == 1


def give_back(counter: InstrumentedAttribute, *where) -> bool:
    """Return one place (never below zero). True if a place was returned."""
    table = counter.class_
    stmt = update(table).where(*where, counter > 0).values({counter.key: counter - 1})
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1


def claim_row(column: InstrumentedAttribute, value, *where) -> bool:
    """Set a NULL ``column`` (e.g. a slot's booking id) to ``value``; True if it was still free."""
    return took(claim_row_statement(column, *where), claimed_by=value)


def claim_row_statement(column, *where) -> Update:
    """``claim_row``'s UPDATE for a path that builds it once, as ``take_each_statement``: it sets the
    NULL ``column`` to the bound ``claimed_by``; run it with ``took``."""
    return (
        update(_table_of(column))
        .where(*where, column.is_(None))
        .values({column: bindparam("claimed_by")})
        .execution_options(synchronize_session=False)
    )


def _table_of(column):
    """What to UPDATE: the mapped class of an ORM attribute (the ORM's statement), or the table of a
    plain column (a Core statement)."""
    return column.class_ if isinstance(column, InstrumentedAttribute) else column.table
