"""Notifications (站内消息 + 订阅消息) and the subscribe grants that allow WeChat sends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.labels import LabelledEnum
from backend.common.types import UTCDateTime, utcnow
from backend.extensions import db


class WeChatStatus(LabelledEnum):
    PENDING = "pending", "待发送"  # waiting for a worker
    SENDING = "sending", "发送中"  # claimed by a worker; never sent again from here (at most once)
    SENT = "sent", "已发送"
    INBOX_ONLY = "inbox_only", "仅站内"  # no grant, or the user refused: the inbox copy is the notification
    FAILED = "failed", "发送失败"  # WeChat refused it; reason recorded
    UNKNOWN = "unknown", "结果未知"  # a worker died mid-send: it may or may not have arrived


WECHAT_STATUS_LABELS = WeChatStatus.labels()


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("wx_accounts.id"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"))  # the case's org, for staff scoping
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(String(1000))
    page: Mapped[str | None] = mapped_column(String(200))
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    template_id: Mapped[str | None] = mapped_column(String(64))
    wechat_status: Mapped[str] = mapped_column(String(16), default=WeChatStatus.PENDING)
    wechat_reason: Mapped[str | None] = mapped_column(String(300))
    wechat_msgid: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_notifications_account_id", "account_id", "id"),
        Index("ix_notifications_account_unread", "account_id", "read_at"),
        Index("ix_notifications_status_org", "wechat_status", "org_id"),
    )


class SubscriptionGrant(db.Model):
    """How many more sends of one template a user has allowed (one per acceptance)."""

    __tablename__ = "subscription_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("wx_accounts.id"))
    template_id: Mapped[str] = mapped_column(String(64))
    remaining: Mapped[int] = mapped_column(default=0)
    accepted_total: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("account_id", "template_id"),)
