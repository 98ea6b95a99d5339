"""统计 — figures for any subtree over a date range, as plain functions the API and the admin panel share.

Dates are Shanghai local days, both ends included; every figure is one ``GROUP BY`` over the subtree
(its orgs by an indexed prefix scan of ``orgs.path``, then each one's rows off a covering index), never
a loop in Python. Money stays Decimal. With Redis the figures are kept and counted again in the
background (``backend.stats.cache``): about a minute behind the writes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select, text

from backend.aid.models import AidRequest
from backend.common.time import local_midnight_utc
from backend.common.types import utcnow
from backend.competitions.models import CompetitionEntry
from backend.events.models import Event, EventSignup
from backend.extensions import db
from backend.legal.models import LegalBooking
from backend.members.models import Member
from backend.orgs.models import Org, OrgLevel
from backend.participation.models import ParticipationFact
from backend.stats.cache import cached
from backend.wages.models import WageClaim

# Age of the open requests, in days since they were filed: (label, lowest day, highest day or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-3天", 0, 3),
    ("4-7天", 4, 7),
    ("8-15天", 8, 15),
    ("16-30天", 16, 30),
    ("30天以上", 31, None),
)
OPEN_AID = ("submitted", "accepted", "verifying", "approved")
EVENT_HELD = ("published", "finished")


def _subtree(org: Org):
    return select(Org.id).where(Org.path.startswith(org.path, autoescape=True))


def _of_subtree(org: Org, model, *columns):
    """``SELECT columns`` of the ``model`` rows held by ``org``'s subtree, read union by union: the
    subtree's orgs first, then each one's rows through the model's ``(org_id, …)`` covering index.
    Left to itself MariaDB may rather scan the whole table in another index's order, which at city
    scale reads millions of rows (seconds) where this reads only the range's index entries."""
    return (
        select(*columns)
        .select_from(Org)
        .join(model, model.org_id == Org.id)
        .where(Org.path.startswith(org.path, autoescape=True))
        .prefix_with("STRAIGHT_JOIN", dialect="mysql")
    )


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return local_midnight_utc(start), local_midnight_utc(end + timedelta(days=1))


def _by(stmt) -> dict:
    return {key: n for key, n in db.session.execute(stmt).all()}


SLA_KINDS = {"aid": "困难帮扶", "wage": "欠薪求助"}  # the kinds whose acceptance has a deadline


def _sla(org: Org, lo: datetime, hi: datetime, now: datetime) -> dict:
    """Of the help requests and wage claims filed in the range whose acceptance fell due (accepted,
    or still waiting past the deadline; withdrawn ones aside), how many were accepted in time: in
    total, and per kind under ``by_kind``."""
    due = met = 0
    by_kind: dict[str, dict] = {}
    for name, model, ref_type, kind in (
        ("aid", AidRequest, "aid_request", "aid.accepted_in_time"),
        ("wage", WageClaim, "wage", "wage.accepted_in_time"),
    ):
        f = ParticipationFact
        in_time = select(f.id).where(f.kind == kind, f.ref_type == ref_type, f.ref_id == model.id).exists()
        fell_due = (model.status != "submitted") | (model.due_at < now)
        row = db.session.execute(
            _of_subtree(
                org, model, func.count(), func.coalesce(func.sum(case((in_time, 1), else_=0)), 0)
            ).where(
                model.submitted_at >= lo,
                model.submitted_at < hi,
                model.status != "withdrawn",
                fell_due,
            )
        ).one()
        kind_due, kind_met = int(row[0]), int(row[1])
        rate = round(kind_met / kind_due, 4) if kind_due else None
        by_kind[name] = {"due": kind_due, "met": kind_met, "rate": rate}
        due += kind_due
        met += kind_met
    return {"due": due, "met": met, "rate": round(met / due, 4) if due else None, "by_kind": by_kind}


