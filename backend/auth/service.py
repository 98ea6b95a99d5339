"""Who is calling: WeChat log-in for workers, password log-in for staff, and the tokens both get."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from wechatpy.exceptions import WeChatClientException

from backend.audit import service as audit
from backend.auth import tokens
from backend.auth.tokens import STAFF, WORKER, Tokens  # noqa: F401 (the names callers use)
from backend.common.errors import DomainError
from backend.common.types import utcnow
from backend.extensions import db
from backend.members.models import WxAccount
from backend.staff.accounts import normalise_username
from backend.staff.models import Staff
from backend.staff.passwords import hash_password, needs_rehash, verify_password


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"


class WeChatUnavailable(DomainError):
    status = 502
    code = "wechat_unavailable"


def issue_tokens(kind: str, subject_id: int, **claims: object) -> Tokens:
    """A new log-in session's access and refresh tokens (see ``backend.auth.tokens``)."""
    return tokens.issue(kind, subject_id, **claims)


def wechat_login(*, client, js_code: str, check_openid=None) -> WxAccount:
    """Exchange a ``wx.login`` code for the user's openid and find or create their account
    (``check_openid`` may refuse a user who logs in too often)."""

    try:
        session_info = client.code_to_session(js_code)
    except WeChatClientException as exc:
        if exc.errcode in (40029, 40163, 40226):
            raise LoginFailed(
                "微信登录凭证无效或已使用，请重新进入小程序", code="wechat_code_invalid"
            ) from exc
        raise WeChatUnavailable("微信服务暂时不可用，请稍后重试") from exc
    except OSError as exc:  # connection refused, timeout …
        raise WeChatUnavailable("微信服务暂时不可用，请稍后重试") from exc

    openid = session_info["openid"]
    if check_openid is not None:
        check_openid(openid)
    account = db.session.scalars(select(WxAccount).where(WxAccount.openid == openid)).first()
    if account is None:
        account = WxAccount(openid=openid, unionid=session_info.get("unionid"))
        db.session.add(account)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            # The same user logged in twice at once: the other request created the account.
            account = db.session.scalars(select(WxAccount).where(WxAccount.openid == openid)).one()
    account.last_login_at = utcnow()
    return account


def staff_login(*, username: str, password: str) -> Staff:
    """Check a staff password (argon2id); the same answer for a wrong name and a wrong password."""

    username = normalise_username(username)
    staff = db.session.scalars(select(Staff).where(func.lower(Staff.username) == username)).first()
    if not verify_password(staff.password_hash if staff else None, password) or not staff.active:
        raise LoginFailed("用户名或密码错误")
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    staff.last_login_at = utcnow()
    audit.record(
        staff=staff, action="staff.login", target_type="staff", target_id=staff.id, org_id=staff.org_id
    )
    return staff
