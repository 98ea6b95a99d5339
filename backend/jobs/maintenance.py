"""Housekeeping jobs."""

from __future__ import annotations

from backend.common import idempotency
from backend.extensions import db
from backend.jobs.context import job_context


def release_stale_sends() -> int:
    from backend.notify import service as notify

    with job_context():
        count = notify.release_stale_sends()
        db.session.commit()
        return count


def purge_idempotency_keys() -> int:
    with job_context():
        count = idempotency.purge_expired()
        db.session.commit()
        return count


def purge_unattached_uploads() -> int:
    """Files uploaded but never attached to a request are deleted after a day (rows first, then,
    once that is committed, the files)."""
    from backend.uploads import service as uploads

    with job_context():
        keys = uploads.purge_unattached()
        db.session.commit()
        store = uploads.storage()
        for key in keys:
            store.delete(key)
        return len(keys)
