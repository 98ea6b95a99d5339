"""The tunable rules of legal-aid booking, from ``config/legal.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml
from flask import current_app

from backend.config import CONFIG_DIR

RULES_FILE = CONFIG_DIR / "legal.yaml"
_EXTENSION = "zhigong.legal_rules"


class LegalConfigError(ValueError):
    pass


@dataclass(frozen=True)
class LegalRules:
    horizon_weeks: int
    min_slot_minutes: int
    max_slot_minutes: int
    booking_closes: timedelta  # before the start
    max_upcoming_per_member: int
    cancel_until: timedelta  # before the start
    reschedule_until: timedelta
    max_reschedules: int
    no_show_after: timedelta  # after the start
    remind_before: timedelta
    topics: dict[str, str]


def _number(raw: dict, path: Path, section: str, key: str, *, minimum: int = 0) -> int:
    value = (raw.get(section) or {}).get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise LegalConfigError(f"{path}: {section}.{key} must be an integer ≥ {minimum}")
    return value


def load_rules(path: Path = RULES_FILE) -> LegalRules:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise LegalConfigError(f"{path}: not valid YAML: {exc}") from exc
    topics = raw.get("topics")
    if not isinstance(topics, dict) or not topics:
        raise LegalConfigError(f"{path}: topics must map codes to labels")
    rules = LegalRules(
        horizon_weeks=_number(raw, path, "slots", "horizon_weeks", minimum=1),
        min_slot_minutes=_number(raw, path, "slots", "min_minutes", minimum=5),
        max_slot_minutes=_number(raw, path, "slots", "max_minutes", minimum=5),
        booking_closes=timedelta(minutes=_number(raw, path, "booking", "closes_minutes_before")),
        max_upcoming_per_member=_number(raw, path, "booking", "max_upcoming_per_member", minimum=1),
        cancel_until=timedelta(hours=_number(raw, path, "booking", "cancel_until_hours")),
        reschedule_until=timedelta(hours=_number(raw, path, "booking", "reschedule_until_hours")),
        max_reschedules=_number(raw, path, "booking", "max_reschedules"),
        no_show_after=timedelta(minutes=_number(raw, path, "consultation", "no_show_after_minutes")),
        remind_before=timedelta(hours=_number(raw, path, "reminder", "hours_before", minimum=1)),
        topics={str(k): str(v) for k, v in topics.items()},
    )
    if rules.min_slot_minutes > rules.max_slot_minutes:
        raise LegalConfigError(f"{path}: slots.min_minutes must not exceed slots.max_minutes")
    return rules


def rules() -> LegalRules:
    """The current app's rules, read once per app."""
    extensions = current_app.extensions
    if _EXTENSION not in extensions:
        extensions[_EXTENSION] = load_rules()
    return extensions[_EXTENSION]
