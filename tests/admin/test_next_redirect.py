"""The panel's log-in redirect never carries a hostile ``next``."""

from __future__ import annotations


def test_a_next_with_cr_lf_after_log_in_goes_to_the_dashboard(factory, panel):
    factory.org_tree()
    browser = panel("t_county_a")
    response = browser.get("/admin/login?next=/admin/%0d%0aSet-Cookie:%20x=1")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith("/admin/") and "Set-Cookie" not in location
