"""Jinja filters of the panel: local time, money, masked personal data."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask

from backend.cases.service import current_text
from backend.common import crypto
from backend.common.time import PANEL_DATETIME, SHANGHAI, local_text

__all__ = ["SHANGHAI", "count", "install", "local_time", "money"]


def local_time(value: datetime | date | None, fmt: str = PANEL_DATETIME) -> str:
    """Stored in UTC, shown in Asia/Shanghai."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_text(value, fmt)
    return value.isoformat()


def money(value: Decimal | str | None) -> str:
    """Exact yuan with thousands separators ("36,000.00 元"), from a Decimal or its stored text."""
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)):,.2f} 元"


def count(value) -> str:
    """A number of people or items: an integer, never "7.00"."""
    return "" if value is None else f"{int(value):,}"


def install(app: Flask) -> None:

    app.jinja_env.filters.update(
        alert_text=current_text,
        count=count,
        local_time=local_time,
        money=money,
        mask_phone=crypto.mask_phone,
        mask_name=crypto.mask_name,
        mask_id=crypto.mask_id_number,
    )
