"""The review flow shared by 入会申请, 会员关系转接 and 单位建会 (DESIGN §3)."""

from __future__ import annotations

from backend.common.statemachine import StateMachine, Transition
from backend.members.models import REVIEW_STATUS_LABELS, ReviewStatus

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
