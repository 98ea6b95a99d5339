"""欠薪求助 — wage claims, and the clusters that group claims against one employer in one county."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.cases.models import CaseMixin
from backend.common.crypto import Encrypted
from backend.common.labels import LabelledEnum
from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db
from backend.orgs.models import Org

Money = Numeric(14, 2)  # yuan, exact (DECIMAL on MariaDB)


class WageStatus(LabelledEnum):
    SUBMITTED = "submitted", "待受理"
    ACCEPTED = "accepted", "已受理"
    MEDIATING = "mediating", "调解中"
    REFERRED = "referred", "已转办"
    RESOLVED = "resolved", "已解决"
    CLOSED_UNRESOLVED = "closed_unresolved", "未能解决"


WAGE_STATUS_LABELS = WageStatus.labels()

OPEN_STATUSES = (WageStatus.SUBMITTED, WageStatus.ACCEPTED, WageStatus.MEDIATING, WageStatus.REFERRED)


class WageCluster(db.Model):
    """欠薪线索聚类 — every claim against one employer (normalised name) in one county.

    One row per (county, employer_key), guaranteed by the unique index: concurrent first claims
    meet there and the second one updates the row the first created. The totals count every claim
    ever filed in the cluster; ``warned_at`` is set once, when the cluster first reaches a warning
    threshold (劳动关系预警).
    """

    __tablename__ = "wage_clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    employer_key: Mapped[str] = mapped_column(String(100))
    employer: Mapped[str] = mapped_column(String(100))  # as the first claim spelled it
    claim_count: Mapped[int] = mapped_column(default=1)
    workers_total: Mapped[int] = mapped_column(default=0)
    amount_total: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The staff list: a county's clusters newest first (county_id, id) or latest warned first
    # (county_id, warned_at, id); the whole city's by walking (warned_at, id) or the primary key.
    __table_args__ = (
        UniqueConstraint("county_id", "employer_key"),
        Index("ix_wage_clusters_county", "county_id"),
        Index("ix_wage_clusters_county_warned", "county_id", "warned_at"),
        Index("ix_wage_clusters_warned", "warned_at", "id", "county_id"),
    )

    @property
    def warning(self) -> bool:
        return self.warned_at is not None


class WageClaim(CaseMixin, db.Model):
    """欠薪求助 — a worker's (or a whole crew's) unpaid-wage claim, filed with a county or township
    (street) union. The submitter need not be a member: any logged-in worker account may file."""

    __tablename__ = "wage_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer: Mapped[str] = mapped_column(String(100))
    project: Mapped[str] = mapped_column(String(200))  # 项目/工地
    amount_owed: Mapped[Decimal] = mapped_column(Money)  # total, for everybody on the claim
    workers_owed: Mapped[int] = mapped_column(default=1)
    crew: Mapped[str | None] = mapped_column(Encrypted)  # JSON [{"name", "phone"}] of co-workers
    owed_since: Mapped[date] = mapped_column(Date)
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(Encrypted)
    contact_phone_blind: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(default=0)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("wage_clusters.id"))
    warning: Mapped[bool] = mapped_column(default=False)  # its cluster raised 劳动关系预警
    referral_target: Mapped[str | None] = mapped_column(String(30))
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amount_recovered: Mapped[Decimal | None] = mapped_column(Money)
    workers_paid: Mapped[int | None]
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(500))

    org: Mapped[Org] = relationship(foreign_keys="WageClaim.org_id", lazy="raise")
    cluster: Mapped[WageCluster] = relationship(lazy="raise")

    @property
    def crew_members(self) -> list[dict]:
        """The co-workers named on a crew claim: ``[{"name": …, "phone": … or None}]``."""
        return json.loads(self.crew) if self.crew else []


# The staff queue is ordered by (priority desc, id desc). Claims sit only at city, county and town
# nodes (never at a base union), so a town's queue is one org_id, served in order by
# (org_id, priority, id); wider scopes walk (priority, id) backwards. Both carry status (and the
# wider one org_id) so that a page is found in the index alone; only its 20 rows are read. The
# town's also carries cluster_id: the clusters a town sees are read off it.
Index("ix_wage_claims_priority", WageClaim.priority, WageClaim.id, WageClaim.org_id, WageClaim.status)
Index(
    "ix_wage_claims_org_priority",
    WageClaim.org_id,
    WageClaim.priority,
    WageClaim.id,
    WageClaim.status,
    WageClaim.cluster_id,
)
Index("ix_wage_claims_cluster", WageClaim.cluster_id, WageClaim.priority)
Index("ix_wage_claims_phone", WageClaim.contact_phone_blind)
# 统计: wages recovered in a range, summed off the index alone.
Index(
    "ix_wage_claims_org_recovered",
    WageClaim.org_id,
    WageClaim.status,
    WageClaim.resolved_at,
    WageClaim.amount_recovered,
    WageClaim.workers_paid,
)
