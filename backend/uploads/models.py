"""Uploaded evidence (photos, PDFs) and what case it belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db


class Upload(db.Model):
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("wx_accounts.id"))  # the worker who uploaded
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # or the staff member
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str | None] = mapped_column(String(200))
    case_type: Mapped[str | None] = mapped_column(String(20))
    case_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_uploads_case", "case_type", "case_id"),
        Index("ix_uploads_account", "account_id"),
        Index("ix_uploads_unattached", "case_id", "created_at"),  # the purge of unattached files
    )


class UploadBlob(db.Model):
    """The bytes of an upload when ``UPLOAD_STORAGE=database`` (every API host reads the same rows), in
    parts of at most 1 MiB: each INSERT stays far below the server's ``max_allowed_packet``."""

    __tablename__ = "upload_blobs"

    storage_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    part: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
