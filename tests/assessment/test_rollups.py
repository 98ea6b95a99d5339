"""Per-org, per-month rollups: an assessment read from them equals one read from the facts and the
members themselves — every indicator of every org, for months, quarters and years — however often a
fact is delivered, and whatever changes members go through; concurrent facts are all counted."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.assessment import engine
from backend.assessment.metrics import METRICS, ROLLUPS, SCAN, Window
from backend.assessment.periods import local_midnight_utc, parse_period
from backend.assessment.rubrics import load_rubric_dir
from backend.common import unit_of_work
from backend.extensions import db
from backend.jobs.outbox import run_outbox_message
from backend.members.models import Member
from backend.outbox import service as outbox
from backend.participation import rollups
from backend.participation import service as participation
from backend.participation.models import MemberRollup, ParticipationFact, ParticipationRollup
from tests.assessment.conftest import City, add_members

KINDS = ("legal.consultation_held", "event.attended", "competition.entered", "member.joined")

# Every metric computed from facts or members, at base and county level, for every period type.
RUBRIC = """
category: {category}
name: 汇总核对细则
levels: [{level}]
periods: [month, quarter, year]
no_data: excluded
rigid:
  - key: new_members
    label: 新发展会员
    metric: new_members
    per_month: true
    thresholds: {{qualified: 1, good: 2, excellent: 3}}
  - key: growth
    label: 会员增长率
    metric: member_growth_rate
    thresholds: {{qualified: 5, good: 20, excellent: 50}}
  - key: members
    label: 会员人数
    metric: members
    thresholds: {{qualified: 2, good: 5, excellent: 9}}
flexible:
  - key: consultations
    label: 开展法律咨询
    metric: fact_count
    params: {{kinds: [legal.consultation_held]}}
    per_month: true
    weight: 30
    full_at: 2
  - key: per_100
    label: 每百名会员参与
    metric: facts_per_100_members
    params: {{kinds: [event.attended, competition.entered]}}
    weight: 40
    full_at: 150
  - key: ratio
    label: 参赛与参会之比
    metric: fact_ratio
    params: {{numerator: [competition.entered], denominator: [event.attended]}}
    weight: 30
    full_at: 100
grades:
  leading: {{min_score: 30}}
  advanced: {{min_score: 60}}
  flagship: {{min_score: 90, min_tier: excellent}}
