"""工会考核: the rubrics (``config/assessment/``) and the job that runs a requested assessment.

Registered last: a rubric may count only participation kinds the other domains declared."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.assessment import service as assessment
from backend.assessment.rubrics import load_rubric_dir
from backend.jobs.assessment import handle_run_requested
from backend.jobs.queues import ASSESSMENT
from backend.outbox import service as outbox


def register(app: Flask, config_dir: Path) -> None:
    outbox.register_topic(assessment.RUN_TOPIC, ASSESSMENT, handle_run_requested, own_transactions=True)
    app.extensions["zhigong.rubrics"] = load_rubric_dir(config_dir / "assessment")
