"""The panel's pages, one module per area; importing this package registers them on ``bp``."""

from backend.admin.views import (  # noqa: F401
    analysis,
    announcements,
    audit_log,
    base,
    card_verify,
    cases,
    clusters,
    competitions,
    dashboard,
    events,
    households,
    legal,
    ops,
    orgs,
    people,
)
