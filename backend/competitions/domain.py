"""劳动和技能竞赛: its participation facts and personal data."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.competitions import rules
from backend.competitions import service as competitions
from backend.members import privacy
from backend.participation import service as participation


def register(app: Flask, config_dir: Path) -> None:
    participation.register_kinds(rules.PARTICIPATION_KINDS)
    privacy.register_holder(competitions.PERSONAL_DATA)
