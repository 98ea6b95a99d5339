"""联谊交友 events: participation facts, personal data and ``config/events.yaml``."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.events import core, rules, signups
from backend.members import privacy
from backend.participation import service as participation


def register(app: Flask, config_dir: Path) -> None:
    app.extensions[rules.EXTENSION] = rules.load_rules()
    participation.register_kinds(core.PARTICIPATION_KINDS)
    privacy.register_holder(signups.PERSONAL_DATA)
