"""The staff queue of 困难帮扶, as the API and the panel both serve it: first come, first served,
cursor-paged (``backend/cases/queue.py`` says what every queue shares)."""

from __future__ import annotations

from backend.aid import service as aid
from backend.aid.models import AidRequest
from backend.aid.schemas import AidQueueQuery, AidTransitionIn
from backend.cases.queue import CaseQueue, in_subtree
from backend.staff import permissions as perm

QUEUE = CaseQueue(
    name="aid-requests",
    label="困难帮扶",
    permission=perm.AID_HANDLE,
    model=AidRequest,
    flow=aid.AID_FLOW,
    query=AidQueueQuery,
    action_schema=AidTransitionIn,
    page=lambda scope, staff, **kw: aid.queue_page(scope, **kw),
    load=in_subtree(AidRequest),
    act=lambda scope, staff, request_id, **data: aid.handle(
        scope=scope, staff=staff, request_id=request_id, **data
    ),
    assign=lambda scope, staff, request_id, **data: aid.assign(
        scope=scope, staff=staff, request_id=request_id, **data
    ),
)
