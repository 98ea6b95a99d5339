"""Membership rules: applying (个人入会), review, the member record and card, and transfers
(会员关系转接); unit applications (单位建会) are ``orgs.units``. Plain functions; the request or job
owns the transaction."""

from __future__ import annotations

import functools

from flask import current_app
from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, exists, or_, select

from backend.audit import service as audit
from backend.cases.kind import Kind, Step, apply
from backend.common import crypto
from backend.common.errors import Conflict, InvalidInput, NotFound
from backend.common.idcard import birth_date, gender_of
from backend.common.persistence import flush_or_conflict
from backend.common.ratelimit import hit_or_refuse
from backend.common.types import utcnow
from backend.extensions import db
from backend.members.cards import card_number
from backend.members.models import (
    Member,
    MembershipApplication,
    MembershipTransfer,
    ReviewStatus,
    WxAccount,
)
from backend.members.review import DECISION_FLOW, NOTE_MESSAGE, REVIEW_FLOW, queue_stmt, settle
from backend.members.schemas import Applicant
from backend.notify import service as notify
from backend.orgs import service as orgs
from backend.orgs.models import Org
from backend.participation import service as participation
from backend.staff import lookup as staff_lookup
from backend.staff.models import Staff
from backend.staff.scope import Scope


def _check_person(applicant: Applicant) -> None:
    id_number = applicant.id_number
    if applicant.gender != gender_of(id_number):
        raise InvalidInput("gender", "性别与身份证号不一致，请核对")


def _id_number_in_use(id_blind: str | BindParameter, *, besides: int | None = None) -> ColumnElement[bool]:
    """Whether a member, or another open application, already holds this ID number: a condition the
    caller selects together with whatever else it must know (one round trip)."""
    other = MembershipApplication.open_id_blind == id_blind
    if besides is not None:
        other = other & (MembershipApplication.id != besides)
    return or_(exists().where(Member.id_blind == id_blind), exists().where(other))


@functools.cache
def _applying_checks() -> Select:
    """Whether the account has an application under review, and whether its ID number is in use, in
    one SELECT built once (building it and working out its cache key cost more than running it); a
    request binds ``account_id`` and ``id_blind``."""
    open_for_account = exists().where(
        MembershipApplication.account_id == bindparam("account_id"),
        MembershipApplication.status.in_((ReviewStatus.SUBMITTED, ReviewStatus.NEEDS_INFO)),
    )
    return select(open_for_account, _id_number_in_use(bindparam("id_blind")))


def _count_application(account: WxAccount) -> None:
    """Applications are limited per account: typing in ID numbers one after another gets nowhere."""
    limit = current_app.extensions["zhigong.settings"].application_rate_limit
    hit_or_refuse(limit, "membership-apply", account.id, message="提交入会申请过于频繁，请明天再试")


def _open_slot(id_blind: str, *, in_use: bool) -> str | None:
    """The application's claim on the ID number's one open slot — or none when the number is in use.

    The answer to the phone is the same either way (accepted for review): whether an ID number
    belongs to a member, or is being applied for, is never confirmed to whoever types it in. An
    application without the slot cannot become a second membership (approval meets the member's
    unique ID index), and staff see the clash when they review it."""
    return None if in_use else id_blind


# --- 个人入会 -----------------------------------------------------------------------------------------
def apply_for_membership(
    *, account: WxAccount, applicant: Applicant, consent_version: str
) -> MembershipApplication:
    """Record a real-name application. One open application or membership per ID number."""
    if account.member is not None:
        raise Conflict("您已是工会会员，无需重复申请", code="already_member")
    _count_application(account)
    if applicant.consent_version != consent_version:
        raise InvalidInput("consent_version", "隐私政策已更新，请阅读并同意最新版本后再提交")
    _check_person(applicant)
    org = orgs.member_org(applicant.org_id)
    id_blind = crypto.id_number_index(applicant.id_number)
    account_busy, in_use = db.session.execute(
        _applying_checks(), {"account_id": account.id, "id_blind": id_blind}
    ).one()
    if account_busy:
        raise Conflict("您已有一份正在处理的入会申请，请等待审核结果", code="application_open")

    application = MembershipApplication(
        account_id=account.id,
        org=org,  # the answer shows the union: no second read of it
        name=applicant.name,
        gender=applicant.gender,
        id_number=applicant.id_number,
        id_blind=id_blind,
        open_id_blind=_open_slot(id_blind, in_use=in_use),
        mobile=applicant.mobile,
        mobile_blind=crypto.phone_index(applicant.mobile),
        employer=applicant.employer,
        worker_type=applicant.worker_type,
        consent_version=applicant.consent_version,
        consented_at=utcnow(),
    )
    db.session.add(application)
    flush_or_conflict("该身份证号已有一份正在处理的入会申请")
    notify.notify(account_id=account.id, kind="membership.submitted", org_id=org.id, org_name=org.name)
    return application


