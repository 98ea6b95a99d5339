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
        meta,
        notifications,
        orgs,
        staff_aid,
        staff_assessment,
        staff_audit,
        staff_competitions,
        staff_events,
        staff_legal,
        staff_lookup,
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
        meta,
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
        staff_lookup,
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

    from backend.api import openapi

    openapi.document_staff_roles(api)  # last: it reads every staff operation registered above
