"""考核细则 — one rubric per assessment category, loaded from ``config/assessment/*.yaml``.

A rubric is validated completely when the app starts: a malformed file stops the start with an error
that names the file, the key and what is wrong. Its version is the hash of the file's bytes, so results
say exactly which rules produced them, and the rules can change without a code change.

刚性考核定档次: every rigid indicator has one threshold per tier (合格 / 良好 / 优秀); a union reaches
the highest tier whose thresholds it meets on *all* rigid indicators, and is 不合格 below 合格.
弹性考核评级别: each flexible indicator earns ``weight × min(value / full_at, 1)`` points; the sum is the
score, and the level (领先 / 先进 / 旗帜型) is the highest whose minimum score (and minimum tier) is met.

无数据: an indicator has no data when its rate has nothing to divide by (no case fell due, no members
at the start of the period, no rating given). Each rubric states one rule for all its rigid indicators
(``no_data``), so the same absence is never read as 优秀 on one line and 未达标 on the next:
``excluded`` — it does not decide the tier (a union with no data on every rigid indicator is 合格);
``qualified`` — it counts as 合格; ``unqualified`` — it counts as 不合格. A flexible indicator with no
data earns no points. The breakdown shows 无数据, never a number.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import marshmallow as ma

from backend.assessment.metrics import METRICS, Metric
from backend.assessment.models import GRADE_ORDER, TIER_ORDER, Tier
from backend.common.config_files import (
    ConfigError,
    ExactNumber,
    NonEmptyText,
    StrictConfigSchema,
    check,
    parse_yaml,
)
from backend.orgs.models import OrgCategory, OrgLevel
from backend.participation.service import KINDS

PERIOD_TYPES = ("month", "quarter", "year")
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
RATED_TIERS = TIER_ORDER[1:]  # qualified, good, excellent: the tiers a threshold is given for
NO_DATA_RULES = ("excluded", "qualified", "unqualified")


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    metric: str
    params: dict
    rigid: bool
    thresholds: dict[str, Decimal]  # rigid: tier → minimum value
    weight: Decimal  # flexible: points at full marks
    full_at: Decimal | None  # flexible: the value that earns the full weight
    per_month: bool  # thresholds / full_at are per month and scale with the period's length

    def scaled(self, value: Decimal, period_type: str) -> Decimal:
        return value * MONTHS_IN[period_type] if self.per_month else value


@dataclass(frozen=True)
class GradeRule:
    grade: str
    min_score: Decimal
    min_tier: str


@dataclass(frozen=True)
class Rubric:
    category: str
    name: str
    levels: tuple[str, ...]  # org levels assessed under this rubric
    periods: tuple[str, ...]
    rigid: tuple[Indicator, ...]
    flexible: tuple[Indicator, ...]
    grades: tuple[GradeRule, ...]  # lowest first
    version: str
    source: str
    no_data: str = "excluded"  # the rule for a rigid indicator without data (see the module docstring)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return self.rigid + self.flexible


@dataclass(frozen=True)
class RubricSet:
    rubrics: dict[str, Rubric]  # category → rubric
    version: str  # hash over every rubric's version

    def for_period(self, period_type: str) -> list[Rubric]:
        return [r for r in self.rubrics.values() if period_type in r.periods]


# --- the file's shape -----------------------------------------------------------------------------
class _OneOf(ma.fields.Field):
    """One of a fixed list of codes."""

    def __init__(self, choices, *, message: str | None = None, **kwargs):
        self.choices, self.message = [str(c) for c in choices], message
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or value not in self.choices:
            raise ma.ValidationError(self.message or f"{value!r} is not one of {', '.join(self.choices)}")
        return value


class _SomeOf(_OneOf):
    """A non-empty list of codes, each once."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or not value:
            raise ma.ValidationError("must be a non-empty list")
        items = tuple(super(_SomeOf, self)._deserialize(item, attr, data, **kwargs) for item in value)
        if len(set(items)) != len(items):
            raise ma.ValidationError("lists a value twice")
        return items


class _Figure(ExactNumber):
    """A threshold, a weight or a score: a Decimal, never negative."""

    @property
    def range_message(self) -> str:
        return "must be a positive number" if self.positive else "must be zero or more"