"""

PERIODS = [
    ("month", "2026-01"),
    ("month", "2026-03"),
    ("month", "2026-12"),
    ("quarter", "2026-Q1"),
    ("quarter", "2026-Q4"),
    ("year", "2026"),
    ("year", "2025"),
]


@pytest.fixture
def summing_rubrics(app, tmp_path: Path):
    for category, level in (
        ("non_public", "base"),
        ("public_institution", "base"),
        ("county_federation", "county"),
    ):
        (tmp_path / f"{category}.yaml").write_text(
            RUBRIC.format(category=category, level=level), encoding="utf-8"
        )
    shipped = app.extensions["zhigong.rubrics"]
    app.extensions["zhigong.rubrics"] = load_rubric_dir(tmp_path)
    yield app.extensions["zhigong.rubrics"]
    app.extensions["zhigong.rubrics"] = shipped


def _month_edges() -> list[datetime]:
    """For every month from Nov 2025 to Jan 2027, its first instant and the second before it."""
    edges = []
    for year, month in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 13)] + [(2027, 1)]:
        start = local_midnight_utc(datetime(year, month, 1).date())
        edges += [start, start - timedelta(seconds=1)]
    return edges


def _payloads(unions: list[int], rng: random.Random, count: int) -> list[dict]:
    edges = _month_edges()
    low = datetime(2025, 11, 1, tzinfo=UTC)
    out = []
    for n in range(count):
        at = rng.choice(edges) if n % 4 == 0 else low + timedelta(seconds=rng.randrange(0, 440 * 86400))
        out.append(
            {
                "kind": rng.choice(KINDS),
                "org_id": rng.choice(unions),
                "member_id": None,
                "ref_type": "rollup_test",
                "ref_id": n,
                "occurred_at": at.isoformat(),
            }
        )
    return out


def _standings(rubrics, period_type: str, label: str, source: str) -> dict[int, tuple]:
    return {
        s.org_id: (s.tier, s.grade, s.score, s.rank, s.position, s.peers, s.indicators)
        for s in engine.compute(rubrics, parse_period(period_type, label), source=source)
    }


def _rollup_rows() -> tuple[set, set]:
    facts = set(db.session.execute(select(ParticipationRollup.__table__)).all())
    members = set(db.session.execute(select(MemberRollup.__table__)).all())
    return {r for r in facts if r.facts}, {r for r in members if r.joined or r.active}


@pytest.fixture
def busy_city(factory, summing_rubrics):
    """The test city with members joining over 15 months, transfers and erasures among them, and
    1,200 facts (a quarter of them on month edges), a third delivered twice, some three times."""
    rng = random.Random(18)
    city = City(factory.org_tree())
    tree = city.tree
    unions = [tree.union_a1, tree.union_a2, tree.union_b1, city.n3, city.n4, city.n5]
    edges = _month_edges()
    members: list[int] = []
    for i, org in enumerate(unions * 5):
        joined = (
            edges[i % len(edges)]
            if i % 3 == 0
            else datetime(2025, 11, 3, tzinfo=UTC) + timedelta(days=13 * i)
        )
        members += add_members(org, 1 + i % 3, joined)
    # A transfer to another union, an erasure, and a member who joined in another month after all.
    moved, erased, redated = (db.session.get(Member, members[k]) for k in (3, 7, 11))
    moved.org_id = city.n4.id
    erased.status = "erased"
    db.session.commit()
    redated.joined_at = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)  # set on an expired object
    db.session.commit()

    payloads = _payloads([u.id for u in unions], rng, 1200)
    for n, payload in enumerate(payloads):
        participation.store(payload)
        if n % 3 == 0:
            participation.store(dict(payload))  # the job delivered again
        if n % 10 == 0:
            participation.store(dict(payload))
    db.session.commit()
    # Through the outbox as well: a row run twice (a worker re-delivering it) counts once.
    message = outbox.emit(participation.RECORD, {**payloads[0], "ref_id": 99_999})
    db.session.commit()
    for _ in range(2):
        db.session.remove()
        run_outbox_message(message.id)
    db.session.remove()
    return city, len(payloads) + 1


def test_rollups_and_a_full_rescan_give_identical_standings(busy_city, summing_rubrics):
    _city, distinct = busy_city
    assert db.session.scalar(select(func.count()).select_from(ParticipationFact)) == distinct
    assert db.session.scalar(select(func.sum(ParticipationRollup.facts))) == distinct
    for period_type, label in PERIODS:
        from_rollups = _standings(summing_rubrics, period_type, label, ROLLUPS)
        assert from_rollups, (period_type, label)
        assert from_rollups == _standings(summing_rubrics, period_type, label, SCAN), (period_type, label)


def test_every_metric_from_rollups_equals_the_scan_for_every_org(busy_city):
    kinds = {"kinds": list(KINDS[:2]), "numerator": [KINDS[2]], "denominator": [KINDS[0]]}
    for period_type, label in PERIODS:
        period = parse_period(period_type, label)
        for name, metric in METRICS.items():
            if any(p.kind == "choice" for p in metric.params.values()):
                continue  # case_sla_rate reads the cases themselves, not facts or members
            params = {key: kinds[key] for key in metric.params}
            windows = [Window(period.start_utc, period.end_utc, source) for source in (ROLLUPS, SCAN)]
            for window in windows:
                window.want_kinds([k for value in params.values() for k in value])
            results = [metric.compute(window, params) for window in windows]
            assert results[0] == results[1], (name, label)


def test_a_rebuild_from_the_rows_gives_the_rollups_the_job_kept(busy_city):
    kept = _rollup_rows()
    assert kept[0] and kept[1]
    counts = rollups.rebuild(checkpoint=db.session.commit)
    assert _rollup_rows() == kept
    assert counts == {"participation_rollups": len(kept[0]), "member_rollups": len(kept[1])}


def test_a_delivered_fact_is_counted_in_its_shanghai_month(factory):
    tree = factory.org_tree()
    march_first = local_midnight_utc(datetime(2026, 3, 1).date())  # 2026-02-28 16:00 UTC
    for n, at in enumerate((march_first, march_first - timedelta(seconds=1), march_first)):
        stored = participation.store(
            {
                "kind": "event.attended",
                "org_id": tree.union_a1.id,
                "ref_type": "t",
                "ref_id": n % 2,
                "occurred_at": at.isoformat(),
            }
        )
        assert stored is (n < 2)  # the third is the first one delivered again
    db.session.commit()
    rows = db.session.execute(select(ParticipationRollup.month, ParticipationRollup.facts)).all()
    assert sorted(rows) == [(202602, 1), (202603, 1)]


def test_concurrent_facts_for_one_org_and_month_are_counted_exactly(app, factory):
    """24 outbox rows for one union's March, each run by two workers at the same moment (48 threads):
    24 facts stored, the month's rollup says 24."""
    tree = factory.org_tree()
    at = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    ids = []
    for n in range(24):
        message = outbox.emit(
            participation.RECORD,
            {
                "kind": "event.attended",
                "org_id": tree.union_a1.id,
                "member_id": None,
                "ref_type": "race",
                "ref_id": n,
                "occurred_at": at.isoformat(),
            },
        )
        ids.append(message)
    db.session.commit()
    ids = [m.id for m in ids]
    db.session.remove()
    barrier = threading.Barrier(2 * len(ids))
    errors: list[BaseException] = []

    def deliver(message_id: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                run_outbox_message(message_id)
            except BaseException as exc:  # reported below; a thread's exception is otherwise lost
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=deliver, args=(i,)) for i in ids + ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    facts = db.session.scalar(
        select(func.count()).select_from(ParticipationFact).where(ParticipationFact.ref_type == "race")
    )
    assert facts == 24
    assert db.session.execute(select(ParticipationRollup.month, ParticipationRollup.facts)).all() == [
        (202603, 24)
    ]


def test_unit_of_work_rolls_back_the_count_with_the_fact(factory):
    tree = factory.org_tree()
    payload = {
        "kind": "event.attended",
        "org_id": tree.union_a1.id,
        "ref_type": "t",
        "ref_id": 1,
        "occurred_at": datetime(2026, 5, 5, tzinfo=UTC).isoformat(),
    }

    class Refused(Exception):
        pass

    def store_and_fail() -> None:
        participation.store(payload)
        raise Refused

    with pytest.raises(Refused):
        unit_of_work.run(store_and_fail)
    assert db.session.scalar(select(func.count()).select_from(ParticipationRollup)) == 0
    assert participation.store(payload) is True
    db.session.commit()
    assert db.session.execute(select(ParticipationRollup.facts)).scalars().all() == [1]
