"""HTTP API: one blueprint per domain, registered here."""

from __future__ import annotations

from backend.api.base import Api


def register_blueprints(api: Api) -> None:
    from backend.api import (
        auth,
        cases,
        health,
        me,
        membership,
        notifications,
        orgs,
        staff_membership,
        staff_ops,
        uploads,
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
    ):
        api.register_blueprint(module.blp)
