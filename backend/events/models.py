"""联谊交友活动 — matchmaking events, the sign-ups (seat or waitlist) and the interests attendees mark."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from backend.common.labels import LabelledEnum
from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db
from backend.members.models import Member
from backend.orgs.models import Org


class EventStatus(LabelledEnum):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    CANCELLED = "cancelled", "已取消"
    FINISHED = "finished", "已结束"


EVENT_STATUS_LABELS = EventStatus.labels()


class SignupStatus(LabelledEnum):
    SEATED = "seated", "报名成功"  # 已入选（有座位）
    WAITLISTED = "waitlisted", "候补中"
    CANCELLED = "cancelled", "已取消"  # 已取消报名


SIGNUP_STATUS_LABELS = SignupStatus.labels()

GENDERS = ("male", "female")


class Event(db.Model):
    """联谊活动 — organised by an org node for the single members of its subtree (or the whole city).

    The seat counters live on this row: every change of seats takes them with ``capacity.take`` under
    the row's lock, so ``seated`` never passes ``capacity`` nor a gender's count its quota.
    ``waitlist_seq`` hands out waitlist positions 1, 2, 3 … in the order sign-ups got the lock.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))  # the organiser; its staff manage it
    # The root of the subtree whose members may sign up: the organiser, or its city when city-wide.
    audience_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    citywide: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signup_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signup_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    male_quota: Mapped[int | None]  # both set (summing to capacity) or both NULL
    female_quota: Mapped[int | None]
    min_age: Mapped[int | None]  # 周岁 on the day of the event
    max_age: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.DRAFT)
    status_note: Mapped[str | None] = mapped_column(String(500))
    seated: Mapped[int] = mapped_column(default=0)
    seated_male: Mapped[int] = mapped_column(default=0)
    seated_female: Mapped[int] = mapped_column(default=0)
    waitlist_seq: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # last staff edit
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org: Mapped[Org] = relationship(foreign_keys=[org_id])
    audience_org: Mapped[Org] = relationship(foreign_keys=[audience_org_id])

    __table_args__ = (
        Index("ix_events_org_status", "org_id", "status", "starts_at"),
        Index("ix_events_audience_status", "audience_org_id", "status", "starts_at"),
    )

    @property
    def has_quotas(self) -> bool:
        return self.male_quota is not None and self.female_quota is not None

    def quota_of(self, gender: str) -> int:
        """The seats a gender may hold: its quota, or the whole capacity when there are no quotas."""
        quota = self.male_quota if gender == "male" else self.female_quota
        return self.capacity if quota is None else quota

    def seated_of(self, gender: str) -> int:
        return self.seated_male if gender == "male" else self.seated_female

    @property
    def signup_open(self) -> bool:
        return (
            self.status == EventStatus.PUBLISHED and self.signup_opens_at <= utcnow() < self.signup_closes_at
        )

    def seats_left_for(self, gender: str) -> int:
        return max(0, min(self.capacity - self.seated, self.quota_of(gender) - self.seated_of(gender)))


class EventSignup(db.Model):
    """活动报名 — one member's sign-up: seated, waitlisted (with a FIFO position) or cancelled.

    Carries the member's single declaration (单身声明): when they made it and which text they agreed to.
    """

    __tablename__ = "event_signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("wx_accounts.id"))  # who is told
    # Equal to member_id while the sign-up is seated or waitlisted, NULL once cancelled: a unique index
    # on (event_id, active_member_id) allows one live sign-up per member and event on every database.
    active_member_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16))
    gender: Mapped[str] = mapped_column(String(8))
    age: Mapped[int | None]  # 周岁 on the day of the event
    nickname: Mapped[str | None] = mapped_column(String(20))
    waitlist_position: Mapped[int | None]
    single_declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    declaration_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    event: Mapped[Event] = relationship()
    member: Mapped[Member] = relationship()

    __table_args__ = (
        UniqueConstraint("event_id", "active_member_id"),
        UniqueConstraint("event_id", "waitlist_position"),
        Index("ix_event_signups_event_status", "event_id", "status", "gender", "waitlist_position"),
    )


class EventInterest(db.Model):
    """心动 — after the event, one attendee marks interest in another; a pair both ways is a match."""

    __tablename__ = "event_interests"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    from_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    to_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("event_id", "from_member_id", "to_member_id"),)


# Counted on read (not kept as a counter): the waitlist of an event. Deferred, so locking or loading
# an event for a sign-up never runs it; lists and details ask for it with ``undefer``.
Event.waitlisted = column_property(
    select(func.count(EventSignup.id))
    .where(EventSignup.event_id == Event.id, EventSignup.status == SignupStatus.WAITLISTED)
    .correlate_except(EventSignup)
    .scalar_subquery(),
    deferred=True,
)
Event.checked_in = column_property(
    select(func.count(EventSignup.id))
    .where(EventSignup.event_id == Event.id, EventSignup.checked_in_at.is_not(None))
    .correlate_except(EventSignup)
    .scalar_subquery(),
    deferred=True,
)
