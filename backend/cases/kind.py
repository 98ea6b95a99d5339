"""How any record with a state machine moves: one ``apply`` for every kind (wage claims, help
requests, membership reviews, transfers, 单位建会, needy-household files, legal-aid bookings, events,
competitions), staff, worker and system actions alike.

A domain declares its ``Kind`` once — the table (``StateMachine``), the Chinese message for a missing
note, how its audit lines are named, and one effect function per action — and every transition of
that kind goes through ``apply``, which does, always in this order:

1. lock the row within the staff member's scope (or take the row the caller already locked);
2. check the table: the action from this state, for this kind of actor (409 otherwise);
3. check the note: a transition that needs one gets a non-blank note (422 otherwise);
4. run the action's effect: the domain's own rules, pre-conditions that refuse, and consequences
   (timestamps, notifications, participation facts); it returns the detail the action records;
5. set the status — through ``cases.enter`` (its SLA deadline) for kinds tracked as cases;
6. write the case timeline for kinds that have one, and give an unowned case to the staff member
   who moved it (件件有落实);
7. run what the effect asked to follow the timeline line (a hand-over after an acceptance);
8. write one audit line for a staff action (每一项工作人员操作都留痕).

It lives beside the case rules rather than in ``common.statemachine`` because steps 5 and 6 are case
rules (SLA deadlines, the timeline, ownership); the table itself stays plain data there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.audit import service as audit
from backend.cases import service as cases
from backend.common.errors import InvalidInput
from backend.common.statemachine import StateMachine, Transition
from backend.common.types import utcnow
from backend.staff.models import Staff
from backend.staff.scope import Scope


@dataclass
class Step:
    """One transition being applied: what the effect reads, and what it hands back."""

    kind: Kind
    case: Any
    transition: Transition
    actor_type: str
    actor_id: int | None
    staff: Staff | None
    scope: Scope | None
    note: str | None
    inputs: dict
    now: datetime
    before: str
    detail: dict = field(default_factory=dict)
    _then: list[Callable[[], None]] = field(default_factory=list)

    @property
    def action(self) -> str:
        return self.transition.action

    @property
    def target(self) -> str:
        return self.transition.target

    def then(self, consequence: Callable[[], None]) -> None:
        """Run ``consequence`` once the status is set and the timeline written, before the audit."""
        self._then.append(consequence)


Effect = Callable[[Step], "dict | None"]


def _lock_in_scope(kind: Kind, scope: Scope, staff: Staff | None, case_id: int):
    return scope.get(kind.model, case_id, for_update=True)


def _note_then_detail(step: Step) -> dict:
    return {"note": step.note, **step.detail}


@dataclass(frozen=True)
class Kind:
    """What moves and how: the table, the note message, the audit names and the effects."""

    name: str  # the audit action's prefix: "wage" → "wage.accept"
    target_type: str  # the audit line's target type
    model: type
    flow: StateMachine
    note_message: str  # what a transition that needs a note says without one
    effects: Mapping[str, Effect] = field(default_factory=dict)  # action → effect
    case: cases.CaseKind | None = None  # SLA deadlines and a timeline, for kinds tracked as cases
    # Loads and locks one row within the scope (404 outside it); default: SELECT … FOR UPDATE.
    lock: Callable[[Kind, Scope, Staff | None, int], Any] = _lock_in_scope
    audit_detail: Callable[[Step], dict] = _note_then_detail


def apply(
    kind: Kind,
    action: str,
    *,
    actor_type: str,
    case=None,
    scope: Scope | None = None,
    case_id: int | None = None,
    staff: Staff | None = None,
    actor_id: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
    **inputs,
) -> Step:
    """Apply ``action`` to a row of ``kind`` (see the module docstring for the order of steps).

    Either ``case`` (already loaded, and locked as the caller needs) or ``scope`` and ``case_id``.
    ``inputs`` are what the action takes besides the note (amounts, outcome …); its effect checks
    them. Returns the step: the case, the transition and the detail recorded."""
    if case is None:
        case = kind.lock(kind, scope, staff, case_id)
    transition = kind.flow.transition(case.status, action, actor_type)
    if transition.needs_note and not (note or "").strip():
        raise InvalidInput("note", kind.note_message)
    if actor_id is None and staff is not None:
        actor_id = staff.id
    step = Step(
        kind=kind,
        case=case,
        transition=transition,
        actor_type=actor_type,
        actor_id=actor_id,
        staff=staff,
        scope=scope,
        note=note,
        inputs=inputs,
        now=now or utcnow(),
        before=case.status,
    )
    effect = kind.effects.get(action)
    if effect is not None:
        step.detail = effect(step) or {}
    moves = transition.target != step.before  # a rating, a reschedule: the state stays
    if moves:
        if kind.case is not None:
            cases.enter(kind.case, case, transition.target, step.now)
        else:
            case.status = transition.target
    if kind.case is not None:
        _write_timeline(step, moves)
    for consequence in step._then:
        consequence()
    if actor_type == "staff" and staff is not None:
        audit.record(
            staff=staff,
            action=f"{kind.name}.{action}",
            target_type=kind.target_type,
            target_id=case.id,
            org_id=case.org_id,
            detail=kind.audit_detail(step),
        )
    return step


def _write_timeline(step: Step, moves: bool) -> None:
    case_kind, case = step.kind.case, step.case
    cases.record(
        case_kind,
        case,
        actor_type=step.actor_type,
        actor_id=step.actor_id,
        action=step.action,
        from_status=step.before if moves else None,
        to_status=step.target if moves else None,
        note=step.note,
        detail=step.detail,
    )
    if (
        step.actor_type == "staff"
        and step.actor_id is not None
        and case.assignee_id is None
        and step.target not in case_kind.final_states
    ):
        cases.take_ownership(case_kind, case, step.actor_id)
