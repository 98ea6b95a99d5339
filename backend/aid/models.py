"""困难帮扶 — help requests, and the needy-household files (建档立卡) they may belong to."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.cases.models import CaseMixin
from backend.common.labels import LabelledEnum
from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db
from backend.members.models import Member
from backend.orgs.models import Org

Money = Numeric(12, 2)  # yuan, exact (DECIMAL on MariaDB)


class AidStatus(LabelledEnum):
    SUBMITTED = "submitted", "待受理"
    ACCEPTED = "accepted", "已受理"
    VERIFYING = "verifying", "走访核实中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未获批准"
    DISBURSED = "disbursed", "已发放"
    CLOSED = "closed", "已办结"
    WITHDRAWN = "withdrawn", "已撤回"


AID_STATUS_LABELS = AidStatus.labels()


class AidRequest(CaseMixin, db.Model):
    """困难帮扶申请 — a member asking the union for help, handled by staff under an SLA."""

    __tablename__ = "aid_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    category: Mapped[str] = mapped_column(String(24))
    worker_type: Mapped[str] = mapped_column(String(24))  # the member's, when submitted (uplift rule)
    household_size: Mapped[int] = mapped_column(SmallInteger)
    monthly_income: Mapped[Decimal] = mapped_column(Money)  # the household's, yuan per month
    situation: Mapped[str] = mapped_column(Text)
    amount_requested: Mapped[Decimal] = mapped_column(Money)
    # 大病救助 only
    illness: Mapped[str | None] = mapped_column(String(100))
    illness_key: Mapped[str | None] = mapped_column(String(100))  # normalised, for duplicate checks
    medical_total: Mapped[Decimal | None] = mapped_column(Money)
    medical_reimbursed: Mapped[Decimal | None] = mapped_column(Money)
    suggested_amount: Mapped[Decimal | None] = mapped_column(Money)  # 参考补助金额 from the tier table
    suggestion_basis: Mapped[str | None] = mapped_column(String(200))
    # decisions
    approved_amount: Mapped[Decimal | None] = mapped_column(Money)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    disbursed_amount: Mapped[Decimal | None] = mapped_column(Money)
    disbursed_on: Mapped[date | None] = mapped_column(Date)  # the day the money went out
    # staff attention
    flagged_duplicate: Mapped[bool] = mapped_column(default=False)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("aid_requests.id"))
    needy_household_id: Mapped[int | None] = mapped_column(ForeignKey("needy_households.id"))
    # 会员评议, after closing
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(String(500))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()
    org: Mapped[Org] = relationship(foreign_keys="AidRequest.org_id")

    @property
    def net_medical_cost(self) -> Decimal | None:
        """净自付: what the family paid after insurance."""
        if self.medical_total is None:
            return None
        return self.medical_total - (self.medical_reimbursed or Decimal(0))


# The staff queue pages by (submitted_at, id); duplicate checks look a member's requests up.
Index("ix_aid_requests_queue", AidRequest.submitted_at, AidRequest.id)
Index("ix_aid_requests_member", AidRequest.member_id, AidRequest.category, AidRequest.submitted_at)


class HouseholdStatus(LabelledEnum):
    ACTIVE = "active", "在档"
    CLOSED = "closed", "已销档"  # 已脱困销档


HOUSEHOLD_STATUS_LABELS = HouseholdStatus.labels()


class NeedyHousehold(db.Model):
    """困难职工档案 (建档立卡) — one file, one plan, one set of measures per household; the member
    is the household's union member, so ``member_id`` is unique: a household is filed once and a
    closed file is reopened rather than filed again."""

    __tablename__ = "needy_households"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))  # the member's union when filed
    file_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    hardship_type: Mapped[str] = mapped_column(String(24))  # 致困原因
    situation: Mapped[str] = mapped_column(Text)  # 家庭情况
    plan: Mapped[str] = mapped_column(Text)  # 帮扶计划
    measures: Mapped[list] = mapped_column(JSON, default=list)  # 帮扶措施, one line each
    status: Mapped[str] = mapped_column(String(16), default=HouseholdStatus.ACTIVE)
    close_reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()

    __table_args__ = (Index("ix_needy_households_org_status", "org_id", "status", "id"),)
