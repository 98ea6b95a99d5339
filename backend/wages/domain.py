"""欠薪求助: its case kind, participation facts, personal data and ``config/wages.yaml``."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.cases import service as cases
from backend.members import privacy
from backend.participation import service as participation
from backend.wages import flow, rules
from backend.wages import service as wages


def register(app: Flask, config_dir: Path) -> None:
    app.extensions[rules.EXTENSION] = rules.load_rules()
    cases.register_kind(flow.WAGE)
    participation.register_kinds(wages.PARTICIPATION_KINDS)
    privacy.register_holder(wages.PERSONAL_DATA)
