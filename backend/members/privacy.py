"""个人信息 — a worker's rights over their own data (PIPL): a copy of everything held about them,
and erasure of it.

Erasure keeps what the union must keep as anonymous records (that a member joined a union on a
date, for statistics and assessments) and removes everything that identifies the person: name, ID
number, phone, employer, notifications, grants, unused uploads, and the link to their WeChat
account. Cases they filed keep their history but lose the personal fields.

Each domain that holds personal data registers what it exports and how it erases it
(``register_personal_data``), so this module never needs to know the other domains' tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy import event as sa_event

from backend.audit import service as audit
from backend.audit.models import AuditLog
from backend.auth.tokens import end_all_sessions
from backend.cases.kind import apply
from backend.cases.models import CaseEvent
from backend.common.types import utcnow
from backend.extensions import db
from backend.members.models import (
    OPEN_REVIEW_STATUSES,
    Member,
    MembershipApplication,
    MembershipTransfer,
    ReviewStatus,
    UnitApplication,
    WxAccount,
)
from backend.members.service import MEMBERSHIP_KIND
from backend.notify.models import Notification, SubscriptionGrant
from backend.orgs.units import UNIT_KIND
from backend.uploads.models import Upload
from backend.uploads.service import storage

ERASED_PREFIX = "erased:"
ERASED_NAME = "已注销"
ERASED_TEXT = "（本人已注销，个人信息已删除）"


@dataclass(frozen=True)
class PersonalData:
    """What one domain holds about a person: ``export`` lists the records (serialised by the export
    schema under ``name``), ``erase`` closes what is still open and removes the personal fields."""

    name: str
    export: Callable[[WxAccount, Member | None], list]
    erase: Callable[[WxAccount, Member | None], None]


HOLDERS: dict[str, PersonalData] = {}


def register_personal_data(
    name: str,
    *,
    export: Callable[[WxAccount, Member | None], list],
    erase: Callable[[WxAccount, Member | None], None],
) -> None:
    """Called by a domain's ``register(app)``, e.g. ``register_personal_data("wage_claims", …)``."""
    if name in HOLDERS and HOLDERS[name].export is not export:
        raise ValueError(f"personal data registered twice under {name!r}")
    HOLDERS[name] = PersonalData(name, export, erase)


def register_holder(holder: PersonalData) -> None:
    """Declare what a domain holds about a person (its ``PERSONAL_DATA``)."""
    register_personal_data(holder.name, export=holder.export, erase=holder.erase)


# What staff or the person wrote in a timeline line or an audit entry about one of the person's records.
FREE_TEXT_KEYS = ("note", "comment", "reason", "title", "description", "name")


def forget_history(target_type: str, target_ids: list[int]) -> None:
    """The free text of the records' history goes: timeline notes (``case_events``) and the notes kept
    in the audit log's details. Who did what, and when, stays."""

    ids = list(dict.fromkeys(target_ids))
    if not ids:
        return
    db.session.execute(
        update(CaseEvent)
        .where(CaseEvent.case_type == target_type, CaseEvent.case_id.in_(ids))
        .values(note=None)
    )
    entries = select(AuditLog).where(AuditLog.target_type == target_type, AuditLog.target_id.in_(ids))
    for entry in db.session.scalars(entries):
        if any(key in (entry.detail or {}) for key in FREE_TEXT_KEYS):
            entry.detail = {k: v for k, v in entry.detail.items() if k not in FREE_TEXT_KEYS}


def _delete_files_after_commit(keys: list[str]) -> None:
    """Files go once the erasure is committed (a rolled-back erasure keeps them)."""

    if not keys:
        return
    store = storage()
    if store.transactional:  # rows in this very transaction: they go (or stay) with the erasure
        for key in keys:
            store.delete(key)
        return

    def delete_files(_session) -> None:
        for key in keys:
            store.delete(key)

    sa_event.listen(db.session(), "after_commit", delete_files, once=True)


