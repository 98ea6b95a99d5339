"""劳动和技能竞赛 schemas: what the services accept — ``NewCompetition`` and ``CompetitionChanges``
(loaded and checked by ``CompetitionIn`` / ``CompetitionChangeIn``) for staff, ``EntryRequest``
(``CompetitionEntryIn``) for a member entering — and a competition as each role sees it: one
``CompetitionSchema`` with ``brief``, ``worker`` and ``staff`` views."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import marshmallow as ma

from backend.common.fields import LocalDateTime, Text, one_of
from backend.common.schema import UNSET, Schema, given
from backend.common.time import SHANGHAI
from backend.competitions.models import (
    CATEGORY_LABELS,
    ENTRY_MODE_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    CompetitionKind,
    EntryMode,
    InnovationCategory,
)
from backend.members.models import WORKER_TYPE_LABELS, WorkerType
from backend.orgs.schemas import OrgBrief


# --- what staff create and change ---------------------------------------------------------------------
@dataclass(frozen=True)
class NewCompetition:
    """A draft competition as ``competitions.create_competition`` takes it; ``org_id`` None: the
    staff member's union; no ``award_levels``: the default awards."""

    title: str
    kind: str
    signup_deadline: datetime
    org_id: int | None = None
    description: str | None = None
    entry_mode: str = EntryMode.INDIVIDUAL
    team_min: int | None = None
    team_max: int | None = None
    trades: list[str] = field(default_factory=list)
    worker_types: list[str] = field(default_factory=list)
    full_marks: int | None = None
    time_limit_minutes: int | None = None
    award_levels: list[str] = field(default_factory=list)

    def settings(self) -> dict[str, Any]:
        """The competition's settings by name (everything but the organising union)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "org_id"}


@dataclass(frozen=True)
class CompetitionChanges:
    """The settings an edit sets (``UNSET``: left as they are); the organising union never changes."""

    title: str = UNSET
    kind: str = UNSET
    signup_deadline: datetime = UNSET
    description: str | None = UNSET
    entry_mode: str = UNSET
    team_min: int | None = UNSET
    team_max: int | None = UNSET
    trades: list[str] = UNSET
    worker_types: list[str] = UNSET
    full_marks: int = UNSET
    time_limit_minutes: int | None = UNSET
    award_levels: list[str] = UNSET

    def settings(self) -> dict[str, Any]:
        return given(self)


class CompetitionIn(Schema):
    org_id = ma.fields.Integer(metadata={"description": "主办工会，默认为本级"})
    title = Text(required=True, max_length=100)
    description = Text(max_length=5000, min_length=0, allow_none=True)
    kind = ma.fields.String(required=True, validate=one_of(list(CompetitionKind), KIND_LABELS))
    entry_mode = ma.fields.String(validate=one_of(list(EntryMode), ENTRY_MODE_LABELS))
    team_min = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=2, max=50))
    team_max = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=2, max=50))
    trades = ma.fields.List(
        Text(max_length=30), validate=ma.validate.Length(max=30), metadata={"description": "限定工种"}
    )
    worker_types = ma.fields.List(
        ma.fields.String(validate=one_of(list(WorkerType), WORKER_TYPE_LABELS)),
        metadata={"description": "限定职工类型，空表示不限"},
    )
    signup_deadline = ma.fields.AwareDateTime(
        required=True,
        default_timezone=SHANGHAI,
        metadata={"description": "报名截止时间（不带时区按北京时间）"},
    )
    full_marks = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=1000), metadata={"description": "满分"}
    )
    time_limit_minutes = ma.fields.Integer(
        allow_none=True,
        validate=ma.validate.Range(min=1, max=180),
        metadata={"description": "知识竞赛答题时限"},
    )
    award_levels = ma.fields.List(
        Text(max_length=20),
        validate=ma.validate.Length(min=1, max=10),
        metadata={"description": "奖项，默认 一等奖、二等奖、三等奖、优秀奖"},
    )

    @ma.post_load
    def _typed(self, data: dict, **_kwargs) -> NewCompetition:
        return NewCompetition(**data)


class CompetitionChangeIn(CompetitionIn):
    """The settings to change (only those sent); the organising union cannot change."""

    class Meta(CompetitionIn.Meta):
        exclude = ("org_id",)

    @ma.post_load
    def _typed(self, data: dict, **_kwargs) -> CompetitionChanges:
        return CompetitionChanges(**data)


# --- what a member sends ------------------------------------------------------------------------------
@dataclass(frozen=True)
class EntryRequest:
    """An entry as ``competitions.enter`` takes it: a team's name for a team competition, the
    proposal (title, category, description, attachments) for a “五小” one."""

    trade: str | None = None
    team_name: str | None = None
    title: str | None = None
    category: str | None = None
    description: str | None = None
    evidence_ids: list[int] = field(default_factory=list)


class CompetitionEntryIn(Schema):
    trade = Text(max_length=30, load_default=None, metadata={"description": "参赛工种（限定工种的竞赛必填）"})
    team_name = Text(max_length=30, load_default=None, metadata={"description": "团体赛：新建队伍的队名"})
    title = Text(max_length=100, load_default=None, metadata={"description": "“五小”作品名称"})
    category = ma.fields.String(load_default=None, validate=one_of(list(InnovationCategory), CATEGORY_LABELS))
    description = Text(max_length=2000, load_default=None, metadata={"description": "“五小”作品简介"})
    evidence_ids = ma.fields.List(
        ma.fields.Integer(), load_default=list, metadata={"description": "附件（先通过 POST /uploads 上传）"}
    )

    @ma.post_load
    def _typed(self, data: dict, **_kwargs) -> EntryRequest:
        return EntryRequest(**data)


# --- a competition as each role sees it ----------------------------------------------------------------
class CompetitionSchema(Schema):
    """劳动和技能竞赛 — a competition, every field once; staff also see when it moved through its stages."""

    id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    kind = ma.fields.String(metadata={"description": "skill 技能比赛 / innovation “五小” / quiz 知识竞赛"})
    kind_label = ma.fields.Function(lambda c: KIND_LABELS.get(c.kind, c.kind))
    entry_mode = ma.fields.String(metadata={"description": "individual 个人赛 / team 团体赛"})
    entry_mode_label = ma.fields.Function(lambda c: ENTRY_MODE_LABELS.get(c.entry_mode, c.entry_mode))
    team_min = ma.fields.Integer(allow_none=True)
    team_max = ma.fields.Integer(allow_none=True)
    trades = ma.fields.List(ma.fields.String(), metadata={"description": "限定工种；空表示不限"})
    worker_types = ma.fields.Function(lambda c: c.worker_type_list, metadata={"description": "空表示不限"})
    worker_type_labels = ma.fields.Function(
        lambda c: [WORKER_TYPE_LABELS.get(t, t) for t in c.worker_type_list]
    )
    signup_deadline = LocalDateTime()
    full_marks = ma.fields.Integer()
    time_limit_minutes = ma.fields.Function(lambda c: c.time_limit_s // 60 if c.time_limit_s else None)
    award_levels = ma.fields.List(ma.fields.String())
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda c: STATUS_LABELS.get(c.status, c.status))
    org = ma.fields.Nested(OrgBrief, metadata={"description": "主办工会"})
    created_at = LocalDateTime()
    opened_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    ranked_at = LocalDateTime(allow_none=True)
    published_at = LocalDateTime(allow_none=True)

    views = {
        # an entry's competition: enough to recognise it
        "brief": (
            "id", "title", "kind", "kind_label", "entry_mode", "status", "status_label", "signup_deadline",
        ),
        "worker": (
            "id", "title", "description", "kind", "kind_label", "entry_mode", "entry_mode_label",
            "team_min", "team_max", "trades", "worker_types", "worker_type_labels", "signup_deadline",
            "full_marks", "time_limit_minutes", "award_levels", "status", "status_label", "org",
        ),
        "staff": (
            "id", "title", "description", "kind", "kind_label", "entry_mode", "entry_mode_label",
            "team_min", "team_max", "trades", "worker_types", "worker_type_labels", "signup_deadline",
            "full_marks", "time_limit_minutes", "award_levels", "status", "status_label", "org",
            "created_at", "opened_at", "closed_at", "ranked_at", "published_at",
        ),
    }  # fmt: skip
