"""Log-in for workers (WeChat) and staff (password), and token refresh."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from flask.views import MethodView
from flask_jwt_extended import get_jwt, get_jwt_identity, jwt_required

from backend.api.base import Blueprint
from backend.auth import service as auth
from backend.auth import tokens
from backend.common.fields import Text
from backend.common.ratelimit import hit_or_refuse
from backend.common.schema import Schema
from backend.extensions import db, limiter
from backend.members import service as members
from backend.members.models import REVIEW_STATUS_LABELS, WxAccount
from backend.members.privacy import is_erased
from backend.members.schemas import MemberSchema
from backend.orgs.schemas import OrgBrief
from backend.staff.accounts import normalise_username
from backend.staff.models import Staff
from backend.wechat.client import make_client

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="登录与令牌")


def _login_limit() -> str:
    return current_app.extensions["zhigong.settings"].login_rate_limit


def _username_key() -> str:
    """The user name as the log-in reads it, from the API's JSON or the panel's form."""
    body = (request.get_json(silent=True) if request.is_json else request.form) or {}
    return f"staff-login:{normalise_username(str(body.get('username', '')))}"


def staff_name_limit():
    """One count per user name for the API and the panel log-in together (spaces, case or the
    other door do not buy more guesses)."""
    return limiter.shared_limit(
        _login_limit, scope="staff-login-name", key_func=_username_key, methods=["POST"]
    )


def _settings():
    return current_app.extensions["zhigong.settings"]


def _wechat_code_key() -> str:
    body = request.get_json(silent=True) or {}
    return f"wechat-code:{str(body.get('code', ''))[:128]}"


def check_openid_limit(openid: str) -> None:
    """At most ``wechat_login_code_limit`` log-ins a minute for one WeChat user, whatever the codes."""
    limit = _settings().wechat_login_code_limit
    hit_or_refuse(limit, "wechat-openid", openid, message="登录过于频繁，请稍后再试")


class WeChatLoginIn(Schema):
    code = Text(required=True, max_length=128, metadata={"description": "wx.login() 返回的 code"})


class TokensOut(Schema):
    access_token = ma.fields.String()
    refresh_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer()


class ApplicationBrief(Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda a: REVIEW_STATUS_LABELS.get(a.status, a.status))
    status_note = ma.fields.String()


class WorkerLoginOut(TokensOut):
    account_id = ma.fields.Integer()
    is_member = ma.fields.Boolean()
    member = ma.fields.Nested(MemberSchema, allow_none=True)
    application = ma.fields.Nested(ApplicationBrief, allow_none=True)


class StaffLoginIn(Schema):
    username = Text(required=True, max_length=64)
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=128))


class StaffOut(Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    org = ma.fields.Nested(OrgBrief)


class StaffLoginOut(TokensOut):
    staff = ma.fields.Nested(StaffOut)


def _token_fields(tokens: auth.Tokens) -> dict:
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "token_type": "Bearer",
        "expires_in": int(expires.total_seconds()),
    }


def worker_summary(account: WxAccount) -> dict:
    applications = members.applications_of(account)
    return {
        "account_id": account.id,
        "is_member": account.member is not None,
        "member": account.member,
        "application": applications[0] if applications else None,
    }


@blp.route("/auth/wechat-login")
class WeChatLogin(MethodView):
    decorators = [
        limiter.limit(lambda: _settings().wechat_login_address_limit),
        limiter.limit(lambda: _settings().wechat_login_code_limit, key_func=_wechat_code_key),
    ]

    @blp.arguments(WeChatLoginIn)
    @blp.response(200, WorkerLoginOut)
    def post(self, data):
        """小程序登录：用 wx.login 的 code 换取令牌和会员概况"""
        settings = current_app.extensions["zhigong.settings"]
        account = auth.wechat_login(
            client=make_client(settings), js_code=data["code"], check_openid=check_openid_limit
        )
        tokens = auth.issue_tokens(auth.WORKER, account.id)
        return {**_token_fields(tokens), **worker_summary(account)}


@blp.route("/auth/refresh")
class Refresh(MethodView):
    @jwt_required(refresh=True)
    @blp.response(200, TokensOut)
    def post(self):
        """用刷新令牌换新的访问令牌（职工与工作人员通用）"""
        claims = get_jwt()
        subject = int(get_jwt_identity())
        if claims.get("kind") == auth.STAFF:
            staff = db.session.get(Staff, subject)
            if staff is None or not staff.active:
                raise auth.LoginFailed("账号不存在或已停用")
        else:
            account = db.session.get(WxAccount, subject)
            if account is None or is_erased(account):
                raise auth.LoginFailed("账号不存在或已注销，请重新登录")
        try:
            rotated = tokens.rotate(claims)
        except tokens.RefreshReused:
            db.session.commit()  # the revocation stands although the request is refused
            raise
        return _token_fields(rotated)


@blp.route("/auth/logout")
class Logout(MethodView):
    @jwt_required()
    @blp.response(204)
    def post(self):
        """退出本次登录：本次登录的访问令牌和刷新令牌都立即失效"""
        claims = get_jwt()
        tokens.revoke_session(sid=claims["sid"], kind=claims["kind"], subject_id=int(get_jwt_identity()))


@blp.route("/auth/logout-everywhere")
class LogoutEverywhere(MethodView):
    @jwt_required()
    @blp.response(204)
    def post(self):
        """在所有设备上退出：本账号此前签发的全部令牌（及管理后台会话）立即失效"""
        claims = get_jwt()
        subject = tokens.subject_of(claims["kind"], int(get_jwt_identity()))
        tokens.end_all_sessions(subject)


@blp.route("/staff/login")
class StaffLogin(MethodView):
    decorators = [limiter.limit(_login_limit), staff_name_limit()]

    @blp.arguments(StaffLoginIn)
    @blp.response(200, StaffLoginOut)
    def post(self, data):
        """工作人员登录（用户名 + 密码）"""
        staff = auth.staff_login(username=data["username"], password=data["password"])
        tokens = auth.issue_tokens(auth.STAFF, staff.id)
        return {**_token_fields(tokens), "staff": staff}
