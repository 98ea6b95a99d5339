"""工会公告 — a notice a union node publishes to everyone in its subtree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db
from backend.orgs.models import Org


class Announcement(db.Model):
    __tablename__ = "announcements"
    # A member's feed: the handful of ancestor nodes, newest first.
    __table_args__ = (Index("ix_announcements_org_published", "org_id", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))  # published by this node, to its subtree
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    published_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org: Mapped[Org] = relationship()
