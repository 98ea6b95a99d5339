"""Every domain of the app, registered by ``create_app`` in this order.

A domain's ``register(app)`` (in ``backend/<domain>/domain.py``) declares what it contributes: its
config file, case kinds, participation kinds, outbox topics with their handlers (in
``backend/jobs/<domain>.py``), the personal data it holds. Nothing is registered by importing a
module, so what the app knows is what this list says.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.aid import domain as aid
from backend.assessment import domain as assessment
from backend.cases import domain as cases
from backend.competitions import domain as competitions
from backend.events import domain as events
from backend.legal import domain as legal
from backend.members import domain as members
from backend.notify import domain as notify
from backend.outbox import domain as outbox
from backend.participation import domain as participation
from backend.reference import domain as reference
from backend.wages import domain as wages

DOMAINS = (
    outbox,
    notify,
    participation,
    cases,
    reference,
    members,
    aid,
    competitions,
    events,
    legal,
    wages,
    assessment,  # last: its rubrics may count any participation kind declared above
)


def register_domains(app: Flask, config_dir: Path) -> None:
    """Register every domain; ``config_dir`` holds the notification templates, ``sla.yaml`` and the
    assessment rubrics (each domain's own file, e.g. ``wages.yaml``, is named by its rules module)."""
    for domain in DOMAINS:
        domain.register(app, config_dir)
