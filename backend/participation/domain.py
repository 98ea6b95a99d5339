"""Participation facts: stored from the outbox, counted by the assessments."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.jobs.participation import record_participation
from backend.jobs.queues import DEFAULT
from backend.outbox import service as outbox
from backend.participation import service as participation


def register(app: Flask, config_dir: Path) -> None:
    outbox.register_topic(participation.RECORD, DEFAULT, record_participation)