class _Key(ma.fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not value.replace("_", "").isalnum() or not value.isascii():
            raise ma.ValidationError("must be a short ascii identifier")
        return value


class _MetricName(ma.fields.Field):
    def _deserialize(self, value, attr, data, **kwargs) -> Metric:
        metric = METRICS.get(value) if isinstance(value, str) else None
        if metric is None:
            raise ma.ValidationError(f"{value!r} is not a known metric (known: {', '.join(sorted(METRICS))})")
        return metric


class _Flag(ma.fields.Field):
    """``true`` or ``false`` as YAML booleans, nothing that merely looks like one."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ma.ValidationError("must be true or false")
        return value


class _Mapping(ma.fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ma.ValidationError("must be a mapping")
        return value


def _non_empty_list(schema: type[ma.Schema]) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Nested(schema),
        required=True,
        validate=ma.validate.Length(min=1, error="must be a non-empty list"),
        error_messages={"invalid": "must be a non-empty list"},
    )


class _Indicator(StrictConfigSchema):
    key = _Key(required=True)
    label = NonEmptyText(required=True)
    metric = _MetricName(required=True)
    params = _Mapping(load_default=dict)
    per_month = _Flag(load_default=False)

    @ma.validates_schema
    def _params_fit_the_metric(self, data: dict, **_kwargs) -> None:
        metric, params = data["metric"], data["params"]
        for name in params:
            if name not in metric.params:
                raise ma.ValidationError(
                    {"params": {name: [f"metric {metric.name} takes no such parameter"]}}
                )
        for name, spec in metric.params.items():
            if name not in params:
                if spec.required:
                    raise ma.ValidationError({"params": {name: [f"required by metric {metric.name}"]}})
                continue
            value = params[name]
            if spec.kind == "kinds":
                if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                    problem = "must be a non-empty list of participation kinds"
                    raise ma.ValidationError({"params": {name: [problem]}})
            elif value not in spec.choices:
                problem = f"{value!r} is not one of {', '.join(spec.choices)}"
                raise ma.ValidationError({"params": {name: [problem]}})
        if data["per_month"] and metric.rate:
            problem = f"metric {metric.name} is a rate; it does not grow with the period"
            raise ma.ValidationError(problem, "per_month")


class _Thresholds(StrictConfigSchema):
    unknown_message = "unknown tier (allowed: qualified, good, excellent)"

    qualified = _Figure(required=True)
    good = _Figure(required=True)
    excellent = _Figure(required=True)

    @ma.validates_schema
    def _rising(self, data: dict, **_kwargs) -> None:
        for lower, higher in pairwise(RATED_TIERS):
            if data[higher] < data[lower]:
                raise ma.ValidationError(f"must not be below {lower} ({data[lower]})", higher.value)


class _Rigid(_Indicator):
    thresholds = ma.fields.Nested(
        _Thresholds,
        required=True,
        error_messages={"type": "must be a mapping of qualified / good / excellent"},
    )

    @ma.post_load
    def _indicator(self, data: dict, **_kwargs) -> Indicator:
        thresholds = {Tier(tier): value for tier, value in data.pop("thresholds").items()}
        data["metric"] = data["metric"].name
        return Indicator(**data, rigid=True, thresholds=thresholds, weight=Decimal(0), full_at=None)


class _Flexible(_Indicator):
    weight = _Figure(required=True, positive=True)
    full_at = _Figure(required=True, positive=True)

    @ma.post_load
    def _indicator(self, data: dict, **_kwargs) -> Indicator:
        data["metric"] = data["metric"].name
        return Indicator(**data, rigid=False, thresholds={})


class _Grade(StrictConfigSchema):
    min_score = _Figure(required=True)
    min_tier = _OneOf(
        RATED_TIERS, load_default=Tier.QUALIFIED.value, message="must be qualified, good or excellent"
    )


class _Grades(
    StrictConfigSchema.from_dict(
        {
            grade.value: ma.fields.Nested(
                _Grade,
                required=True,
                error_messages={"type": "must be a mapping with min_score (and optionally min_tier)"},
            )
            for grade in GRADE_ORDER
        }
    )
):
    unknown_message = "unknown level (allowed: leading, advanced, flagship)"

    @ma.validates_schema
    def _rising(self, data: dict, **_kwargs) -> None:
        for lower, higher in pairwise(GRADE_ORDER):
            if data[higher]["min_score"] < data[lower]["min_score"]:
                problem = f"must not be below {lower.value} ({data[lower]['min_score']})"
                raise ma.ValidationError({higher.value: {"min_score": [problem]}})

    @ma.post_load
    def _rules(self, data: dict, **_kwargs) -> tuple[GradeRule, ...]:
        return tuple(GradeRule(g, data[g]["min_score"], Tier(data[g]["min_tier"])) for g in GRADE_ORDER)


class RubricFile(StrictConfigSchema):
    """One file of ``config/assessment/``. ``known_kinds``: the participation kinds a ``kinds``
    parameter may name (None: not checked)."""

    category = _OneOf(OrgCategory, required=True)
    name = NonEmptyText(required=True)
    levels = _SomeOf([level for level in OrgLevel if level != "city"], required=True)
    periods = _SomeOf(PERIOD_TYPES, required=True)
    no_data = _OneOf(NO_DATA_RULES, required=True)
    rigid = _non_empty_list(_Rigid)
    flexible = _non_empty_list(_Flexible)
    grades = ma.fields.Nested(
        _Grades, required=True, error_messages={"type": "must be a mapping of leading / advanced / flagship"}
    )

    def __init__(self, *, source: str, version: str, known_kinds: set[str] | None = None):
        super().__init__()
        self.source, self.version, self.known_kinds = source, version, known_kinds

    @ma.validates_schema
    def _consistent(self, data: dict, **_kwargs) -> None:
        """Across indicators: each key once, participation kinds that exist, grades reachable."""
        keys: set[str] = set()
        for section in ("rigid", "flexible"):
            for i, indicator in enumerate(data[section]):
                if indicator.key in keys:
                    problem = f"{indicator.key!r} is used twice in this rubric"
                    raise ma.ValidationError({section: {i: {"key": [problem]}}})
                keys.add(indicator.key)
                if self.known_kinds is None:
                    continue
                for name, spec in METRICS[indicator.metric].params.items():
                    named = indicator.params.get(name, ()) if spec.kind == "kinds" else ()
                    unknown = [kind for kind in named if kind not in self.known_kinds]
                    if unknown:
                        problem = f"unknown participation kind(s): {', '.join(unknown)}"
                        raise ma.ValidationError({section: {i: {"params": {name: [problem]}}}})
        max_score = sum((x.weight for x in data["flexible"]), Decimal(0))
        for rule in data["grades"]:
            if rule.min_score > max_score:
                problem = f"{rule.min_score} is more than the flexible weights add up to ({max_score})"
                raise ma.ValidationError({"grades": {rule.grade.value: {"min_score": [problem]}}})

    @ma.post_load
    def _rubric(self, data: dict, **_kwargs) -> Rubric:
        data["rigid"], data["flexible"] = tuple(data["rigid"]), tuple(data["flexible"])
        return Rubric(**data, version=self.version, source=self.source)


# --- loading -----------------------------------------------------------------------------------------
def load_rubric_dir(directory: Path) -> RubricSet:
    """Every rubric in ``directory``, one per category, and a version over all of them."""
    rubrics: dict[str, Rubric] = {}
    for path in sorted(directory.glob("*.yaml")):
        rubric = load_rubric(path, known_kinds=set(KINDS))
        if rubric.category in rubrics:
            raise ConfigError(
                path,
                "category",
                f"{rubric.category} already has a rubric in {rubrics[rubric.category].source}",
            )
        rubrics[rubric.category] = rubric
    if not rubrics:
        raise ConfigError(directory, None, "no assessment rubrics found")
    combined = hashlib.sha256("".join(f"{c}:{r.version};" for c, r in sorted(rubrics.items())).encode())
    return RubricSet(rubrics, combined.hexdigest()[:16])


def load_rubric(path: Path, *, known_kinds: set[str] | None = None) -> Rubric:
    """One rubric file; its version is the hash of its bytes."""
    raw = path.read_bytes()
    doc = parse_yaml(path, raw.decode("utf-8"))
    return parse_rubric(
        doc, source=str(path), version=hashlib.sha256(raw).hexdigest()[:16], known_kinds=known_kinds
    )


def parse_rubric(doc, *, source: str, version: str, known_kinds: set[str] | None = None) -> Rubric:
    """Check ``doc`` (a rubric file's contents) completely; a problem names ``source`` and the key."""
    return check(source, doc, RubricFile(source=source, version=version, known_kinds=known_kinds))
