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
AID_HANDLE = "aid.handle"  # 困难帮扶: handle help requests, keep needy-household files
LEGAL_MANAGE = "legal.manage"  # 法律援助: centres, lawyers, schedules and bookings of the subtree
LEGAL_CONSULT = "legal.consult"  # 法律援助: a lawyer's own bookings, outcomes and no-shows
WAGE_HANDLE = "wage.handle"  # 欠薪求助: handle wage claims and their clusters
EVENT_MANAGE = "event.manage"  # 联谊交友: create, edit, publish and cancel events; see the roster (masked)
EVENT_CHECKIN = "event.checkin"  # 联谊交友: check attendees in at the door
COMPETITION_MANAGE = "competition.manage"  # 劳动和技能竞赛: set up, judge, rank, award, publish

_ADMIN = {
    MEMBERSHIP_REVIEW,
    UNIT_REVIEW,
    TRANSFER_REVIEW,
    CARD_VERIFY,
    PII_REVEAL,
    ORG_MANAGE,
    AUDIT_READ,
    NOTIFICATION_OPS,
    AID_HANDLE,
    LEGAL_MANAGE,
    WAGE_HANDLE,
    EVENT_MANAGE,
    EVENT_CHECKIN,
    COMPETITION_MANAGE,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset(_ADMIN | {JOB_OPS}),
    Role.COUNTY_ADMIN: frozenset(_ADMIN),
    Role.TOWN_ADMIN: frozenset(_ADMIN - {AUDIT_READ}),
    Role.UNION_ADMIN: frozenset(
        {
            MEMBERSHIP_REVIEW,
            TRANSFER_REVIEW,
            CARD_VERIFY,
            PII_REVEAL,
            AID_HANDLE,
            LEGAL_MANAGE,
            EVENT_MANAGE,
            EVENT_CHECKIN,
            COMPETITION_MANAGE,
        }
    ),
    Role.LAWYER: frozenset({CARD_VERIFY, LEGAL_CONSULT}),
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


# 考核与统计: read results and statistics of the subtree; start a (city-wide) assessment run.
ASSESSMENT_READ = "assessment.read"
ASSESSMENT_RUN = "assessment.run"
STATS_READ = "stats.read"
for _role, _extra in (
    (Role.CITY_ADMIN, {ASSESSMENT_READ, ASSESSMENT_RUN, STATS_READ}),
    (Role.COUNTY_ADMIN, {ASSESSMENT_READ, STATS_READ}),
    (Role.TOWN_ADMIN, {ASSESSMENT_READ, STATS_READ}),
    (Role.UNION_ADMIN, {ASSESSMENT_READ, STATS_READ}),
):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _extra
