"""Rules every case kind shares: entering a state (with its SLA deadline), the timeline,
assignment, escalation of overdue cases to the parent node, and staff alerts.

A domain registers its kind once (``register_kind``); its transitions go through ``cases.kind.apply``,
which uses ``enter``, ``record`` and ``take_ownership`` from here, and its own rules (amounts,
clusters, referrals) stay in its own service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import Select, select

from backend.audit import service as audit
from backend.cases.models import CaseEvent, StaffAlert
from backend.cases.sla import SlaTable
from backend.common import persistence
from backend.common.errors import InvalidInput, NotFound
from backend.common.statemachine import StateMachine
from backend.common.types import utcnow
from backend.extensions import db
from backend.notify import service as notify
from backend.orgs.models import Org
from backend.staff.models import Role, Staff
from backend.staff.scope import Scope


@dataclass(frozen=True)
class CaseKind:
    name: str  # "aid", "wage": the SLA section, the timeline's case_type
    label: str  # 困难帮扶
    model: type
    flow: StateMachine
    final_states: frozenset[str]


KINDS: dict[str, CaseKind] = {}


def register_kind(kind: CaseKind) -> CaseKind:
    KINDS[kind.name] = kind
    return kind


def sla() -> SlaTable:
    return current_app.extensions["zhigong.sla"]


# --- states and the timeline --------------------------------------------------------------------------
def enter(kind: CaseKind, case, status: str, now: datetime | None = None) -> None:
    """Put ``case`` in ``status`` and give it that state's deadline."""
    now = now or utcnow()
    case.status = status
    case.due_at = sla().deadline(kind.name, status, now)
    if status in kind.final_states:
        case.closed_at = now
        case.due_at = None


