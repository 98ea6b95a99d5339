"""The SLA indicator at its boundary, the scheduled runs, and the period arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from backend.assessment.models import AssessmentRun
from backend.assessment.periods import PeriodError, last_completed, parse_period
from backend.extensions import db
from backend.jobs.assessment import run_scheduled_assessments
from backend.members.models import Member
from backend.participation.models import ParticipationFact
from tests.assessment.conftest import MARCH, add_aid_case, drain_assessment_queue
from tests.assessment.test_runs import _run, _standings


def test_an_sla_rate_exactly_at_the_qualified_threshold_is_qualified(client, factory, city):
    """n3 files two help requests in March: one accepted in time (a fact), one accepted late.
    1 of 2 = 50.00 %, exactly the 合格 threshold (50) but below 良好 (80): n3 drops from 良好 to 合格.
    A third request still waiting, not yet due, is not counted; a withdrawn one neither."""
    member_id = db.session.scalar(select(Member.id).where(Member.org_id == city.n3.id).limit(1))
    on_time = add_aid_case(member_id, city.n3.id, "accepted", MARCH, None)
    add_aid_case(member_id, city.n3.id, "verifying", MARCH, None)
    add_aid_case(member_id, city.n3.id, "submitted", MARCH, datetime.now(UTC) + timedelta(days=2))
    add_aid_case(member_id, city.n3.id, "withdrawn", MARCH, None)
    db.session.add(
        ParticipationFact(
            org_id=city.n3.id, kind="aid.accepted_in_time", occurred_at=MARCH, ref_type="aid_request",
            ref_id=on_time.id, dedupe_key=f"aid.accepted_in_time:aid_request:{on_time.id}:",
        )
    )  # fmt: skip
    db.session.commit()
    token = factory.staff_token("t_city")
    run = _run(client, token)
    standings = _standings(client, token, run["id"])
    assert standings["甲区物业公司工会"] == ("qualified", None, "45.00", 4, 4, 5)
    assert standings["乙县餐饮公司工会"] == ("good", "leading", "50.00", 2, 3, 5)


def test_the_schedule_runs_each_last_completed_period_once(app, factory, city):
    now = datetime(2026, 4, 2, 1, 0, tzinfo=UTC)  # 09:00 on 2 April in Shanghai
    started = run_scheduled_assessments(now)
    drain_assessment_queue()
    runs = db.session.scalars(select(AssessmentRun).order_by(AssessmentRun.id)).all()
    assert [(r.period_type, r.period, r.trigger, r.status) for r in runs] == [
        ("month", "2026-03", "scheduled", "done"),
        ("quarter", "2026-Q1", "scheduled", "done"),
        ("year", "2025", "scheduled", "done"),
    ]
    assert [r.id for r in runs] == started
    assert runs[0].orgs_assessed == 7 and runs[2].orgs_assessed == 0  # the test rubrics have no year
    assert run_scheduled_assessments(now) == []  # done already under the same rubrics


@pytest.mark.parametrize(
    ("period_type", "label", "first", "end"),
    [
        ("month", "2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        ("quarter", "2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
        ("year", "2026", date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_periods_are_shanghai_calendar_periods(period_type, label, first, end):
    period = parse_period(period_type, label)
    assert (period.first_day, period.end_day) == (first, end)
    assert period.start_utc == datetime.combine(first, datetime.min.time(), tzinfo=UTC) - timedelta(hours=8)


def test_the_last_completed_periods_roll_over_the_year():
    today = date(2026, 1, 15)
    assert last_completed("month", today).label == "2025-12"
    assert last_completed("quarter", today).label == "2025-Q4"
    assert last_completed("year", today).label == "2025"
    with pytest.raises(PeriodError):
        parse_period("quarter", "2026-Q5")
