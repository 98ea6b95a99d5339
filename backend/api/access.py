"""Who may call an endpoint. Workers and staff carry different tokens (claim ``kind``); a token of
the wrong kind is refused before any view code runs."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_jwt_extended import get_jwt, get_jwt_identity, verify_jwt_in_request

from backend.auth.service import STAFF, WORKER
from backend.common.errors import DomainError, Forbidden, NotFound, Unauthorized
from backend.extensions import db
from backend.members.models import Member, WxAccount
from backend.staff.models import Staff
from backend.staff.permissions import Need, allows, declare
from backend.staff.scope import Scope


class WrongAudience(DomainError):
    status = 403
    code = "forbidden"


def _require_kind(kind: str) -> int:
    verify_jwt_in_request()
    if get_jwt().get("kind") != kind:
        raise WrongAudience("此接口仅限工会工作人员使用" if kind == STAFF else "此接口仅限职工使用")
    subject = int(get_jwt_identity())
    g.principal = f"{kind}:{subject}"
    return subject


def worker_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        account_id = _require_kind(WORKER)
        account = db.session.get(WxAccount, account_id)
        if account is None or account.openid.startswith("erased:"):
            raise Unauthorized("账号不存在或已注销，请重新登录")
        g.account = account
        return view(*args, **kwargs)

    return wrapper


def staff_required(permission: Need | None = None):
    """Staff token, an active account, and what the route needs from ``permissions.ROLE_PERMISSIONS``
    (one permission or any one of several), checked before the route loads anything. The need is
    declared on the view, so the route × role table can be tested from the URL map."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            staff_id = _require_kind(STAFF)
            staff = db.session.get(Staff, staff_id)
            if staff is None or not staff.active:
                raise WrongAudience("账号不存在或已停用")
            g.staff = staff
            g.scope = Scope.of(staff)
            if permission is not None and not allows(staff.role, permission, request.view_args):
                raise Forbidden("您的角色无权执行此操作")
            return view(*args, **kwargs)

        wrapper.staff_permission = permission  # read by the OpenAPI document (backend/api/openapi.py)
        return declare(wrapper, permission) if permission is not None else wrapper

    decorator.staff_permission = permission
    return decorator


def current_account() -> WxAccount:
    return g.account


def current_member() -> Member:
    """The caller's member record, or 404 when they have not joined yet."""
    member = g.account.member
    if member is None or member.status != "active":
        raise NotFound("您还不是工会会员，请先申请入会", code="not_a_member")
    return member


def current_staff() -> Staff:
    return g.staff


def current_scope() -> Scope:
    return g.scope


def principal_key() -> str:
    """A stable name for the caller, used to scope idempotency keys."""
    return g.get("principal", "anon")


def forget_caller() -> None:
    """Called before each request: identity never carries over from an earlier request."""
    for name in ("account", "staff", "scope", "principal", "token_subject"):
        g.pop(name, None)
