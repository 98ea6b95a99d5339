"""参与记录 — participation facts: the raw material of the assessments (考核)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db


class ParticipationFact(db.Model):
    """One act of participation (member joined, consultation held, event attended …), credited to an
    org node. ``dedupe_key`` makes recording idempotent: a re-run job adds nothing."""

    __tablename__ = "participation_facts"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ref_type: Mapped[str] = mapped_column(String(40))
    ref_id: Mapped[int]
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_participation_org_kind_time", "org_id", "kind", "occurred_at"),
        Index("ix_participation_kind_time", "kind", "occurred_at"),
    )
