"""The registry of named metric computations a rubric picks its indicators from (考核指标库).

Each metric is a set-based computation: a handful of ``GROUP BY org_id`` aggregates over the whole
city for one period, never a query per union. It returns, per org id that has rows, a numerator and
(for rates) a denominator; the engine sums them up the tree for nodes assessed over their subtree and
only then divides, so a county's rate is the rate of its whole subtree, not an average of averages.

A rubric names a metric and gives its parameters (``metric: fact_count, params: {kinds: [...]}``);
adding an indicator to a rubric needs no code, adding a new kind of computation adds one entry here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, case, func, select

from backend.aid.models import AidRequest
from backend.common.time import local_midnight_utc
from backend.common.types import utcnow
from backend.extensions import db
from backend.members.models import Member
from backend.participation.models import MemberRollup, ParticipationFact, ParticipationRollup
from backend.participation.rollups import month_of
from backend.wages.models import WageClaim

Aggregate = dict[int, tuple[Decimal, Decimal | None]]  # org id → (numerator, denominator or None)

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Param:
    kind: str  # "kinds" (list of participation kinds) | "choice"
    required: bool = True
    choices: tuple[str, ...] = ()


ROLLUPS = "rollups"  # read participation_rollups / member_rollups: orgs × months
SCAN = "scan"  # read the facts and the members themselves (the rollups are checked against it)


@dataclass
class Window:
    """The period being assessed, as UTC bounds [start, end), and per-run caches of shared reads.

    ``source`` says where counts come from: the per-org, per-month rollups (what runs use: a
    province's year is orgs × months, whatever the number of facts), or a scan of the facts and
    members (what the rollups must always equal). Period bounds fall on Shanghai month starts, so
    both give the same numbers."""

    start: datetime
    end: datetime
    source: str = ROLLUPS
    _fact_counts: dict[tuple[int, str], int] | None = None
    _kinds_wanted: set[str] = field(default_factory=set)
    member_counts: dict[datetime, dict[int, int]] = field(default_factory=dict)
    new_member_counts: dict[int, int] | None = None

    def want_kinds(self, kinds: list[str]) -> None:
        self._kinds_wanted.update(kinds)

    def fact_counts(self) -> dict[tuple[int, str], int]:
        """One read of the period's counts for every kind any rubric uses: (org, kind) → count."""
        if self._fact_counts is None:
            kinds = sorted(self._kinds_wanted)
            if self.source == SCAN:
                f = ParticipationFact
                stmt = (
                    select(f.org_id, f.kind, func.count())
                    .where(f.kind.in_(kinds), f.occurred_at >= self.start, f.occurred_at < self.end)
                    .group_by(f.org_id, f.kind)
                )
            else:
                r = ParticipationRollup
                stmt = (
                    select(r.org_id, r.kind, func.sum(r.facts))
                    .where(r.kind.in_(kinds), r.month >= self._month(self.start))
                    .where(r.month < self._month(self.end))
                    .group_by(r.org_id, r.kind)
                )
            rows = db.session.execute(stmt).all()
            self._fact_counts = {(org_id, kind): int(n) for org_id, kind, n in rows if n}
        return self._fact_counts

    @staticmethod
    def _month(at: datetime) -> int:
        month = month_of(at)
        if local_midnight_utc(date(month // 100, month % 100, 1)) != at:
            raise ValueError(f"{at.isoformat()} is not the start of a Shanghai month")
        return month


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str  # shown next to the value: 人, 次, %, 元, 分
    params: dict[str, Param]
    compute: Callable[[Window, dict], Aggregate]
    rate: bool = False  # value = numerator / denominator (None when the denominator is 0)


METRICS: dict[str, Metric] = {}


def metric(name: str, label: str, unit: str, *, rate: bool = False, **params: Param):
    def decorator(func_: Callable[[Window, dict], Aggregate]):
        METRICS[name] = Metric(name, label, unit, params, func_, rate)
        return func_

    return decorator


def _counts(window: Window, kinds: list[str]) -> dict[int, int]:
    wanted = set(kinds)
    out: dict[int, int] = defaultdict(int)
    for (org_id, kind), n in window.fact_counts().items():
        if kind in wanted:
            out[org_id] += n
    return out


def _grouped(stmt) -> dict[int, tuple]:
    return {row[0]: tuple(row[1:]) for row in db.session.execute(stmt).all()}


# --- participation facts ---------------------------------------------------------------------------
@metric("fact_count", "参与记录数", "次", kinds=Param("kinds"))
def fact_count(window: Window, params: dict) -> Aggregate:
    return {org: (Decimal(n), None) for org, n in _counts(window, params["kinds"]).items()}


@metric("facts_per_100_members", "每百名会员参与次数", "次", rate=True, kinds=Param("kinds"))
def facts_per_100_members(window: Window, params: dict) -> Aggregate:
    counts = _counts(window, params["kinds"])
    members = _active_members(window, window.end)
    return {
        org: (Decimal(counts.get(org, 0)) * HUNDRED, Decimal(members.get(org, 0)))
        for org in counts.keys() | members.keys()
    }


@metric("fact_ratio", "参与记录比率", "%", rate=True, numerator=Param("kinds"), denominator=Param("kinds"))
def fact_ratio(window: Window, params: dict) -> Aggregate:
    num = _counts(window, params["numerator"])
    den = _counts(window, params["denominator"])
    return {
        org: (Decimal(num.get(org, 0)) * HUNDRED, Decimal(den.get(org, 0))) for org in num.keys() | den.keys()
    }


# --- membership ------------------------------------------------------------------------------------
def _active_members(window: Window, before: datetime) -> dict[int, int]:
    """Active members per org who joined before ``before`` — asked by several metrics, counted once."""

    cached = window.member_counts.get(before)
    if cached is None:
        if window.source == SCAN:
            stmt = (
                select(Member.org_id, func.count())
                .where(Member.status == "active", Member.joined_at < before)
                .group_by(Member.org_id)
            )
        else:
            r = MemberRollup
            stmt = select(r.org_id, func.sum(r.active)).where(r.month < window._month(before))
            stmt = stmt.group_by(r.org_id)
        cached = window.member_counts[before] = {org: int(n) for org, (n,) in _grouped(stmt).items() if n}
    return cached


@metric("members", "会员人数（期末）", "人")
def members(window: Window, params: dict) -> Aggregate:
    return {org: (Decimal(n), None) for org, n in _active_members(window, window.end).items()}


def _new_members(window: Window) -> dict[int, int]:

    if window.new_member_counts is None:
        if window.source == SCAN:
            stmt = (
                select(Member.org_id, func.count())
                .where(Member.joined_at >= window.start, Member.joined_at < window.end)
                .group_by(Member.org_id)
            )
        else:
            r = MemberRollup
            stmt = (
                select(r.org_id, func.sum(r.joined))
                .where(r.month >= window._month(window.start), r.month < window._month(window.end))
                .group_by(r.org_id)
            )
        window.new_member_counts = {org: int(n) for org, (n,) in _grouped(stmt).items() if n}
    return window.new_member_counts


@metric("new_members", "新发展会员", "人")
def new_members(window: Window, params: dict) -> Aggregate:
    return {org: (Decimal(n), None) for org, n in _new_members(window).items()}


@metric("member_growth_rate", "会员增长率", "%", rate=True)
def member_growth_rate(window: Window, params: dict) -> Aggregate:
    new = _new_members(window)
    at_start = _active_members(window, window.start)
    return {
        org: (Decimal(new.get(org, 0)) * HUNDRED, Decimal(at_start.get(org, 0)))
        for org in new.keys() | at_start.keys()
    }


# --- cases: help requests and wage claims ----------------------------------------------------------
def _case_model(name: str):

    return {"aid": (AidRequest, "aid_request"), "wage": (WageClaim, "wage")}[name]


@metric("case_sla_rate", "按时受理率", "%", rate=True, case=Param("choice", choices=("aid", "wage")))
def case_sla_rate(window: Window, params: dict) -> Aggregate:
    """Of the cases filed in the period whose acceptance fell due (accepted, or still waiting past the
    deadline; withdrawn ones aside), the share accepted within the SLA — the same rule as 统计."""
    model, ref_type = _case_model(params["case"])
    f = ParticipationFact
    in_time = (
        select(f.id)
        .where(f.kind == f"{params['case']}.accepted_in_time", f.ref_type == ref_type, f.ref_id == model.id)
        .exists()
    )
    rows = _grouped(
        select(model.org_id, func.sum(case((in_time, 1), else_=0)), func.count())
        .where(
            model.submitted_at >= window.start,
            model.submitted_at < window.end,
            model.status != "withdrawn",
            (model.status != "submitted") | (model.due_at < utcnow()),
        )
        .group_by(model.org_id)
    )
    return {org: (Decimal(met or 0) * HUNDRED, Decimal(due)) for org, (met, due) in rows.items()}


def _resolved_claims(window: Window) -> dict[int, tuple]:

    return _grouped(
        select(
            WageClaim.org_id,
            func.coalesce(func.sum(WageClaim.amount_recovered), 0),
            func.coalesce(func.sum(WageClaim.workers_paid), 0),
            func.sum(case((WageClaim.status == "resolved", 1), else_=0)),
            func.count(),
        )
        .where(
            WageClaim.status.in_(("resolved", "closed_unresolved")),
            WageClaim.closed_at >= window.start,
            WageClaim.closed_at < window.end,
        )
        .group_by(WageClaim.org_id)
    )


@metric("wages_recovered", "追回欠薪金额", "元")
def wages_recovered(window: Window, params: dict) -> Aggregate:
    return {org: (Decimal(amount), None) for org, (amount, *_rest) in _resolved_claims(window).items()}


@metric("workers_paid", "追回欠薪人数", "人")
def workers_paid(window: Window, params: dict) -> Aggregate:
    return {org: (Decimal(workers), None) for org, (_a, workers, *_rest) in _resolved_claims(window).items()}


@metric("wage_resolution_rate", "欠薪办结解决率", "%", rate=True)
def wage_resolution_rate(window: Window, params: dict) -> Aggregate:
    return {
        org: (Decimal(resolved or 0) * HUNDRED, Decimal(closed))
        for org, (_a, _w, resolved, closed) in _resolved_claims(window).items()
    }


@metric("avg_rating", "会员评议平均分", "分", rate=True)
def avg_rating(window: Window, params: dict) -> Aggregate:

    rows = _grouped(
        select(AidRequest.org_id, func.sum(AidRequest.rating), func.count(AidRequest.rating))
        .where(and_(AidRequest.rated_at >= window.start, AidRequest.rated_at < window.end))
        .group_by(AidRequest.org_id)
    )
    return {org: (Decimal(total or 0), Decimal(n)) for org, (total, n) in rows.items()}
