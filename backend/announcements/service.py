"""工会公告 rules: who may publish, to which subtree, and who sees what. Plain functions; the request
owns the transaction."""

from __future__ import annotations

from sqlalchemy import Select, select

from backend.announcements.models import Announcement
from backend.audit import service as audit
from backend.common.errors import Forbidden, InvalidInput
from backend.common.types import utcnow
from backend.extensions import db
from backend.members.models import Member
from backend.orgs.models import Org, ancestor_ids
from backend.staff.models import Staff
from backend.staff.permissions import ANNOUNCEMENT_PUBLISH, can
from backend.staff.scope import Scope

TITLE_MAX = 100
BODY_MAX = 5000


def may_publish(staff: Staff) -> bool:
    """Union admins of every level publish to their subtree and withdraw; lawyers do not speak for a
    union (``ANNOUNCEMENT_PUBLISH`` in the role table)."""
    return can(staff.role, ANNOUNCEMENT_PUBLISH)


def publish(*, scope: Scope, staff: Staff, title: str, body: str, org_id: int | None = None) -> Announcement:
    """Publish a notice from ``org_id`` (the staff member's own node by default, or one below it)
    to that node's whole subtree. Audited."""
    if not may_publish(staff):
        raise Forbidden("只有工会管理员可以发布公告")
    org = db.session.get(Org, org_id or staff.org_id)
    if org is None or not scope.contains(org):
        raise InvalidInput("org_id", "只能以本级或下级工会的名义发布公告")
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise InvalidInput("title", "请填写公告标题")
    if len(title) > TITLE_MAX:
        raise InvalidInput("title", f"标题不能超过 {TITLE_MAX} 字")
    if not body:
        raise InvalidInput("body", "请填写公告内容")
    if len(body) > BODY_MAX:
        raise InvalidInput("body", f"内容不能超过 {BODY_MAX} 字")
    notice = Announcement(org_id=org.id, title=title, body=body, published_by=staff.id, published_at=utcnow())
    db.session.add(notice)
    db.session.flush()
    audit.record(
        staff=staff,
        action="announcement.publish",
        target_type="announcement",
        target_id=notice.id,
        org_id=org.id,
        detail={"title": title},
    )
    return notice


def withdraw(*, scope: Scope, staff: Staff, announcement_id: int) -> Announcement:
    """Take a notice of the subtree down (it stays in the records, members no longer see it)."""
    if not may_publish(staff):
        raise Forbidden("只有工会管理员可以撤回公告")
    notice = scope.get(Announcement, announcement_id)
    if notice.withdrawn_at is None:
        notice.withdrawn_at = utcnow()
        audit.record(
            staff=staff,
            action="announcement.withdraw",
            target_type="announcement",
            target_id=notice.id,
            org_id=notice.org_id,
        )
    return notice


def staff_stmt(scope: Scope) -> Select:
    """Notices published within the staff member's subtree, newest first."""
    stmt = scope.restrict(select(Announcement), Announcement.org_id)
    return stmt.order_by(Announcement.published_at.desc(), Announcement.id.desc())


def for_member_stmt(member: Member) -> Select:
    """What a member sees: live notices of their union and of every union above it, newest first."""
    org = db.session.get(Org, member.org_id)
    stmt = select(Announcement).where(
        Announcement.org_id.in_(ancestor_ids(org)), Announcement.withdrawn_at.is_(None)
    )
    return stmt.order_by(Announcement.published_at.desc(), Announcement.id.desc())