def applications_of_stmt(account: WxAccount) -> Select:
    """The account's membership applications, newest first."""
    return (
        select(MembershipApplication)
        .where(MembershipApplication.account_id == account.id)
        .order_by(MembershipApplication.id.desc())
    )


def applications_of(account: WxAccount) -> list[MembershipApplication]:
    return list(db.session.scalars(applications_of_stmt(account)))


def _own_application(account: WxAccount, application_id: int) -> MembershipApplication:
    application = db.session.get(MembershipApplication, application_id)
    if application is None or application.account_id != account.id:
        raise NotFound("入会申请不存在")
    return application


def resubmit_application(
    *, account: WxAccount, application_id: int, applicant: Applicant, consent_version: str
) -> MembershipApplication:
    """The worker answers a request for more information and sends the application back."""
    application = _own_application(account, application_id)
    apply(
        MEMBERSHIP_KIND,
        "resubmit",
        actor_type="worker",
        case=application,
        actor_id=account.id,
        account=account,
        applicant=applicant,
        consent_version=consent_version,
    )
    flush_or_conflict("该身份证号已有一份正在处理的入会申请")
    return application


def _resubmitted(step: Step) -> None:
    """The answered application replaces what was sent before, checked as a new one is."""
    application, applicant = step.case, step.inputs["applicant"]
    _count_application(step.inputs["account"])
    if applicant.consent_version != step.inputs["consent_version"]:
        raise InvalidInput("consent_version", "隐私政策已更新，请阅读并同意最新版本后再提交")
    _check_person(applicant)
    org = orgs.member_org(applicant.org_id)
    id_blind = crypto.id_number_index(applicant.id_number)
    application.org_id = org.id
    for field in ("name", "gender", "id_number", "mobile", "employer", "worker_type", "consent_version"):
        setattr(application, field, getattr(applicant, field))
    application.id_blind = id_blind
    in_use = db.session.scalar(select(_id_number_in_use(id_blind, besides=application.id)))
    application.open_id_blind = _open_slot(id_blind, in_use=in_use)
    application.mobile_blind = crypto.phone_index(applicant.mobile)
    application.submitted_at = step.now


def withdraw_application(*, account: WxAccount, application_id: int) -> MembershipApplication:
    application = _own_application(account, application_id)
    apply(MEMBERSHIP_KIND, "withdraw", actor_type="worker", case=application, actor_id=account.id)
    return application


def reveal_application(*, scope: Scope, staff: Staff, application_id: int) -> MembershipApplication:
    """A deliberate look at an application's full ID number and phone (查看完整): one audit line each time.
    The caller checks the reveal permission; outside the subtree it is a 404."""
    application = scope.get(MembershipApplication, application_id)
    audit.record(
        staff=staff,
        action="pii.reveal",
        target_type="membership_application",
        target_id=application.id,
        org_id=application.org_id,
    )
    return application


def reveal_transfer_member(*, scope: Scope, staff: Staff, transfer_id: int) -> MembershipTransfer:
    """The full ID number and phone of the member a transfer moves, for the receiving union's check."""
    transfer = scope.get(MembershipTransfer, transfer_id)
    audit.record(
        staff=staff,
        action="pii.reveal",
        target_type="transfer",
        target_id=transfer.id,
        org_id=transfer.org_id,
    )
    return transfer


def review_application(
    *, scope: Scope, staff: Staff, application_id: int, action: str, note: str | None = None
) -> MembershipApplication:
    """Staff decide on an application in their subtree; approval creates the member and card."""
    step = apply(
        MEMBERSHIP_KIND,
        action,
        actor_type="staff",
        scope=scope,
        case_id=application_id,
        staff=staff,
        note=note,
    )
    return step.case


def _application_decided(step: Step) -> None:
    """Approval creates the member and card (and credits the union); every decision tells the worker."""
    settle(step)
    application = step.case
    org = db.session.get(Org, application.org_id)
    if step.target == ReviewStatus.APPROVED:
        member = _create_member(application)
        application.member_id = member.id
        notify.notify(
            account_id=application.account_id,
            kind="membership.approved",
            org_id=org.id,
            org_name=org.name,
            card_no=member.card_no,
        )
        participation.record(
            kind="member.joined",
            org_id=org.id,
            member_id=member.id,
            ref_type="membership_application",
            ref_id=application.id,
        )
    else:
        kind = {
            ReviewStatus.REJECTED: "membership.rejected",
            ReviewStatus.NEEDS_INFO: "membership.needs_info",
        }
        notify.notify(
            account_id=application.account_id,
            kind=kind[step.target],
            org_id=org.id,
            org_name=org.name,
            note=step.note or "",
        )


def _create_member(application: MembershipApplication) -> Member:
    account = db.session.get(WxAccount, application.account_id)
    if account is not None and account.member is not None:
        raise Conflict("该微信账号已绑定会员", code="already_member")
    joined = utcnow()
    member = Member(
        account_id=application.account_id,
        org_id=application.org_id,
        name=application.name,
        gender=application.gender,
        birth_date=birth_date(application.id_number),
        id_number=application.id_number,
        id_blind=application.id_blind,
        mobile=application.mobile,
        mobile_blind=application.mobile_blind,
        employer=application.employer,
        worker_type=application.worker_type,
        joined_at=joined,
    )
    db.session.add(member)
    flush_or_conflict("该身份证号已是工会会员")
    member.card_no = card_number(member.id, joined)
    return member