def record(
    kind: CaseKind,
    case,
    *,
    actor_type: str,
    actor_id: int | None,
    action: str,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    detail: dict | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """One line on the case's timeline, in the caller's transaction (a Core INSERT: the timeline is
    only ever appended to). Returns the line, detached, ``id`` set."""
    row = {
        "case_type": kind.name,
        "case_id": case.id,
        "at": at or utcnow(),
        "actor_type": actor_type,
        "actor_id": actor_id,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "org_id": case.org_id,
        "note": note,
        "detail": detail or {},
    }
    return persistence.append(CaseEvent, row)


def take_ownership(kind: CaseKind, case, staff_id: int) -> None:
    """件件有落实: a case a staff member moves on (accepts, starts mediating …) without an owner becomes
    theirs — the same rule for every kind; it can be handed on with ``assign`` afterwards."""
    case.assignee_id = staff_id
    detail = {"assignee_id": staff_id}
    record(kind, case, actor_type="staff", actor_id=staff_id, action="assign", detail=detail)
    audit.record(
        staff=db.session.get(Staff, staff_id),
        action=f"{kind.name}.assign",
        target_type=kind.name,
        target_id=case.id,
        org_id=case.org_id,
        detail={"assignee_id": staff_id, "automatic": True},
    )


@dataclass
class CaseDetail:
    """A case with what its detail page shows beside it (timeline, attachments); reads through to
    the case's columns, so a detail schema dumps it like the case."""

    case: object
    timeline: list = field(default_factory=list)
    attachments: list = field(default_factory=list)

    def __getattr__(self, name: str):
        return getattr(self.case, name)


def timeline(kind: CaseKind, case_id: int) -> list[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_type == kind.name, CaseEvent.case_id == case_id)
    return list(db.session.scalars(stmt.order_by(CaseEvent.id)))


# --- assignment ---------------------------------------------------------------------------------------
def assign(
    kind: CaseKind,
    *,
    scope: Scope,
    staff: Staff,
    case_id: int,
    assignee_id: int | None,
    note: str | None = None,
):
    """Give a case an owner: a staff member of the acting staff's own subtree (not a lawyer)."""
    case = scope.get(kind.model, case_id, for_update=True)
    if case.status in kind.final_states:
        raise InvalidInput("assignee_id", "已办结的案件不能再分派")
    if assignee_id is not None:
        assignee = db.session.get(Staff, assignee_id)
        if (
            assignee is None
            or not assignee.active
            or assignee.role == Role.LAWYER
            or not scope.contains(assignee.org)
        ):
            raise InvalidInput("assignee_id", "只能分派给本级或下级工会的在岗工作人员")
    case.assignee_id = assignee_id
    record(
        kind,
        case,
        actor_type="staff",
        actor_id=staff.id,
        action="assign",
        note=note,
        detail={"assignee_id": assignee_id},
    )
    audit.record(
        staff=staff,
        action=f"{kind.name}.assign",
        target_type=kind.name,
        target_id=case.id,
        org_id=case.org_id,
        detail={"assignee_id": assignee_id},
    )
    return case


# --- escalation ---------------------------------------------------------------------------------------
def escalate_overdue(now: datetime | None = None, *, batch: int = 500) -> int:
    """Move every overdue case one level up (件件有落实): new owner node, fresh deadline, the worker
    and the new node's staff told, the timeline written. Returns how many cases moved or re-alerted."""

    now = now or utcnow()
    table = sla()
    handled = 0
    for kind in KINDS.values():
        model = kind.model
        overdue = db.session.scalars(
            select(model)
            .where(model.status.in_(table.states(kind.name)), model.due_at < now)
            .order_by(model.due_at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        for case in overdue:
            org = db.session.get(Org, case.org_id)
            parent = db.session.get(Org, org.parent_id) if org.parent_id else None
            case.due_at = table.deadline(kind.name, case.status, now)
            if parent is None or case.escalations >= table.max_escalations:
                raise_alert(
                    org_id=case.org_id,
                    kind="case.overdue",
                    case_kind=kind,
                    case=case,
                    title=f"{kind.label}已超期",
                    body=f"{kind.label}#{case.id} 已超过办理时限，请尽快处理",
                )
                record(kind, case, actor_type="system", actor_id=None, action="overdue", at=now)
                handled += 1
                continue
            case.org_id = parent.id
            case.escalations += 1
            case.assignee_id = None
            record(
                kind,
                case,
                actor_type="system",
                actor_id=None,
                action="escalate",
                at=now,
                note=f"超过办理时限，自动上报至{parent.name}",
                detail={"from_org_id": org.id, "to_org_id": parent.id},
            )
            raise_alert(
                org_id=parent.id,
                kind="case.escalated",
                case_kind=kind,
                case=case,
                title=f"{kind.label}超期上报",
                body=f"{org.name}的{kind.label}#{case.id} 超期未办结，已上报至本级",
            )
            notify.notify(
                account_id=case.account_id,
                kind="case.escalated",
                org_id=parent.id,
                case_label=kind.label,
                org_name=parent.name,
            )
            handled += 1
    return handled


# --- staff alerts -------------------------------------------------------------------------------------
def raise_alert(
    *, org_id: int, kind: str, title: str, body: str, case_kind: CaseKind | None = None, case=None
) -> StaffAlert:
    alert = StaffAlert(
        org_id=org_id,
        kind=kind,
        title=title[:200],
        body=body[:1000],
        case_type=case_kind.name if case_kind else None,
        case_id=case.id if case is not None else None,
    )
    db.session.add(alert)
    return alert


# Alert kinds whose text is read from their subject as it is now (a cluster's live count), by kind.
_ALERT_BODIES: dict[str, Callable[[StaffAlert], str | None]] = {}


def alert_body(kind: str):
    """Register how an alert of ``kind`` reads now; the stored body stays as it was first written."""

    def decorator(func: Callable[[StaffAlert], str | None]):
        _ALERT_BODIES[kind] = func
        return func

    return decorator


def current_text(alert: StaffAlert) -> str:
    """An alert's text as staff should read it now (the stored body if its subject is gone)."""
    live = _ALERT_BODIES.get(alert.kind)
    return (live(alert) if live else None) or alert.body


def alerts_stmt(scope: Scope, *, open_only: bool = True) -> Select:
    stmt = scope.restrict(select(StaffAlert), StaffAlert.org_id)
    if open_only:
        stmt = stmt.where(StaffAlert.acknowledged_at.is_(None))
    return stmt.order_by(StaffAlert.id.desc())


def acknowledge_alert(*, scope: Scope, staff: Staff, alert_id: int) -> StaffAlert:
    alert = scope.get(StaffAlert, alert_id)
    if alert is None:
        raise NotFound()
    if alert.acknowledged_at is None:
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by = staff.id
        # Acknowledging hides the alert from the subtree's open list: who did it stays on record.
        audit.record(
            staff=staff,
            action="alert.acknowledge",
            target_type="alert",
            target_id=alert.id,
            org_id=alert.org_id,
            detail={"kind": alert.kind, "title": alert.title},
        )
    return alert
