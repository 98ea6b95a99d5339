"""Statistics of a subtree on a small dataset whose figures are counted by hand."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from openpyxl import load_workbook

from backend.common.types import utcnow
from backend.extensions import db
from backend.participation.models import ParticipationFact
from backend.stats import service as stats
from backend.wages.models import WageClaim, WageCluster
from tests.assessment.conftest import add_aid_case, add_members
from tests.factories import auth

MARCH = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
_clusters = itertools.count(1)
JANUARY = datetime(2026, 1, 5, 4, 0, tzinfo=UTC)


def _claim(account_id: int, tree, org_id: int, status: str, submitted: datetime, recovered=None, paid=None):
    cluster = WageCluster(
        county_id=tree.county_a.id, employer_key=f"k{next(_clusters)}", employer="某建筑公司"
    )
    db.session.add(cluster)
    db.session.flush()
    claim = WageClaim(
        account_id=account_id,
        org_id=org_id,
        origin_org_id=org_id,
        status=status,
        employer="某建筑公司",
        project="城南工地",
        amount_owed=Decimal("50000.00"),
        workers_owed=5,
        owed_since=date(2025, 12, 1),
        contact_phone="13800001111",
        contact_phone_blind="blind",
        cluster_id=cluster.id,
        submitted_at=submitted,
        amount_recovered=recovered,
        workers_paid=paid,
        resolved_at=submitted + timedelta(days=5) if status == "resolved" else None,
        closed_at=submitted + timedelta(days=5) if status == "resolved" else None,
    )
    db.session.add(claim)
    db.session.flush()
    return claim


def _dataset(factory):
    """union_a1 (甲区): 3 regular members joined in March, 2 migrants in January; union_b1 (乙县): 1 courier.
    Help requests in a1, filed in March: one accepted in time, one accepted late, one still waiting past
    its deadline, one withdrawn, one waiting but not yet due. Wage claims in a1: two resolved in March
    (12,345.67 for 3 workers, 0.33 for 1), one mediating; one in b1 resolved (1,000.00 for 2)."""
    tree = factory.org_tree()
    a1 = add_members(tree.union_a1, 3, MARCH)
    add_members(tree.union_a1, 2, JANUARY, worker_type="migrant")
    b1 = add_members(tree.union_b1, 1, MARCH, worker_type="courier")
    future = utcnow() + timedelta(days=3)
    past = MARCH + timedelta(days=2)
    in_time = add_aid_case(a1[0], tree.union_a1.id, "accepted", MARCH, None)
    late = add_aid_case(a1[1], tree.union_a1.id, "verifying", MARCH, None)  # accepted, but late: no fact
    for case_, score in ((in_time, 5), (late, 4)):  # 会员评议 (rated in March)
        case_.rating, case_.rated_at = score, MARCH
    add_aid_case(a1[2], tree.union_a1.id, "submitted", MARCH, past)  # overdue
    add_aid_case(a1[2], tree.union_a1.id, "withdrawn", MARCH, None)
    add_aid_case(a1[0], tree.union_a1.id, "submitted", MARCH, future)  # not yet due
    db.session.add(
        ParticipationFact(
            org_id=tree.union_a1.id, kind="aid.accepted_in_time", occurred_at=MARCH, ref_type="aid_request",
            ref_id=in_time.id, dedupe_key=f"aid.accepted_in_time:aid_request:{in_time.id}:",
        )
    )  # fmt: skip
    from backend.members.models import Member

    account = db.session.get(Member, a1[0]).account_id
    _claim(account, tree, tree.union_a1.id, "resolved", MARCH, Decimal("12345.67"), 3)
    _claim(account, tree, tree.union_a1.id, "resolved", MARCH, Decimal("0.33"), 1)
    _claim(account, tree, tree.union_a1.id, "mediating", MARCH)
    _claim(
        db.session.get(Member, b1[0]).account_id,
        tree,
        tree.union_b1.id,
        "resolved",
        MARCH,
        Decimal("1000.00"),
        2,
    )
    db.session.commit()
    return tree


def test_the_figures_of_a_subtree_add_up(app, factory):
    tree = _dataset(factory)
    county_a = db.session.get(type(tree.county_a), tree.county_a.id)
    summary = stats.subtree_summary(org=county_a, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert summary["unions"] == 2  # a1 and a2
    assert summary["members"] == 5
    assert summary["members_by_worker_type"] == {"regular": 3, "migrant": 2}
    assert summary["new_members"] == 3  # the January members are outside the range
    assert summary["aid_by_status"] == {"accepted": 1, "verifying": 1, "submitted": 2, "withdrawn": 1}
    assert sum(summary["aid_age_buckets"].values()) == 4  # open: accepted, verifying, 2 submitted
    assert summary["wage_by_status"] == {"resolved": 2, "mediating": 1}
    # due: accepted in time, accepted late, overdue (aid) + 3 claims past 'submitted'; met: 1
    assert summary["sla"] == {
        "due": 6,
        "met": 1,
        "rate": round(1 / 6, 4),
        "by_kind": {
            "aid": {"due": 3, "met": 1, "rate": round(1 / 3, 4)},
            "wage": {"due": 3, "met": 0, "rate": 0.0},
        },
    }
    assert summary["ratings"] == {"count": 2, "average": Decimal("4.50"), "by_score": {4: 1, 5: 1}}
    assert summary["wages_recovered"] == Decimal("12346.00")
    assert summary["workers_paid"] == 4
    assert (summary["consultations"], summary["events"], summary["event_participants"]) == (0, 0, 0)
    assert summary["competition_entries"] == 0

    city = db.session.get(type(tree.city), tree.city.id)
    whole = stats.subtree_summary(org=city, start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert (whole["unions"], whole["members"], whole["new_members"]) == (3, 6, 6)
    assert whole["wages_recovered"] == Decimal("13346.00")

    series = stats.monthly_series(org=city, start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert [m["month"] for m in series] == ["2026-01", "2026-02", "2026-03"]
    assert [m["new_members"] for m in series] == [2, 0, 4]
    assert [m["aid_requests"] for m in series] == [0, 0, 5]
    assert [m["wage_claims"] for m in series] == [0, 0, 4]
    assert [m["wages_recovered"] for m in series] == [Decimal("0.00"), Decimal("0.00"), Decimal("13346.00")]
    assert [m["sla_rate"] for m in series] == [None, None, round(1 / 7, 4)]


def test_the_stats_endpoints_stay_in_the_subtree_and_export_readable_files(client, factory):
    tree = _dataset(factory)
    token = factory.staff_token("t_county_a")
    query = {"start": "2026-03-01", "end": "2026-03-31"}
    summary = client.get("/api/v1/staff/stats/summary", query_string=query, headers=auth(token))
    assert summary.status_code == 200, summary.json
    assert summary.json["wages_recovered"] == "12346.00" and summary.json["org_id"] == tree.county_a.id
    inside = client.get(
        "/api/v1/staff/stats/summary", query_string={**query, "org_id": tree.union_a1.id}, headers=auth(token)
    )
    assert inside.json["members"] == 5
    outside = client.get(
        "/api/v1/staff/stats/summary", query_string={**query, "org_id": tree.union_b1.id}, headers=auth(token)
    )
    assert outside.status_code == 404
    monthly = client.get("/api/v1/staff/stats/monthly", query_string=query, headers=auth(token))
    assert monthly.json[0]["month"] == "2026-03" and monthly.json[0]["wages_recovered"] == "12346.00"

    as_csv = client.get(
        "/api/v1/staff/stats/export", query_string={**query, "format": "csv"}, headers=auth(token)
    )
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert rows[0] == ["指标", "数值"]
    assert ["追回欠薪（元）", "12346.00"] in rows
    assert ["会员数", "5"] in rows
    labels = [row[0] for row in rows if row]
    assert "帮扶申请（待受理）" in labels and "欠薪求助（已解决）" in labels
    assert ["会员评议平均分", "4.50"] in rows
    assert not [label for label in labels if re.search(r"[A-Za-z_]{3,}", label)], labels  # no raw statuses

    as_xlsx = client.get("/api/v1/staff/stats/export", query_string=query, headers=auth(token))
    assert as_xlsx.status_code == 200
    book = load_workbook(io.BytesIO(as_xlsx.data))
    summary_sheet = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary_sheet["会员数"] == 5 and summary_sheet["新发展会员"] == 3
    assert Decimal(str(summary_sheet["追回欠薪（元）"])) == Decimal("12346.00")
    monthly_sheet = list(book["按月"].iter_rows(values_only=True))
    assert monthly_sheet[0][0] == "月份" and monthly_sheet[1][0] == "2026-03"


def test_bad_stats_input_gets_422_in_chinese(client, factory):
    factory.org_tree()
    token = factory.staff_token("t_city")
    cases = [
        ({"start": "2026-03-31", "end": "2026-03-01"}, "end", "结束日期不能早于开始日期"),
        ({"start": "2020-01-01", "end": "2026-03-01"}, "end", "统计区间不能超过三年"),
        ({"start": "2026-02-30"}, "start", "日期格式不正确，应为 YYYY-MM-DD"),
        ({"org_id": "abc"}, "org_id", "应为整数"),
    ]
    for query, field, message in cases:
        response = client.get("/api/v1/staff/stats/summary", query_string=query, headers=auth(token))
        assert response.status_code == 422, (query, response.json)
        assert response.json["errors"][field] == [message]
    bad_format = client.get("/api/v1/staff/stats/export", query_string={"format": "pdf"}, headers=auth(token))
    assert bad_format.status_code == 422 and bad_format.json["errors"]["format"] == ["取值应为：csv、xlsx"]
