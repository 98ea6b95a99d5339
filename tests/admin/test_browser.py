"""The panel in a real browser: headless Chromium (Debian's) driven by Playwright, against gunicorn
with the demo city. A county union's staff member handles a migrant worker's wage claim from
submission to money recovered, approves a membership application, and the worker is told; a base
union cannot open another union's case; a form post without its CSRF token is refused; the pages fit
a laptop and a tablet screen."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select

from backend.demo.tree import DEMO_PASSWORD, seed_demo
from backend.extensions import db
from backend.orgs.models import Org, OrgLevel
from backend.staff.models import Staff
from tests.assessment.conftest import drain_assessment_queue
from tests.factories import application_payload, new_id_number

CHROMIUM = "/usr/bin/chromium"
PAGES = (
    "/admin/",
    "/admin/wage/",
    "/admin/membership/",
    "/admin/people",
    "/admin/announcements",
    "/admin/assessments",
    "/admin/stats",
)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def demo(app):
    seed_demo(db.session)
    db.session.commit()
    logins = {s.username: s for s in db.session.scalars(select(Staff).where(Staff.username.like("demo_%")))}
    return logins


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def act(page: Page, action: str, **fields: str) -> None:
    """Fill the action's own form on a case page and submit it."""
    form = page.locator(f'form[data-action="{action}"]')
    for name, value in fields.items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator('button[type="submit"]').click()


def report_wages(http, api: str, bearer: dict, **claim) -> dict:
    """A worker's wage claim from the mini-program, to be handled in the panel."""
    filed = http.post(f"{api}/wage-claims", json=claim, headers=bearer, timeout=30)
    assert filed.status_code == 201, filed.text
    return filed.json()


def test_county_staff_handle_a_wage_claim_and_a_membership_in_the_browser(
    browser, demo, gunicorn_server, settings, fake_wechat
):
    base = gunicorn_server
    api = f"{base}/api/v1"
    http = requests.Session()
    county, union = demo["demo_county"], demo["demo_union"]

    # A migrant worker reports unpaid wages to the county union from the mini-program …
    worker = http.post(f"{api}/auth/wechat-login", json={"code": "e2e-admin-worker"}, timeout=30).json()
    bearer = {"Authorization": f"Bearer {worker['access_token']}"}
    employer = f"临汾浏览器测试建筑有限公司{uuid.uuid4().hex[:4]}"
    claim_id = report_wages(
        http, api, bearer,
        org_id=county.org_id, employer=employer, project="尧都区滨河花园三期工地",
        amount_owed="36000.00", workers_owed=3, owed_since="2025-10-01", contact_phone="13712340001",
    )["id"]  # fmt: skip
    # … and applies to join the base union.
    applied = http.post(
        f"{api}/membership/applications",
        json=application_payload(
            union.org_id, name="赵春来", id_number=new_id_number(), mobile="13700001111"
        ),
        headers=bearer,
        timeout=30,
    )
    assert applied.status_code == 201, applied.text
    application_id = applied.json()["id"]

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # 通过 and other final decisions ask first
    log_in(page, base, "demo_county")

    # The wage queue: find the claim by its employer, open it.
    page.get_by_role("link", name="欠薪求助", exact=True).click()
    page.get_by_label("搜索").fill(employer)
    page.get_by_role("button", name="筛选").click()
    row = page.locator("tbody tr", has_text=employer)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("137****0001")
    row.get_by_role("link", name=f"#{claim_id}").click()
    expect(page.locator("#case-status")).to_have_text("待受理")

    act(page, "accept")
    expect(page.locator(".flash.success")).to_contain_text("已办理：受理")
    act(page, "mediate", note="约用人单位周三到县总工会调解")
    expect(page.locator("#case-status")).to_have_text("调解中")
    act(page, "resolve", amount_recovered="36000.00", workers_paid="3")
    expect(page.locator("#case-status")).to_have_text("已解决")
    timeline = page.locator(".timeline")
    for line in ("受理", "开始调解", "约用人单位周三到县总工会调解", "追回金额：36,000.00 元，3 人"):
        expect(timeline).to_contain_text(line)
    expect(page.locator("form[data-action]")).to_have_count(0)

    # The membership application: approve it.
    page.goto(f"{base}/admin/membership/?q=赵春来")
    page.locator("tbody tr", has_text="赵春来").get_by_role("link", name=f"#{application_id}").click()
    expect(page.locator("body")).not_to_contain_text("13700001111")
    act(page, "approve")
    expect(page.locator("#case-status")).to_have_text("已通过")

    # A form post without the CSRF token is refused, even with a live session.
    forged = page.request.post(f"{base}/admin/wage/{claim_id}/act", form={"action": "close", "note": "x"})
    assert forged.status == 400
    forged_login = page.request.post(
        f"{base}/admin/login", form={"username": "demo_county", "password": DEMO_PASSWORD}
    )
    assert forged_login.status == 400

    # The worker is told: both changes are in their inbox.
    inbox = http.get(f"{api}/notifications", headers=bearer, params={"page_size": 50}, timeout=30).json()
    kinds = [n["kind"] for n in inbox]
    assert "wage.resolved" in kinds and "membership.approved" in kinds, kinds
    assert "13712340001" not in page.content()
    context.close()

    # A base union's staff member cannot open another union's case, even by typing its URL.
    other_union = db.session.scalars(
        select(Org).where(Org.level == OrgLevel.BASE, Org.id != union.org_id).order_by(Org.id).limit(1)
    ).one()
    other_worker = http.post(f"{api}/auth/wechat-login", json={"code": "e2e-other"}, timeout=30).json()
    elsewhere = http.post(
        f"{api}/membership/applications",
        json=application_payload(
            other_union.id, name="钱秋生", id_number=new_id_number(), mobile="13700002222"
        ),
        headers={"Authorization": f"Bearer {other_worker['access_token']}"},
        timeout=30,
    )
    assert elsewhere.status_code == 201, elsewhere.text
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "demo_union")
    response = page.goto(f"{base}/admin/membership/{elsewhere.json()['id']}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="未找到")).to_be_visible()
    page.goto(f"{base}/admin/membership/")
    expect(page.locator("tbody")).not_to_contain_text("钱秋生")
    context.close()


def test_the_city_runs_an_assessment_and_opens_a_union_s_breakdown(browser, demo, gunicorn_server):
    base = gunicorn_server
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "demo_city")
    # The dashboard's charts are drawn by the vendored Chart.js: the panel needs no internet.
    expect(page.locator('canvas[data-chart="new_members"]')).to_have_attribute("data-drawn", "true")

    page.get_by_role("link", name="工会考核").click()
    page.get_by_label("考核周期").select_option("quarter")
    page.get_by_label("期间").fill("2026-Q3")
    page.get_by_role("button", name="发起考核").click()
    expect(page.locator(".flash.success")).to_contain_text("已发起 2026-Q3 考核")
    drain_assessment_queue()  # with Redis the run waits for a worker; embedded, it has already run
    page.reload()
    expect(page.locator("#run-status")).to_have_text("已完成")
    page.get_by_label("类别").select_option("non_public")
    page.get_by_role("button", name="筛选").click()
    first = page.locator("#results tbody tr").first
    expect(first).to_contain_text("非公企业")
    union_name = first.locator("td").nth(2).inner_text()
    first.get_by_role("link", name="指标明细").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(union_name)
    expect(page.locator("#standing")).to_contain_text("同类名次")
    expect(page.locator("#rigid tbody tr")).not_to_have_count(0)
    expect(page.locator("#flexible tbody tr")).not_to_have_count(0)
    context.close()


