"""Uploads are bounded per account (a rate, files waiting to be attached, bytes a day), and files
never attached to a request are purged after a day by a periodic job."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.common.types import utcnow
from backend.extensions import db, limiter
from backend.jobs import maintenance
from backend.jobs.schedule import PERIODIC_JOBS
from backend.uploads import service as uploads
from backend.uploads.models import Upload
from tests.uploads.test_uploads import PDF, PNG, count_uploads, upload
from tests.wages import filed


@pytest.fixture
def tuned(app):
    limiter.reset()
    settings = app.extensions["zhigong.settings"]

    def tune(**changes):
        app.extensions["zhigong.settings"] = dataclasses.replace(settings, **changes)

    yield tune
    app.extensions["zhigong.settings"] = settings
    limiter.reset()


def test_uploads_are_rate_limited_per_account(factory, client, tuned):
    tuned(upload_rate_limit="3 per hour")
    token = factory.worker_token("busy-uploader")
    statuses = [upload(client, token, PNG, f"{i}.png").status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert count_uploads() == 3
    assert upload(client, factory.worker_token("someone-else"), PNG, "x.png").status_code == 201


def test_files_waiting_to_be_attached_are_capped_until_they_are_used(factory, client, tuned):
    tuned(upload_pending_files=2)
    tree = factory.org_tree()
    token = factory.worker_token("hoarder")
    first, second = (upload(client, token, PNG, f"{i}.png").json["id"] for i in range(2))
    refused = upload(client, token, PNG, "3.png")
    assert refused.status_code == 429 and "未随申请提交" in refused.json["message"]
    assert "file" in refused.json["errors"]
    filed(client, token, tree.town_a.id, evidence_ids=[first])  # attached to a claim: one slot frees
    assert upload(client, token, PNG, "3.png").status_code == 201
    assert second


def test_bytes_a_day_are_capped_per_account(factory, client, tuned):
    tuned(upload_daily_bytes=len(PDF) * 2 + 10)
    token = factory.worker_token("heavy")
    assert [upload(client, token, PDF, f"{i}.pdf").status_code for i in range(2)] == [201, 201]
    refused = upload(client, token, PDF, "3.pdf")
    assert refused.status_code == 429 and "MB" in refused.json["message"]


def test_unattached_files_are_purged_after_a_day_and_attached_ones_stay(factory, client, time_machine):
    tree = factory.org_tree()
    token = factory.worker_token("forgetful")
    time_machine.move_to(utcnow(), tick=False)
    stale = upload(client, token, PNG, "forgotten.png").json["id"]
    kept = upload(client, token, PNG, "evidence.png").json["id"]
    filed(client, token, tree.town_a.id, evidence_ids=[kept])
    stale_key = db.session.get(Upload, stale).storage_key
    assert uploads.storage()._path(stale_key).exists()

    time_machine.move_to(utcnow() + timedelta(hours=23), tick=False)
    token = factory.worker_token("forgetful")  # a day later: a new log-in
    fresh = upload(client, token, PNG, "new.png").json["id"]
    assert maintenance.purge_unattached_uploads() == 0

    time_machine.move_to(utcnow() + timedelta(hours=2), tick=False)
    assert maintenance.purge_unattached_uploads() == 1
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Upload.id))) == sorted([kept, fresh])
    assert not uploads.storage()._path(stale_key).exists()
    assert "uploads.purge-unattached" in {job.name for job in PERIODIC_JOBS}
