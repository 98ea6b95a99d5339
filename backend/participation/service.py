"""Recording participation facts through the outbox (DESIGN §3, participation feed)."""

from __future__ import annotations

from datetime import datetime

from backend.common.types import utcnow
from backend.outbox import service as outbox
from backend.participation import rollups

RECORD = "participation.record"

# The kinds of participation the assessments can count; each domain registers its own.
KINDS: dict[str, str] = {}


def register_kinds(kinds: dict[str, str]) -> None:
    """Called by a domain's ``register(app)``: ``{"aid.accepted_in_time": "帮扶按时受理"}``."""
    clash = {k for k in kinds if k in KINDS and KINDS[k] != kinds[k]}
    if clash:
        raise ValueError(f"participation kinds registered twice: {sorted(clash)}")
    KINDS.update(kinds)


def record(
    *,
    kind: str,
    org_id: int,
    ref_type: str,
    ref_id: int,
    member_id: int | None = None,
    occurred_at: datetime | None = None,
) -> None:
    """Queue one fact, committed with the state change that caused it."""
    if kind not in KINDS:
        raise ValueError(f"unknown participation kind {kind!r}")
    outbox.emit(
        RECORD,
        {
            "kind": kind,
            "org_id": org_id,
            "member_id": member_id,
            "ref_type": ref_type,
            "ref_id": ref_id,
            "occurred_at": (occurred_at or utcnow()).isoformat(),
        },
    )


def dedupe_key(payload: dict) -> str:
    return f"{payload['kind']}:{payload['ref_type']}:{payload['ref_id']}:{payload.get('member_id') or ''}"


def store(payload: dict) -> bool:
    """Store the fact of a ``record`` payload and count it in its org's month, once however often it
    is delivered (the participation job). True when it was new."""
    return rollups.store_fact(
        key=dedupe_key(payload),
        values={
            "org_id": payload["org_id"],
            "member_id": payload.get("member_id"),
            "kind": payload["kind"],
            "occurred_at": datetime.fromisoformat(payload["occurred_at"]),
            "ref_type": payload["ref_type"],
            "ref_id": payload["ref_id"],
        },
    )
