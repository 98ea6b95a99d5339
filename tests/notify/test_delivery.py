"""WeChat subscribe messages through the outbox, real Redis and a real RQ worker: nothing lost,
nothing sent twice, one token for every send."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from backend.common.types import utcnow
from backend.config import ROOT
from backend.extensions import db
from backend.jobs.outbox import run_outbox_message
from backend.jobs.queues import NOTIFICATIONS
from backend.members import service as members
from backend.members.models import Member, MembershipApplication, WxAccount
from backend.notify import service as notify
from backend.notify.models import Notification, SubscriptionGrant
from backend.outbox import service as outbox
from backend.outbox.models import OutboxMessage
from backend.participation.models import ParticipationFact
from backend.staff.scope import Scope
from backend.wechat.tokens import SharedTokenClient
from tests.factories import auth
from tests.notify.conftest import work

TEMPLATE = "TPL_REVIEW_RESULT"


def grant(client, token, times: int = 1) -> None:
    for _ in range(times):
        response = client.post(
            "/api/v1/subscriptions", json={"template_ids": [TEMPLATE]}, headers=auth(token)
        )
        assert response.status_code == 200, response.json


def notifications_of(code: str) -> list[Notification]:
    account = db.session.scalars(select(WxAccount).where(WxAccount.openid == f"o_{code}")).one()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.account_id == account.id).order_by(Notification.id)
        )
    )


def test_an_accepted_template_allows_exactly_one_send(factory, client, queue_redis, fake_wechat):
    _, fake = fake_wechat
    tree = factory.org_tree()
    token = factory.worker_token("once")
    grant(client, token)
    applied = factory.apply(token, tree.union_a1.id)
    work(queue_redis)
    sent = fake.sent_to("o_once")
    assert len(sent) == 1
    assert sent[0]["template_id"] == TEMPLATE
    assert sent[0]["data"]["phrase2"]["value"] == "待审核"
    assert sent[0]["data"]["thing3"]["value"] == "甲区建筑公司工会"

    factory.transition(factory.staff_token("t_union_a1"), applied.json["id"], "approve")
    work(queue_redis)
    assert len(fake.sent_to("o_once")) == 1  # the grant was spent on the first message
    submitted, approved = notifications_of("once")
    assert (submitted.wechat_status, approved.wechat_status) == ("sent", "inbox_only")
    assert approved.title == "入会申请已通过" and approved.wechat_reason == "用户未订阅该消息"
    inbox = client.get("/api/v1/notifications", headers=auth(token))
    assert [n["title"] for n in inbox.json] == ["入会申请已通过", "入会申请已提交"]
    assert inbox.headers["X-Unread-Count"] == "2"


def test_one_token_for_many_sends_and_one_refresh_after_40001(factory, client, queue_redis, fake_wechat):
    _, fake = fake_wechat
    tree = factory.org_tree()
    staff = factory.staff_token("t_city")
    applications = []
    for i in range(20):
        token = factory.worker_token(f"many{i}")
        grant(client, token, times=2)
        applications.append(factory.apply(token, tree.union_a1.id).json["id"])
    work(queue_redis)
    assert fake.snapshot()["token_fetches"] == 1
    assert len(fake.sent) == 20

    fake.fail_next(40001, count=1)  # WeChat says the token is no longer valid
    for application_id in applications:
        factory.transition(staff, application_id, "approve")
    work(queue_redis)
    assert fake.snapshot()["token_fetches"] == 2
    assert len(fake.sent) == 40
    statuses = db.session.scalars(select(Notification.wechat_status)).all()
    assert statuses == ["sent"] * 40


def test_workers_hitting_40001_together_refresh_the_token_once(app, queue_redis, fake_wechat):
    _, fake = fake_wechat
    settings = app.extensions["zhigong.settings"]
    workers = [SharedTokenClient(settings, queue_redis) for _ in range(2)]  # two processes' clients
    fake.hold_sends()
    results: list[dict] = []

    def send(client):
        results.append(client.send_subscribe("o_shared", TEMPLATE, {"thing1": "测试"}))

    threads = [threading.Thread(target=send, args=(c,)) for c in workers]
    for thread in threads:
        thread.start()
    assert fake.wait_for_send_arrivals(2)
    fake.fail_next(40001, count=2)  # both in-flight sends are refused with the same old token
    fake.release_sends()
    for thread in threads:
        thread.join(timeout=30)
    assert [r["errcode"] for r in results] == [0, 0]
    assert fake.snapshot()["token_fetches"] == 2  # the first token, and one refresh between them


def test_a_refusal_43101_keeps_the_inbox_copy_and_zeroes_the_grant(factory, client, queue_redis, fake_wechat):
    _, fake = fake_wechat
    tree = factory.org_tree()
    token = factory.worker_token("refuser")
    grant(client, token, times=3)
    fake.deny("o_refuser")
    factory.apply(token, tree.union_a1.id)
    work(queue_redis)
    (submitted,) = notifications_of("refuser")
    assert submitted.wechat_status == "inbox_only" and "43101" in submitted.wechat_reason
    assert db.session.scalar(select(SubscriptionGrant.remaining)) == 0
    assert fake.sent == []
    assert client.get("/api/v1/notifications/unread-count", headers=auth(token)).json == {"unread": 1}


def test_rate_limited_sends_back_off_and_go_out_once(factory, client, queue_redis, fake_wechat):
    _, fake = fake_wechat
    tree = factory.org_tree()
    token = factory.worker_token("busy")
    grant(client, token)
    fake.fail_next(45009, count=1)
    factory.apply(token, tree.union_a1.id)
    work(queue_redis)
    (notification,) = notifications_of("busy")
    assert notification.wechat_status == "pending" and "45009" in notification.wechat_reason
    assert db.session.scalar(select(SubscriptionGrant.remaining)) == 1  # not spent by a refused send

    # The retry RQ scheduled with back-off: bring it forward instead of waiting for the clock.
    queue = Queue(NOTIFICATIONS, connection=queue_redis)
    registry = ScheduledJobRegistry(queue=queue)
    (job_id,) = registry.get_job_ids()
    registry.remove(job_id)
    queue.enqueue_job(queue.fetch_job(job_id))
    work(queue_redis)
    db.session.expire_all()
    (notification,) = notifications_of("busy")
    assert notification.wechat_status == "sent"
    assert len(fake.sent_to("o_busy")) == 1


def test_redis_down_while_a_worker_submits_loses_nothing(
    factory, client, queue_redis, private_redis, fake_wechat
):
    _, fake = fake_wechat
    tree = factory.org_tree()
    token = factory.worker_token("outage")
    grant(client, token)
    private_redis.stop()
    applied = factory.apply(token, tree.union_a1.id)
    assert applied.status_code == 201  # accepted although the queue is unreachable
    pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.pending.is_(True))).all()
    assert [m.topic for m in pending] == ["notification.deliver"]

    private_redis.start()
    assert outbox.sweep(queue_redis, now=utcnow() + timedelta(minutes=2)) == 1
    work(queue_redis)
    assert len(fake.sent_to("o_outage")) == 1
    assert db.session.scalar(select(func.count()).where(OutboxMessage.pending.is_(True))) == 0
    # a second sweep finds nothing left to do
    assert outbox.sweep(queue_redis, now=utcnow() + timedelta(minutes=4)) == 0


def test_a_worker_killed_mid_send_never_sends_twice(
    factory, client, queue_redis, private_redis, fake_wechat, settings
):
    base_url, fake = fake_wechat
    tree = factory.org_tree()
    token = factory.worker_token("killed")
    grant(client, token, times=2)  # a spare grant: a resend would be allowed if we were careless
    fake.hold_sends()
    factory.apply(token, tree.union_a1.id)

    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": private_redis.url,
        "WECHAT_API_BASE": base_url,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rq.cli",
            "worker",
            "--burst",
            "-w",
            "rq.worker.SimpleWorker",
            "-u",
            private_redis.url,
            NOTIFICATIONS,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert fake.wait_for_send_arrivals(1, timeout=60)  # the send is in flight
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        fake.release_sends()  # WeChat still delivers what it received
    assert fake.wait_for_send_arrivals(1)
    (notification,) = notifications_of("killed")
    assert notification.wechat_status == "sending"
    message_id = db.session.scalar(select(OutboxMessage.id))

    # Everything that could send it again runs: the job itself again, the sweeper, a worker.
    run_outbox_message(message_id)
    outbox.sweep(queue_redis, now=utcnow() + timedelta(minutes=2))
    work(queue_redis)
    assert notify.release_stale_sends(now=utcnow() + timedelta(minutes=11)) == 1
    db.session.commit()
    assert len(fake.sent_to("o_killed")) == 1
    db.session.expire_all()
    (notification,) = notifications_of("killed")
    assert notification.wechat_status == "unknown"
    failed = client.get("/api/v1/staff/ops/failed-notifications", headers=auth(factory.staff_token("t_city")))
    assert [n["id"] for n in failed.json] == [notification.id]
    assert failed.json[0]["wechat_status_label"] == "结果未知"


def test_a_failed_send_is_listed_for_its_subtree_and_can_be_resent(factory, client, queue_redis, fake_wechat):
    _, fake = fake_wechat
    tree = factory.org_tree()
    token = factory.worker_token("retry")
    grant(client, token)
    fake.fail_next(47003, count=1)
    factory.apply(token, tree.union_a1.id)
    work(queue_redis)
    (notification,) = notifications_of("retry")
    assert notification.wechat_status == "failed" and notification.wechat_reason.startswith("47003")

    other_county = factory.staff_token("t_county_b")
    assert client.get("/api/v1/staff/ops/failed-notifications", headers=auth(other_county)).json == []
    assert (
        client.post(
            f"/api/v1/staff/ops/failed-notifications/{notification.id}/retry", headers=auth(other_county)
        ).status_code
        == 404
    )
    staff = factory.staff_token("t_county_a")
    listed = client.get("/api/v1/staff/ops/failed-notifications", headers=auth(staff)).json
    assert listed[0]["wechat_reason"].startswith("47003")
    retried = client.post(
        f"/api/v1/staff/ops/failed-notifications/{notification.id}/retry", headers=auth(staff)
    )
    assert retried.status_code == 200 and retried.json["wechat_status"] == "pending"
    work(queue_redis)
    assert len(fake.sent_to("o_retry")) == 1
    assert (
        client.post(
            f"/api/v1/staff/ops/failed-notifications/{notification.id}/retry", headers=auth(staff)
        ).status_code
        == 409
    )


def test_failed_jobs_are_listed_with_their_reason_and_can_be_retried(factory, client, queue_redis):
    factory.org_tree()
    job = Queue("default", connection=queue_redis).enqueue("operator.truediv", 1, 0)
    work(queue_redis)
    city = factory.staff_token("t_city")
    listed = client.get("/api/v1/staff/ops/jobs", headers=auth(city)).json
    (failed,) = listed["failed"]
    assert failed["id"] == job.id and "ZeroDivisionError" in failed["reason"]
    assert client.post(f"/api/v1/staff/ops/jobs/{job.id}/retry", headers=auth(city)).status_code == 202
    assert client.get("/api/v1/staff/ops/jobs", headers=auth(city)).json["queues"]["default"] == 1
    county = factory.staff_token("t_county_a")
    assert client.get("/api/v1/staff/ops/jobs", headers=auth(county)).status_code == 403


def test_approval_records_one_participation_fact(factory, client, queue_redis):
    tree = factory.org_tree()
    token = factory.worker_token("joiner")
    applied = factory.apply(token, tree.union_a1.id)
    factory.transition(factory.staff_token("t_union_a1"), applied.json["id"], "approve")
    work(queue_redis)
    fact = db.session.scalars(select(ParticipationFact)).one()
    member = db.session.scalars(select(Member)).one()
    assert (fact.kind, fact.org_id, fact.member_id) == ("member.joined", tree.union_a1.id, member.id)
    # the same outbox row, handled again (a retried job), changes nothing
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "participation.record")
    ).one()
    outbox.TOPICS["participation.record"].handler(message.payload)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ParticipationFact)) == 1


def test_a_rolled_back_decision_leaves_no_notification_and_no_job(app, factory, queue_redis):
    tree = factory.org_tree()
    token = factory.worker_token("undo")
    applied = factory.apply(token, tree.union_a1.id)
    work(queue_redis)
    with app.app_context():
        staff = db.session.get(type(tree.staff["t_union_a1"]), tree.staff["t_union_a1"].id)
        members.review_application(
            scope=Scope.of(staff), staff=staff, application_id=applied.json["id"], action="approve"
        )
        db.session.flush()
        db.session.rollback()  # e.g. the request failed after the service returned
    assert db.session.scalar(select(func.count()).select_from(Member)) == 0
    assert db.session.get(MembershipApplication, applied.json["id"]).status == "submitted"
    kinds = db.session.scalars(select(Notification.kind)).all()
    assert kinds == ["membership.submitted"]
    assert sum(Queue(q, connection=queue_redis).count for q in ("notifications", "default")) == 0
