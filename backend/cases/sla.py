"""SLA deadlines per case kind and state, from ``config/sla.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import marshmallow as ma

from backend.common.config_files import (
    ConfigSchema,
    PlainNumber,
    Sections,
    StrictConfigSchema,
    WholeNumber,
    load,
)


@dataclass(frozen=True)
class SlaTable:
    limits: dict[str, dict[str, timedelta]]
    max_escalations: int

    def deadline(self, kind: str, status: str, since: datetime) -> datetime | None:
        """When a case of ``kind`` entering ``status`` at ``since`` becomes overdue (None: never)."""
        limit = self.limits.get(kind, {}).get(status)
        return since + limit if limit else None

    def states(self, kind: str) -> set[str]:
        return set(self.limits.get(kind, {}))


class _Duration(StrictConfigSchema):
    """``{hours: N}`` or ``{days: N}`` (or both, added up)."""

    unknown_message = "must be {{hours: N}} or {{days: N}}"
    error_messages = {"type": "must be {hours: N} or {days: N}"}

    hours = PlainNumber(load_default=0)
    days = PlainNumber(load_default=0)

    @ma.pre_load
    def _not_empty(self, raw, **_kwargs):
        if raw == {}:
            raise ma.ValidationError("must be {hours: N} or {days: N}")
        return raw

    @ma.post_load
    def _delta(self, data: dict, **_kwargs) -> timedelta:
        delta = timedelta(hours=data["hours"], days=data["days"])
        if delta <= timedelta(0):
            raise ma.ValidationError("must be positive")
        return delta


class SlaFile(ConfigSchema):
    """``config/sla.yaml``: each case kind maps its states to how long a case may stay in them."""

    limits = Sections(
        Sections(_Duration, empty="must map states to durations", allow_empty=True), allow_empty=True
    )
    max_escalations = WholeNumber(load_default=3, minimum=0)

    @ma.pre_load
    def _kinds(self, raw, **_kwargs):
        """Every top-level key but ``max_escalations`` is a case kind: gather them under ``limits``."""
        if not isinstance(raw, dict):
            return raw
        loaded = {"limits": {key: value for key, value in raw.items() if key != "max_escalations"}}
        if "max_escalations" in raw:
            loaded["max_escalations"] = raw["max_escalations"]
        return loaded

    def handle_error(self, error: ma.ValidationError, data, *, many: bool, **kwargs) -> None:
        """Name a problem by the file's own keys (``wage.submitted``), not the gathered ``limits``."""
        messages = dict(error.messages)
        raise ma.ValidationError({**messages.pop("limits", {}), **messages})

    @ma.post_load
    def _table(self, data: dict, **_kwargs) -> SlaTable:
        return SlaTable(limits=data["limits"], max_escalations=data["max_escalations"])


def load_sla(path: Path) -> SlaTable:
    """Read and check the file; any problem names the file, the kind and the state."""
    return load(path, SlaFile())
