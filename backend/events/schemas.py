"""联谊交友 schemas: what the services accept — ``NewEvent`` and ``EventChanges`` (loaded and checked
by ``EventIn`` / ``EventPatch``) for staff, ``SignupRequest`` (``SignupIn``) for a member signing up —
and an event as each role sees it: one ``EventSchema`` with ``brief``, ``worker`` and ``staff`` views."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import marshmallow as ma

from backend.common.fields import LocalDateTime, Text
from backend.common.schema import UNSET, Schema, given
from backend.common.time import SHANGHAI
from backend.events.models import EVENT_STATUS_LABELS
from backend.orgs.schemas import OrgBrief


# --- what staff create and change ---------------------------------------------------------------------
@dataclass(frozen=True)
class NewEvent:
    """A draft event as ``events.create_event`` takes it; ``org_id`` None: the staff member's union."""

    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    signup_opens_at: datetime
    signup_closes_at: datetime
    capacity: int
    male_quota: int | None = None
    female_quota: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    citywide: bool = False
    org_id: int | None = None

    def terms(self) -> dict[str, Any]:
        """The event's terms by name (everything but the organising union)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "org_id"}


@dataclass(frozen=True)
class EventChanges:
    """The terms an edit sets (``UNSET``: left as they are); the organising union never changes."""

    title: str = UNSET
    description: str = UNSET
    place: str = UNSET
    starts_at: datetime = UNSET
    ends_at: datetime = UNSET
    signup_opens_at: datetime = UNSET
    signup_closes_at: datetime = UNSET
    capacity: int = UNSET
    male_quota: int | None = UNSET
    female_quota: int | None = UNSET
    min_age: int | None = UNSET
    max_age: int | None = UNSET
    citywide: bool = UNSET

    def terms(self) -> dict[str, Any]:
        return given(self)


def _when(description: str, **kwargs) -> ma.fields.AwareDateTime:
    """A date-time; without an offset it is read as Beijing time."""
    return ma.fields.AwareDateTime(default_timezone=SHANGHAI, metadata={"description": description}, **kwargs)


def _count(description: str, low: int, high: int, **kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(
        validate=ma.validate.Range(min=low, max=high), metadata={"description": description}, **kwargs
    )


class EventIn(Schema):
    title = Text(required=True, max_length=100)
    description = Text(required=True, max_length=5000)
    place = Text(required=True, max_length=200)
    starts_at = _when("活动开始时间", required=True)
    ends_at = _when("活动结束时间", required=True)
    signup_opens_at = _when("报名开始时间", required=True)
    signup_closes_at = _when("报名截止时间（不晚于活动开始）", required=True)
    capacity = _count("活动人数", 1, 5000, required=True)
    male_quota = _count("男性名额（与女性名额同时设置，二者之和等于活动人数）", 0, 5000, allow_none=True)
    female_quota = _count("女性名额", 0, 5000, allow_none=True)
    min_age = _count("最低年龄（周岁，按活动日期计算）", 16, 100, allow_none=True)
    max_age = _count("最高年龄（周岁）", 16, 100, allow_none=True)
    citywide = ma.fields.Boolean(metadata={"description": "面向全市会员；否则仅限主办工会及下级工会会员"})
    org_id = ma.fields.Integer(metadata={"description": "主办工会（本级或下级），默认为本人所在工会"})

    @ma.post_load
    def _typed(self, data: dict, **_kwargs) -> NewEvent:
        return NewEvent(**data)


class EventPatch(EventIn):
    class Meta(EventIn.Meta):
        exclude = ("org_id",)

    @ma.post_load
    def _typed(self, data: dict, **_kwargs) -> EventChanges:
        return EventChanges(**data)


# --- what a member sends ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignupRequest:
    """A sign-up as ``signups.sign_up`` takes it: the single declaration confirmed, in its version."""

    single_declared: bool
    declaration_version: str
    nickname: str | None = None


class SignupIn(Schema):
    single_declared = ma.fields.Boolean(required=True, metadata={"description": "已阅读并确认单身声明"})
    declaration_version = Text(required=True, max_length=20, metadata={"description": "所确认的声明版本"})
    nickname = Text(
        max_length=10, load_default=None, metadata={"description": "活动中展示的昵称（不填则显示脱敏姓名）"}
    )

    @ma.post_load
    def _typed(self, data: dict, **_kwargs) -> SignupRequest:
        return SignupRequest(**data)


# --- an event as each role sees it ---------------------------------------------------------------------
class EventSchema(Schema):
    """联谊活动 — a matchmaking event, every field once; staff also see the seat counters, the
    audience and the event's own history."""

    id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String()
    place = ma.fields.String()
    org = ma.fields.Nested(OrgBrief, metadata={"description": "主办工会"})
    citywide = ma.fields.Boolean(metadata={"description": "面向全市会员（否则仅限主办工会及下级）"})
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    signup_opens_at = LocalDateTime()
    signup_closes_at = LocalDateTime()
    signup_open = ma.fields.Boolean(metadata={"description": "当前可报名"})
    capacity = ma.fields.Integer()
    male_quota = ma.fields.Integer(allow_none=True)
    female_quota = ma.fields.Integer(allow_none=True)
    min_age = ma.fields.Integer(allow_none=True)
    max_age = ma.fields.Integer(allow_none=True)
    seats_left = ma.fields.Function(lambda e: max(0, e.capacity - e.seated))
    seats_left_male = ma.fields.Function(lambda e: e.seats_left_for("male"))
    seats_left_female = ma.fields.Function(lambda e: e.seats_left_for("female"))
    waitlisted = ma.fields.Integer(metadata={"description": "候补人数"})
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda e: EVENT_STATUS_LABELS.get(e.status, e.status))
    audience_org = ma.fields.Nested(OrgBrief, metadata={"description": "可报名会员所在的组织范围"})
    seated = ma.fields.Integer()
    seated_male = ma.fields.Integer()
    seated_female = ma.fields.Integer()
    checked_in = ma.fields.Integer()
    status_note = ma.fields.String(allow_none=True)
    created_at = LocalDateTime()
    updated_at = LocalDateTime()
    published_at = LocalDateTime(allow_none=True)

    views = {
        # a sign-up's event: enough to recognise it
        "brief": ("id", "title", "place", "starts_at", "ends_at", "status", "status_label"),
        "worker": (
            "id", "title", "description", "place", "org", "citywide", "starts_at", "ends_at",
            "signup_opens_at", "signup_closes_at", "signup_open", "capacity", "male_quota", "female_quota",
            "min_age", "max_age", "seats_left", "seats_left_male", "seats_left_female", "waitlisted",
            "status", "status_label",
        ),
        "staff": (
            "id", "title", "description", "place", "org", "citywide", "starts_at", "ends_at",
            "signup_opens_at", "signup_closes_at", "signup_open", "capacity", "male_quota", "female_quota",
            "min_age", "max_age", "seats_left", "seats_left_male", "seats_left_female", "waitlisted",
            "status", "status_label", "audience_org", "seated", "seated_male", "seated_female",
            "checked_in", "status_note", "created_at", "updated_at", "published_at",
        ),
    }  # fmt: skip
