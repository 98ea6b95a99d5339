"""The transactional outbox: work that a state change causes, committed with the change itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db


class OutboxMessage(db.Model):
    """One unit of follow-up work (send a notification, record a participation fact …).

    ``pending`` stays true until a worker has finished the work (in the same transaction as the work
    itself, where it can). A row still pending after a grace period whose job Redis no longer knows is
    what the sweeper re-enqueues.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    pending: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (Index("ix_outbox_pending_created", "pending", "created_at"),)

    @property
    def job_id(self) -> str:
        return f"outbox-{self.id}"
