"""What each staff role may do. Where it may do it is the org subtree (see ``scope.py``)."""

from __future__ import annotations

from backend.staff.models import Role

MEMBERSHIP_REVIEW = "membership.review"
UNIT_REVIEW = "unit.review"
TRANSFER_REVIEW = "transfer.review"
CARD_VERIFY = "card.verify"
PII_REVEAL = "pii.reveal"  # see a full ID number or phone (audited)
ORG_MANAGE = "org.manage"
AUDIT_READ = "audit.read"
NOTIFICATION_OPS = "ops.notifications"  # see and resend failed notifications of the subtree
JOB_OPS = "ops.jobs"  # see and retry failed background jobs (city-wide, so city level only)

_ADMIN = {
    MEMBERSHIP_REVIEW,
    UNIT_REVIEW,
    TRANSFER_REVIEW,
    CARD_VERIFY,
    PII_REVEAL,
    ORG_MANAGE,
    AUDIT_READ,
    NOTIFICATION_OPS,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset(_ADMIN | {JOB_OPS}),
    Role.COUNTY_ADMIN: frozenset(_ADMIN),
    Role.TOWN_ADMIN: frozenset(_ADMIN - {AUDIT_READ}),
    Role.UNION_ADMIN: frozenset({MEMBERSHIP_REVIEW, TRANSFER_REVIEW, CARD_VERIFY, PII_REVEAL}),
    Role.LAWYER: frozenset({CARD_VERIFY}),
}

# Which org level an admin role is attached to.
ROLE_LEVEL = {
    Role.CITY_ADMIN: "city",
    Role.COUNTY_ADMIN: "county",
    Role.TOWN_ADMIN: "town",
    Role.UNION_ADMIN: "base",
}


def can(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
