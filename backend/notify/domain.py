"""Notifications: the templates (``config/notifications/``) and the WeChat send of each one."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.jobs.notify import deliver_notification
from backend.jobs.queues import NOTIFICATIONS
from backend.notify import service as notify
from backend.notify.templates import load_template_dir
from backend.outbox import service as outbox


def register(app: Flask, config_dir: Path) -> None:
    app.extensions["zhigong.templates"] = load_template_dir(config_dir / "notifications")
    # The send owns its transactions: the claim is committed before WeChat is called.
    outbox.register_topic(notify.DELIVER, NOTIFICATIONS, deliver_notification, own_transactions=True)
