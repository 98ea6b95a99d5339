"""The demo seed (演示数据) and the benchmark city generator."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from backend.common.idcard import id_number_error
from backend.demo.generator import BENCH_CITY_NAME, generate_city
from backend.demo.tree import DEMO_CITY_NAME, DEMO_PASSWORD, DEMO_USERNAMES, seed_demo
from backend.extensions import db
from backend.members.cards import card_number_is_valid
from backend.members.models import Member, WorkerType
from backend.orgs.models import Org, OrgCategory, OrgLevel
from backend.staff.models import Role, Staff
from backend.staff.passwords import verify_password

BASE_CATEGORIES = {
    OrgCategory.PUBLIC_INSTITUTION,
    OrgCategory.STATE_COLLECTIVE,
    OrgCategory.NON_PUBLIC,
    OrgCategory.TOWNSHIP_STREET,
}


def _subtree(root_name: str) -> list[Org]:
    root = db.session.scalar(select(Org).where(Org.name == root_name, Org.parent_id.is_(None)))
    assert root is not None
    return list(db.session.scalars(select(Org).where(Org.path.startswith(root.path)).order_by(Org.id)))


def _assert_paths_follow_parents(orgs: list[Org]) -> None:
    by_id = {org.id: org for org in orgs}
    for org in orgs:
        if org.parent_id is None:
            assert org.path == f"/{org.id}/"
        else:
            assert org.path == f"{by_id[org.parent_id].path}{org.id}/"


def _seed() -> None:
    seed_demo(db.session)
    db.session.commit()


def test_demo_seed_builds_linfen_with_nineteen_counties_and_about_200_unions(app):
    summary = seed_demo(db.session)
    db.session.commit()

    levels = Counter(org.level for org in _subtree(DEMO_CITY_NAME))
    assert levels[OrgLevel.CITY] == 1
    assert levels[OrgLevel.COUNTY] == 19
    assert 38 <= levels[OrgLevel.TOWN] <= 57  # 2–3 townships or streets per county
    assert 180 <= levels[OrgLevel.BASE] <= 220
    assert summary.created
    assert (summary.counties, summary.towns, summary.unions) == (
        levels[OrgLevel.COUNTY],
        levels[OrgLevel.TOWN],
        levels[OrgLevel.BASE],
    )


def test_demo_paths_are_consistent_with_the_parent_chain(app):
    _seed()
    orgs = _subtree(DEMO_CITY_NAME)
    _assert_paths_follow_parents(orgs)
    by_id = {org.id: org for org in orgs}
    for org in orgs:
        if org.level == OrgLevel.BASE:
            assert by_id[org.parent_id].level == OrgLevel.TOWN


def test_every_county_has_two_or_three_townships_each_with_unions(app):
    _seed()
    orgs = _subtree(DEMO_CITY_NAME)
    children = Counter(org.parent_id for org in orgs)
    for org in orgs:
        if org.level == OrgLevel.COUNTY:
            assert org.name.endswith("总工会")
            assert org.category == OrgCategory.COUNTY_FEDERATION
            assert 2 <= children[org.id] <= 3
        if org.level == OrgLevel.TOWN:
            assert org.category == OrgCategory.TOWNSHIP_STREET
            assert children[org.id] >= 1


def test_every_base_union_has_one_of_the_four_base_categories_and_all_are_used(app):
    _seed()
    bases = [org for org in _subtree(DEMO_CITY_NAME) if org.level == OrgLevel.BASE]
    assert {org.category for org in bases} == BASE_CATEGORIES
    assert all(org.accepts_members for org in bases)
    assert len({org.name for org in bases}) == len(bases)


def test_the_five_demo_logins_exist_where_the_demo_says_and_accept_the_demo_password(app):
    summary = seed_demo(db.session)
    db.session.commit()

    rows = db.session.scalars(select(Staff).where(Staff.username.in_(DEMO_USERNAMES)))
    staff = {s.username: s for s in rows}
    assert set(staff) == {"demo_city", "demo_county", "demo_town", "demo_union", "demo_lawyer"}
    for login in staff.values():
        assert verify_password(login.password_hash, DEMO_PASSWORD)
        assert not verify_password(login.password_hash, "wrong-password")

    assert (staff["demo_city"].role, staff["demo_city"].org.name) == (Role.CITY_ADMIN, DEMO_CITY_NAME)
    assert (staff["demo_county"].role, staff["demo_county"].org.name) == (Role.COUNTY_ADMIN, "尧都区总工会")
    assert staff["demo_lawyer"].role == Role.LAWYER
    assert staff["demo_lawyer"].org_id == staff["demo_county"].org_id
    town = staff["demo_town"].org
    union = staff["demo_union"].org
    assert staff["demo_town"].role == Role.TOWN_ADMIN and town.level == OrgLevel.TOWN
    assert town.parent_id == staff["demo_county"].org_id
    assert staff["demo_union"].role == Role.UNION_ADMIN and union.level == OrgLevel.BASE
    assert union.parent_id == town.id
    assert [login.username for login in summary.logins] == list(DEMO_USERNAMES)


def test_running_the_demo_seed_twice_adds_nothing(app):
    _seed()
    orgs_before = db.session.scalar(select(func.count()).select_from(Org))
    staff_before = db.session.scalar(select(func.count()).select_from(Staff))

    again = seed_demo(db.session)
    db.session.commit()

    assert not again.created
    assert db.session.scalar(select(func.count()).select_from(Org)) == orgs_before
    assert db.session.scalar(select(func.count()).select_from(Staff)) == staff_before
    assert again.counties == 19 and len(again.logins) == 5


def test_generated_city_has_the_requested_shape_and_valid_members(app):
    counts = generate_city(db.session, unions=60, members=500, seed=3)

    orgs = _subtree(BENCH_CITY_NAME)
    levels = Counter(org.level for org in orgs)
    assert levels[OrgLevel.COUNTY] == 19
    assert levels[OrgLevel.BASE] == counts["unions"] == 60
    assert {org.category for org in orgs if org.level == OrgLevel.BASE} == BASE_CATEGORIES
    _assert_paths_follow_parents(orgs)

    base_ids = {org.id for org in orgs if org.level == OrgLevel.BASE}
    members = list(db.session.scalars(select(Member)))
    assert len(members) == counts["members"] == 500
    assert all(m.org_id in base_ids for m in members)
    assert all(id_number_error(m.id_number) is None for m in members)  # decrypted on load
    assert len({m.id_number for m in members}) == 500
    assert all(card_number_is_valid(m.card_no) for m in members)
    assert len({m.card_no for m in members}) == 500
    assert all(len(m.mobile) == 11 and m.mobile.startswith("1") for m in members)


def test_generated_members_are_about_30_percent_migrant_and_15_percent_eight_groups(app):
    generate_city(db.session, unions=60, members=2000, seed=5)

    types = Counter(db.session.scalars(select(Member.worker_type)))
    share = {t: n / 2000 for t, n in types.items()}
    eight_groups = 1 - share.get(WorkerType.REGULAR, 0) - share.get(WorkerType.MIGRANT, 0)
    assert 0.22 <= share[WorkerType.MIGRANT] <= 0.38
    assert 0.08 <= eight_groups <= 0.22


def test_the_generated_city_sits_beside_the_demo_and_cannot_be_generated_twice(app):
    _seed()
    generate_city(db.session, unions=20, members=50, seed=1)

    demo_ids = {org.id for org in _subtree(DEMO_CITY_NAME)}
    bench_ids = {org.id for org in _subtree(BENCH_CITY_NAME)}
    assert demo_ids and bench_ids and not demo_ids & bench_ids
    with pytest.raises(RuntimeError, match=BENCH_CITY_NAME):
        generate_city(db.session, unions=20, members=50, seed=1)
