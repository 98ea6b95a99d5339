"""Workers, members and the applications that make them (入会, 会员关系转接, 单位建会)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.crypto import Encrypted
from backend.common.labels import LabelledEnum
from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db
from backend.orgs.models import Org


class WorkerType(LabelledEnum):
    REGULAR = "regular", "普通职工"
    MIGRANT = "migrant", "农民工"
    TRUCK_DRIVER = "truck_driver", "货车司机"
    COURIER = "courier", "快递员"
    DELIVERY_RIDER = "delivery_rider", "外卖送餐员"
    RIDE_HAILING_DRIVER = "ride_hailing_driver", "网约车司机"
    DOMESTIC_WORKER = "domestic_worker", "家政服务员"
    CARE_WORKER = "care_worker", "护工护理员"
    SECURITY_GUARD = "security_guard", "保安员"
    PROPERTY_STAFF = "property_staff", "物业服务人员"


WORKER_TYPE_LABELS = WorkerType.labels()


class ReviewStatus(LabelledEnum):
    SUBMITTED = "submitted", "待审核"
    NEEDS_INFO = "needs_info", "待补充材料"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


REVIEW_STATUS_LABELS = ReviewStatus.labels()

OPEN_REVIEW_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.NEEDS_INFO)


class WxAccount(db.Model):
    """A WeChat user of the mini-program, known by openid; becomes a member once approved."""

    __tablename__ = "wx_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by "log out everywhere" and by erasure: every token issued before ends.
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")

    member: Mapped[Member | None] = relationship(back_populates="account", uselist=False)


class Member(db.Model):
    """会员 — a worker whose membership was approved; holds the member card."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("wx_accounts.id"), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    card_no: Mapped[str | None] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[datetime | None] = mapped_column(db.Date)
    id_number: Mapped[str] = mapped_column(Encrypted)
    id_blind: Mapped[str] = mapped_column(String(64), unique=True)
    mobile: Mapped[str] = mapped_column(Encrypted)
    mobile_blind: Mapped[str] = mapped_column(String(64), index=True)
    employer: Mapped[str] = mapped_column(String(100))
    worker_type: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="active")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[WxAccount | None] = relationship(back_populates="member")
    org: Mapped[Org] = relationship()

    __table_args__ = (
        Index("ix_members_org_worker_type", "org_id", "worker_type"),
        # 统计: a subtree's active members at a date by worker type, counted off the index alone
        Index("ix_members_org_status_type", "org_id", "status", "worker_type", "joined_at"),
    )


class _ReviewedMixin:
    """Columns shared by everything that goes through the review flow."""

    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.SUBMITTED, index=True)
    status_note: Mapped[str | None] = mapped_column(String(500))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MembershipApplication(_ReviewedMixin, db.Model):
    """个人入会申请 — a real-name application to join a union."""

    __tablename__ = "membership_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("wx_accounts.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(8))
    id_number: Mapped[str] = mapped_column(Encrypted)
    id_blind: Mapped[str] = mapped_column(String(64), index=True)
    # Equal to id_blind while the application is open, NULL after: a unique index on it allows one
    # open application per ID number on every database (MariaDB has no partial indexes).
    open_id_blind: Mapped[str | None] = mapped_column(String(64), unique=True)
    mobile: Mapped[str] = mapped_column(Encrypted)
    mobile_blind: Mapped[str] = mapped_column(String(64))
    employer: Mapped[str] = mapped_column(String(100))
    worker_type: Mapped[str] = mapped_column(String(24))
    consent_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    org: Mapped[Org] = relationship()


class MembershipTransfer(_ReviewedMixin, db.Model):
    """会员关系转接 — moving a member to another union; reviewed by the receiving side."""

    __tablename__ = "membership_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # Set while open, NULL after: one open transfer per member.
    open_member_id: Mapped[int | None] = mapped_column(unique=True)
    from_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)  # the receiving union
    reason: Mapped[str] = mapped_column(String(500))

    member: Mapped[Member] = relationship()
    from_org: Mapped[Org] = relationship(foreign_keys=[from_org_id])
    org: Mapped[Org] = relationship(foreign_keys=[org_id])


class UnitApplication(_ReviewedMixin, db.Model):
    """单位建会申请 — an employer applying to found a union under a township/county node."""

    __tablename__ = "unit_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("wx_accounts.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)  # the node applied under
    unit_name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    open_credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(200))
    employee_count: Mapped[int]
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(Encrypted)
    note: Mapped[str | None] = mapped_column(Text)
    created_org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"))

    org: Mapped[Org] = relationship(foreign_keys=[org_id])
