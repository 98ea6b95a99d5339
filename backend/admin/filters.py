"""Jinja filters of the panel: local time, money, masked personal data."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask

from backend.common import crypto

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored in UTC, shown in Asia/Shanghai."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).strftime(fmt)
    return value.isoformat()


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f} 元"


def install(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_time=local_time,
        money=money,
        mask_phone=crypto.mask_phone,
        mask_id=crypto.mask_id_number,
    )
