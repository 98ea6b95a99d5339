"""A small city whose standings are worked out by hand, and helpers to build its facts directly."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select

from backend.aid.models import AidRequest
from backend.assessment.rubrics import load_rubric_dir
from backend.extensions import db, redis_client
from backend.jobs.queues import ASSESSMENT
from backend.members.models import Member
from backend.orgs import service as orgs
from backend.orgs.models import OrgCategory
from backend.participation import service as participation
from tests.factories import bulk_members

_keys = itertools.count(1)

# Thresholds chosen so every union of the test city lands on a boundary or clearly off it.
NON_PUBLIC = """
category: non_public
name: 测试非公企业考核细则
levels: [base]
periods: [month, quarter]
no_data: excluded
rigid:
  - key: new_members
    label: 新发展会员
    metric: new_members
    thresholds: {qualified: 1, good: 2, excellent: 3}
  - key: aid_sla
    label: 帮扶申请按时受理率
    metric: case_sla_rate
    params: {case: aid}
    thresholds: {qualified: 50, good: 80, excellent: 100}
flexible:
  - key: consultations
    label: 开展法律咨询
    metric: fact_count
    params: {kinds: [legal.consultation_held]}
    weight: 60
    full_at: 4
  - key: events
    label: 参加联谊活动
    metric: fact_count
    params: {kinds: [event.attended]}
    weight: 40
    full_at: 2
grades:
  leading: {min_score: 50}
  advanced: {min_score: 70}
  flagship: {min_score: 90, min_tier: excellent}
"""

COUNTY = """
category: county_federation
name: 测试县区总工会考核细则
levels: [county]
periods: [month]
no_data: excluded
rigid:
  - key: new_members
    label: 新发展会员
    metric: new_members
    thresholds: {qualified: 3, good: 5, excellent: 8}
flexible:
  - key: consultations
    label: 开展法律咨询
    metric: fact_count
    params: {kinds: [legal.consultation_held]}
    weight: 100
    full_at: 10
grades:
  leading: {min_score: 50}
  advanced: {min_score: 70}
  flagship: {min_score: 90, min_tier: excellent}
