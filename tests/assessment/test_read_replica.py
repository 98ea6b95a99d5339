"""DATABASE_READ_URL: statistics, assessment results, their exports and the assessment job's reading
of the facts come from the read database; the reports are the same whichever copy they read, and
nothing is ever written there."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import create_engine, event, func, make_url, select, text

from backend import create_app
from backend.extensions import db, redis_client
from backend.members.models import Member
from backend.stats.cache import PREFIX as STATS_CACHE_PREFIX
from tests.assessment.conftest import drain_assessment_queue
from tests.assessment.test_runs import _run
from tests.conftest import TEST_DATABASE_URL
from tests.factories import auth


def _copy_of(url: str, tmp_path) -> str:
    """A second database holding exactly the rows of the first (a replica caught up)."""
    source = create_engine(url)
    if TEST_DATABASE_URL:
        name = f"{make_url(url).database}_replica"
        target_url = make_url(url).set(database=name).render_as_string(hide_password=False)
        with source.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
            for table in db.metadata.sorted_tables:
                conn.execute(text(f"CREATE TABLE `{name}`.`{table.name}` LIKE `{table.name}`"))
                conn.execute(text(f"INSERT INTO `{name}`.`{table.name}` SELECT * FROM `{table.name}`"))
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    else:
        target = tmp_path / "replica.db"
        with source.connect() as conn:
            conn.exec_driver_sql(f"VACUUM INTO '{target}'")
        target_url = f"sqlite:///{target}"
    source.dispose()
    return target_url


@pytest.fixture
def replica_host(app, settings, tmp_path, test_rubrics):
    """An API host whose DATABASE_READ_URL is a copy of the database, with every statement it sends
    to that copy recorded."""
    hosts = {}

    def start():
        read_url = _copy_of(settings.database_url, tmp_path)
        host = create_app(dataclasses.replace(settings, database_read_url=read_url))
        host.config["TESTING"] = True
        host.extensions["zhigong.rubrics"] = test_rubrics
        with host.app_context():
            read_engine = db.engines["read"]
        statements: list[str] = []
        event.listen(read_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        hosts.update(host=host, statements=statements, read_engine=read_engine, read_url=read_url)
        return host, statements

    yield start
    if hosts:
        with hosts["host"].app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        if TEST_DATABASE_URL:
            server = create_engine(settings.database_url)
            with server.begin() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{make_url(hosts['read_url']).database}`"))
            server.dispose()


REPORTS = [
    ("/api/v1/staff/stats/summary", {"start": "2026-01-01", "end": "2026-03-31"}),
    ("/api/v1/staff/stats/monthly", {"start": "2026-01-01", "end": "2026-03-31"}),
    ("/api/v1/staff/stats/export", {"start": "2026-01-01", "end": "2026-03-31", "format": "csv"}),
]


def _reports(client, token, run_id: int) -> list[bytes]:
    paths = [
        *REPORTS,
        (f"/api/v1/staff/assessments/runs/{run_id}/results", {"page_size": 100}),
        (f"/api/v1/staff/assessments/runs/{run_id}/export", {"format": "csv"}),
    ]
    answers = []
    for path, query in paths:
        response = client.get(path, query_string=query, headers=auth(token))
        assert response.status_code == 200, (path, response.json)
        answers.append(response.data)
    return answers


def test_reports_are_identical_whichever_database_they_read(client, factory, city, replica_host):
    token = factory.staff_token("t_city")
    run = _run(client, token)
    from_primary = _reports(client, token, run["id"])

    host, statements = replica_host()
    from_replica = _reports(host.test_client(), token, run["id"])
    assert from_replica == from_primary
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert reads and len(reads) == len(statements)  # the reports read there, and only read


def _forget_cached_figures(host) -> None:
    with host.app_context():
        redis = redis_client()
        if redis is not None:
            for key in redis.scan_iter(f"{STATS_CACHE_PREFIX}:*"):
                redis.delete(key)


def test_the_reports_really_come_from_the_read_database(client, factory, city, replica_host):
    token = factory.staff_token("t_city")
    run = _run(client, token)
    host, _ = replica_host()
    with host.app_context():
        with db.engines["read"].begin() as conn:  # the copy diverges: one member fewer there
            conn.execute(
                Member.__table__.delete().where(Member.id == db.session.scalar(select(func.min(Member.id))))
            )
        db.session.remove()
    primary = client.get(REPORTS[0][0], query_string=REPORTS[0][1], headers=auth(token)).json
    _forget_cached_figures(host)  # both hosts share Redis: without this the replica would answer from it
    replica = host.test_client().get(REPORTS[0][0], query_string=REPORTS[0][1], headers=auth(token)).json
    assert replica["members"] == primary["members"] - 1
    # …while a case queue, the worker's own data and every write stay on the primary
    queue = host.test_client().get("/api/v1/staff/assessments/runs", headers=auth(token))
    assert [r["id"] for r in queue.json] == [run["id"]]


def test_an_assessment_run_reads_the_facts_there_and_writes_its_results_to_the_primary(
    client, factory, city, replica_host
):
    token = factory.staff_token("t_city")
    first = _run(client, token)
    host, statements = replica_host()
    started = host.test_client().post(
        "/api/v1/staff/assessments/runs",
        json={"period_type": "month", "period": "2026-03"},
        headers=auth(token),
    )
    assert started.status_code == 202, started.json
    with host.app_context():
        drain_assessment_queue()  # the job runs in the replica host's worker
    assert not [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert any("participation_facts" in s for s in statements)
    second = client.get(f"/api/v1/staff/assessments/runs/{started.json['id']}", headers=auth(token)).json
    assert second["status"] == "done" and second["results_count"] == first["results_count"]
    results = lambda run_id: [  # noqa: E731
        (r["org"]["name"], r["tier"], r["grade"], r["score"], r["rank"])
        for r in client.get(
            f"/api/v1/staff/assessments/runs/{run_id}/results",
            query_string={"page_size": 100},
            headers=auth(token),
        ).json
    ]
    assert results(second["id"]) == results(first["id"])
