"""Assessment periods: month ``2026-03``, quarter ``2026-Q1``, year ``2026`` — in Shanghai local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from backend.common.time import local_midnight_utc

_PATTERNS = {
    "month": (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "月度期间应为 YYYY-MM，如 2026-03"),
    "quarter": (re.compile(r"^(\d{4})-Q([1-4])$"), "季度期间应为 YYYY-Qn，如 2026-Q1"),
    "year": (re.compile(r"^(\d{4})$"), "年度期间应为 YYYY，如 2026"),
}


class PeriodError(ValueError):
    """A period string that does not match its type; ``str()`` is the Chinese message."""


@dataclass(frozen=True)
class Period:
    type: str
    label: str  # 2026-03 / 2026-Q1 / 2026
    first_day: date
    end_day: date  # exclusive

    @property
    def start_utc(self) -> datetime:
        return local_midnight_utc(self.first_day)

    @property
    def end_utc(self) -> datetime:
        return local_midnight_utc(self.end_day)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_period(period_type: str, label: str) -> Period:
    if period_type not in _PATTERNS:
        raise PeriodError("考核周期应为 month（月度）、quarter（季度）或 year（年度）")
    pattern, message = _PATTERNS[period_type]
    match = pattern.match(label or "")
    if match is None:
        raise PeriodError(message)
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise PeriodError("年份应在 2000 到 2100 之间")
    if period_type == "month":
        first = date(year, int(match.group(2)), 1)
        return Period(period_type, label, first, _add_months(first, 1))
    if period_type == "quarter":
        first = date(year, 3 * int(match.group(2)) - 2, 1)
        return Period(period_type, label, first, _add_months(first, 3))
    return Period(period_type, label, date(year, 1, 1), date(year + 1, 1, 1))


def last_completed(period_type: str, today: date) -> Period:
    """The latest period of the type that has ended by ``today`` (local date)."""
    if period_type == "month":
        first = _add_months(date(today.year, today.month, 1), -1)
        return parse_period("month", f"{first.year}-{first.month:02d}")
    if period_type == "quarter":
        first = _add_months(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), -3)
        return parse_period("quarter", f"{first.year}-Q{(first.month - 1) // 3 + 1}")
    return parse_period("year", str(today.year - 1))
