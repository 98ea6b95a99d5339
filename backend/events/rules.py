"""The tunable rules of matchmaking events (联谊交友), from ``config/events.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml
from flask import current_app

from backend.config import CONFIG_DIR

RULES_FILE = CONFIG_DIR / "events.yaml"
_EXTENSION = "zhigong.event_rules"


class EventConfigError(ValueError):
    pass


@dataclass(frozen=True)
class EventRules:
    declaration_version: str
    declaration_text: str
    ticket_ttl_seconds: int
    check_in_opens_before: timedelta


def load_rules(path: Path = RULES_FILE) -> EventRules:
    """Read and check the file; any problem names the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise EventConfigError(f"{path}: not valid YAML: {exc}") from exc
    declaration, check_in = raw.get("declaration") or {}, raw.get("check_in") or {}
    for key in ("version", "text"):
        if not isinstance(declaration.get(key), str) or not declaration[key].strip():
            raise EventConfigError(f"{path}: declaration.{key} must be a non-empty string")
    for key, minimum in (("ticket_ttl_seconds", 30), ("opens_hours_before", 0)):
        value = check_in.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise EventConfigError(f"{path}: check_in.{key} must be an integer ≥ {minimum}")
    return EventRules(
        declaration_version=declaration["version"].strip(),
        declaration_text=declaration["text"].strip(),
        ticket_ttl_seconds=check_in["ticket_ttl_seconds"],
        check_in_opens_before=timedelta(hours=check_in["opens_hours_before"]),
    )


def rules() -> EventRules:
    """The current app's rules, read once per app."""
    extensions = current_app.extensions
    if _EXTENSION not in extensions:
        extensions[_EXTENSION] = load_rules()
    return extensions[_EXTENSION]
