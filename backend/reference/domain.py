"""Reference data: the privacy notices (``config/privacy.yaml``) shown at ``/api/v1/meta``."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.reference import service as reference


def register(app: Flask, config_dir: Path) -> None:
    reference.init_app(app)
