"""The review flow shared by 入会申请, 会员关系转接 and 单位建会 (DESIGN §3): the tables, the step
every review shares (``settle``), its note rule and its queue."""

from __future__ import annotations

from sqlalchemy import Select, select

from backend.cases.kind import Step
from backend.cases.queue import filter_queue
from backend.common.statemachine import StateMachine, Transition
from backend.common.types import utcnow
from backend.members.models import REVIEW_STATUS_LABELS, ReviewStatus
from backend.staff.scope import Scope

S = ReviewStatus

REVIEW_FLOW = StateMachine(
    "review",
    [
        Transition("approve", frozenset({S.SUBMITTED}), S.APPROVED, "staff", "通过"),
        Transition(
            "reject", frozenset({S.SUBMITTED, S.NEEDS_INFO}), S.REJECTED, "staff", "不予通过", needs_note=True
        ),
        Transition(
            "request_info", frozenset({S.SUBMITTED}), S.NEEDS_INFO, "staff", "退回补充材料", needs_note=True
        ),
        Transition("resubmit", frozenset({S.NEEDS_INFO}), S.SUBMITTED, "worker", "补充后重新提交"),
        Transition("withdraw", frozenset({S.SUBMITTED, S.NEEDS_INFO}), S.WITHDRAWN, "worker", "撤回"),
    ],
    labels=REVIEW_STATUS_LABELS,
)

# Transfers and unit applications are decided in one step: approve, or reject with a reason.
DECISION_FLOW = StateMachine(
    "decision",
    [
        Transition("approve", frozenset({S.SUBMITTED}), S.APPROVED, "staff", "通过"),
        Transition("reject", frozenset({S.SUBMITTED}), S.REJECTED, "staff", "不予通过", needs_note=True),
        Transition("withdraw", frozenset({S.SUBMITTED}), S.WITHDRAWN, "worker", "撤回"),
    ],
    labels=REVIEW_FLOW.labels,
)

FINAL = (ReviewStatus.APPROVED, ReviewStatus.REJECTED, ReviewStatus.WITHDRAWN)

# What a review that needs a note (a rejection, a request for more) says without one.
NOTE_MESSAGE = "请填写原因或需要补充的材料"


def settle(step: Step) -> None:
    """What every decision (and a withdrawal) writes on the reviewed case besides its status: the
    note, who decided and when; a final case gives up its 'open' unique slot. An application
    withdrawn because its person is erased keeps the staff's last note."""
    case = step.case
    if not step.inputs.get("erasing"):
        case.status_note = step.note
    if step.staff is not None:
        case.reviewed_by = step.staff.id
        case.reviewed_at = utcnow()
    if step.target in FINAL:
        for slot in ("open_id_blind", "open_member_id", "open_credit_code"):
            if hasattr(case, slot):
                setattr(case, slot, None)


def queue_stmt(model, scope: Scope, status: list[str] | None) -> Select:
    """A review queue of the subtree, oldest first (first come, first served)."""
    stmt = filter_queue(scope.restrict(select(model), model.org_id), model, scope, status=status)
    return stmt.order_by(model.submitted_at, model.id)