def _ratings(within, lo: datetime, hi: datetime) -> dict:
    """会员评议: how many handled help requests were rated in the range, the average and each score."""
    rows = _by(
        select(AidRequest.rating, func.count())
        .where(
            AidRequest.org_id.in_(within),
            AidRequest.rating.is_not(None),
            AidRequest.rated_at >= lo,
            AidRequest.rated_at < hi,
        )
        .group_by(AidRequest.rating)
    )
    count = sum(rows.values())
    total = sum(score * n for score, n in rows.items())
    average = (Decimal(total) / count).quantize(Decimal("0.01")) if count else None
    return {"count": count, "average": average, "by_score": {int(k): v for k, v in sorted(rows.items())}}


@cached("summary")
def subtree_summary(*, org: Org, start: date, end: date) -> dict:
    """The figures of ``org``'s subtree for the days ``start``…``end`` (Shanghai), both included."""
    lo, hi = _bounds(start, end)
    now = utcnow()
    within = _subtree(org)
    by_type = _by(
        _of_subtree(org, Member, Member.worker_type, func.count())
        .where(Member.status == "active", Member.joined_at < hi)
        .group_by(Member.worker_type)
    )
    ages = {label: 0 for label, _, _ in AGE_BUCKETS}
    open_dates = db.session.scalars(
        _of_subtree(org, AidRequest, AidRequest.submitted_at).where(
            AidRequest.status.in_(OPEN_AID),
            AidRequest.submitted_at >= lo,
            AidRequest.submitted_at < hi,
        )
    )
    for submitted in open_dates:
        days = (now - submitted).days
        for label, low, high in AGE_BUCKETS:
            if days >= low and (high is None or days <= high):
                ages[label] += 1
                break
    recovered, paid = db.session.execute(
        _of_subtree(
            org,
            WageClaim,
            func.coalesce(func.sum(WageClaim.amount_recovered), 0),
            func.coalesce(func.sum(WageClaim.workers_paid), 0),
        )
        .where(WageClaim.status == "resolved")
        .where(WageClaim.resolved_at >= lo, WageClaim.resolved_at < hi)
    ).one()
    held = select(Event.id).where(
        Event.org_id.in_(within), Event.status.in_(EVENT_HELD), Event.starts_at >= lo, Event.starts_at < hi
    )
    return {
        "unions": db.session.scalar(
            select(func.count()).where(Org.id.in_(within), Org.level == OrgLevel.BASE)
        ),
        "members": sum(by_type.values()),
        "members_by_worker_type": by_type,
        "new_members": db.session.scalar(
            select(func.count()).where(
                Member.org_id.in_(within), Member.joined_at >= lo, Member.joined_at < hi
            )
        ),
        "aid_by_status": _by(
            _of_subtree(org, AidRequest, AidRequest.status, func.count())
            .where(AidRequest.submitted_at >= lo, AidRequest.submitted_at < hi)
            .group_by(AidRequest.status)
        ),
        "aid_age_buckets": ages,
        "wage_by_status": _by(
            _of_subtree(org, WageClaim, WageClaim.status, func.count())
            .where(WageClaim.submitted_at >= lo, WageClaim.submitted_at < hi)
            .group_by(WageClaim.status)
        ),
        "sla": _sla(org, lo, hi, now),
        "ratings": _ratings(within, lo, hi),
        "wages_recovered": Decimal(recovered).quantize(Decimal("0.01")),
        "workers_paid": int(paid),
        "consultations": db.session.scalar(
            select(func.count()).where(
                LegalBooking.org_id.in_(within),
                LegalBooking.status == "completed",
                LegalBooking.starts_at >= lo,
                LegalBooking.starts_at < hi,
            )
        ),
        "events": db.session.scalar(select(func.count()).select_from(held.subquery())),
        "event_participants": db.session.scalar(
            select(func.count()).where(EventSignup.event_id.in_(held), EventSignup.checked_in_at.is_not(None))
        ),
        "competition_entries": db.session.scalar(
            select(func.count()).where(
                CompetitionEntry.org_id.in_(within),
                CompetitionEntry.created_at >= lo,
                CompetitionEntry.created_at < hi,
            )
        ),
    }


