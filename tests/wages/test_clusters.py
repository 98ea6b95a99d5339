"""Claims against one employer in one county form one cluster (欠薪线索聚类); a cluster that reaches
the configured size raises one early warning (劳动关系预警) to the county union."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from backend.cases.models import StaffAlert
from backend.common.types import utcnow
from backend.extensions import db
from backend.wages import clusters
from backend.wages.clusters import normalise_employer
from backend.wages.models import WageClaim, WageCluster
from backend.wages.rules import load_rules
from tests.factories import auth
from tests.wages import claim_payload, filed, queue

RULES = load_rules()  # the shipped config/wages.yaml: warning at 3 claims or 10 workers

SPELLINGS = [
    "临汾恒达建筑有限公司",
    "临汾恒达建筑有限责任公司",
    "临汾 恒达 建筑 公司",
    "临汾恒达建筑（有限公司）",
    "临汾恒达建筑有限公司第三项目部",
    "临汾恒达建筑有限公司太原分公司",
    "临汾恒达建筑股份有限公司",
    "「临汾恒达建筑」有限公司。",
    "临汾恒达建筑项目部",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_ways_workers_write_one_employer_normalise_to_one_key(spelling):
    assert normalise_employer(spelling, RULES) == "临汾恒达建筑"


def test_full_width_letters_and_digits_and_case_do_not_matter():
    assert normalise_employer("ＡＢＣ建设１号有限公司", RULES) == normalise_employer("abc建设1号公司", RULES)
    assert normalise_employer("张三劳务队", RULES) == "张三"
    assert normalise_employer("张三第二施工队", RULES) == "张三"


def test_different_employers_stay_apart():
    keys = {
        normalise_employer(name, RULES)
        for name in ("临汾恒达建筑有限公司", "临汾恒通建筑有限公司", "恒达物流")
    }
    assert len(keys) == 3
    assert normalise_employer("有限公司", RULES) == "有限公司"  # nothing left to cut: keep the name


def _alerts() -> list[StaffAlert]:
    return list(db.session.scalars(select(StaffAlert).order_by(StaffAlert.id)))


def test_claims_against_one_employer_in_one_county_join_one_cluster(factory, client):
    tree = factory.org_tree()
    worker = factory.worker_token("w")
    first = filed(client, worker, tree.town_a.id, employer="临汾恒达建筑有限公司", workers_owed=2)
    county_level = filed(client, worker, tree.county_a.id, employer="临汾恒达建筑有限责任公司")
    elsewhere = filed(client, worker, tree.town_b.id, employer="临汾恒达建筑有限公司")
    claims = {c.id: c for c in db.session.scalars(select(WageClaim))}
    assert claims[first].cluster_id == claims[county_level].cluster_id != claims[elsewhere].cluster_id
    here = db.session.get(WageCluster, claims[first].cluster_id)
    assert (here.county_id, here.claim_count, here.workers_total) == (tree.county_a.id, 2, 3)
    assert here.employer == "临汾恒达建筑有限公司" and here.amount_total == 2 * 12800
    assert db.session.get(WageCluster, claims[elsewhere].cluster_id).county_id == tree.county_b.id


def test_the_third_claim_raises_one_warning_and_later_claims_no_second(factory, client):
    tree = factory.org_tree()
    worker = factory.worker_token("w")
    spellings = iter(SPELLINGS)
    ids = [filed(client, worker, tree.town_a.id, employer=next(spellings)) for _ in range(2)]
    assert _alerts() == []
    assert not any(c.warning for c in db.session.scalars(select(WageClaim)))

    ids.append(filed(client, worker, tree.town_a.id, employer=next(spellings)))  # exactly at 3
    (alert,) = _alerts()
    assert (alert.org_id, alert.kind, alert.case_type, alert.case_id) == (
        tree.county_a.id,
        "wage.cluster_warning",
        "wage",
        ids[2],
    )
    assert alert.title == "劳动关系预警：临汾恒达建筑有限公司" and "3 件" in alert.body
    db.session.expire_all()
    assert all(db.session.get(WageClaim, i).warning for i in ids)

    ids.append(filed(client, worker, tree.county_a.id, employer=next(spellings)))
    ids.append(filed(client, worker, tree.town_a.id, employer=next(spellings)))
    assert len(_alerts()) == 1
    cluster = db.session.scalars(select(WageCluster)).one()
    assert cluster.claim_count == 5 and cluster.warned_at is not None
    assert all(c.warning for c in db.session.scalars(select(WageClaim)))

    # what the county's staff see: the alert, the flagged queue, the cluster
    staff = factory.staff_token("t_county_a")
    alerts = client.get("/api/v1/staff/alerts", headers=auth(staff)).json
    assert [a["kind"] for a in alerts] == ["wage.cluster_warning"]
    flagged = queue(client, staff, warning="true")
    assert sorted(c["id"] for c in flagged.json) == sorted(ids)
    assert all(c["warning"] and c["cluster_id"] == cluster.id for c in flagged.json)
    assert queue(client, staff, warning="false").json == []
    clusters = client.get("/api/v1/staff/wage-clusters", headers=auth(staff)).json
    assert [(c["id"], c["warning"], c["claim_count"], c["amount_total"]) for c in clusters] == [
        (cluster.id, True, 5, "64000.00")
    ]
    members = client.get(f"/api/v1/staff/wage-clusters/{cluster.id}/claims", headers=auth(staff))
    assert sorted(c["id"] for c in members.json) == sorted(ids)
    in_queue = queue(client, staff, cluster_id=cluster.id)
    assert sorted(c["id"] for c in in_queue.json) == sorted(ids)


def test_a_crew_of_ten_is_a_warning_on_its_own(factory, client):
    tree = factory.org_tree()
    claim_id = filed(client, factory.worker_token("crew"), tree.town_a.id, workers_owed=10)
    (alert,) = _alerts()
    assert alert.case_id == claim_id and "涉及 10 人" in alert.body
    assert db.session.get(WageClaim, claim_id).warning is True


def test_a_town_sees_the_clusters_its_claims_belong_to(factory, client):
    tree = factory.org_tree()
    worker = factory.worker_token("w")
    filed(client, worker, tree.town_a.id, employer="甲公司")
    filed(client, worker, tree.county_a.id, employer="乙公司")  # filed with the county, not the town
    town = factory.staff_token("t_town_a")
    listed = client.get("/api/v1/staff/wage-clusters", headers=auth(town)).json
    assert [c["employer"] for c in listed] == ["甲公司"]
    other = db.session.scalars(select(WageCluster).where(WageCluster.employer == "乙公司")).one()
    assert client.get(f"/api/v1/staff/wage-clusters/{other.id}", headers=auth(town)).status_code == 404
    county = factory.staff_token("t_county_a")
    assert len(client.get("/api/v1/staff/wage-clusters", headers=auth(county)).json) == 2
    assert (
        client.get("/api/v1/staff/wage-clusters", headers=auth(factory.staff_token("t_county_b"))).json == []
    )


def test_concurrent_first_claims_against_a_new_employer_make_one_cluster(app, factory, client):
    tree = factory.org_tree()
    tokens = [factory.worker_token(f"rush{i}") for i in range(8)]
    start = threading.Barrier(len(tokens))
    statuses: list[int] = []

    def file_claim(token: str, spelling: str) -> None:
        own_client = app.test_client()
        start.wait()
        response = own_client.post(
            "/api/v1/wage-claims",
            json=claim_payload(tree.town_a.id, employer=spelling),
            headers=auth(token),
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=file_claim, args=(token, SPELLINGS[i % len(SPELLINGS)]))
        for i, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * len(tokens)
    db.session.expire_all()
    cluster = db.session.scalars(select(WageCluster)).one()
    assert cluster.claim_count == len(tokens)
    assert len(_alerts()) == 1
    assert all(c.cluster_id == cluster.id and c.warning for c in db.session.scalars(select(WageClaim)))


def test_every_form_of_the_upsert_counts_into_one_row(factory):
    """SQLite and MariaDB return the row from the upsert itself; MySQL 8 has no RETURNING and reads
    it back by LAST_INSERT_ID (exercised here on MariaDB too)."""
    tree = factory.org_tree()
    dialect = db.session.get_bind().dialect
    forms = [(dialect.name, True)] + ([("mysql", False)] if dialect.name != "sqlite" else [])
    for k, (name, returning) in enumerate(forms):
        now = utcnow()
        params = {
            "county_id": tree.county_a.id,
            "employer_key": f"恒达{k}",
            "employer": f"恒达{k}有限公司",
            "claim_count": 1,
            "workers_total": 1,
            "amount_total": Decimal("100.00"),
            "first_at": now,
            "last_at": now,
        }
        first = clusters._upsert_and_read(params, name, returning)
        second = clusters._upsert_and_read({**params, "workers_total": 4}, name, returning)
        assert second.id == first.id, (name, returning)
        assert (first.claim_count, second.claim_count, second.workers_total) == (1, 2, 5)
        assert second.warned_at is None
    db.session.rollback()


def test_the_cluster_list_pages_newest_first_and_warned_ones_by_latest_warning(factory, client):
    tree = factory.org_tree()
    worker = factory.worker_token("w")
    start = utcnow()
    for k, employer in enumerate(("甲公司", "乙公司", "丙公司")):
        with time_machine.travel(start + timedelta(minutes=k), tick=False):
            filed(client, worker, tree.town_a.id, employer=employer, workers_owed=10 if k != 1 else 1)
    staff = factory.staff_token("t_city")

    def walk(**params) -> list[str]:
        names, cursor = [], None
        while True:
            page = client.get(
                "/api/v1/staff/wage-clusters",
                query_string={"page_size": 1, **params, **({"cursor": cursor} if cursor else {})},
                headers=auth(staff),
            )
            assert page.status_code == 200, page.json
            names += [c["employer"] for c in page.json]
            cursor = page.headers.get("X-Next-Cursor")
            if cursor is None:
                return names

    assert walk() == ["丙公司", "乙公司", "甲公司"]
    assert walk(warning="true") == ["丙公司", "甲公司"]
    assert walk(warning="false") == ["乙公司"]