def applications_stmt(
    scope: Scope,
    *,
    status: list[str] | None = None,
    org_id: int | None = None,
    q: str | None = None,
    lookup: str | None = None,
) -> Select:
    """The review queue of a staff member's subtree, oldest first (first come, first served). A whole
    ID number or phone comes as a ``lookup`` token (``backend.staff.lookup``), never as ``q``."""
    stmt = queue_stmt(MembershipApplication, scope, status).order_by(None)
    if org_id:
        stmt = stmt.where(MembershipApplication.org_id == org_id)
    staff_lookup.refuse_in_url(q)
    if lookup:  # by the blind index, never by plaintext
        found = staff_lookup.read_token(lookup)
        if found.kind == staff_lookup.ID_NUMBER:
            stmt = stmt.where(MembershipApplication.id_blind == found.digest)
        else:
            stmt = stmt.where(MembershipApplication.mobile_blind == found.digest)
    if q:
        q = q.strip()
        stmt = stmt.where(
            MembershipApplication.name.contains(q, autoescape=True)
            | MembershipApplication.employer.contains(q, autoescape=True)
        )
    return stmt.order_by(MembershipApplication.submitted_at, MembershipApplication.id)


# --- 会员关系转接 ---------------------------------------------------------------------------------------
def request_transfer(*, member: Member, to_org_id: int, reason: str) -> MembershipTransfer:
    """A member asks to move to another union; the receiving side reviews it."""
    target = orgs.member_org(to_org_id)
    if target.id == member.org_id:
        raise InvalidInput("to_org_id", "您已是该工会的会员")
    transfer = MembershipTransfer(
        member_id=member.id,
        open_member_id=member.id,
        from_org_id=member.org_id,
        org_id=target.id,
        reason=reason,
    )
    db.session.add(transfer)
    flush_or_conflict("您已有一份正在处理的转会申请")
    return transfer


def transfers_of_stmt(member: Member) -> Select:
    """The member's transfer requests, newest first."""
    stmt = select(MembershipTransfer).where(MembershipTransfer.member_id == member.id)
    return stmt.order_by(MembershipTransfer.id.desc())


def transfers_of(member: Member) -> list[MembershipTransfer]:
    return list(db.session.scalars(transfers_of_stmt(member)))


def withdraw_transfer(*, member: Member, transfer_id: int) -> MembershipTransfer:
    transfer = db.session.get(MembershipTransfer, transfer_id)
    if transfer is None or transfer.member_id != member.id:
        raise NotFound("转会申请不存在")
    apply(TRANSFER_KIND, "withdraw", actor_type="worker", case=transfer, actor_id=member.account_id)
    return transfer


def review_transfer(
    *, scope: Scope, staff: Staff, transfer_id: int, action: str, note: str | None = None
) -> MembershipTransfer:
    step = apply(
        TRANSFER_KIND, action, actor_type="staff", scope=scope, case_id=transfer_id, staff=staff, note=note
    )
    return step.case


def _transfer_decided(step: Step) -> None:
    """Approval moves the member (unless they moved meanwhile); the member is told either way."""
    settle(step)
    transfer = step.case
    member = db.session.get(Member, transfer.member_id)
    org = db.session.get(Org, transfer.org_id)
    if step.target == ReviewStatus.APPROVED:
        if member.org_id != transfer.from_org_id:
            raise Conflict("会员所属工会已变化，请让会员重新申请转会")
        member.org_id = transfer.org_id
        participation.record(
            kind="member.transferred_in",
            org_id=org.id,
            member_id=member.id,
            ref_type="membership_transfer",
            ref_id=transfer.id,
        )
    if member.account_id is not None:
        kind = "transfer.approved" if step.target == ReviewStatus.APPROVED else "transfer.rejected"
        notify.notify(
            account_id=member.account_id, kind=kind, org_id=org.id, org_name=org.name, note=step.note or ""
        )


MEMBERSHIP_KIND = Kind(
    name="membership",
    target_type="membership_application",
    model=MembershipApplication,
    flow=REVIEW_FLOW,
    note_message=NOTE_MESSAGE,
    effects={
        **dict.fromkeys(("approve", "reject", "request_info"), _application_decided),
        "resubmit": _resubmitted,
        "withdraw": settle,
    },
)

TRANSFER_KIND = Kind(
    name="transfer",
    target_type="membership_transfer",
    model=MembershipTransfer,
    flow=DECISION_FLOW,
    note_message=NOTE_MESSAGE,
    effects={**dict.fromkeys(("approve", "reject"), _transfer_decided), "withdraw": settle},
)


def transfers_stmt(scope: Scope, *, status: list[str] | None = None) -> Select:
    return queue_stmt(MembershipTransfer, scope, status)
