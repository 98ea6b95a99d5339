"""Staff accounts managed from the admin panel: who works in a subtree, new accounts with a role,
deactivation, password resets and changes. Scoped to the acting staff member's subtree, audited."""

from __future__ import annotations

import hashlib
import unicodedata

from sqlalchemy import Select, func, select

from backend.audit import service as audit
from backend.auth.tokens import end_all_sessions
from backend.common.errors import Forbidden, InvalidInput
from backend.common.persistence import flush_or_conflict
from backend.extensions import db
from backend.orgs.models import Org
from backend.staff.models import Role, Staff
from backend.staff.passwords import hash_password, verify_password
from backend.staff.permissions import ROLE_LEVEL
from backend.staff.scope import Scope

MIN_PASSWORD = 10

ROLE_LABELS = Role.labels()


def session_stamp(staff: Staff) -> str:
    """Changes whenever the password does: a log-in session carries it and ends when it changes."""
    return hashlib.sha256(staff.password_hash.encode()).hexdigest()[:16]


def normalise_username(username: str) -> str:
    """The one form of a user name, used by the log-in, its rate limit and new accounts alike:
    width-folded, trimmed and lower-case (MariaDB's collation ignores case anyway)."""
    return unicodedata.normalize("NFKC", username or "").strip().lower()[:64]


