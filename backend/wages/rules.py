"""The tunable rules of wage claims, from ``config/wages.yaml``: priority weights, Spring Festival
dates, the cluster warning thresholds, employer-name normalisation words and referral targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import marshmallow as ma
from flask import current_app

from backend.common.config_files import ConfigSchema, Labels, PlainNumber, WholeNumber, Words, load
from backend.config import CONFIG_DIR

RULES_FILE = CONFIG_DIR / "wages.yaml"


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


class _Festival(ConfigSchema):
    window_days = WholeNumber(required=True, minimum=1)
    boost = PlainNumber(required=True)


class _Priority(ConfigSchema):
    amount_points = PlainNumber(required=True)
    amount_cap = PlainNumber(required=True, minimum=1)
    workers_points = PlainNumber(required=True)
    workers_cap = WholeNumber(required=True, minimum=2)
    days_points = PlainNumber(required=True)
    days_cap = WholeNumber(required=True, minimum=1)
    festival = ma.fields.Nested(_Festival, required=True)

    @ma.post_load
    def _weights(self, data: dict, **_kwargs) -> PriorityWeights:
        festival = data.pop("festival")
        return PriorityWeights(
            **data, festival_window_days=festival["window_days"], festival_boost=festival["boost"]
        )


class _FestivalDates(ma.fields.Field):
    """春节 per year: ``2027: 2027-02-06`` (YAML reads the date itself), ascending."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict) or not value:
            raise ma.ValidationError("must map years to dates")
        for year, day in value.items():
            if not isinstance(day, date) or day.year != year:
                raise ma.ValidationError({str(year): [f"must be a date in {year}"]})
        return tuple(sorted(value.values()))


class _ClusterWarning(ConfigSchema):
    claims = WholeNumber(required=True, minimum=1)
    workers = WholeNumber(required=True, minimum=1)


class WagesFile(ConfigSchema):
    """``config/wages.yaml``."""

    priority = ma.fields.Nested(_Priority, required=True)
    spring_festival = _FestivalDates(required=True)
    cluster_warning = ma.fields.Nested(_ClusterWarning, required=True)
    employer_forms = Words(required=True, longest_first=True)
    employer_unit_suffixes = Words(required=True, longest_first=True)
    referral_targets = Labels(required=True)

    @ma.post_load
    def _rules(self, data: dict, **_kwargs) -> WageRules:
        warning = data.pop("cluster_warning")
        return WageRules(**data, warning_claims=warning["claims"], warning_workers=warning["workers"])


def load_rules(path: Path = RULES_FILE) -> WageRules:
    """Read and check the file; any problem names the file and the key."""
    return load(path, WagesFile())


EXTENSION = "zhigong.wages"


def rules() -> WageRules:
    """The app's wage rules, read at start (tests may replace ``app.extensions['zhigong.wages']``)."""
    return current_app.extensions[EXTENSION]
