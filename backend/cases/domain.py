"""Cases: the deadlines of every case state (``config/sla.yaml``)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.cases.sla import load_sla


def register(app: Flask, config_dir: Path) -> None:
    app.extensions["zhigong.sla"] = load_sla(config_dir / "sla.yaml")
