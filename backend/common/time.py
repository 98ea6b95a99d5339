"""The one time zone of the unions (Asia/Shanghai) and how times are written for people.

Every instant is stored in UTC (``backend.common.types.UTCDateTime``); what a worker or a staffer
reads — a notification, a timeline note, a panel column — and every calendar day a rule counts in
(a deadline, a period, a slot) is in Shanghai time. This module is the only place that knows it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.common.types import utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")

CHINESE_DATETIME = "%Y年%m月%d日 %H:%M"  # notifications, timeline notes: 2026年03月07日 14:30
CHINESE_DATE = "%Y年%m月%d日"
PANEL_DATETIME = "%Y-%m-%d %H:%M"  # the panel's columns
FORM_DATETIME = "%Y-%m-%dT%H:%M"  # the value of an <input type="datetime-local">


def local(moment: datetime) -> datetime:
    """``moment`` as a Shanghai wall-clock time."""
    return moment.astimezone(SHANGHAI)


def local_date(moment: datetime) -> date:
    """The Shanghai calendar day an instant falls on."""
    return moment.astimezone(SHANGHAI).date()


def today(now: datetime | None = None) -> date:
    """Today in Shanghai (of ``now``, default the current instant)."""
    return local_date(now or utcnow())


def local_midnight_utc(day: date) -> datetime:
    """The UTC instant at which a Shanghai calendar day begins."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which a Shanghai calendar day starts and ends."""
    start = datetime.combine(day, time(0), SHANGHAI)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def chinese_datetime(moment: datetime) -> str:
    """``2026年03月07日 14:30`` — how a worker reads a time."""
    return moment.astimezone(SHANGHAI).strftime(CHINESE_DATETIME)


def chinese_date(value: datetime | date) -> str:
    """``2026年03月07日``; an instant is first put on its Shanghai day."""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI)
    return value.strftime(CHINESE_DATE)


def local_text(moment: datetime, fmt: str = PANEL_DATETIME) -> str:
    """An instant in Shanghai time, written with ``fmt``."""
    return moment.astimezone(SHANGHAI).strftime(fmt)
