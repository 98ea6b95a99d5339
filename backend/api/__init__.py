"""HTTP API: one blueprint per domain, registered here."""

from __future__ import annotations

from backend.api import (
    aid,
    announcements,
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
    openapi,
    orgs,
    staff_aid,
    staff_announcements,
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
from backend.api.base import Api

api = Api()  # flask-smorest's Api, bound to the app in create_app


def register_blueprints(api: Api) -> None:

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

    for module in (announcements, staff_announcements):
        api.register_blueprint(module.blp)

    openapi.document_staff_roles(api)  # last: it reads every staff operation registered above
