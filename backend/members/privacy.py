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

from sqlalchemy import delete, select

from backend.audit import service as audit
from backend.auth.tokens import end_all_sessions
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
from backend.notify.models import Notification, SubscriptionGrant
from backend.uploads.models import Upload

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
    """Called by a domain's service module at import, e.g. ``register_personal_data("wage_claims", …)``."""
    if name in HOLDERS and HOLDERS[name].export is not export:
        raise ValueError(f"personal data registered twice under {name!r}")
    HOLDERS[name] = PersonalData(name, export, erase)


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
    from backend.uploads.service import storage

    for holder in HOLDERS.values():  # first, while the account and the member are still linked
        holder.erase(account, account.member)

    for application in db.session.scalars(
        select(MembershipApplication).where(MembershipApplication.account_id == account.id)
    ):
        if application.status in OPEN_REVIEW_STATUSES:
            application.status = ReviewStatus.WITHDRAWN
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
        member.status = "erased"
        member.name, member.employer, member.birth_date = ERASED_NAME, "", None
        member.id_number, member.mobile = "", ""
        member.id_blind = member.mobile_blind = f"{ERASED_PREFIX}member:{member.id}"
        member.account_id = None

    for unit in db.session.scalars(select(UnitApplication).where(UnitApplication.account_id == account.id)):
        unit.contact_name, unit.contact_phone = ERASED_NAME, ""
        if unit.status in OPEN_REVIEW_STATUSES:
            unit.status = ReviewStatus.WITHDRAWN
            unit.open_credit_code = None

    for upload in db.session.scalars(
        select(Upload).where(Upload.account_id == account.id, Upload.case_id.is_(None))
    ):
        storage().delete(upload.storage_key)
        db.session.delete(upload)
    db.session.execute(delete(Notification).where(Notification.account_id == account.id))
    db.session.execute(delete(SubscriptionGrant).where(SubscriptionGrant.account_id == account.id))
    account.openid = f"{ERASED_PREFIX}{account.id}"
    account.unionid = None
    end_all_sessions(account)
    audit.record(staff=None, action="account.erase", target_type="wx_account", target_id=account.id)
