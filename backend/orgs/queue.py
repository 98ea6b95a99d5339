"""The staff queue of 单位建会 applications, as the API and the panel both serve it: first come, first
served, cursor-paged (``backend/cases/queue.py``)."""

from __future__ import annotations

from backend.cases.queue import CaseQueue, in_subtree, pages_of
from backend.common.schema import TransitionIn
from backend.members.models import UnitApplication
from backend.members.review import DECISION_FLOW
from backend.members.schemas import ReviewQueueQuery
from backend.orgs import units
from backend.staff import permissions as perm

UNITS = CaseQueue(
    name="unit-applications",
    label="单位建会",
    permission=perm.UNIT_REVIEW,
    model=UnitApplication,
    flow=DECISION_FLOW,
    query=ReviewQueueQuery,
    action_schema=TransitionIn,
    page=pages_of(lambda scope, staff, **f: units.unit_applications_stmt(scope, **f)),
    load=in_subtree(UnitApplication),
    act=lambda scope, staff, application_id, **data: units.review_unit(
        scope=scope, staff=staff, application_id=application_id, **data
    ),
)
