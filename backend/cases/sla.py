"""SLA deadlines per case kind and state, from ``config/sla.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from backend.common.config_files import ConfigError, read_yaml


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


def load_sla(path: Path) -> SlaTable:
    raw = read_yaml(path)
    limits: dict[str, dict[str, timedelta]] = {}
    for kind, states in raw.items():
        if kind == "max_escalations":
            continue
        if not isinstance(states, dict):
            raise ConfigError(path, kind, "must map states to durations")
        limits[kind] = {}
        for state, duration in states.items():
            if not isinstance(duration, dict) or set(duration) - {"hours", "days"} or not duration:
                raise ConfigError(path, f"{kind}.{state}", "must be {hours: N} or {days: N}")
            delta = timedelta(hours=duration.get("hours", 0), days=duration.get("days", 0))
            if delta <= timedelta(0):
                raise ConfigError(path, f"{kind}.{state}", "must be positive")
            limits[kind][state] = delta
    return SlaTable(limits=limits, max_escalations=int(raw.get("max_escalations", 3)))