def password_problem(password: str, *, username: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 位"
    if len(password) > 128:
        return "密码不能超过 128 位"
    if password.isdigit() or password.isalpha():
        return "密码应同时包含字母和数字（或符号）"
    if username and username.lower() in password.lower():
        return "密码不能包含用户名"
    return None


def staff_stmt(scope: Scope, *, q: str | None = None, active: bool | None = None) -> Select:
    """Staff of the subtree, ordered by their node's place in the tree, then name."""
    stmt = scope.restrict(select(Staff).join(Staff.org), Staff.org_id)
    if q:
        q = q.strip()
        stmt = stmt.where(
            Staff.username.contains(q, autoescape=True) | Staff.name.contains(q, autoescape=True)
        )
    if active is not None:
        stmt = stmt.where(Staff.active.is_(active))
    return stmt.order_by(Org.path, Staff.id)


def roles_for(org: Org) -> list[str]:
    """Roles an account attached to ``org`` may hold: the admin role of its level, or lawyer."""
    return [role for role, level in ROLE_LEVEL.items() if level == org.level] + [Role.LAWYER]


def create_staff(
    *, scope: Scope, staff: Staff, org_id: int, username: str, name: str, role: str, password: str
) -> Staff:
    """A new account in the subtree, with a role that fits its node's level (audited)."""
    org = db.session.get(Org, org_id)
    if org is None or not scope.contains(org):
        raise InvalidInput("org_id", "只能在本级或下级工会开设账号")
    if role not in roles_for(org):
        allowed = "、".join(ROLE_LABELS[r] for r in roles_for(org))
        raise InvalidInput("role", f"{org.name}的账号角色只能是：{allowed}")
    if not may_manage(staff, org=org, role=role):
        raise InvalidInput("role", "本级只能开设律师账号；同级管理员账号由上级工会开设")
    return _open_account(
        acting=staff, org=org, username=username, name=name.strip()[:50], role=role, password=password
    )


# Who outranks whom at one node: the node's admin role manages the lawyers attached there.
ROLE_RANK = {
    Role.CITY_ADMIN: 1,
    Role.COUNTY_ADMIN: 1,
    Role.TOWN_ADMIN: 1,
    Role.UNION_ADMIN: 1,
    Role.LAWYER: 0,
}


def may_manage(staff: Staff, *, org: Org, role: str) -> bool:
    """An account at a strictly lower node, or one of a lower role at the staff member's own node;
    never a peer (the same role at the same node), so no one takes over a colleague's account."""
    if org.id != staff.org_id:
        return org.path.startswith(staff.org.path)
    return ROLE_RANK.get(staff.role, 0) > ROLE_RANK.get(role, 0)


def create_first_admin(*, org: Org, username: str, name: str, role: str, password: str) -> Staff:
    """An administrator made from the command line (``flask create-admin``), with the same checks of
    user name and password as an account opened in the panel; audited with no acting staff."""
    return _open_account(
        acting=None,
        org=org,
        username=username,
        name=name.strip()[:50] or normalise_username(username),
        role=role,
        password=password,
        via="cli",
    )


def _open_account(
    *,
    acting: Staff | None,
    org: Org,
    username: str,
    name: str,
    role: str,
    password: str,
    via: str | None = None,
) -> Staff:
    """The account itself, for the panel/API and the command line alike: the user name normalised
    and checked, the password's strength, one account per name (case folded), audited."""
    username = normalise_username(username)
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").isalnum():
        raise InvalidInput("username", "用户名由字母、数字、下划线组成，不超过64位")
    problem = password_problem(password, username=username)
    if problem:
        raise InvalidInput("password", problem)
    if db.session.scalar(select(Staff.id).where(func.lower(Staff.username) == username)):
        raise InvalidInput("username", "该用户名已被使用")
    account = Staff(
        username=username,
        name=name,
        role=role,
        org_id=org.id,
        password_hash=hash_password(password),
        active=True,
    )
    db.session.add(account)
    flush_or_conflict("该用户名已被使用")
    detail = {"username": username, "role": role} | ({"via": via} if via else {})
    audit.record(
        staff=acting,
        action="staff.create",
        target_type="staff",
        target_id=account.id,
        org_id=org.id,
        detail=detail,
    )
    return account


def _managed(scope: Scope, staff: Staff, staff_id: int) -> Staff:
    target = scope.get(Staff, staff_id)
    if target.id == staff.id:
        raise Forbidden("不能对自己的账号执行此操作，请使用“修改密码”")
    if not may_manage(staff, org=target.org, role=target.role):
        raise Forbidden("只能管理下级工会的账号或本级的律师账号，不能管理同级工作人员")
    return target


def set_active(*, scope: Scope, staff: Staff, staff_id: int, active: bool) -> Staff:
    """Deactivate (or reactivate) an account of the subtree; a deactivated one cannot log in."""
    target = _managed(scope, staff, staff_id)
    target.active = active
    end_all_sessions(target)  # a re-activated account starts from a fresh log-in, never old tokens
    audit.record(
        staff=staff,
        action="staff.activate" if active else "staff.deactivate",
        target_type="staff",
        target_id=target.id,
        org_id=target.org_id,
    )
    return target


def reset_password(*, scope: Scope, staff: Staff, staff_id: int, password: str) -> Staff:
    """Set a new password for an account of the subtree (its open sessions end)."""
    target = _managed(scope, staff, staff_id)
    problem = password_problem(password, username=target.username)
    if problem:
        raise InvalidInput("password", problem)
    target.password_hash = hash_password(password)
    end_all_sessions(target)
    audit.record(
        staff=staff,
        action="staff.reset_password",
        target_type="staff",
        target_id=target.id,
        org_id=target.org_id,
    )
    return target


def change_own_password(*, staff: Staff, current: str, new: str) -> Staff:
    """A staff member changes their own password, proving the current one first."""
    if not verify_password(staff.password_hash, current):
        raise InvalidInput("current_password", "当前密码不正确")
    if current == new:
        raise InvalidInput("new_password", "新密码不能与当前密码相同")
    problem = password_problem(new, username=staff.username)
    if problem:
        raise InvalidInput("new_password", problem)
    staff.password_hash = hash_password(new)
    end_all_sessions(staff)
    audit.record(
        staff=staff,
        action="staff.change_password",
        target_type="staff",
        target_id=staff.id,
        org_id=staff.org_id,
    )
    return staff
