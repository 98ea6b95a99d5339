"""What every case (困难帮扶, 欠薪求助 …) shares: its timeline, its SLA columns, staff alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db


class CaseMixin:
    """Columns of a case handled by staff under an SLA.

    ``org_id`` is the node responsible *now* (it moves up on escalation); ``origin_org_id`` is where
    the case was filed. ``due_at`` is the deadline of the current state (NULL in final states).
    """

    status: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[int] = mapped_column(ForeignKey("wx_accounts.id"))  # who filed it, who is told
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    origin_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalations: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @declared_attr.directive
    def __table_args__(cls):
        name = cls.__tablename__
        return (
            Index(f"ix_{name}_org_status", "org_id", "status", "id"),
            # 统计: a subtree's cases filed in a range, by status and SLA, read off the index alone
            Index(f"ix_{name}_org_submitted", "org_id", "submitted_at", "status", "due_at"),
            Index(f"ix_{name}_status_due", "status", "due_at"),
            Index(f"ix_{name}_assignee", "assignee_id", "status"),
            Index(f"ix_{name}_account", "account_id", "id"),
        )


class CaseEvent(db.Model):
    """One line of a case's timeline: who did what, when, and what they wrote."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(10))  # worker | staff | system
    actor_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_case_events_case", "case_type", "case_id", "id"),)


class StaffAlert(db.Model):
    """Something staff of a node must look at: an escalated case, an early warning (劳动关系预警)."""

    __tablename__ = "staff_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(1000))
    case_type: Mapped[str | None] = mapped_column(String(20))
    case_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    __table_args__ = (Index("ix_staff_alerts_org_created", "org_id", "created_at"),)
