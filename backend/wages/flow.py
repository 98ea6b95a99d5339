"""What may happen to a wage claim (DESIGN §3), as one table: submitted → accepted → mediating 调解
→ referred 转办 → resolved | closed_unresolved. Mediation may settle a claim without a referral;
an accepted, mediating or referred claim may be closed unresolved, with the reason."""

from __future__ import annotations

from backend.cases.service import CaseKind
from backend.common.statemachine import StateMachine, Transition
from backend.wages.models import WAGE_STATUS_LABELS, WageClaim, WageStatus

S = WageStatus

WAGE_FLOW = StateMachine(
    "wage",
    [
        Transition("accept", frozenset({S.SUBMITTED}), S.ACCEPTED, "staff", "受理"),
        Transition("mediate", frozenset({S.ACCEPTED}), S.MEDIATING, "staff", "开始调解"),
        Transition("refer", frozenset({S.MEDIATING}), S.REFERRED, "staff", "转办"),
        Transition("resolve", frozenset({S.MEDIATING, S.REFERRED}), S.RESOLVED, "staff", "已解决"),
        Transition(
            "close",
            frozenset({S.ACCEPTED, S.MEDIATING, S.REFERRED}),
            S.CLOSED_UNRESOLVED,
            "staff",
            "未能解决，结案",
            needs_note=True,
        ),
    ],
    labels=WAGE_STATUS_LABELS,
)

FINAL_STATES = frozenset({S.RESOLVED, S.CLOSED_UNRESOLVED})

WAGE = CaseKind(name="wage", label="欠薪求助", model=WageClaim, flow=WAGE_FLOW, final_states=FINAL_STATES)

# What each event of a claim's timeline means to the worker who filed it.
EVENT_LABELS = {
    "submit": "已提交欠薪求助",
    "accept": "工会已受理",
    "mediate": "工会开始调解",
    "refer": "已转办",
    "resolve": "欠薪已追回",
    "close": "未能解决，已结案",
    "escalate": "超期未办结，已上报上级工会督办",
}
