"""The legal-aid network and its bookings (法律援助预约).

Centres sit on the four levels of the org tree (市/县 维权中心, 乡镇 工作站, 企业 工作点); lawyers belong
to one centre and publish weekly schedules, which become concrete ``LegalSlot`` rows; a member books
one slot. A slot is held by at most one booking: ``LegalSlot.booking_id`` is taken with one
conditional UPDATE (``capacity.claim_row``), never by read-then-write.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.labels import LabelledEnum
from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db
from backend.members.models import Member
from backend.orgs.models import Org, OrgLevel
from backend.staff.models import Staff


class CenterLevel(LabelledEnum):
    CITY_CENTER = "city_center", "市级维权中心"  # 市级职工维权中心
    COUNTY_CENTER = "county_center", "县区维权中心"  # 县区职工维权中心
    TOWN_STATION = "town_station", "乡镇（街道）工作站"
    ENTERPRISE_POINT = "enterprise_point", "企业工作点"


CENTER_LEVEL_LABELS = CenterLevel.labels()

# A centre's level follows the level of the org node that runs it.
LEVEL_OF_ORG = {
    OrgLevel.CITY: CenterLevel.CITY_CENTER,
    OrgLevel.COUNTY: CenterLevel.COUNTY_CENTER,
    OrgLevel.TOWN: CenterLevel.TOWN_STATION,
    OrgLevel.BASE: CenterLevel.ENTERPRISE_POINT,
}


class Mode(LabelledEnum):
    IN_PERSON = "in_person", "现场"  # 现场咨询
    PHONE = "phone", "电话"  # 电话咨询
    VIDEO = "video", "视频"  # 视频咨询


MODE_LABELS = Mode.labels()


class BookingStatus(LabelledEnum):
    BOOKED = "booked", "已预约"
    COMPLETED = "completed", "已咨询"
    NO_SHOW = "no_show", "未到场"
    CANCELLED = "cancelled", "已取消"


BOOKING_STATUS_LABELS = BookingStatus.labels()


class Outcome(LabelledEnum):
    ADVICE = "advice", "已解答"
    CASE_TAKEN = "case_taken", "已受理"  # 已受理（立案代理）
    REFERRED = "referred", "已转介"  # 已转介（仲裁、劳动监察、司法局法援中心 …）


OUTCOME_LABELS = Outcome.labels()


def split_modes(modes: str) -> list[str]:
    return [m for m in modes.split(",") if m]


class LegalCenter(db.Model):
    """维权中心 / 工作站 / 工作点 — a place that offers consultations, run by one org node."""

    __tablename__ = "legal_centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20), index=True)
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))  # the centre's public service line
    intro: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped[Org] = relationship()

    @property
    def level_label(self) -> str:
        return CENTER_LEVEL_LABELS[CenterLevel(self.level)]


class Lawyer(db.Model):
    """特聘律师 — a staff account with the lawyer role, serving at one centre."""

    __tablename__ = "legal_lawyers"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), unique=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("legal_centers.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)  # the centre's org, for scoping
    title: Mapped[str | None] = mapped_column(String(100))  # e.g. 某某律师事务所 律师
    specialties: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[Staff] = relationship(lazy="joined")
    center: Mapped[LegalCenter] = relationship()

    @property
    def name(self) -> str:
        return self.staff.name


class LegalSchedule(db.Model):
    """A lawyer's weekly hours: weekday and local (Asia/Shanghai) times, cut into slots."""

    __tablename__ = "legal_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("legal_lawyers.id"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday … 6 = Sunday
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int]
    modes: Mapped[str] = mapped_column(String(40))  # "in_person,phone"
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lawyer: Mapped[Lawyer] = relationship()

    @property
    def mode_list(self) -> list[str]:
        return split_modes(self.modes)


class LegalSlot(db.Model):
    """One bookable consultation time of one lawyer, stored in UTC.

    ``booking_id`` is NULL while free and is set by exactly one booking (a conditional UPDATE); it is
    deliberately not a foreign key, so slots and bookings do not form a reference cycle.
    ``closed_at`` takes a free slot off the market: by staff (``closed_by``) or because the schedule
    that made it changed (``closed_by`` NULL, reopened if the schedule comes back).
    """

    __tablename__ = "legal_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("legal_lawyers.id"))
    center_id: Mapped[int] = mapped_column(ForeignKey("legal_centers.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("legal_schedules.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    modes: Mapped[str] = mapped_column(String(40))
    booking_id: Mapped[int | None]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lawyer: Mapped[Lawyer] = relationship()
    center: Mapped[LegalCenter] = relationship()

    __table_args__ = (
        UniqueConstraint("lawyer_id", "starts_at"),  # generation is idempotent
        # the free-slot page: equality on center and the two NULLs, then a range on the start
        Index("ix_legal_slots_free", "center_id", "booking_id", "closed_at", "starts_at"),
    )

    @property
    def mode_list(self) -> list[str]:
        return split_modes(self.modes)

    @property
    def is_free(self) -> bool:
        return self.booking_id is None and self.closed_at is None


class LegalBooking(db.Model):
    """法律援助预约 — a member's booking of one slot, with the topic and the opposing party.

    Time, lawyer and centre are copied from the slot it holds (and updated on a reschedule), so the
    booking keeps its history after the slot is freed. ``version`` guards every state change: two
    concurrent changes to one booking cannot both apply.
    """

    __tablename__ = "legal_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("wx_accounts.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("legal_slots.id"))
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("legal_lawyers.id"))
    center_id: Mapped[int] = mapped_column(ForeignKey("legal_centers.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))  # the centre's org
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mode: Mapped[str] = mapped_column(String(12))
    topic: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    opposing_party: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default=BookingStatus.BOOKED)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_note: Mapped[str | None] = mapped_column(String(1000))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    cancelled_by: Mapped[str | None] = mapped_column(String(10))  # "member" | "staff"
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when it took its slot
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reschedule_count: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()
    lawyer: Mapped[Lawyer] = relationship()
    center: Mapped[LegalCenter] = relationship()

    __table_args__ = (
        Index("ix_legal_bookings_member_status", "member_id", "status", "starts_at"),
        Index("ix_legal_bookings_status_starts", "status", "starts_at"),
        Index("ix_legal_bookings_lawyer_starts", "lawyer_id", "starts_at"),
        Index("ix_legal_bookings_org_starts", "org_id", "starts_at"),
    )