def _month(column):
    """The Shanghai month of a UTC column as 'YYYY-MM', in the database's own dialect."""
    if db.engine.dialect.name in ("mysql", "mariadb"):
        return func.date_format(func.date_add(column, text("INTERVAL 8 HOUR")), "%Y-%m")
    return func.strftime("%Y-%m", column, "+8 hours")


def _months(start: date, end: date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@cached("monthly")
def monthly_series(*, org: Org, start: date, end: date) -> list[dict]:
    """One row per month of the range: new members, requests, claims, wages recovered, SLA rate,
    consultations, event participants and competition entries of the subtree."""
    lo, hi = _bounds(start, end)
    within = _subtree(org)
    now = utcnow()

    def per_month(model, column, *conditions, value=None) -> dict[str, object]:
        month = _month(column)
        stmt = (
            _of_subtree(org, model, month, value if value is not None else func.count())
            .where(column >= lo, column < hi, *conditions)
            .group_by(month)
        )
        return _by(stmt)

    # New members of a range: the (joined_at, org_id, status) index, in the range's order.
    new_members = _by(
        select(_month(Member.joined_at), func.count())
        .where(Member.joined_at >= lo, Member.joined_at < hi, Member.org_id.in_(within))
        .group_by(_month(Member.joined_at))
    )
    aid = per_month(AidRequest, AidRequest.submitted_at)
    wage = per_month(WageClaim, WageClaim.submitted_at)
    recovered = per_month(
        WageClaim,
        WageClaim.resolved_at,
        WageClaim.status == "resolved",
        value=func.coalesce(func.sum(WageClaim.amount_recovered), 0),
    )
    consultations = per_month(LegalBooking, LegalBooking.starts_at, LegalBooking.status == "completed")
    held = select(Event.id).where(Event.org_id.in_(within), Event.status.in_(EVENT_HELD))
    participants = _by(
        select(_month(Event.starts_at), func.count())
        .join(EventSignup, EventSignup.event_id == Event.id)
        .where(
            Event.id.in_(held),
            Event.starts_at >= lo,
            Event.starts_at < hi,
            EventSignup.checked_in_at.is_not(None),
        )
        .group_by(_month(Event.starts_at))
    )
    entries = per_month(CompetitionEntry, CompetitionEntry.created_at)
    sla_due: dict[str, int] = {}
    sla_met: dict[str, int] = {}
    for model, ref_type, kind in (
        (AidRequest, "aid_request", "aid.accepted_in_time"),
        (WageClaim, "wage", "wage.accepted_in_time"),
    ):
        f = ParticipationFact
        in_time = select(f.id).where(f.kind == kind, f.ref_type == ref_type, f.ref_id == model.id).exists()
        month = _month(model.submitted_at)
        for key, due, met in db.session.execute(
            _of_subtree(
                org, model, month, func.count(), func.coalesce(func.sum(case((in_time, 1), else_=0)), 0)
            )
            .where(
                model.submitted_at >= lo,
                model.submitted_at < hi,
                model.status != "withdrawn",
                (model.status != "submitted") | (model.due_at < now),
            )
            .group_by(month)
        ).all():
            sla_due[key] = sla_due.get(key, 0) + int(due)
            sla_met[key] = sla_met.get(key, 0) + int(met)
    return [
        {
            "month": key,
            "new_members": new_members.get(key, 0),
            "aid_requests": aid.get(key, 0),
            "wage_claims": wage.get(key, 0),
            "wages_recovered": Decimal(recovered.get(key, 0)).quantize(Decimal("0.01")),
            "sla_rate": round(sla_met[key] / sla_due[key], 4) if sla_due.get(key) else None,
            "consultations": consultations.get(key, 0),
            "event_participants": participants.get(key, 0),
            "competition_entries": entries.get(key, 0),
        }
        for key in _months(start, end)
    ]
