"""The tunable rules of matchmaking events (联谊交友), from ``config/events.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import marshmallow as ma
from flask import current_app

from backend.common.config_files import ConfigSchema, NonEmptyText, WholeNumber, load
from backend.config import CONFIG_DIR

RULES_FILE = CONFIG_DIR / "events.yaml"
EXTENSION = "zhigong.event_rules"


@dataclass(frozen=True)
class EventRules:
    declaration_version: str
    declaration_text: str
    ticket_ttl_seconds: int
    check_in_opens_before: timedelta


class _Declaration(ConfigSchema):
    version = NonEmptyText(required=True)
    text = NonEmptyText(required=True)


class _CheckIn(ConfigSchema):
    ticket_ttl_seconds = WholeNumber(required=True, minimum=30)
    opens_hours_before = WholeNumber(required=True, minimum=0)


class EventsFile(ConfigSchema):
    """``config/events.yaml``."""

    declaration = ma.fields.Nested(_Declaration, required=True)
    check_in = ma.fields.Nested(_CheckIn, required=True)

    @ma.post_load
    def _rules(self, data: dict, **_kwargs) -> EventRules:
        declaration, check_in = data["declaration"], data["check_in"]
        return EventRules(
            declaration_version=declaration["version"],
            declaration_text=declaration["text"],
            ticket_ttl_seconds=check_in["ticket_ttl_seconds"],
            check_in_opens_before=timedelta(hours=check_in["opens_hours_before"]),
        )


def load_rules(path: Path = RULES_FILE) -> EventRules:
    """Read and check the file; any problem names the file and the key."""
    return load(path, EventsFile())


def rules() -> EventRules:
    """The current app's rules, read once per app."""
    return current_app.extensions[EXTENSION]
