"""Log-in sessions that have changed since they were issued: a rotated refresh token's generation,
or a revocation (log-out, theft of a refresh token). A session that never refreshed and is still
valid has no row, so issuing tokens writes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db


class AuthSession(db.Model):
    __tablename__ = "auth_sessions"

    sid: Mapped[str] = mapped_column(String(32), primary_key=True)  # the ``sid`` claim / panel cookie
    kind: Mapped[str] = mapped_column(String(10))  # worker | staff
    subject_id: Mapped[int]
    generation: Mapped[int] = mapped_column(default=0)  # of the one refresh token still spendable
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(20))  # logout | refresh_reuse
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
