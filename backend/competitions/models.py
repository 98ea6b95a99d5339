"""Competitions (劳动和技能竞赛), their entries and teams, and the 安康杯 quiz."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.labels import LabelledEnum
from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db
from backend.members.models import Member
from backend.orgs.models import Org


class CompetitionKind(LabelledEnum):
    SKILL = "skill", "技能比赛"  # 岗位练兵、技能比赛 (by trade)
    INNOVATION = "innovation", "“五小”创新"  # “五小”创新: the entry is a proposal
    QUIZ = "quiz", "知识竞赛"  # 安康杯知识竞赛: one timed attempt, scored automatically


KIND_LABELS = CompetitionKind.labels()


class EntryMode(LabelledEnum):
    INDIVIDUAL = "individual", "个人赛"
    TEAM = "team", "团体赛"


ENTRY_MODE_LABELS = EntryMode.labels()


class CompetitionStatus(LabelledEnum):
    DRAFT = "draft", "草稿"  # 草稿, not visible to workers
    OPEN = "open", "报名中"  # 报名中 (until the sign-up deadline)
    CLOSED = "closed", "评审中"  # 报名截止, judging
    SCORED = "scored", "已排名"  # 已排名, awards being granted
    FINISHED = "finished", "已公布结果"  # 结果已公布


STATUS_LABELS = CompetitionStatus.labels()


class InnovationCategory(LabelledEnum):
    """The five “五小” categories."""

    INVENTION = "invention", "小发明"
    CREATION = "creation", "小创造"
    RENOVATION = "renovation", "小革新"
    DESIGN = "design", "小设计"
    SUGGESTION = "suggestion", "小建议"


CATEGORY_LABELS = InnovationCategory.labels()


class QuestionKind(enum.StrEnum):
    SINGLE = "single"  # 单选
    MULTIPLE = "multiple"  # 多选 (all or nothing)


class ParticipantRole(enum.StrEnum):
    INDIVIDUAL = "individual"
    CAPTAIN = "captain"  # 队长
    MEMBER = "member"  # 队员


DEFAULT_AWARD_LEVELS = ["一等奖", "二等奖", "三等奖", "优秀奖"]


class Competition(db.Model):
    """竞赛 — organised by an org node; open to the members of that node's subtree."""

    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    entry_mode: Mapped[str] = mapped_column(String(16), default=EntryMode.INDIVIDUAL)
    team_min: Mapped[int | None]
    team_max: Mapped[int | None]
    # 工种 the contest is for (skill/innovation); empty = any. Declared by the entrant on the entry.
    trades: Mapped[list] = mapped_column(JSON, default=list)
    # Worker types allowed, as ",courier,delivery_rider," so a LIKE can filter lists; "" = everyone.
    worker_types: Mapped[str] = mapped_column(String(300), default="")
    signup_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    full_marks: Mapped[int] = mapped_column(default=100)  # judges' scale (skill/innovation)
    time_limit_s: Mapped[int | None]  # quiz only
    award_levels: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_AWARD_LEVELS))
    status: Mapped[str] = mapped_column(String(16), default=CompetitionStatus.DRAFT)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ranked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org: Mapped[Org] = relationship()

    __table_args__ = (Index("ix_competitions_org_status", "org_id", "status"),)

    @property
    def worker_type_list(self) -> list[str]:
        return [t for t in self.worker_types.split(",") if t]


class CompetitionEntry(db.Model):
    """参赛报名 — one individual entrant, or one team (whose members are its participants)."""

    __tablename__ = "competition_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)  # entrant's / captain's union
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)  # entrant or captain
    team_name: Mapped[str | None] = mapped_column(String(30))
    join_code: Mapped[str | None] = mapped_column(String(8))
    # Team places taken (captain included); only ever raised through ``capacity.take``.
    member_count: Mapped[int] = mapped_column(default=1)
    # “五小” proposal
    title: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    # results
    score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    score_note: Mapped[str | None] = mapped_column(String(500))
    scored_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[int | None]  # 名次; ties share a place (standard competition ranking)
    award: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    competition: Mapped[Competition] = relationship()
    member: Mapped[Member] = relationship()
    org: Mapped[Org] = relationship()
    participants: Mapped[list[CompetitionParticipant]] = relationship(
        back_populates="entry", order_by="CompetitionParticipant.id"
    )

    __table_args__ = (
        UniqueConstraint("competition_id", "join_code"),
        UniqueConstraint("competition_id", "team_name"),
        Index("ix_competition_entries_competition_place", "competition_id", "place"),
    )


class CompetitionParticipant(db.Model):
    """One member in one competition: the unique key makes it one entry (or team) per member."""

    __tablename__ = "competition_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("competition_entries.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))  # the member's union when they joined
    role: Mapped[str] = mapped_column(String(12))
    trade: Mapped[str | None] = mapped_column(String(30))  # 工种 as declared
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[CompetitionEntry] = relationship(back_populates="participants")
    member: Mapped[Member] = relationship()
    org: Mapped[Org] = relationship()

    __table_args__ = (UniqueConstraint("competition_id", "member_id"),)


class QuizQuestion(db.Model):
    """One question of a quiz's question set; ``answer`` never leaves the server."""

    __tablename__ = "quiz_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"), index=True)
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    stem: Mapped[str] = mapped_column(String(500))
    options: Mapped[list] = mapped_column(JSON)  # option texts, keyed A, B, C … by position
    answer: Mapped[list] = mapped_column(JSON)  # the correct keys, e.g. ["A", "C"]
    points: Mapped[int] = mapped_column(default=1)


class QuizAttempt(db.Model):
    """The one timed attempt a quiz entrant has (unique per entry)."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("competition_entries.id"), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # claimed once (claim_row)
    answers: Mapped[dict | None] = mapped_column(JSON)
    correct_count: Mapped[int | None]
    score: Mapped[int | None]
    max_score: Mapped[int]
