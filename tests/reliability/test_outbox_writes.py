"""The rows a transaction emits to the outbox: written together just before its commit, gone with
its rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from backend.extensions import db
from backend.outbox import service as outbox
from backend.outbox.models import OutboxMessage

TOPICS = ("test.batched", "test.dropped", "test.kept")


def _nothing_to_do(_payload: dict) -> None:
    pass


@pytest.fixture
def test_topics():
    """Topics of this file only, gone again afterwards (handlers belong in ``backend/jobs``)."""
    for topic in TOPICS:
        outbox.register_topic(topic, "default", _nothing_to_do)
    yield
    for topic in TOPICS:
        outbox.TOPICS.pop(topic, None)


def test_the_rows_a_transaction_emits_are_written_in_one_insert_at_its_commit(app, test_topics):
    inserts: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        if statement.startswith("INSERT INTO outbox"):
            inserts.append(statement)

    with app.app_context():
        messages = [outbox.emit("test.batched", {"n": n}) for n in range(3)]
        assert all(message.id is None for message in messages)  # nothing written before the commit
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            db.session.commit()
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        ids = [message.id for message in messages]
        assert len(set(ids)) == 3 and None not in ids
        stored = db.session.execute(
            select(OutboxMessage.id, OutboxMessage.topic, OutboxMessage.payload).where(
                OutboxMessage.id.in_(ids)
            )
        ).all()
        assert sorted(stored) == [(message_id, "test.batched", {"n": n}) for n, message_id in enumerate(ids)]
        # MariaDB: one INSERT … VALUES (…), (…), (…) RETURNING id. SQLite (embedded) cannot promise
        # the order of a multi-row RETURNING, so SQLAlchemy sends it one row at a time.
        assert len(inserts) == (1 if db.engine.dialect.name == "mysql" else 3)
        db.session.remove()


def test_rows_emitted_by_a_transaction_that_rolls_back_are_never_written(app, test_topics):
    with app.app_context():
        before = db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)) or 0
        outbox.emit("test.dropped", {"n": 1})
        db.session.rollback()
        outbox.emit("test.kept", {"n": 2})
        db.session.commit()
        topics = db.session.scalars(select(OutboxMessage.topic).where(OutboxMessage.id > before)).all()
        assert topics == ["test.kept"]
        db.session.remove()
