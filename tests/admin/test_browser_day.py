"""A staffer's day in a real browser (Debian's Chromium, 1366×768) over the demo city: the charts keep
their size, no page shows a raw identifier, the wage queue's key columns fit the screen, a final
decision asks first, and the audit log finds who revealed an ID number."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.admin.test_browser import browser, demo, log_in  # noqa: F401 (fixtures)
from tests.factories import application_payload, new_id_number

LAPTOP = {"width": 1366, "height": 768}
# Words a Chinese staffer reads as words: file formats and the QR code.
ALLOWED_ASCII = {"Excel", "CSV", "PDF", "KB", "QR"}
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_.]*[A-Za-z0-9]|[A-Za-z]")


def _page(chromium, base: str, username: str):
    context = chromium.new_context(viewport=LAPTOP, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, username)
    return context, page


def _frames(page, count: int) -> None:
    """Let the page draw ``count`` animation frames (waiting on the browser, not on a clock)."""
    page.evaluate(
        "(count) => new Promise((done) => { let n = 0;"
        " const f = () => (++n > count ? done() : requestAnimationFrame(f)); f(); })",
        count,
    )


def test_charts_keep_a_fixed_height(browser, demo, gunicorn_server):  # noqa: F811
    context, page = _page(browser, gunicorn_server, "demo_city")
    for path in ("/admin/", "/admin/stats"):
        page.goto(f"{gunicorn_server}{path}")
        canvas = page.locator('canvas[data-chart="new_members"]')
        expect(canvas).to_have_attribute("data-drawn", "true")
        first = canvas.bounding_box()["height"]
        tall = page.evaluate("document.documentElement.scrollHeight")
        # Chart.js resizes on animation frames and observer callbacks: give it many of them.
        _frames(page, 120)
        page.set_viewport_size({"width": 1365, "height": 768})  # a resize is what made them grow
        _frames(page, 60)
        page.set_viewport_size(LAPTOP)
        _frames(page, 60)
        second = canvas.bounding_box()["height"]
        assert 150 <= first <= 400, (path, first)
        assert second == first, (path, first, second)
        assert page.evaluate("document.documentElement.scrollHeight") <= tall + 2, path
    context.close()


def _visible_text(page) -> str:
    return page.evaluate("document.body.innerText")


def _raw_words(text: str, logins: set[str]) -> set[str]:
    """ASCII words outside numbers and dates, besides the allowed ones and staff log-in names."""
    return {w for w in IDENTIFIER.findall(text) if w not in ALLOWED_ASCII and w not in logins}


def test_no_panel_page_shows_a_raw_identifier(browser, demo, gunicorn_server):  # noqa: F811
    base = gunicorn_server
    logins = set(demo)  # the 用户名 column shows log-in names, which are ASCII by design
    for username in ("demo_city", "demo_county", "demo_union", "demo_lawyer"):
        if username not in demo:
            continue
        context, page = _page(browser, base, username)
        links = page.locator('nav[aria-label="主菜单"] a')
        paths = [links.nth(i).get_attribute("href") for i in range(links.count())]
        seen = []
        for path in paths:
            page.goto(f"{base}{path}")
            seen.append(path)
            raw = _raw_words(_visible_text(page), logins)
            assert not raw, (username, path, raw)
            case_link = page.locator("tbody a[href*='/admin/']").first
            if "/admin/" in path and page.locator("tbody a[href*='/admin/']").count():
                href = case_link.get_attribute("href")
                page.goto(f"{base}{href}")
                raw = _raw_words(_visible_text(page), logins)
                assert not raw, (username, href, raw)
        assert len(seen) >= 3, (username, seen)
        context.close()


def test_the_wage_queue_s_key_columns_fit_a_laptop_screen(browser, demo, gunicorn_server, fake_wechat):  # noqa: F811
    import requests

    api = f"{gunicorn_server}/api/v1"
    worker = requests.post(f"{api}/auth/wechat-login", json={"code": "fit-worker"}, timeout=30).json()
    for i in range(3):  # a cluster: the warning flag shows in every row
        filed = requests.post(
            f"{api}/wage-claims",
            json={
                "org_id": demo["demo_county"].org_id,
                "employer": "山西省临汾市尧都区恒达建筑劳务工程有限责任公司",
                "project": f"尧都区滨河花园三期{i}号楼工地",
                "amount_owed": "1234567.00",
                "workers_owed": 12,
                "owed_since": "2025-10-01",
                "contact_phone": f"1371234000{i}",
            },
            headers={"Authorization": f"Bearer {worker['access_token']}"},
            timeout=30,
        )
        assert filed.status_code == 201, filed.text
    context, page = _page(browser, gunicorn_server, "demo_county")
    page.goto(f"{gunicorn_server}/admin/wage/?all=1")
    expect(page.locator("tbody tr", has_text="劳动关系预警")).to_have_count(3)
    table = page.locator(".table-wrap").first
    overflow = table.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, overflow
    for label in ("优先级", "欠薪单位", "欠薪金额", "办理时限", "预警"):
        header = page.locator("thead th", has_text=label).first
        box = header.bounding_box()
        assert box is not None and box["x"] + box["width"] <= LAPTOP["width"], (label, box)
    page.screenshot(path="/tmp/i16_wage_queue.png")
    context.close()


def test_approving_asks_first_and_the_audit_log_finds_the_reveal(browser, demo, gunicorn_server, fake_wechat):  # noqa: F811
    import requests

    base = gunicorn_server
    api = f"{base}/api/v1"
    union = demo["demo_union"]
    worker = requests.post(f"{api}/auth/wechat-login", json={"code": "day-worker"}, timeout=30).json()
    applied = requests.post(
        f"{api}/membership/applications",
        json=application_payload(
            union.org_id,
            name="孙晓梅",
            gender="female",
            id_number=new_id_number("female"),
            mobile="13700003333",
        ),
        headers={"Authorization": f"Bearer {worker['access_token']}"},
        timeout=30,
    )
    assert applied.status_code == 201, applied.text
    application_id = applied.json()["id"]

    context, page = _page(browser, base, "demo_union")
    page.get_by_role("link", name="入会审核", exact=True).click()
    expect(page.locator("#queue-count")).to_contain_text("当前显示待办事项")
    expect(page.locator("tbody tr", has_text="孙晓梅").locator(".badge.todo")).to_have_text("待审核")
    page.locator("tbody tr", has_text="孙晓梅").get_by_role("link", name=f"#{application_id}").click()
    page.get_by_role("button", name=re.compile("查看完整")).click()
    expect(page.locator("#revealed")).to_contain_text("13700003333")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator('form[data-action="approve"] button').click()
    expect(page.locator("#case-status")).to_have_text("待审核")  # dismissed: nothing was sent
    assert asked and "通过" in asked[0]
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('form[data-action="approve"] button').click()
    expect(page.locator("#case-status")).to_have_text("已通过")
    context.close()

    context, page = _page(browser, base, "demo_county")
    page.get_by_role("link", name="审计日志", exact=True).click()
    page.locator("form.filters select[name=action]").select_option("pii.reveal")
    page.get_by_label("记录编号").fill(str(application_id))
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("#audit tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(union.name)
    expect(rows.first).to_contain_text("查看完整身份证号/电话")
    page.screenshot(path="/tmp/i16_audit.png")
    context.close()


def test_an_account_is_opened_for_a_union_chosen_by_name(browser, demo, gunicorn_server):  # noqa: F811
    context, page = _page(browser, gunicorn_server, "demo_city")
    page.goto(f"{gunicorn_server}/admin/people")
    county = demo["demo_county"].org
    picker = page.locator('input[data-org-picker="org_id"]')
    picker.fill(county.name[:3])
    option = page.locator("#org_id-choices option").first
    expect(option).to_have_attribute("value", re.compile(county.name[:3]))
    picker.fill(f"{county.name}（县区总工会）")
    expect(page.locator('input[type=hidden][name="org_id"]')).to_have_value(str(county.id))
    form = picker.locator("xpath=ancestor::form")
    form.locator('[name="username"]').fill("yaodu_clerk")
    form.locator('[name="name"]').fill("赵文静")
    form.locator('[name="role"]').select_option("county_admin")
    form.locator('[name="password"]').fill("clerk-pass-2026")
    form.get_by_role("button", name="开设").click()
    expect(page.locator(".flash.success")).to_contain_text("已开设账号 yaodu_clerk")
    context.close()
