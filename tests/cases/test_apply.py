"""One ``apply`` moves every kind: the table decides who may act, a needed note is never blank, the
kind's effect runs before the status changes, the timeline and one audit line follow, and a worker's
action leaves no audit line. Shown on a probe kind declared over wage claims."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.cases.kind import Kind, Step, apply
from backend.cases.models import CaseEvent
from backend.common.errors import InvalidInput, NotFound
from backend.common.statemachine import IllegalTransition, StateMachine, Transition
from backend.extensions import db
from backend.staff.models import Staff
from backend.staff.scope import Scope
from backend.wages.flow import WAGE
from backend.wages.models import WAGE_STATUS_LABELS, WageClaim, WageStatus
from tests.wages import filed

S = WageStatus
PROBE_FLOW = StateMachine(
    "probe",
    [
        Transition("accept", frozenset({S.SUBMITTED}), S.ACCEPTED, "staff", "受理"),
        Transition("close", frozenset({S.SUBMITTED, S.ACCEPTED}), S.CLOSED_UNRESOLVED, "staff", "结案", True),
        Transition("remark", frozenset({S.SUBMITTED}), S.SUBMITTED, "worker", "补充说明"),
        Transition("withdraw", frozenset({S.SUBMITTED}), S.CLOSED_UNRESOLVED, "worker", "撤回"),
    ],
    labels=WAGE_STATUS_LABELS,
)
seen: list[tuple] = []


def _effect(step: Step) -> dict:
    """Records what it sees: the status still the old one, no timeline line yet."""
    lines = _timeline(step.case.id, step.action)
    seen.append(("effect", step.action, step.case.status, len(lines)))
    step.then(lambda: seen.append(("then", step.case.status, len(_timeline(step.case.id, step.action)))))
    return {"probe": step.inputs.get("probe")}


PROBE = Kind(
    name="probe",
    target_type=WAGE.name,
    model=WageClaim,
    flow=PROBE_FLOW,
    note_message="请写明结案原因",
    effects=dict.fromkeys(PROBE_FLOW.all_actions, _effect),
    case=WAGE,
)


def _timeline(claim_id: int, action: str) -> list[CaseEvent]:
    stmt = select(CaseEvent).where(
        CaseEvent.case_type == WAGE.name, CaseEvent.case_id == claim_id, CaseEvent.action == action
    )
    return list(db.session.scalars(stmt))


def _audit(claim_id: int) -> list[AuditLog]:
    stmt = select(AuditLog).where(AuditLog.target_type == WAGE.name, AuditLog.target_id == claim_id)
    return list(db.session.scalars(stmt.order_by(AuditLog.id)))


@pytest.fixture
def probe(factory, client):
    seen.clear()
    tree = factory.org_tree()
    claim_id = filed(client, factory.worker_token("probe"), tree.town_a.id)
    staff = db.session.get(Staff, tree.staff["t_county_a"].id)
    outsider = db.session.get(Staff, tree.staff["t_county_b"].id)
    return claim_id, staff, outsider


def test_a_staff_step_writes_its_timeline_line_and_one_audit_line(probe):
    claim_id, staff, _ = probe
    step = apply(
        PROBE, "accept", actor_type="staff", scope=Scope.of(staff), case_id=claim_id, staff=staff, probe=7
    )

    claim = step.case
    assert claim.status == S.ACCEPTED and claim.due_at is not None  # entered with its SLA deadline
    [line] = _timeline(claim_id, "accept")
    assert (line.actor_type, line.actor_id, line.from_status, line.to_status) == (
        "staff",
        staff.id,
        S.SUBMITTED,
        S.ACCEPTED,
    )
    assert line.detail == {"probe": 7}
    # The unowned case became the mover's, as every kind's first staff step does (件件有落实).
    assert claim.assignee_id == staff.id and len(_timeline(claim_id, "assign")) == 1
    assert [(a.action, a.detail) for a in _audit(claim_id)] == [
        ("wage.assign", {"assignee_id": staff.id, "automatic": True}),
        ("probe.accept", {"note": None, "probe": 7}),
    ]


def test_the_effect_runs_before_the_status_and_its_consequences_after_the_timeline(probe):
    claim_id, staff, _ = probe
    apply(PROBE, "accept", actor_type="staff", scope=Scope.of(staff), case_id=claim_id, staff=staff)
    assert seen == [("effect", "accept", S.SUBMITTED, 0), ("then", S.ACCEPTED, 1)]


@pytest.mark.parametrize("note", [None, "", "   ", "\n\t"])
def test_a_needed_note_is_never_blank_and_says_so_in_the_kinds_words(probe, note):
    claim_id, staff, _ = probe
    with pytest.raises(InvalidInput) as refused:
        apply(
            PROBE,
            "close",
            actor_type="staff",
            scope=Scope.of(staff),
            case_id=claim_id,
            staff=staff,
            note=note,
        )
    assert refused.value.errors == {"note": ["请写明结案原因"]}
    assert seen == [] and db.session.get(WageClaim, claim_id).status == S.SUBMITTED
    assert _audit(claim_id) == []


def test_a_note_with_words_is_kept_as_given(probe):
    claim_id, staff, _ = probe
    apply(
        PROBE,
        "close",
        actor_type="staff",
        scope=Scope.of(staff),
        case_id=claim_id,
        staff=staff,
        note=" 失联 ",
    )
    [line] = _timeline(claim_id, "close")
    assert line.note == " 失联 " and line.to_status == S.CLOSED_UNRESOLVED
    assert [a.detail["note"] for a in _audit(claim_id)] == [" 失联 "]


def test_only_the_actor_the_table_names_may_act(probe):
    claim_id, staff, _ = probe
    claim = db.session.get(WageClaim, claim_id)
    with pytest.raises(IllegalTransition) as refused:
        apply(PROBE, "withdraw", actor_type="staff", case=claim, staff=staff)
    assert refused.value.status == 409 and refused.value.message == "当前状态（待受理）下不能执行该操作"
    with pytest.raises(IllegalTransition):
        apply(PROBE, "accept", actor_type="worker", case=claim, actor_id=claim.account_id)
    assert seen == [] and claim.status == S.SUBMITTED


def test_a_worker_step_is_on_the_timeline_but_not_in_the_audit_log(probe):
    claim_id, _, _ = probe
    claim = db.session.get(WageClaim, claim_id)
    apply(PROBE, "withdraw", actor_type="worker", case=claim, actor_id=claim.account_id)
    [line] = _timeline(claim_id, "withdraw")
    assert (line.actor_type, line.actor_id) == ("worker", claim.account_id)
    assert claim.status == S.CLOSED_UNRESOLVED and claim.closed_at is not None
    assert _audit(claim_id) == [] and claim.assignee_id is None


def test_a_step_that_stays_in_its_state_keeps_the_deadline_and_records_no_move(probe):
    claim_id, _, _ = probe
    claim = db.session.get(WageClaim, claim_id)
    due = claim.due_at
    apply(PROBE, "remark", actor_type="worker", case=claim, actor_id=claim.account_id, note="还有两人")
    [line] = _timeline(claim_id, "remark")
    assert (line.from_status, line.to_status, line.note) == (None, None, "还有两人")
    assert claim.status == S.SUBMITTED and claim.due_at == due


def test_a_case_outside_the_staff_members_subtree_is_absent(probe):
    claim_id, _, outsider = probe
    with pytest.raises(NotFound):
        apply(PROBE, "accept", actor_type="staff", scope=Scope.of(outsider), case_id=claim_id, staff=outsider)
    assert seen == []
