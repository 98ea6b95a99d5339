"""The panel under its Content-Security-Policy in a real browser: no page needs an inline script,
and the behaviours that used to be inline handlers (select all, the suggested period) still work."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.admin.test_browser import PAGES, browser, demo, log_in  # noqa: F401 (fixtures)


def test_panel_pages_run_under_the_csp_without_a_violation(
    browser, demo, factory, gunicorn_server  # noqa: F811
):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, gunicorn_server, "demo_city")
    for path in (*PAGES, "/admin/aid/", "/admin/password"):
        response = page.goto(f"{gunicorn_server}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert response.headers["x-frame-options"] == "DENY"
    assert violations == []

    for code in ("csp-a", "csp-b"):
        applied = factory.apply(factory.worker_token(code), demo["demo_union"].org_id)
        assert applied.status_code == 201, applied.json
    page.goto(f"{gunicorn_server}/admin/membership/")
    boxes = page.locator("input[name=ids]")
    expect(boxes).to_have_count(2)
    page.get_by_label("全选").check()
    assert all(boxes.nth(i).is_checked() for i in range(2))
    page.goto(f"{gunicorn_server}/admin/assessments")
    page.get_by_label("考核周期").select_option("year")
    expect(page.get_by_label("期间")).to_have_value(
        page.locator('select[name="period_type"] option[value="year"]').get_attribute("data-fill")
    )
    context.close()