def test_pages_fit_a_laptop_and_a_tablet_without_sideways_scrolling(browser, demo, gunicorn_server):
    for width, height in ((1366, 768), (768, 1024)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        log_in(page, gunicorn_server, "demo_county")
        for path in PAGES:
            page.goto(f"{gunicorn_server}{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (path, width, overflow)
        nav = page.get_by_role("navigation", name="主菜单")
        expect(nav).to_be_visible()
        box = nav.bounding_box()
        assert box["x"] + box["width"] <= width
        assert re.search("欠薪求助", nav.inner_text())
        context.close()


def test_county_staff_filter_the_wage_queue_by_who_handles_it(browser, demo, gunicorn_server, tmp_path):
    base = gunicorn_server
    api = f"{base}/api/v1"
    http = requests.Session()
    county = demo["demo_county"]
    worker = http.post(f"{api}/auth/wechat-login", json={"code": "e2e-assignee-worker"}, timeout=30).json()
    bearer = {"Authorization": f"Bearer {worker['access_token']}"}
    tag = uuid.uuid4().hex[:4]
    employers = [f"临汾承办筛选测试{tag}甲公司", f"临汾承办筛选测试{tag}乙公司"]
    for employer in employers:
        report_wages(
            http, api, bearer,
            org_id=county.org_id, employer=employer, project="尧都区滨河花园工地",
            amount_owed="12000.00", workers_owed=2, owed_since="2025-11-01", contact_phone="13712340002",
        )  # fmt: skip

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "demo_county")
    page.get_by_role("link", name="欠薪求助", exact=True).click()

    # Accepting the first claim makes it the county staffer's own (件件有落实) …
    page.get_by_label("搜索").fill(employers[0])
    page.get_by_role("button", name="筛选").click()
    page.locator("tbody tr", has_text=employers[0]).get_by_role("link").first.click()
    act(page, "accept")
    expect(page.locator("#case-status")).to_have_text("已受理")

    # … so among this test's claims of every status, 我经办的 shows it and 未分派 the other.
    page.get_by_role("link", name="欠薪求助", exact=True).click()
    mine, other = employers
    for choice, value, shown, hidden in (("我经办的", "mine", mine, other), ("未分派", "none", other, mine)):
        filters = page.locator("form.filters").first
        filters.get_by_label("状态").select_option(label="全部")
        filters.get_by_label("承办人").select_option(label=choice)
        filters.get_by_label("搜索").fill(f"承办筛选测试{tag}")
        filters.get_by_role("button", name="筛选").click()
        expect(page.locator("tbody tr", has_text=shown)).to_have_count(1)
        expect(page.locator("tbody tr", has_text=hidden)).to_have_count(0)
        expect(page.locator("form.filters").first.get_by_label("承办人")).to_have_value(value)
    page.screenshot(path=str(tmp_path / "wage_queue_by_assignee.png"), full_page=False)
    context.close()
