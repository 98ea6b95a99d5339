"""法律援助 schemas: what the network services accept — a centre (``CenterNew``, ``CenterChanges``), a
lawyer (``LawyerNew``, ``LawyerChanges``) and a weekly schedule (``ScheduleTerms``) — each loaded and
checked by its schema, for the staff API and the panel alike — and a booking as each role sees it: one
``BookingSchema`` with ``worker`` and ``staff`` views."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any

import marshmallow as ma

from backend.cases.queue import queue_query
from backend.common.fields import LocalDateTime, MaskedPhone, Text, one_of
from backend.common.schema import UNSET, Schema
from backend.legal.flow import BOOKING_FLOW
from backend.legal.models import (
    BOOKING_STATUS_LABELS,
    MODE_LABELS,
    OUTCOME_LABELS,
    BookingStatus,
    Mode,
    Outcome,
)
from backend.legal.rules import rules
from backend.orgs.schemas import OrgBrief

_MODES = MODE_LABELS
_WEEKDAYS = "0=周一 … 6=周日"


@dataclass(frozen=True)
class CenterNew:
    org_id: int
    name: str
    address: str
    phone: str | None = None
    intro: str | None = None


@dataclass(frozen=True)
class CenterChanges:
    name: Any = UNSET
    address: Any = UNSET
    phone: Any = UNSET
    intro: Any = UNSET
    active: Any = UNSET


@dataclass(frozen=True)
class LawyerNew:
    staff_id: int
    center_id: int
    title: str | None = None
    specialties: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LawyerChanges:
    center_id: Any = UNSET
    title: Any = UNSET
    specialties: Any = UNSET
    active: Any = UNSET


@dataclass(frozen=True)
class ScheduleTerms:
    """A weekly consultation period: weekday (0 = Monday), times of day in Asia/Shanghai."""

    weekday: int
    start_time: time
    end_time: time
    slot_minutes: int
    modes: list[str]


class LocalTime(ma.fields.Time):
    """A time of day in Asia/Shanghai, "09:00"."""

    default_error_messages = {"invalid": "时间格式不正确，应为 HH:MM", "format": "时间格式不正确"}


# --- centres ---------------------------------------------------------------------------------------
class CenterIn(Schema):
    org_id = ma.fields.Integer(required=True, metadata={"description": "设立中心的组织（决定中心层级）"})
    name = Text(required=True, max_length=100)
    address = Text(required=True, max_length=200)
    phone = Text(max_length=30, min_length=0, load_default=None, metadata={"description": "服务电话"})
    intro = Text(max_length=500, min_length=0, load_default=None)

    @ma.post_load
    def _center_in(self, data, **_) -> CenterNew:
        return CenterNew(**data)


class CenterPatch(Schema):
    name = Text(max_length=100)
    address = Text(max_length=200)
    phone = Text(max_length=30, min_length=0, allow_none=True)
    intro = Text(max_length=500, min_length=0, allow_none=True)
    active = ma.fields.Boolean()

    @ma.post_load
    def _changes(self, data, **_) -> CenterChanges:
        return CenterChanges(**data)


# --- lawyers and schedules ----------------------------------------------------------------------------
class LawyerIn(Schema):
    staff_id = ma.fields.Integer(required=True, metadata={"description": "律师的工作人员账号（角色为律师）"})
    center_id = ma.fields.Integer(required=True)
    title = Text(max_length=100, min_length=0, load_default=None, metadata={"description": "执业机构与职务"})
    specialties = ma.fields.List(
        Text(max_length=20),
        load_default=list,
        validate=ma.validate.Length(max=10),
        metadata={"description": "擅长领域"},
    )

    @ma.post_load
    def _lawyer_in(self, data, **_) -> LawyerNew:
        return LawyerNew(**data)


class LawyerPatch(Schema):
    center_id = ma.fields.Integer()
    title = Text(max_length=100, min_length=0, allow_none=True)
    specialties = ma.fields.List(Text(max_length=20), validate=ma.validate.Length(max=10))
    active = ma.fields.Boolean()

    @ma.post_load
    def _changes(self, data, **_) -> LawyerChanges:
        return LawyerChanges(**data)


class ScheduleIn(Schema):
    weekday = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=0, max=6), metadata={"description": _WEEKDAYS}
    )
    start_time = LocalTime(required=True, metadata={"description": "开始时间（北京时间），如 09:00"})
    end_time = LocalTime(required=True, metadata={"description": "结束时间（北京时间），如 11:30"})
    slot_minutes = ma.fields.Integer(required=True, metadata={"description": "每个时段的分钟数"})
    modes = ma.fields.List(
        ma.fields.String(validate=one_of(list(Mode), _MODES)),
        required=True,
        validate=ma.validate.Length(min=1, error="至少选择一种咨询方式"),
    )

    @ma.post_load
    def _terms(self, data, **_) -> ScheduleTerms:
        return ScheduleTerms(**data)


# --- a booking as each role sees it --------------------------------------------------------------------
def _label(labels: dict, value):
    return labels.get(value, value) if value else None


class CenterBrief(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    level_label = ma.fields.String()
    address = ma.fields.String()
    phone = ma.fields.String(allow_none=True)


class LawyerBrief(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    title = ma.fields.String(allow_none=True)
    specialties = ma.fields.List(ma.fields.String())


class BookingMember(Schema):
    """Who booked, as staff see them: the mobile masked (the full number is a separate, audited read)."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    card_no = ma.fields.String()
    mobile = MaskedPhone()
    worker_type = ma.fields.String()
    org = ma.fields.Nested(OrgBrief)


