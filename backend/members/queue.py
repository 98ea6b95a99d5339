"""The staff review queues of membership — 入会审核 and 会员关系转接 — as the API and the panel both
serve them: first come, first served, cursor-paged (``backend/cases/queue.py``)."""

from __future__ import annotations

from backend.cases.queue import CaseQueue, in_subtree, pages_of
from backend.common.schema import TransitionIn
from backend.members import service as members
from backend.members.models import MembershipApplication, MembershipTransfer
from backend.members.review import DECISION_FLOW, REVIEW_FLOW
from backend.members.schemas import ApplicationQueueQuery, ReviewQueueQuery
from backend.staff import permissions as perm

APPLICATIONS = CaseQueue(
    name="membership/applications",
    label="入会审核",
    permission=perm.MEMBERSHIP_REVIEW,
    model=MembershipApplication,
    flow=REVIEW_FLOW,
    query=ApplicationQueueQuery,
    action_schema=TransitionIn,
    page=pages_of(lambda scope, staff, **f: members.applications_stmt(scope, **f)),
    load=in_subtree(MembershipApplication),
    act=lambda scope, staff, application_id, **data: members.review_application(
        scope=scope, staff=staff, application_id=application_id, **data
    ),
)

TRANSFERS = CaseQueue(
    name="membership/transfers",
    label="会员关系转接",
    permission=perm.TRANSFER_REVIEW,
    model=MembershipTransfer,
    flow=DECISION_FLOW,
    query=ReviewQueueQuery,
    action_schema=TransitionIn,
    page=pages_of(lambda scope, staff, **f: members.transfers_stmt(scope, **f)),
    load=in_subtree(MembershipTransfer),
    act=lambda scope, staff, transfer_id, **data: members.review_transfer(
        scope=scope, staff=staff, transfer_id=transfer_id, **data
    ),
)
