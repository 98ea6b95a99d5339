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


class ParticipationRollup(db.Model):
    """How many facts of one kind an org was credited with in one Shanghai month — what an assessment
    reads instead of the facts themselves (orgs × months, not facts). Counted by the participation job
    in the transaction that stores the fact; ``flask rollups rebuild`` makes them again from the facts."""

    __tablename__ = "participation_rollups"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # YYYYMM, Shanghai time
    org_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    facts: Mapped[int] = mapped_column(default=0)

    # A run groups by (org, kind) over a period's months: one pass in that order, off the index alone.
    __table_args__ = (Index("ix_participation_rollups_kind_org", "kind", "org_id", "month", "facts"),)


class MemberRollup(db.Model):
    """The members of an org by the Shanghai month they joined in: all of them (``joined``) and those
    still active (``active``). Members at a date and new members of a period are sums over months.
    Kept by every ORM write of a member's org, status or join date (``backend.participation.rollups``)."""

    __tablename__ = "member_rollups"

    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # YYYYMM, Shanghai time
    org_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    joined: Mapped[int] = mapped_column(default=0)
    active: Mapped[int] = mapped_column(default=0)
