"""The staff queue of 欠薪求助, as the API and the panel both serve it: most urgent first, cursor-paged
for a million claims (``backend/cases/queue.py`` says what every queue shares)."""

from __future__ import annotations

from backend.cases.queue import CaseQueue
from backend.staff import permissions as perm
from backend.wages import service as wages
from backend.wages.flow import WAGE_FLOW
from backend.wages.models import WageClaim
from backend.wages.schemas import WageQueueQuery, WageTransitionIn

QUEUE = CaseQueue(
    name="wage-claims",
    label="欠薪求助",
    permission=perm.WAGE_HANDLE,
    model=WageClaim,
    flow=WAGE_FLOW,
    query=WageQueueQuery,
    action_schema=WageTransitionIn,
    page=lambda scope, staff, **kw: wages.queue(scope, staff_level=staff.org.level, **kw),
    load=lambda scope, staff, claim_id: wages.claim_for_staff(scope=scope, claim_id=claim_id),
    act=lambda scope, staff, claim_id, **data: wages.transition_claim(
        scope=scope, staff=staff, claim_id=claim_id, **data
    ),
    assign=lambda scope, staff, claim_id, **data: wages.assign_claim(
        scope=scope, staff=staff, claim_id=claim_id, **data
    ),
)
