"""The inbox and subscriptions API, and inline jobs in embedded mode."""

from __future__ import annotations

from rq.cron import CronScheduler
from sqlalchemy import select

from backend.extensions import db
from backend.jobs.schedule import PERIODIC_JOBS
from backend.notify.models import Notification
from tests.factories import auth


def test_subscriptions_accept_only_configured_templates(factory, client):
    token = factory.worker_token("subscriber")
    ok = client.post(
        "/api/v1/subscriptions", json={"template_ids": ["TPL_REVIEW_RESULT"]}, headers=auth(token)
    )
    assert ok.json == [{"template_id": "TPL_REVIEW_RESULT", "remaining": 1}]
    again = client.post(
        "/api/v1/subscriptions", json={"template_ids": ["TPL_REVIEW_RESULT"] * 2}, headers=auth(token)
    )
    assert again.json[0]["remaining"] == 2  # one acceptance per call and template
    unknown = client.post("/api/v1/subscriptions", json={"template_ids": ["TPL_NOPE"]}, headers=auth(token))
    assert unknown.status_code == 422 and "TPL_NOPE" in unknown.json["errors"]["template_ids"][0]
    empty = client.post("/api/v1/subscriptions", json={"template_ids": []}, headers=auth(token))
    assert empty.status_code == 422


def test_a_retried_acceptance_with_its_idempotency_key_counts_once(factory, client):
    token = factory.worker_token("retrier")
    headers = {**auth(token), "Idempotency-Key": "accept-1"}
    body = {"template_ids": ["TPL_REVIEW_RESULT"]}
    first = client.post("/api/v1/subscriptions", json=body, headers=headers)
    retry = client.post("/api/v1/subscriptions", json=body, headers=headers)
    assert first.status_code == retry.status_code == 200
    assert retry.json == first.json == [{"template_id": "TPL_REVIEW_RESULT", "remaining": 1}]
    assert retry.headers["Idempotent-Replayed"] == "true"
    mine = client.get("/api/v1/subscriptions", headers=auth(token))
    assert mine.json == [{"template_id": "TPL_REVIEW_RESULT", "remaining": 1}]


def test_the_inbox_pages_counts_unread_and_marks_read(factory, client):
    tree = factory.org_tree()
    token = factory.worker_token("reader")
    applied = factory.apply(token, tree.union_a1.id)
    staff = factory.staff_token("t_union_a1")
    factory.transition(staff, applied.json["id"], "request_info", note="请补充劳动合同照片")

    inbox = client.get("/api/v1/notifications?page_size=1", headers=auth(token))
    assert inbox.headers["X-Unread-Count"] == "2"
    (latest,) = inbox.json
    assert (
        latest["title"] == "入会申请需补充材料" and "劳动合同" in latest["body"] and latest["read"] is False
    )
    read = client.post(f"/api/v1/notifications/{latest['id']}/read", headers=auth(token))
    assert read.json["read"] is True
    assert client.get("/api/v1/notifications/unread-count", headers=auth(token)).json == {"unread": 1}
    unread = client.get("/api/v1/notifications?unread_only=true", headers=auth(token)).json
    assert [n["title"] for n in unread] == ["入会申请已提交"]
    assert client.post("/api/v1/notifications/read-all", headers=auth(token)).json == {"unread": 0}

    stranger = factory.worker_token("stranger")
    assert (
        client.post(f"/api/v1/notifications/{latest['id']}/read", headers=auth(stranger)).status_code == 404
    )
    assert client.get("/api/v1/notifications", headers=auth(stranger)).json == []


def test_without_redis_jobs_run_inline_right_after_the_commit(app, factory, client):
    tree = factory.org_tree()
    saved = app.extensions["zhigong.redis"]
    app.extensions["zhigong.redis"] = None  # embedded mode
    try:
        token = factory.worker_token("inline")
        factory.apply(token, tree.union_a1.id)
    finally:
        app.extensions["zhigong.redis"] = saved
    db.session.rollback()
    notification = db.session.scalars(select(Notification)).one()
    assert notification.wechat_status == "inbox_only"  # processed already: no grant, inbox copy only


def test_periodic_jobs_have_stable_unique_names_and_load_in_rq_cron(private_redis):
    names = [job.name for job in PERIODIC_JOBS]
    assert len(names) == len(set(names)) and "outbox.sweep" in names
    scheduler = CronScheduler(connection=private_redis.client())
    scheduler.load_config_from_file("backend/jobs/schedule.py")
    assert sorted(job.name for job in scheduler.get_jobs()) == sorted(names)
