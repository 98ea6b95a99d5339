"""Union staff (工会干部) and lawyers who work in the admin panel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.labels import LabelledEnum
from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db
from backend.orgs.models import Org


class Role(LabelledEnum):
    CITY_ADMIN = "city_admin", "市总工会管理员"
    COUNTY_ADMIN = "county_admin", "县区总工会管理员"
    TOWN_ADMIN = "town_admin", "乡镇街道工会管理员"
    UNION_ADMIN = "union_admin", "基层工会管理员"
    LAWYER = "lawyer", "法律援助律师"


class Staff(db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by a password change or reset, (de)activation, "log out everywhere": older tokens end.
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")

    org: Mapped[Org] = relationship(lazy="joined")
