"""Taking a scarce place — a lawyer's slot, a seat, a team place — safely under any concurrency.

One conditional UPDATE takes the place: ``SET used = used + 1 WHERE id = :id AND used < limit``.
The database applies it atomically (InnoDB row lock; SQLite's single writer), so when 300 requests
race for the last place exactly one sees ``rowcount == 1``; the others see 0 and never write. No
read-then-write window, no lock held across a round trip to the client.
"""

from __future__ import annotations

from sqlalchemy import update
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
    counters = list(limits)
    table = counters[0].class_
    stmt = (
        update(table)
        .where(*where, *(counter < limit for counter, limit in limits.items()))
        .values({counter.key: counter + 1 for counter in counters})
    )
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1


def give_back(counter: InstrumentedAttribute, *where) -> bool:
    """Return one place (never below zero). True if a place was returned."""
    table = counter.class_
    stmt = update(table).where(*where, counter > 0).values({counter.key: counter - 1})
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1


def claim_row(column: InstrumentedAttribute, value, *where) -> bool:
    """Set a NULL ``column`` (e.g. a slot's booking id) to ``value``; True if it was still free."""
    table = column.class_
    stmt = update(table).where(*where, column.is_(None)).values({column.key: value})
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1
