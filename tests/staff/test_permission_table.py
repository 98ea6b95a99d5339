"""The role → permission table is the one truth: every staff API route and every panel page declares
what it needs from ``ROLE_PERMISSIONS``, and each role is refused (403) exactly where the table says.

The routes come from the app's URL map, not from a list written here, so a page added later is
covered (and one that declares nothing fails this test)."""

from __future__ import annotations

import itertools

from werkzeug.routing.converters import AnyConverter, NumberConverter

from backend.auth.service import STAFF, issue_tokens
from backend.staff import permissions as perm
from backend.staff.models import Role
from tests.factories import auth

ROLE_USERS = {
    Role.CITY_ADMIN: "t_city",
    Role.COUNTY_ADMIN: "t_county_a",
    Role.TOWN_ADMIN: "t_town_a",
    Role.UNION_ADMIN: "t_union_a1",
    Role.LAWYER: "t_lawyer",
}
PUBLIC = {"auth.StaffLogin", "admin.login", "admin.static"}
ABSENT_ID = 987654  # no such row: a permitted role gets a 404 or a 422, never a 403
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def staff_rules(app, prefix: str):
    """(rule, method, url, view_args) for every route under ``prefix``, one per ``any()`` choice."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix) or rule.endpoint in PUBLIC:
            continue
        choices = []
        for name, converter in rule._converters.items():
            if isinstance(converter, AnyConverter):
                choices.append([(name, item) for item in sorted(converter.items)])
            elif isinstance(converter, NumberConverter):
                choices.append([(name, ABSENT_ID)])
            else:
                choices.append([(name, "absent")])
        for combo in itertools.product(*choices):
            view_args = dict(combo)
            url = rule.build(view_args, append_unknown=False)[1]
            for method in sorted(set(METHODS) & rule.methods):
                yield rule, method, url, view_args


def expected_refusals(app, rules) -> tuple[list, list]:
    undeclared, cases = [], []
    for rule, method, url, view_args in rules:
        need = perm.declared_need(app.view_functions[rule.endpoint], method)
        if need is None:
            undeclared.append(f"{method} {rule.rule}")
            continue
        cases.append((method, url, view_args, need))
    return undeclared, cases


def test_every_staff_api_route_answers_each_role_as_the_table_says(app, client, factory):
    tree = factory.org_tree()
    undeclared, cases = expected_refusals(app, staff_rules(app, "/api/v1/staff"))
    assert not undeclared, f"staff routes that declare no permission: {undeclared}"
    assert len(cases) > 60
    mismatches = []
    for role, username in ROLE_USERS.items():
        staff_id = tree.staff[username].id
        for method, url, view_args, need in cases:
            token = issue_tokens(STAFF, staff_id).access_token
            body = {} if method in ("POST", "PUT", "PATCH") else None
            response = client.open(url, method=method, json=body, headers=auth(token))
            refused = response.status_code == 403
            if refused == perm.allows(role, need, view_args):
                mismatches.append((role, method, url, response.status_code))
    assert not mismatches, mismatches


def test_every_panel_page_answers_each_role_as_the_table_says(app, factory, panel):
    factory.org_tree()
    undeclared, cases = expected_refusals(app, staff_rules(app, "/admin"))
    assert not undeclared, f"panel pages that declare no permission: {undeclared}"
    assert len(cases) > 40
    mismatches = []
    for role, username in ROLE_USERS.items():
        browser = panel(username)
        for method, url, view_args, need in cases:
            if method == "GET":
                response = browser.get(url)
            else:
                response = browser.client.open(url, method=method, data={"csrf_token": browser.token})
            refused = response.status_code == 403
            if refused == perm.allows(role, need, view_args):
                mismatches.append((role, method, url, response.status_code))
            if browser.get("/admin/password").status_code != 200:  # a log-out page ended the session
                browser = panel(username)
    assert not mismatches, mismatches


def test_the_table_is_one_literal_map_of_every_role():
    assert set(perm.ROLE_PERMISSIONS) == set(Role)
    assert all(perm.can(role, perm.SIGNED_IN) for role in Role)
    lawyer = perm.ROLE_PERMISSIONS[Role.LAWYER]
    assert lawyer == {perm.SIGNED_IN, perm.CARD_VERIFY, perm.LEGAL_CONSULT}
