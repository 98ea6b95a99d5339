"""How urgent a wage claim is: the formula documented in ``config/wages.yaml``."""

from __future__ import annotations

import logging
import math
from bisect import bisect_left
from datetime import date
from decimal import Decimal

from backend.common.time import local_date
from backend.wages.rules import WageRules

__all__ = ["festival_nearness", "local_date", "priority_of"]
log = logging.getLogger(__name__)


def festival_nearness(today: date, rules: WageRules) -> float:
    """0 outside the window before Spring Festival, rising linearly to 1 on its eve."""
    festivals = rules.spring_festival
    i = bisect_left(festivals, today)
    if i == len(festivals):
        log.warning("config/wages.yaml has no Spring Festival date on or after %s", today)
        return 0.0
    days_left = (festivals[i] - today).days
    window = rules.priority.festival_window_days
    if days_left <= 0 or days_left > window:
        return 0.0
    return (window - days_left + 1) / window


def _log_share(value: float, cap: float) -> float:
    return min(1.0, math.log10(1 + value) / math.log10(1 + cap))


def priority_of(*, amount: Decimal, workers: int, owed_since: date, today: date, rules: WageRules) -> int:
    """The claim's priority on ``today`` (higher = more urgent)."""
    w = rules.priority
    money = _log_share(float(amount), w.amount_cap)
    people = min(1.0, math.log10(max(workers, 1)) / math.log10(w.workers_cap))
    age = min(1.0, max((today - owed_since).days, 0) / w.days_cap)
    boost = 1 + w.festival_boost * festival_nearness(today, rules)
    return round(boost * (w.amount_points * money + w.workers_points * people) + w.days_points * age)
