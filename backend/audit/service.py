"""Writing the audit log. Every service function that acts for a staff member calls ``record``."""

from __future__ import annotations

from flask import has_request_context, request

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.staff.models import Staff


def record(
    *,
    staff: Staff | None,
    action: str,
    target_type: str,
    target_id: int | None,
    org_id: int | None = None,
    detail: dict | None = None,
) -> AuditLog:
    entry = AuditLog(
        staff_id=staff.id if staff else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        org_id=org_id,
        detail=detail or {},
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