def is_erased(account: WxAccount) -> bool:
    return account.openid.startswith(ERASED_PREFIX)


def export_data(account: WxAccount) -> dict:
    """Everything held about the account, for ``GET /me/export`` (personal identifiers masked)."""

    def rows(model, *where):
        return list(db.session.scalars(select(model).where(*where).order_by(model.id)))

    member = account.member
    return {
        "exported_at": utcnow(),
        "account": account,
        "member": member,
        "applications": rows(MembershipApplication, MembershipApplication.account_id == account.id),
        "transfers": rows(MembershipTransfer, MembershipTransfer.member_id == member.id) if member else [],
        "unit_applications": rows(UnitApplication, UnitApplication.account_id == account.id),
        "notifications": rows(Notification, Notification.account_id == account.id),
        "subscriptions": rows(SubscriptionGrant, SubscriptionGrant.account_id == account.id),
        "uploads": rows(Upload, Upload.account_id == account.id),
        **{name: holder.export(account, member) for name, holder in HOLDERS.items()},
    }


def erase(account: WxAccount) -> None:
    """Remove the person from the system; the account can never log in again as itself."""
    for holder in HOLDERS.values():  # first, while the account and the member are still linked
        holder.erase(account, account.member)

    mine = select(MembershipApplication).where(MembershipApplication.account_id == account.id)
    applications = list(db.session.scalars(mine))
    forget_history("membership_application", [a.id for a in applications])
    for application in applications:
        if application.status in OPEN_REVIEW_STATUSES:
            apply(MEMBERSHIP_KIND, "withdraw", actor_type="worker", case=application, erasing=True)
        application.name, application.employer = ERASED_NAME, ""
        application.id_number, application.mobile = "", ""
        application.id_blind = application.mobile_blind = f"{ERASED_PREFIX}application:{application.id}"
        application.open_id_blind = None

    member = account.member
    if member is not None:
        db.session.execute(
            delete(MembershipTransfer).where(
                MembershipTransfer.member_id == member.id,
                MembershipTransfer.status.in_((ReviewStatus.SUBMITTED, ReviewStatus.NEEDS_INFO)),
            )
        )
        transfers = list(
            db.session.scalars(select(MembershipTransfer).where(MembershipTransfer.member_id == member.id))
        )
        forget_history("membership_transfer", [t.id for t in transfers])
        for transfer in transfers:
            transfer.reason = ERASED_TEXT
        member.status = "erased"
        member.name, member.employer, member.birth_date = ERASED_NAME, "", None
        member.id_number, member.mobile = "", ""
        member.id_blind = member.mobile_blind = f"{ERASED_PREFIX}member:{member.id}"
        member.account_id = None

    units = list(db.session.scalars(select(UnitApplication).where(UnitApplication.account_id == account.id)))
    forget_history("unit_application", [u.id for u in units])
    for unit in units:
        unit.contact_name, unit.contact_phone = ERASED_NAME, ""
        if unit.status in OPEN_REVIEW_STATUSES:
            apply(UNIT_KIND, "withdraw", actor_type="worker", case=unit, erasing=True)

    # Every file the person uploaded, evidence attached to a case included: the case keeps its
    # history, not the photos of a household or a pay slip.
    account_uploads = list(db.session.scalars(select(Upload).where(Upload.account_id == account.id)))
    _delete_files_after_commit([upload.storage_key for upload in account_uploads])
    for upload in account_uploads:
        db.session.delete(upload)
    db.session.execute(delete(Notification).where(Notification.account_id == account.id))
    db.session.execute(delete(SubscriptionGrant).where(SubscriptionGrant.account_id == account.id))
    account.openid = f"{ERASED_PREFIX}{account.id}"
    account.unionid = None
    end_all_sessions(account)
    audit.record(staff=None, action="account.erase", target_type="wx_account", target_id=account.id)
