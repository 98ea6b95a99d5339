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
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from backend.assessment.metrics import METRICS
from backend.assessment.models import GRADE_ORDER, TIER_ORDER, Tier
from backend.common.config_files import ConfigTextError
from backend.orgs.models import OrgCategory, OrgLevel
from backend.participation.service import KINDS

PERIOD_TYPES = ("month", "quarter", "year")
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
RATED_TIERS = TIER_ORDER[1:]  # qualified, good, excellent: the tiers a threshold is given for
NO_DATA_RULES = ("excluded", "qualified", "unqualified")


class RubricError(ConfigTextError):
    """A rubric file that cannot be used; the message names file and key."""


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


# --- loading -----------------------------------------------------------------------------------------
def load_rubric_dir(directory: Path) -> RubricSet:

    rubrics: dict[str, Rubric] = {}
    for path in sorted(directory.glob("*.yaml")):
        rubric = load_rubric(path, known_kinds=set(KINDS))
        if rubric.category in rubrics:
            raise RubricError(
                f"{path}: category: {rubric.category} already has a rubric in "
                f"{rubrics[rubric.category].source}"
            )
        rubrics[rubric.category] = rubric
    if not rubrics:
        raise RubricError(f"{directory}: no assessment rubrics found")
    combined = hashlib.sha256("".join(f"{c}:{r.version};" for c, r in sorted(rubrics.items())).encode())
    return RubricSet(rubrics, combined.hexdigest()[:16])


def load_rubric(path: Path, *, known_kinds: set[str] | None = None) -> Rubric:
    raw = path.read_bytes()
    try:
        doc = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise RubricError(f"{path}: not valid YAML: {exc}") from exc
    return parse_rubric(
        doc, source=str(path), version=hashlib.sha256(raw).hexdigest()[:16], known_kinds=known_kinds
    )


def parse_rubric(doc, *, source: str, version: str, known_kinds: set[str] | None = None) -> Rubric:
    def fail(key: str, problem: str):
        raise RubricError(f"{source}: {key}: {problem}")

    if not isinstance(doc, dict):
        fail("(top level)", "must be a mapping")
    allowed = {"category", "name", "levels", "periods", "no_data", "rigid", "flexible", "grades"}
    for key in doc:
        if key not in allowed:
            fail(str(key), f"unknown key (allowed: {', '.join(sorted(allowed))})")
    for key in ("category", "name", "levels", "periods", "no_data", "rigid", "flexible", "grades"):
        if key not in doc:
            fail(key, "missing")
    category = doc["category"]
    if category not in set(OrgCategory):
        fail("category", f"{category!r} is not one of {', '.join(OrgCategory)}")
    if not isinstance(doc["name"], str) or not doc["name"].strip():
        fail("name", "must be a non-empty text")
    levels = _string_list(
        doc["levels"], "levels", fail, choices=[lvl.value for lvl in OrgLevel if lvl != "city"]
    )
    periods = _string_list(doc["periods"], "periods", fail, choices=list(PERIOD_TYPES))
    if doc["no_data"] not in NO_DATA_RULES:
        fail("no_data", f"{doc['no_data']!r} is not one of {', '.join(NO_DATA_RULES)}")

    keys: set[str] = set()
    rigid = tuple(
        _indicator(item, f"rigid[{i}]", True, fail, keys, known_kinds)
        for i, item in enumerate(_list(doc["rigid"], "rigid", fail))
    )
    flexible = tuple(
        _indicator(item, f"flexible[{i}]", False, fail, keys, known_kinds)
        for i, item in enumerate(_list(doc["flexible"], "flexible", fail))
    )
    grades = _grades(doc["grades"], fail, max_score=sum((x.weight for x in flexible), Decimal(0)))
    name = doc["name"].strip()
    return Rubric(category, name, levels, periods, rigid, flexible, grades, version, source, doc["no_data"])


def _list(value, key: str, fail) -> list:
    if not isinstance(value, list) or not value:
        fail(key, "must be a non-empty list")
    return value


def _string_list(value, key: str, fail, *, choices: list[str]) -> tuple[str, ...]:
    items = _list(value, key, fail)
    for item in items:
        if item not in choices:
            fail(key, f"{item!r} is not one of {', '.join(choices)}")
    if len(set(items)) != len(items):
        fail(key, "lists a value twice")
    return tuple(items)


