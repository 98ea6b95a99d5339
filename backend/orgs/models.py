"""The org tree (组织架构): city federation → county → township/street → base union."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db


def ancestor_ids(org: Org) -> list[int]:
    """The node and every node above it, root first, read from the materialised path ("/1/7/42/")."""
    return [int(part) for part in org.path.strip("/").split("/") if part]


class OrgLevel(enum.StrEnum):
    CITY = "city"  # 市总工会
    COUNTY = "county"  # 县区总工会
    TOWN = "town"  # 乡镇（街道）工会
    BASE = "base"  # 基层工会


class OrgCategory(enum.StrEnum):
    """The five assessment categories of the Linfen platform."""

    COUNTY_FEDERATION = "county_federation"  # 县市区
    PUBLIC_INSTITUTION = "public_institution"  # 行政事业
    STATE_COLLECTIVE = "state_collective"  # 国有集体
    NON_PUBLIC = "non_public"  # 非公企业
    TOWNSHIP_STREET = "township_street"  # 乡镇街道


CATEGORY_LABELS = {
    OrgCategory.COUNTY_FEDERATION: "县市区",
    OrgCategory.PUBLIC_INSTITUTION: "行政事业",
    OrgCategory.STATE_COLLECTIVE: "国有集体",
    OrgCategory.NON_PUBLIC: "非公企业",
    OrgCategory.TOWNSHIP_STREET: "乡镇街道",
}

LEVEL_LABELS = {
    OrgLevel.CITY: "市总工会",
    OrgLevel.COUNTY: "县区总工会",
    OrgLevel.TOWN: "乡镇（街道）工会",
    OrgLevel.BASE: "基层工会",
}

CHILD_LEVEL = {OrgLevel.CITY: OrgLevel.COUNTY, OrgLevel.COUNTY: OrgLevel.TOWN, OrgLevel.TOWN: OrgLevel.BASE}


class Org(db.Model):
    """组织 — one node of the tree. ``path`` ("/1/7/42/") makes a subtree one indexed prefix scan."""

    __tablename__ = "orgs"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    accepts_members: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Org | None] = relationship(remote_side=[id])

    __table_args__ = (Index("ix_orgs_level_category", "level", "category"),)

    def is_within(self, ancestor_path: str) -> bool:
        return self.path.startswith(ancestor_path)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[OrgLevel(self.level)]
