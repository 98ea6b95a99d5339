"""困难帮扶: its case kind, participation facts, personal data and ``config/aid.yaml``."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.aid import service as aid
from backend.aid import subsidy
from backend.cases import service as cases
from backend.members import privacy
from backend.participation import service as participation


def register(app: Flask, config_dir: Path) -> None:
    subsidy.init_app(app)
    cases.register_kind(aid.AID)
    participation.register_kinds(aid.PARTICIPATION_KINDS)
    privacy.register_holder(aid.PERSONAL_DATA)