def _number(value, key: str, fail, *, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        fail(key, "must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        fail(key, "must be a number")
    if not number.is_finite() or number < 0 or (positive and number == 0):
        fail(key, "must be a positive number" if positive else "must be zero or more")
    return number


def _indicator(
    item, where: str, rigid: bool, fail, keys: set[str], known_kinds: set[str] | None
) -> Indicator:
    if not isinstance(item, dict):
        fail(where, "must be a mapping")
    common = {"key", "label", "metric", "params", "per_month"}
    allowed = common | ({"thresholds"} if rigid else {"weight", "full_at"})
    for k in item:
        if k not in allowed:
            fail(f"{where}.{k}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
    for k in ("key", "label", "metric", *(("thresholds",) if rigid else ("weight", "full_at"))):
        if k not in item:
            fail(f"{where}.{k}", "missing")
    key = item["key"]
    if not isinstance(key, str) or not key.replace("_", "").isalnum() or not key.isascii():
        fail(f"{where}.key", "must be a short ascii identifier")
    if key in keys:
        fail(f"{where}.key", f"{key!r} is used twice in this rubric")
    keys.add(key)
    if not isinstance(item["label"], str) or not item["label"].strip():
        fail(f"{where}.label", "must be a non-empty text")
    metric = METRICS.get(item["metric"]) if isinstance(item["metric"], str) else None
    if metric is None:
        fail(
            f"{where}.metric",
            f"{item['metric']!r} is not a known metric (known: {', '.join(sorted(METRICS))})",
        )
    params = item.get("params") or {}
    if not isinstance(params, dict):
        fail(f"{where}.params", "must be a mapping")
    for name in params:
        if name not in metric.params:
            fail(f"{where}.params.{name}", f"metric {metric.name} takes no such parameter")
    for name, spec in metric.params.items():
        if name not in params:
            if spec.required:
                fail(f"{where}.params.{name}", f"required by metric {metric.name}")
            continue
        value = params[name]
        if spec.kind == "kinds":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                fail(f"{where}.params.{name}", "must be a non-empty list of participation kinds")
            unknown = [v for v in value if known_kinds is not None and v not in known_kinds]
            if unknown:
                fail(f"{where}.params.{name}", f"unknown participation kind(s): {', '.join(unknown)}")
        elif value not in spec.choices:
            fail(f"{where}.params.{name}", f"{value!r} is not one of {', '.join(spec.choices)}")
    per_month = item.get("per_month", False)
    if not isinstance(per_month, bool):
        fail(f"{where}.per_month", "must be true or false")
    if per_month and metric.rate:
        fail(f"{where}.per_month", f"metric {metric.name} is a rate; it does not grow with the period")

    thresholds: dict[str, Decimal] = {}
    weight, full_at = Decimal(0), None
    if rigid:
        raw = item["thresholds"]
        if not isinstance(raw, dict):
            fail(f"{where}.thresholds", "must be a mapping of qualified / good / excellent")
        for k in raw:
            if k not in RATED_TIERS:
                fail(f"{where}.thresholds.{k}", "unknown tier (allowed: qualified, good, excellent)")
        previous = None
        for tier in RATED_TIERS:
            if tier not in raw:
                fail(f"{where}.thresholds.{tier}", "missing")
            thresholds[tier] = _number(raw[tier], f"{where}.thresholds.{tier}", fail)
            if previous is not None and thresholds[tier] < thresholds[previous]:
                fail(f"{where}.thresholds.{tier}", f"must not be below {previous} ({thresholds[previous]})")
            previous = tier
    else:
        weight = _number(item["weight"], f"{where}.weight", fail, positive=True)
        full_at = _number(item["full_at"], f"{where}.full_at", fail, positive=True)
    return Indicator(
        key,
        item["label"].strip(),
        metric.name,
        params,
        rigid,
        thresholds,
        weight,
        full_at,
        per_month,
    )


def _grades(raw, fail, *, max_score: Decimal) -> tuple[GradeRule, ...]:
    if not isinstance(raw, dict):
        fail("grades", "must be a mapping of leading / advanced / flagship")
    for k in raw:
        if k not in GRADE_ORDER:
            fail(f"grades.{k}", "unknown level (allowed: leading, advanced, flagship)")
    rules = []
    previous: GradeRule | None = None
    for grade in GRADE_ORDER:
        if grade not in raw:
            fail(f"grades.{grade}", "missing")
        entry = raw[grade]
        if not isinstance(entry, dict) or "min_score" not in entry:
            fail(f"grades.{grade}", "must be a mapping with min_score (and optionally min_tier)")
        for k in entry:
            if k not in ("min_score", "min_tier"):
                fail(f"grades.{grade}.{k}", "unknown key (allowed: min_score, min_tier)")
        score = _number(entry["min_score"], f"grades.{grade}.min_score", fail)
        if score > max_score:
            fail(
                f"grades.{grade}.min_score",
                f"{score} is more than the flexible weights add up to ({max_score})",
            )
        min_tier = entry.get("min_tier", Tier.QUALIFIED)
        if min_tier not in RATED_TIERS:
            fail(f"grades.{grade}.min_tier", "must be qualified, good or excellent")
        if previous is not None and score < previous.min_score:
            fail(f"grades.{grade}.min_score", f"must not be below {previous.grade} ({previous.min_score})")
        previous = GradeRule(grade, score, min_tier)
        rules.append(previous)
    return tuple(rules)
