"""Notification jobs: the WeChat subscribe-message send of one notification.

The send is at most once, in three steps the job owns: the claim (the row is 'sending' and the
user's grant spent) is committed before WeChat is called; then only the HTTP call runs; then the
outcome is committed. A step whose commit fails is remembered by the process, so the job's retry
settles it instead of sending twice or losing the message (``backend.notify.service``).
"""

from __future__ import annotations

from backend.common import unit_of_work
from backend.common.types import utcnow
from backend.notify import service as notify
from backend.wechat.tokens import shared_client


def deliver_notification(payload: dict) -> None:
    """Outbox handler of ``notification.deliver``."""
    send_notification(payload["notification_id"], client=shared_client())


def send_notification(notification_id: int, *, client) -> str:
    """Send one notification through WeChat if the user granted it; returns the final status."""
    claimed_at = utcnow()
    try:
        claimed = unit_of_work.run(
            lambda: notify.claim(notification_id, client=client, now=claimed_at), what="notification claim"
        )
    except Exception:
        # Whether or not the claim reached the database, WeChat was not called: a retry gives it back.
        notify.remember(notification_id, claimed_at)
        raise
    notify.forget(notification_id)
    if not isinstance(claimed, notify.Claim):
        return claimed  # nothing to send: already handled, or inbox only

    # From the claim to WeChat's answer nothing but the HTTP call runs.
    outcome = notify.send(claimed, client=client)
    try:
        unit_of_work.run(lambda: notify.record(claimed, outcome), what="notification outcome")
    except Exception:
        notify.remember(notification_id, claimed_at, outcome)
        raise
    if outcome.retry_later is not None:
        raise outcome.retry_later
    return outcome.status
