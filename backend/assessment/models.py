"""工会考核 — assessment runs and their per-union results.

A run is one execution for a period (month 2026-03, quarter 2026-Q1, year 2026) under one version of
the rubrics (a content hash of config/assessment/*.yaml). Runs are history: every request leaves a row
with its status and timings. Results are keyed by (period, rubric version, org): re-running the same
period under the same rubrics replaces them, so they are never duplicated.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.labels import LabelledEnum
from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db
from backend.members.models import Member
from backend.orgs.models import Org
from backend.participation.models import ParticipationFact


class RunStatus(LabelledEnum):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


RUN_STATUS_LABELS = RunStatus.labels()


class Tier(LabelledEnum):
    """档次, decided by the rigid indicators (刚性考核定档次)."""

    UNQUALIFIED = "unqualified", "不合格"
    QUALIFIED = "qualified", "合格"
    GOOD = "good", "良好"
    EXCELLENT = "excellent", "优秀"


TIER_ORDER = (Tier.UNQUALIFIED, Tier.QUALIFIED, Tier.GOOD, Tier.EXCELLENT)
TIER_LABELS = Tier.labels()


class Grade(LabelledEnum):
    """级别, decided by the flexible indicators (弹性考核评级别)."""

    LEADING = "leading", "领先"
    ADVANCED = "advanced", "先进"
    FLAGSHIP = "flagship", "旗帜型"


GRADE_ORDER = (Grade.LEADING, Grade.ADVANCED, Grade.FLAGSHIP)
GRADE_LABELS = Grade.labels()

PERIOD_TYPE_LABELS = {"month": "月度", "quarter": "季度", "year": "年度"}


class AssessmentRun(db.Model):
    """考核运行 — one execution of the rubrics for a period, kept as history."""

    __tablename__ = "assessment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_type: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(10))
    rubric_version: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10), default=RunStatus.QUEUED)
    trigger: Mapped[str] = mapped_column(String(10))  # manual | scheduled
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None]
    orgs_assessed: Mapped[int | None]
    results_count: Mapped[int | None]
    counts: Mapped[dict] = mapped_column(JSON, default=dict)  # per category: {tier: n}
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_assessment_runs_period", "period_type", "period", "rubric_version", "status"),
    )


class AssessmentResult(db.Model):
    """考核结果 — one union's standing for a period: every indicator, the tier, level, score and rank."""

    __tablename__ = "assessment_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assessment_runs.id"))  # the run that last wrote it
    period_type: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(10))
    rubric_version: Mapped[str] = mapped_column(String(16))
    category_version: Mapped[str] = mapped_column(String(16))  # hash of this category's rubric file
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    org_level: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(12))
    grade: Mapped[str | None] = mapped_column(String(12))
    score: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    rank: Mapped[int]  # standard competition ranking among peers (1, 2, 2, 4)
    position: Mapped[int]  # 1…n, ties broken by org id: a stable order for display
    peers: Mapped[int]
    indicators: Mapped[list] = mapped_column(JSON)

    org: Mapped[Org] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("period_type", "period", "rubric_version", "org_id"),
        Index(
            "ix_assessment_results_listing", "period_type", "period", "rubric_version", "category", "position"
        ),
        Index("ix_assessment_results_org", "org_id", "period_type", "period"),
    )


# Indexes the set-based runs lean on, on tables of other domains (created by migration 0009):
# the period's facts by kind scanned without touching the rows, the "accepted in time" look-up of a
# case, and members by the date they joined (new members of a period, members at a date), covering.
Index(
    "ix_participation_kind_time_org",
    ParticipationFact.kind,
    ParticipationFact.occurred_at,
    ParticipationFact.org_id,
)
Index("ix_participation_ref", ParticipationFact.ref_type, ParticipationFact.ref_id)
Index("ix_members_joined_org_status", Member.joined_at, Member.org_id, Member.status)
