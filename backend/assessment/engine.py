"""The assessment computation for one period: set-based aggregates in, one row per assessed org out.

Which orgs are assessed: every org whose (category, level) a rubric lists — base unions of the four
base categories, and the county-level federations (category county_federation), each over its whole
subtree. Town nodes carry township_street too; the shipped rubric assesses the township_street *base*
unions and leaves towns out unless ``town`` is added to its ``levels`` (see config/assessment/).

The database does the heavy work: each distinct (metric, parameters) runs once as a ``GROUP BY
org_id`` over the whole city, and the fact counts of every kind any rubric uses come from one read of
the period's per-org, per-month rollups (``backend.participation.rollups``: orgs × months, however many
facts there are). Python then only sums those per-org aggregates up the tree and applies the
thresholds — a few thousand small dicts, no query per union.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from backend.assessment.metrics import METRICS, ROLLUPS, Aggregate, Window
from backend.assessment.models import TIER_ORDER, Tier
from backend.assessment.periods import Period
from backend.assessment.rubrics import RATED_TIERS, Indicator, Rubric, RubricSet
from backend.extensions import db
from backend.orgs.models import Org, OrgLevel

CENT = Decimal("0.01")


@dataclass
class Standing:
    org_id: int
    org_level: str
    rubric: Rubric
    tier: str
    grade: str | None
    score: Decimal
    indicators: list[dict]
    rank: int = 0
    position: int = 0
    peers: int = 0


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(_q(value))


def compute(rubrics: RubricSet, period: Period, *, source: str = ROLLUPS) -> list[Standing]:
    """Every assessed org's standing for ``period`` (nothing is written here). ``source`` is where
    the counts come from: the per-month rollups, or (``SCAN``) the facts and members themselves."""
    active = rubrics.for_period(period.type)
    if not active:
        return []
    window = Window(period.start_utc, period.end_utc, source)
    for rubric in active:
        for indicator in rubric.indicators:
            for value in indicator.params.values():
                if isinstance(value, list):
                    window.want_kinds(value)

    wanted = {(r.category, lvl): r for r in active for lvl in r.levels}
    orgs = db.session.execute(select(Org.id, Org.path, Org.level, Org.category)).all()
    assessed = {o.id: o for o in orgs if (o.category, o.level) in wanted}
    # Which assessed orgs each org's rows count towards: itself, and any assessed ancestor above base.
    credited: dict[int, list[int]] = {}
    for o in orgs:
        ids = [int(x) for x in o.path.strip("/").split("/") if x]
        targets = [a for a in ids if a in assessed and (a == o.id or assessed[a].level != OrgLevel.BASE)]
        if targets:
            credited[o.id] = targets

    aggregates: dict[str, dict[int, tuple[Decimal, Decimal | None]]] = {}
    for rubric in active:
        for indicator in rubric.indicators:
            key = _metric_key(indicator)
            if key not in aggregates:
                raw = METRICS[indicator.metric].compute(window, indicator.params)
                aggregates[key] = _roll_up(raw, credited)

    standings = [
        _standing(o.id, o.level, wanted[(o.category, o.level)], aggregates, period) for o in assessed.values()
    ]
    _rank(standings)
    return standings


def _metric_key(indicator: Indicator) -> str:
    return f"{indicator.metric}:{json.dumps(indicator.params, sort_keys=True)}"


def _roll_up(raw: Aggregate, credited: dict[int, list[int]]) -> dict[int, tuple[Decimal, Decimal | None]]:
    num: dict[int, Decimal] = defaultdict(Decimal)
    den: dict[int, Decimal] = defaultdict(Decimal)
    rate = False
    for org_id, (n, d) in raw.items():
        for target in credited.get(org_id, ()):
            num[target] += n
            if d is not None:
                rate = True
                den[target] += d
    return {t: (num[t], den[t] if rate else None) for t in num}


def _value(indicator: Indicator, aggregates: dict, org_id: int) -> Decimal | None:
    metric = METRICS[indicator.metric]
    n, d = aggregates[_metric_key(indicator)].get(org_id, (Decimal(0), Decimal(0) if metric.rate else None))
    if metric.rate:
        return None if not d else _q(n / d)
    return n


def _standing(org_id: int, level: str, rubric: Rubric, aggregates: dict, period: Period) -> Standing:
    breakdown: list[dict] = []
    best = len(TIER_ORDER) - 1
    reached_all, judged = best, 0  # the best tier every rigid indicator with data allows
    for ind in rubric.rigid:
        value = _value(ind, aggregates, org_id)
        thresholds = {t: ind.scaled(ind.thresholds[t], period.type) for t in RATED_TIERS}
        reached: int | None
        if value is None:
            reached = {"excluded": None, "qualified": 1, "unqualified": 0}[rubric.no_data]
        else:
            reached = max([0] + [TIER_ORDER.index(t) for t in RATED_TIERS if value >= thresholds[t]])
        if reached is not None:
            reached_all, judged = min(reached_all, reached), judged + 1
        breakdown.append(
            {
                "key": ind.key,
                "label": ind.label,
                "type": "rigid",
                "metric": ind.metric,
                "unit": METRICS[ind.metric].unit,
                "value": _text(value),
                "thresholds": {t: _text(v) for t, v in thresholds.items()},
                "no_data": rubric.no_data if value is None else None,
                "passed": reached is None or reached >= 1,
                "reached": None if reached is None else TIER_ORDER[reached].value,
            }
        )
    if rubric.rigid and not judged:  # nothing to judge the union on: not failed, not excellent either
        reached_all = 1
    tier = TIER_ORDER[reached_all]
    score = Decimal(0)
    for ind in rubric.flexible:
        value = _value(ind, aggregates, org_id)
        full_at = ind.scaled(ind.full_at, period.type)
        points = Decimal(0) if value is None else _q(ind.weight * min(value / full_at, Decimal(1)))
        score += points
        breakdown.append(
            {
                "key": ind.key,
                "label": ind.label,
                "type": "flexible",
                "metric": ind.metric,
                "unit": METRICS[ind.metric].unit,
                "value": _text(value),
                "full_at": _text(full_at),
                "weight": _text(ind.weight),
                "points": _text(points),
                "passed": value is not None and value >= full_at,
            }
        )
    grade = None
    if tier != Tier.UNQUALIFIED:
        for rule in rubric.grades:
            if score >= rule.min_score and TIER_ORDER.index(tier) >= TIER_ORDER.index(Tier(rule.min_tier)):
                grade = rule.grade
    return Standing(org_id, level, rubric, tier.value, grade, _q(score), breakdown)


def _rank(standings: list[Standing]) -> None:
    """Standard competition ranking (1, 2, 2, 4) among peers — same category, same org level — by tier,
    then score; ties keep one rank and are ordered by org id for display only."""
    peers: dict[tuple[str, str], list[Standing]] = defaultdict(list)
    for s in standings:
        peers[(s.rubric.category, s.org_level)].append(s)
    for group in peers.values():
        group.sort(key=lambda s: (-TIER_ORDER.index(Tier(s.tier)), -s.score, s.org_id))
        previous = None
        for position, s in enumerate(group, start=1):
            key = (s.tier, s.score)
            if key != previous:
                rank, previous = position, key
            s.rank, s.position, s.peers = rank, position, len(group)
