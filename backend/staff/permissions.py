"""What each staff role may do — the one table (role → permissions) that every staff API route and
every panel page declares against. Where a role may do it is the org subtree (see ``scope.py``).

A route declares what it needs with ``staff_required(permission)`` (API) or ``requires(permission)``
(panel); the declaration is kept on the view (``declared_need``) so a test can walk the URL map and
compare every route × role with this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from backend.staff.models import Role

SIGNED_IN = "staff.signed_in"  # any active staff account: the dashboard, its own password, log-out
MEMBERSHIP_REVIEW = "membership.review"
UNIT_REVIEW = "unit.review"
TRANSFER_REVIEW = "transfer.review"
CARD_VERIFY = "card.verify"
PII_REVEAL = "pii.reveal"  # see a full ID number or phone (audited)
ORG_MANAGE = "org.manage"  # orgs and the staff accounts of strictly lower nodes
AUDIT_READ = "audit.read"
NOTIFICATION_OPS = "ops.notifications"  # see and resend failed notifications of the subtree
JOB_OPS = "ops.jobs"  # see and retry failed background jobs (city-wide, so city level only)
ALERT_HANDLE = "alert.handle"  # 预警与督办: read the subtree's alerts and acknowledge them (audited)
ANNOUNCEMENT_PUBLISH = "announcement.publish"  # 工会公告: publish to the subtree and withdraw
AID_HANDLE = "aid.handle"  # 困难帮扶: handle help requests, keep needy-household files
LEGAL_MANAGE = "legal.manage"  # 法律援助: centres, lawyers, schedules and bookings of the subtree
LEGAL_CONSULT = "legal.consult"  # 法律援助: a lawyer's own bookings, outcomes and no-shows
WAGE_HANDLE = "wage.handle"  # 欠薪求助: handle wage claims and their clusters
EVENT_MANAGE = "event.manage"  # 联谊交友: create, edit, publish and cancel events; see the roster (masked)
EVENT_CHECKIN = "event.checkin"  # 联谊交友: check attendees in at the door
COMPETITION_MANAGE = "competition.manage"  # 劳动和技能竞赛: set up, judge, rank, award, publish
ASSESSMENT_READ = "assessment.read"  # 考核: results of the subtree
ASSESSMENT_RUN = "assessment.run"  # 考核: start a (city-wide) assessment run
STATS_READ = "stats.read"  # 统计: figures of the subtree

_UNION = {
    SIGNED_IN,
    MEMBERSHIP_REVIEW,
    TRANSFER_REVIEW,
    CARD_VERIFY,
    PII_REVEAL,
    ALERT_HANDLE,
    ANNOUNCEMENT_PUBLISH,
    AID_HANDLE,
    LEGAL_MANAGE,
    EVENT_MANAGE,
    EVENT_CHECKIN,
    COMPETITION_MANAGE,
    ASSESSMENT_READ,
    STATS_READ,
}
_TOWN = _UNION | {UNIT_REVIEW, ORG_MANAGE, NOTIFICATION_OPS, WAGE_HANDLE}
_COUNTY = _TOWN | {AUDIT_READ}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset(_COUNTY | {JOB_OPS, ASSESSMENT_RUN}),
    Role.COUNTY_ADMIN: frozenset(_COUNTY),
    Role.TOWN_ADMIN: frozenset(_TOWN),
    Role.UNION_ADMIN: frozenset(_UNION),
    # A lawyer works its own bookings only: no case evidence, alerts, notices or staff of the county.
    Role.LAWYER: frozenset({SIGNED_IN, CARD_VERIFY, LEGAL_CONSULT}),
}

# Which org level an admin role is attached to.
ROLE_LEVEL = {
    Role.CITY_ADMIN: "city",
    Role.COUNTY_ADMIN: "county",
    Role.TOWN_ADMIN: "town",
    Role.UNION_ADMIN: "base",
}

# Evidence is served to the roles that handle the kind of case it is attached to.
EVIDENCE_PERMISSION = {"aid": AID_HANDLE, "wage": WAGE_HANDLE, "competition_entry": COMPETITION_MANAGE}
EVIDENCE_ANY = tuple(dict.fromkeys(EVIDENCE_PERMISSION.values()))

# What a route declares: one permission, any one of several, or a function of the URL's arguments
# (a panel page per case kind) giving either.
Need = str | tuple[str, ...] | Callable[[Mapping[str, object]], str | tuple[str, ...]]


def can(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def resolve(need: Need, view_args: Mapping[str, object] | None = None) -> tuple[str, ...]:
    """The permissions a declaration stands for (any one of them suffices)."""
    if callable(need):
        need = need(view_args or {})
    return (need,) if isinstance(need, str) else tuple(need)


def allows(role: str, need: Need, view_args: Mapping[str, object] | None = None) -> bool:
    return any(can(role, permission) for permission in resolve(need, view_args))


def declare(view: Callable, need: Need) -> Callable:
    """Record on a view what it needs (read back by ``declared_need``)."""
    view.declared_need = need  # type: ignore[attr-defined]
    return view


def declared_need(view_func: Callable, method: str) -> Need | None:
    """What a registered view declared for ``method``: a method of a MethodView first, else the view."""
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        need = getattr(handler, "declared_need", None)
        if need is not None:
            return need
    return getattr(view_func, "declared_need", None)
