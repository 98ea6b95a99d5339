"""The tunable rules of wage claims, from ``config/wages.yaml``: priority weights, Spring Festival
dates, the cluster warning thresholds, employer-name normalisation words and referral targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from flask import current_app

from backend.common.config_files import ConfigTextError
from backend.config import CONFIG_DIR

RULES_FILE = CONFIG_DIR / "wages.yaml"


class WageRulesError(ConfigTextError):
    pass


@dataclass(frozen=True)
class PriorityWeights:
    amount_points: float
    amount_cap: float
    workers_points: float
    workers_cap: int
    days_points: float
    days_cap: int
    festival_window_days: int
    festival_boost: float


@dataclass(frozen=True)
class WageRules:
    priority: PriorityWeights
    spring_festival: tuple[date, ...]  # ascending
    warning_claims: int
    warning_workers: int
    employer_forms: tuple[str, ...]  # longest first
    employer_unit_suffixes: tuple[str, ...]  # longest first
    referral_targets: dict[str, str]


def _number(raw: dict, key: str, where: str, *, minimum: float = 0, integer: bool = False):
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise WageRulesError(f"{where}.{key} must be a number ≥ {minimum}")
    if integer and not isinstance(value, int):
        raise WageRulesError(f"{where}.{key} must be a whole number")
    return value


def _words(raw: dict, key: str, path: Path) -> tuple[str, ...]:
    words = raw.get(key)
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise WageRulesError(f"{path}: {key} must be a list of words")
    return tuple(sorted(words, key=len, reverse=True))


def load_rules(path: Path = RULES_FILE) -> WageRules:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    p = raw.get("priority")
    if not isinstance(p, dict) or not isinstance(p.get("festival"), dict):
        raise WageRulesError(f"{path}: priority (with priority.festival) is required")
    where = f"{path}: priority"
    priority = PriorityWeights(
        amount_points=_number(p, "amount_points", where),
        amount_cap=_number(p, "amount_cap", where, minimum=1),
        workers_points=_number(p, "workers_points", where),
        workers_cap=_number(p, "workers_cap", where, minimum=2, integer=True),
        days_points=_number(p, "days_points", where),
        days_cap=_number(p, "days_cap", where, minimum=1, integer=True),
        festival_window_days=_number(
            p["festival"], "window_days", f"{where}.festival", minimum=1, integer=True
        ),
        festival_boost=_number(p["festival"], "boost", f"{where}.festival"),
    )
    festivals = raw.get("spring_festival")
    if not isinstance(festivals, dict) or not festivals:
        raise WageRulesError(f"{path}: spring_festival must map years to dates")
    for year, day in festivals.items():
        if not isinstance(day, date) or day.year != year:
            raise WageRulesError(f"{path}: spring_festival.{year} must be a date in {year}")
    warning = raw.get("cluster_warning")
    if not isinstance(warning, dict):
        raise WageRulesError(f"{path}: cluster_warning is required")
    targets = raw.get("referral_targets")
    if not isinstance(targets, dict) or not targets or not all(isinstance(v, str) for v in targets.values()):
        raise WageRulesError(f"{path}: referral_targets must map keys to labels")
    return WageRules(
        priority=priority,
        spring_festival=tuple(sorted(festivals.values())),
        warning_claims=_number(warning, "claims", f"{path}: cluster_warning", minimum=1, integer=True),
        warning_workers=_number(warning, "workers", f"{path}: cluster_warning", minimum=1, integer=True),
        employer_forms=_words(raw, "employer_forms", path),
        employer_unit_suffixes=_words(raw, "employer_unit_suffixes", path),
        referral_targets={str(k): v for k, v in targets.items()},
    )


EXTENSION = "zhigong.wages"


def rules() -> WageRules:
    """The app's wage rules, read at start (tests may replace ``app.extensions['zhigong.wages']``)."""
    return current_app.extensions[EXTENSION]
