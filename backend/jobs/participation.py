"""Participation jobs: store the facts the assessments count."""

from __future__ import annotations

from backend.participation import service as participation


def record_participation(payload: dict) -> None:
    """Outbox handler of ``participation.record`` (runs in the row's own unit of work)."""
    participation.store(payload)