class BookingSchema(Schema):
    """法律援助预约 — a member's consultation booking, every field once; staff also see who booked it
    and how it was handled. What each side may do next (``allowed_actions``) is added by its view."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda b: _label(BOOKING_STATUS_LABELS, b.status))
    topic = ma.fields.String()
    topic_label = ma.fields.Function(lambda b: rules().topics.get(b.topic, b.topic))
    mode = ma.fields.String()
    mode_label = ma.fields.Function(lambda b: _label(MODE_LABELS, b.mode))
    description = ma.fields.String(allow_none=True)
    opposing_party = ma.fields.String(allow_none=True)
    slot_id = ma.fields.Integer()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    center = ma.fields.Nested(CenterBrief)
    lawyer = ma.fields.Nested(LawyerBrief)
    outcome = ma.fields.String(allow_none=True)
    outcome_label = ma.fields.Function(lambda b: _label(OUTCOME_LABELS, b.outcome))
    outcome_note = ma.fields.String(allow_none=True)
    cancelled_by = ma.fields.String(allow_none=True)
    cancel_reason = ma.fields.String(allow_none=True)
    reschedule_count = ma.fields.Integer()
    created_at = LocalDateTime()
    member = ma.fields.Nested(BookingMember)
    booked_at = LocalDateTime()
    reminded_at = LocalDateTime(allow_none=True)
    handled_by = ma.fields.Integer(allow_none=True)

    views = {
        "worker": (
            "id", "status", "status_label", "topic", "topic_label", "mode", "mode_label", "description",
            "opposing_party", "slot_id", "starts_at", "ends_at", "center", "lawyer", "outcome",
            "outcome_label", "outcome_note", "cancelled_by", "cancel_reason", "reschedule_count",
            "created_at",
        ),
        "staff": (
            "id", "status", "status_label", "topic", "topic_label", "mode", "mode_label", "description",
            "opposing_party", "slot_id", "starts_at", "ends_at", "center", "lawyer", "outcome",
            "outcome_label", "outcome_note", "cancelled_by", "cancel_reason", "reschedule_count",
            "created_at", "member", "booked_at", "reminded_at", "handled_by",
        ),
    }  # fmt: skip


# --- the staff side of a booking ---------------------------------------------------------------------------
_STAFF_ACTIONS = [t.action for t in BOOKING_FLOW.actions(BookingStatus.BOOKED, "staff")]

StaffBookingQuery = queue_query(
    "StaffBookingQuery",
    BookingStatus,
    BOOKING_STATUS_LABELS,
    owned=False,
    center_id=ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1)),
    lawyer_id=ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1)),
    day=ma.fields.Date(data_key="date", metadata={"description": "咨询日期（北京时间）"}),
)


class LegalTransitionIn(Schema):
    action = ma.fields.String(
        required=True,
        validate=one_of(_STAFF_ACTIONS),
        metadata={"description": "complete（记录结果）/ no_show（未到场）/ staff_cancel（中心取消，需原因）"},
    )
    outcome = ma.fields.String(
        load_default=None,
        validate=one_of(list(Outcome), OUTCOME_LABELS),
        metadata={"description": "complete 时必填：advice 已解答 / case_taken 已受理 / referred 已转介"},
    )
    note = Text(max_length=1000, min_length=0, load_default=None, metadata={"description": "说明或原因"})
    close_slot = ma.fields.Boolean(load_default=False, metadata={"description": "中心取消时同时关闭该时段"})
