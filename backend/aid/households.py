"""困难职工档案 (建档立卡): filing a needy household, revising its situation, plan and measures, and
closing (销档) or reopening the file; every change audited.

Plain keyword-only functions; the request owns the transaction.
"""

from __future__ import annotations

from sqlalchemy import Select, select, update
from sqlalchemy.orm import selectinload

from backend.aid.models import HOUSEHOLD_STATUS_LABELS, AidRequest, HouseholdStatus, NeedyHousehold
from backend.aid.schemas import HouseholdChanges, HouseholdFileIn
from backend.audit import service as audit
from backend.cases.kind import Kind, Step, apply
from backend.common.errors import Conflict, InvalidInput
from backend.common.persistence import flush_or_conflict
from backend.common.statemachine import StateMachine, Transition
from backend.common.time import SHANGHAI
from backend.extensions import db
from backend.members.models import Member
from backend.participation import service as participation
from backend.staff.models import Staff
from backend.staff.scope import Scope

HOUSEHOLD_FLOW = StateMachine(
    "household",
    [
        Transition(
            "close", frozenset({HouseholdStatus.ACTIVE}), HouseholdStatus.CLOSED, "staff", "销档", True
        ),
        Transition(
            "reopen", frozenset({HouseholdStatus.CLOSED}), HouseholdStatus.ACTIVE, "staff", "恢复建档"
        ),
    ],
    labels=HOUSEHOLD_STATUS_LABELS,
)
HOUSEHOLD_FIELDS = ("hardship_type", "situation", "plan", "measures")


def file_household(*, scope: Scope, staff: Staff, file_in: HouseholdFileIn) -> NeedyHousehold:
    """建档: one file per household (its member); the member's requests are linked to it."""
    member = db.session.get(Member, file_in.member_id)
    if member is None or not scope.contains_id(member.org_id):
        raise InvalidInput("member_id", "会员不存在，或不属于本级及下级工会")
    existing = db.session.scalar(select(NeedyHousehold).where(NeedyHousehold.member_id == member.id))
    if existing is not None:
        raise Conflict(
            f"该会员家庭已建档（档案号 {existing.file_no}），请在原档案上更新", code="already_filed"
        )
    if file_in.file_no and db.session.scalar(
        select(NeedyHousehold.id).where(NeedyHousehold.file_no == file_in.file_no)
    ):
        raise InvalidInput("file_no", "档案号已被使用")
    household = NeedyHousehold(
        member_id=member.id,
        org_id=member.org_id,
        file_no=file_in.file_no,
        created_by=staff.id,
        **{field: getattr(file_in, field) for field in HOUSEHOLD_FIELDS},
    )
    db.session.add(household)
    flush_or_conflict("该会员家庭已建档，或档案号已被使用", "already_filed")
    if not household.file_no:
        household.file_no = f"KN{household.created_at.astimezone(SHANGHAI):%Y}{household.id:06d}"
    db.session.execute(
        update(AidRequest)
        .where(AidRequest.member_id == member.id, AidRequest.needy_household_id.is_(None))
        .values(needy_household_id=household.id)
    )
    _audit_household(staff, household, "create", {"file_no": household.file_no})
    participation.record(
        kind="aid.household_filed",
        org_id=household.org_id,
        member_id=member.id,
        ref_type="needy_household",
        ref_id=household.id,
    )
    return household


def update_household(
    *, scope: Scope, staff: Staff, household_id: int, changes: HouseholdChanges
) -> NeedyHousehold:
    """Revise the situation, plan or measures of an open file."""
    household = scope.get(NeedyHousehold, household_id, for_update=True)
    if household.status != HouseholdStatus.ACTIVE:
        raise Conflict("档案已销档，请先恢复后再修改", code="household_closed")
    given = changes.given()
    changed = [f for f in HOUSEHOLD_FIELDS if f in given and given[f] != getattr(household, f)]
    for field in changed:
        setattr(household, field, given[field])
    _audit_household(staff, household, "update", {"fields": changed})
    return household


def settle_household(
    *, scope: Scope, staff: Staff, household_id: int, action: str, note: str | None = None
) -> NeedyHousehold:
    """销档 (close, with the reason: 已脱困 …) or reopen a file."""
    return apply(
        HOUSEHOLD_KIND, action, actor_type="staff", scope=scope, case_id=household_id, staff=staff, note=note
    ).case


def _settled(step: Step) -> None:
    """A closed file keeps when and why it was closed; a reopened one forgets both."""
    household, closing = step.case, step.target == HouseholdStatus.CLOSED
    household.closed_at = step.now if closing else None
    household.close_reason = step.note.strip()[:500] if closing else None


HOUSEHOLD_KIND = Kind(
    name="aid.household",
    target_type="needy_household",
    model=NeedyHousehold,
    flow=HOUSEHOLD_FLOW,
    note_message="请填写销档原因",
    effects=dict.fromkeys(HOUSEHOLD_FLOW.all_actions, _settled),
)


def households_stmt(scope: Scope, *, status: str | None = None, q: str | None = None) -> Select:
    stmt = scope.restrict(select(NeedyHousehold), NeedyHousehold.org_id)
    if status:
        stmt = stmt.where(NeedyHousehold.status == status)
    if q:
        q = q.strip()
        by_name = select(Member.id).where(Member.name.contains(q, autoescape=True))
        stmt = stmt.where((NeedyHousehold.file_no == q) | NeedyHousehold.member_id.in_(by_name))
    return stmt.options(selectinload(NeedyHousehold.member)).order_by(NeedyHousehold.id.desc())


def _audit_household(staff: Staff, household: NeedyHousehold, action: str, detail: dict) -> None:
    audit.record(
        staff=staff,
        action=f"aid.household.{action}",
        target_type="needy_household",
        target_id=household.id,
        org_id=household.org_id,
        detail=detail,
    )
