"""Housekeeping jobs."""

from __future__ import annotations

from backend.common import idempotency, unit_of_work
from backend.jobs.context import job
from backend.notify import service as notify
from backend.uploads import service as uploads


@job
def release_stale_sends() -> int:
    return notify.release_stale_sends()


@job
def purge_idempotency_keys() -> int:
    return idempotency.purge_expired()


@job(steps=True)
def purge_unattached_uploads() -> int:
    """Files uploaded but never attached to a request are deleted after a day (rows first, then,
    once that is committed, the files)."""
    store = uploads.storage()

    def purge() -> list[str]:
        keys = uploads.purge_unattached()
        if store.transactional:  # the bytes are rows: deleted in the same transaction
            for key in keys:
                store.delete(key)
        return keys

    keys = unit_of_work.run(purge, what="uploads.purge-unattached")
    if not store.transactional:
        for key in keys:
            store.delete(key)
    return len(keys)
