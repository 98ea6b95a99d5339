"""The outbox's contribution to the app: the job that runs one row once its transaction committed."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.jobs.outbox import run_outbox_message
from backend.outbox import service as outbox


def register(app: Flask, config_dir: Path) -> None:
    outbox.use_runner(run_outbox_message)
