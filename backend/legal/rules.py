"""The tunable rules of legal-aid booking, from ``config/legal.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import marshmallow as ma
from flask import current_app

from backend.common.config_files import ConfigSchema, WholeNumber, load
from backend.config import CONFIG_DIR

RULES_FILE = CONFIG_DIR / "legal.yaml"
EXTENSION = "zhigong.legal_rules"


@dataclass(frozen=True)
class LegalRules:
    horizon_weeks: int
    min_slot_minutes: int
    max_slot_minutes: int
    booking_closes: timedelta  # before the start
    max_upcoming_per_member: int
    cancel_until: timedelta  # before the start
    reschedule_until: timedelta
    max_reschedules: int
    no_show_after: timedelta  # after the start
    remind_before: timedelta
    topics: dict[str, str]


class _Slots(ConfigSchema):
    horizon_weeks = WholeNumber(required=True, minimum=1)
    min_minutes = WholeNumber(required=True, minimum=5)
    max_minutes = WholeNumber(required=True, minimum=5)

    @ma.validates_schema
    def _ordered(self, data: dict, **_kwargs) -> None:
        if data["min_minutes"] > data["max_minutes"]:
            raise ma.ValidationError("must not exceed slots.max_minutes", "min_minutes")


class _Booking(ConfigSchema):
    closes_minutes_before = WholeNumber(required=True, minimum=0)
    max_upcoming_per_member = WholeNumber(required=True, minimum=1)
    cancel_until_hours = WholeNumber(required=True, minimum=0)
    reschedule_until_hours = WholeNumber(required=True, minimum=0)
    max_reschedules = WholeNumber(required=True, minimum=0)


class _Consultation(ConfigSchema):
    no_show_after_minutes = WholeNumber(required=True, minimum=0)


class _Reminder(ConfigSchema):
    hours_before = WholeNumber(required=True, minimum=1)


class LegalFile(ConfigSchema):
    """``config/legal.yaml``."""

    topics = ma.fields.Dict(
        keys=ma.fields.Raw(),
        values=ma.fields.Raw(),
        required=True,
        validate=ma.validate.Length(min=1, error="must map codes to labels"),
    )
    slots = ma.fields.Nested(_Slots, required=True)
    booking = ma.fields.Nested(_Booking, required=True)
    consultation = ma.fields.Nested(_Consultation, required=True)
    reminder = ma.fields.Nested(_Reminder, required=True)

    @ma.post_load
    def _rules(self, data: dict, **_kwargs) -> LegalRules:
        slots, booking = data["slots"], data["booking"]
        return LegalRules(
            horizon_weeks=slots["horizon_weeks"],
            min_slot_minutes=slots["min_minutes"],
            max_slot_minutes=slots["max_minutes"],
            booking_closes=timedelta(minutes=booking["closes_minutes_before"]),
            max_upcoming_per_member=booking["max_upcoming_per_member"],
            cancel_until=timedelta(hours=booking["cancel_until_hours"]),
            reschedule_until=timedelta(hours=booking["reschedule_until_hours"]),
            max_reschedules=booking["max_reschedules"],
            no_show_after=timedelta(minutes=data["consultation"]["no_show_after_minutes"]),
            remind_before=timedelta(hours=data["reminder"]["hours_before"]),
            topics={str(k): str(v) for k, v in data["topics"].items()},
        )


def load_rules(path: Path = RULES_FILE) -> LegalRules:
    """Read and check the file; any problem names the file and the key."""
    return load(path, LegalFile())


def rules() -> LegalRules:
    """The current app's rules, read once per app."""
    return current_app.extensions[EXTENSION]
