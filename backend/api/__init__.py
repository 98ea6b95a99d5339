"""HTTP API: one blueprint per domain, registered here."""

from __future__ import annotations

from backend.api.base import Api


def register_blueprints(api: Api) -> None:
    from backend.api import (
        aid,
        auth,
        cases,
        competitions,
        events,
        health,
        legal,
        me,
        membership,
        notifications,
        orgs,
        staff_aid,
        staff_assessment,
        staff_audit,
        staff_competitions,
        staff_events,
        staff_legal,
        staff_membership,
        staff_ops,
        staff_stats,
        staff_wages,
        uploads,
        wages,
    )

    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for module in (
        health,
        auth,
        orgs,
        membership,
        me,
        notifications,
        uploads,
        cases,
        staff_membership,
        staff_ops,
        aid,
        staff_aid,
        legal,
        staff_legal,
        wages,
        staff_wages,
        events,
        staff_events,
        competitions,
        staff_competitions,
        staff_assessment,
        staff_stats,
        staff_audit,
    ):
        api.register_blueprint(module.blp)

    from backend.api import announcements, staff_announcements

    for module in (announcements, staff_announcements):
        api.register_blueprint(module.blp)
