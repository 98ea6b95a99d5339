"""考核 and 统计 in the panel: the hand-computed city of tests/assessment, seen through the pages."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from tests.assessment.conftest import drain_assessment_queue
from tests.assessment.test_runs import _results, _run


def start_march(browser) -> int:
    response = browser.post("/admin/assessments/runs", {"period_type": "month", "period": "2026-03"})
    assert response.status_code == 303, response.get_data(as_text=True)
    drain_assessment_queue()
    return int(re.search(r"/assessments/runs/(\d+)", response.headers["Location"]).group(1))


def result_rows(html: str) -> list[tuple[str, ...]]:
    """(category, rank, union, tier, level, score) of each row of the results table."""
    body = html.split('id="results"')[1].split("</table>")[0]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        rows.append(tuple(cells[:6]))
    return rows


def test_the_city_runs_march_and_sees_every_union_s_tier_level_and_rank(panel, city):
    browser = panel("t_city")
    run_id = start_march(browser)
    html = browser.text(f"/admin/assessments/runs/{run_id}?category=non_public")
    assert "已完成" in html
    assert result_rows(html) == [
        ("非公企业", "1 / 5", "甲区建筑公司工会", "优秀", "旗帜型", "100.00"),
        ("非公企业", "2 / 5", "乙县物流公司工会", "良好", "领先", "50.00"),
        ("非公企业", "2 / 5", "乙县餐饮公司工会", "良好", "领先", "50.00"),
        ("非公企业", "4 / 5", "甲区物业公司工会", "良好", "—", "45.00"),
        ("非公企业", "5 / 5", "甲区快递网点工会", "不合格", "—", "100.00"),
    ]
    runs = browser.text("/admin/assessments")
    assert f"/admin/assessments/runs/{run_id}" in runs


def test_a_breakdown_shows_why_a_union_stands_where_it_stands(panel, city):
    browser = panel("t_city")
    run_id = start_march(browser)
    html = browser.text(f"/admin/assessments/runs/{run_id}?q=快递")
    (link,) = re.findall(r'href="(/admin/assessments/results/\d+)"', html)
    detail = browser.text(link)
    rigid = detail.split('id="rigid"')[1].split("</table>")[0]
    assert "新发展会员" in rigid and "未达标" in rigid  # 0 new members: below 合格, so 不合格
    flexible = detail.split('id="flexible"')[1].split("</table>")[0]
    assert "开展法律咨询" in flexible and "60.00" in flexible
    assert "不合格" in detail and "未评级" in detail


def test_a_union_sees_only_itself_and_another_union_s_breakdown_is_404(panel, city):
    run_id = start_march(panel("t_city"))
    own = panel("t_union_a1")
    rows = result_rows(own.text(f"/admin/assessments/runs/{run_id}"))
    assert [r[2] for r in rows] == ["甲区建筑公司工会"]
    everyone = panel("t_city").text(f"/admin/assessments/runs/{run_id}?q=乙县物流公司")
    (other,) = re.findall(r'href="(/admin/assessments/results/\d+)"', everyone)
    assert own.get(other).status_code == 404
    assert "发起考核" not in own.text("/admin/assessments")
    refused = own.post("/admin/assessments/runs", {"period_type": "month", "period": "2026-03"})
    assert refused.status_code == 403


def test_a_bad_period_is_refused_with_a_message_and_nothing_runs(panel, city):
    browser = panel("t_city")
    response = browser.post(
        "/admin/assessments/runs", {"period_type": "month", "period": "2026-13"}, follow=True
    )
    assert response.status_code == 200
    assert "还没有考核记录" in response.get_data(as_text=True)
    assert re.search(r'class="flash error"[^>]*>[^<]+<', response.get_data(as_text=True))


def test_results_export_as_xlsx_and_csv_with_every_indicator(panel, city):
    browser = panel("t_county_a")
    run_id = start_march(panel("t_city"))
    xlsx = browser.get(f"/admin/assessments/runs/{run_id}/export.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    header, *rows = list(sheet.values)
    assert header[:7] == ("工会", "类别", "档次", "级别", "得分", "名次", "同类数")
    assert "开展法律咨询" in header
    assert {r[0] for r in rows} == {"甲区总工会", "甲区建筑公司工会", "甲区物业公司工会", "甲区快递网点工会"}
    score, consultations = header.index("得分"), header.index("开展法律咨询")
    for r in rows:  # numbers are number cells, so Excel can sum and sort them
        assert isinstance(r[score], int | float) and isinstance(r[consultations], int | float), r
    text = browser.get(f"/admin/assessments/runs/{run_id}/export.csv").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + len(rows)
    assert browser.get(f"/admin/assessments/runs/{run_id}/export.pdf").status_code == 404


def test_the_statistics_page_and_the_dashboard_show_the_subtree_s_figures(panel, city):
    browser = panel("t_county_a")
    html = browser.text("/admin/stats?start=2026-01-01&end=2026-12-31")
    figures = html.split('id="figures"')[1]
    assert (
        re.search(r"<div>会员</div><div class=\"n\">(\d+)</div>", figures).group(1) == "6"
    )  # a1 3, n3 2, a2 1
    assert 'data-chart="new_members"' in html and "2026-03" in html
    bad = browser.text("/admin/stats?start=2026-02-30")
    assert "开始日期格式应为" in bad
    exported = browser.get("/admin/stats/export.csv?start=2026-01-01&end=2026-12-31")
    assert exported.status_code == 200 and "会员" in exported.data.decode("utf-8-sig")
    dashboard = browser.text("/admin/")
    assert 'id="key-figures"' in dashboard and "vendor/chartjs/chart.umd.min.js" in dashboard
    other_county = browser.get(f"/admin/stats?org_id={city.tree.county_b.id}")
    assert other_county.status_code == 404


def test_the_panel_breakdown_says_no_data_instead_of_a_number(client, factory, city, panel):
    token = factory.staff_token("t_city")
    run = _run(client, token)
    row = next(r for r in _results(client, token, run["id"]) if r["org"]["id"] == city.tree.union_b1.id)
    page = panel("t_city").text(f"/admin/assessments/results/{row['id']}")
    line = page.split("帮扶申请按时受理率", 1)[1].split("</tr>", 1)[0]
    assert "无数据" in line and "不计入档次" in line and "优秀" not in line
