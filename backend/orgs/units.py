"""单位建会: an employer applies to found a base union under its township (street) union, staff
decide it in one step, and approval founds the union — a new base node of the org tree. Plain
functions; the request owns the transaction."""

from __future__ import annotations

from sqlalchemy import Select, exists, select

from backend.audit import service as audit
from backend.cases.kind import Kind, Step, apply
from backend.common.errors import Conflict, InvalidInput
from backend.common.persistence import flush_or_conflict
from backend.extensions import db
from backend.members.models import ReviewStatus, UnitApplication, WxAccount
from backend.members.review import DECISION_FLOW, NOTE_MESSAGE, queue_stmt, settle
from backend.orgs import service as orgs
from backend.orgs.models import Org, OrgLevel
from backend.orgs.schemas import UnitIn
from backend.staff.models import Staff
from backend.staff.scope import Scope


def apply_for_unit(*, account: WxAccount, unit_in: UnitIn) -> UnitApplication:
    """An employer asks to found a base union under its township (street) union."""
    parent = db.session.get(Org, unit_in.org_id)
    if parent is None:
        raise InvalidInput("org_id", "所选工会不存在")
    if parent.level != OrgLevel.TOWN:
        raise InvalidInput("org_id", "请选择单位所在的乡镇（街道）工会")
    credit_code = unit_in.credit_code
    if db.session.scalar(
        select(
            exists().where(
                UnitApplication.credit_code == credit_code,
                UnitApplication.status == ReviewStatus.APPROVED,
            )
        )
    ):
        raise Conflict("该单位已建立工会", code="unit_exists")
    application = UnitApplication(
        account_id=account.id,
        org_id=parent.id,
        unit_name=unit_in.unit_name,
        credit_code=credit_code,
        open_credit_code=credit_code,
        category=unit_in.category,
        address=unit_in.address,
        employee_count=unit_in.employee_count,
        contact_name=unit_in.contact_name,
        contact_phone=unit_in.contact_phone,
        note=unit_in.note,
    )
    db.session.add(application)
    flush_or_conflict("该单位已有一份正在处理的建会申请")
    return application


def unit_applications_of_stmt(account: WxAccount) -> Select:
    """The account's 单位建会 applications, newest first."""
    stmt = select(UnitApplication).where(UnitApplication.account_id == account.id)
    return stmt.order_by(UnitApplication.id.desc())


def unit_applications_of(account: WxAccount) -> list[UnitApplication]:
    return list(db.session.scalars(unit_applications_of_stmt(account)))


def review_unit(
    *, scope: Scope, staff: Staff, application_id: int, action: str, note: str | None = None
) -> UnitApplication:
    """Approval founds the union: a new base node under the township the unit applied to."""
    return apply(
        UNIT_KIND, action, actor_type="staff", scope=scope, case_id=application_id, staff=staff, note=note
    ).case


def _unit_decided(step: Step) -> None:
    settle(step)
    application = step.case
    if step.target == ReviewStatus.APPROVED:
        parent = db.session.get(Org, application.org_id)
        org = orgs.add_child(
            parent=parent, name=f"{application.unit_name}工会委员会", category=application.category
        )
        application.created_org_id = org.id


UNIT_KIND = Kind(
    name="unit",
    target_type="unit_application",
    model=UnitApplication,
    flow=DECISION_FLOW,
    note_message=NOTE_MESSAGE,
    effects={**dict.fromkeys(("approve", "reject"), _unit_decided), "withdraw": settle},
)


def unit_applications_stmt(scope: Scope, *, status: list[str] | None = None) -> Select:
    return queue_stmt(UnitApplication, scope, status)


def reveal_unit_contact(*, scope: Scope, staff: Staff, application_id: int) -> UnitApplication:
    """The full phone of a 单位建会 application's contact, for the staffer who must call them: audited
    like every reveal; outside the subtree it is a 404."""
    application = scope.get(UnitApplication, application_id)
    audit.record(
        staff=staff,
        action="pii.reveal",
        target_type="unit_application",
        target_id=application.id,
        org_id=application.org_id,
    )
    return application
