"""法律援助: participation facts, personal data and ``config/legal.yaml``."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.legal import rules
from backend.legal import service as legal
from backend.members import privacy
from backend.participation import service as participation


def register(app: Flask, config_dir: Path) -> None:
    app.extensions[rules.EXTENSION] = rules.load_rules()
    participation.register_kinds(legal.PARTICIPATION_KINDS)
    privacy.register_holder(legal.PERSONAL_DATA)