"""


@pytest.fixture
def test_rubrics(app, tmp_path: Path):
    """The app runs on the two test rubrics for the length of a test."""
    (tmp_path / "non_public.yaml").write_text(NON_PUBLIC, encoding="utf-8")
    (tmp_path / "county_federation.yaml").write_text(COUNTY, encoding="utf-8")
    shipped = app.extensions["zhigong.rubrics"]
    app.extensions["zhigong.rubrics"] = load_rubric_dir(tmp_path)
    yield app.extensions["zhigong.rubrics"]
    app.extensions["zhigong.rubrics"] = shipped


def add_facts(org_id: int, kind: str, at: datetime, count: int = 1) -> None:
    """Facts stored as the participation job stores them (and counted in their month's rollup)."""
    for _ in range(count):
        participation.store(
            {
                "kind": kind,
                "org_id": org_id,
                "ref_type": "test",
                "ref_id": next(_keys),
                "occurred_at": at.isoformat(),
            }
        )


def add_members(org, count: int, joined_at: datetime, worker_type: str = "regular") -> list[int]:
    if count == 0:
        return []
    people = [
        {
            "name": f"会员{i}",
            "gender": "male" if i % 2 else "female",
            "born": date(1990, 1, 1 + i % 28),
            "mobile": f"138{next(_keys):08d}",
            "worker_type": worker_type,
        }
        for i in range(count)
    ]
    ids = [m.member_id for m in bulk_members(org, people, openid_prefix=f"o_{org.id}_{next(_keys)}_")]
    for member in db.session.scalars(select(Member).where(Member.id.in_(ids))):
        member.joined_at = joined_at  # through the ORM, as the app changes members: the rollups follow
    db.session.commit()
    return ids


def add_aid_case(
    member_id: int, org_id: int, status: str, submitted: datetime, due: datetime | None
) -> AidRequest:
    from backend.members.models import Member

    member = db.session.get(Member, member_id)
    case = AidRequest(
        member_id=member_id,
        account_id=member.account_id,
        org_id=org_id,
        origin_org_id=org_id,
        status=status,
        category="living",
        worker_type="regular",
        household_size=3,
        monthly_income=Decimal("1200.00"),
        situation="家庭困难",
        amount_requested=Decimal("3000.00"),
        submitted_at=submitted,
        due_at=due,
    )
    db.session.add(case)
    db.session.flush()
    return case


MARCH = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
# 2026-03-01 00:00 in Shanghai is 2026-02-28 16:00 UTC: the first instant of the March period.
MARCH_FIRST_INSTANT = datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
FEBRUARY_LAST_SECOND = datetime(2026, 2, 28, 15, 59, 59, tzinfo=UTC)


class City:
    """Factory.org_tree plus three more non-public unions (n3, n5 under 甲区, n4 under 乙县)."""

    def __init__(self, tree):
        self.tree = tree
        self.n3 = orgs.add_child(parent=tree.town_a, name="甲区物业公司工会", category=OrgCategory.NON_PUBLIC)
        self.n5 = orgs.add_child(parent=tree.town_a, name="甲区快递网点工会", category=OrgCategory.NON_PUBLIC)
        self.n4 = orgs.add_child(parent=tree.town_b, name="乙县餐饮公司工会", category=OrgCategory.NON_PUBLIC)
        db.session.commit()
        db.session.expunge_all()


@pytest.fixture
def city(factory, test_rubrics) -> City:
    """March 2026, by hand (non_public rubric: new members ≥1/2/3; 60 points for 4 consultations,
    40 for 2 event attendances; levels at 50 / 70 / 90-and-优秀):

    union  new  consult  attended  tier          score            level
    a1      3     4        2       优秀 (3 ≥ 3)   60 + 40 = 100    旗帜型
    b1      2     2        1       良好 (2 ≥ 2)   30 + 20 = 50     领先 (50 ≥ 50)
    n4      2     2        1       良好           50               领先
    n3      2     3        0       良好           45               —
    n5      0     4        2       不合格 (0 < 1)  100              — (不合格 has no level)
    Ranking by tier, then score: a1 1; b1 2; n4 2; n3 4; n5 5.

    County rubric (new ≥3/5/8; 100 points at 10 consultations), over each county's subtree:
    甲区 new 3+2+0 (+1 in a2, a public institution) = 6 → 良好;
         consult 4+3+4 = 11 → 100 → 先进 (旗帜型 needs 优秀)
    乙县 new 2+2 = 4 → 合格; consult 2+2 = 4 → 40 → no level. Ranks 甲区 1, 乙县 2.
    """
    tree = factory.org_tree()
    c = City(tree)
    plan = {
        tree.union_a1: (3, 4, 2),
        tree.union_b1: (2, 2, 1),
        c.n4: (2, 2, 1),
        c.n3: (2, 3, 0),
        c.n5: (0, 4, 2),
    }
    for org, (new, consult, attended) in plan.items():
        add_members(org, new, MARCH)
        # n3's consultations all fall on the first instant of March: they count
        add_facts(org.id, "legal.consultation_held", MARCH_FIRST_INSTANT if org is c.n3 else MARCH, consult)
        add_facts(org.id, "event.attended", MARCH, attended)
    add_members(tree.union_a2, 1, MARCH)
    # On the period's edges: the first instant of March counts, the last second of February does not.
    add_facts(tree.union_a1.id, "legal.consultation_held", FEBRUARY_LAST_SECOND, 5)
    add_members(tree.union_b1, 4, FEBRUARY_LAST_SECOND)
    db.session.commit()
    return c


def drain_assessment_queue() -> None:
    """With Redis, run what the outbox put on the assessment queue in a real RQ worker; embedded mode
    ran it inline already."""
    redis = redis_client()
    if redis is None:
        return
    queue = Queue(ASSESSMENT, connection=redis)
    SimpleWorker([queue], connection=redis).work(burst=True)
