"""Who is looking: the session log-in (checked by the same code, limits and audit as
``POST /api/v1/staff/login``), CSRF on every state-changing request, log-out, password change, the
navigation and the error pages."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError

from backend.admin import bp, csrf
from backend.admin.nav import navigation
from backend.api.auth import _login_limit, staff_name_limit
from backend.auth import service as auth
from backend.auth import tokens
from backend.common.errors import DomainError, Forbidden
from backend.extensions import db, limiter
from backend.staff import accounts
from backend.staff import permissions as perm
from backend.staff.models import Staff
from backend.staff.scope import Scope

PUBLIC = {"admin.login", "admin.static"}


def _session_staff() -> Staff | None:
    staff_id = session.get("staff_id")
    if staff_id is None:
        return None
    staff = db.session.get(Staff, staff_id)
    # A deactivated account, a changed password, "log out everywhere" or a log-out of this session
    # (kept server-side, so a copied cookie dies with it) ends it.
    if (
        staff is None
        or not staff.active
        or session.get("stamp") != accounts.session_stamp(staff)
        or session.get("ver") != staff.token_version
        or not tokens.session_is_live(sid=session.get("sid"), kind=tokens.STAFF, subject_id=staff.id)
    ):
        session.clear()
        return None
    return staff


@bp.before_request
def _who_is_looking():
    # ``g`` outlives the request when an outer app context is pushed (a CLI command, a test): the
    # CSRF token cached there belongs to another session.
    for name in ("csrf_token", "csrf_valid"):
        g.pop(name, None)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # 400 without a valid token, before any view code runs
    if request.endpoint in PUBLIC:
        return None
    staff = _session_staff()
    if staff is None:
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    g.staff = staff
    g.scope = Scope.of(staff)
    return None


def requires(permission: perm.Need | None):
    """Refuse (403 page) staff whose role lacks what the page needs from ``ROLE_PERMISSIONS`` (one
    permission, any one of several, or a function of the URL's arguments); declared on the view."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if permission is not None and not perm.allows(g.staff.role, permission, request.view_args):
                raise Forbidden("您的角色无权使用此页面")
            return view(*args, **kwargs)

        return perm.declare(wrapper, permission) if permission is not None else wrapper

    return decorator


@bp.app_context_processor
def _panel_context():
    staff = g.get("staff")
    return {"nav": navigation(staff) if staff else [], "me": staff}


def _safe_next(target: str | None) -> str:
    """Only a path inside the panel: never an open redirect to another site."""
    inside = target and target.startswith("/admin") and not urlsplit(target).netloc and "\\" not in target
    if inside and target.isprintable():  # CR/LF or other control characters would break the Location header
        return target
    return url_for("admin.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@staff_name_limit()
def login():
    if request.method == "GET":
        if _session_staff() is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("admin/login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")[:128]
    errors = {}
    if not username:
        errors["username"] = "请输入用户名"
    if not password:
        errors["password"] = "请输入密码"
    if not errors:
        try:
            staff = auth.staff_login(username=username, password=password)
        except auth.LoginFailed as exc:
            errors["password"] = exc.message
        else:
            session.clear()
            session.permanent = True
            session["staff_id"] = staff.id
            session["stamp"] = accounts.session_stamp(staff)
            session["sid"] = tokens.new_sid()
            session["ver"] = staff.token_version  # last_login_at, the audit line, a rehash: committed
            return redirect(_safe_next(request.form.get("next")), code=303)
    db.session.rollback()
    return render_template(
        "admin/login.html", next=request.form.get("next", ""), username=username, errors=errors
    ), 422


@bp.post("/logout")
@requires(perm.SIGNED_IN)
def logout():
    sid = session.get("sid")
    if sid:
        tokens.revoke_session(sid=sid, kind=tokens.STAFF, subject_id=g.staff.id)
    session.clear()
    flash("已退出登录", "info")
    return redirect(url_for("admin.login"), code=303)


@bp.post("/logout-everywhere")
@requires(perm.SIGNED_IN)
def logout_everywhere():
    """Every panel session and API token of this account ends, this one included."""
    tokens.end_all_sessions(g.staff)
    session.clear()
    flash("已在所有设备上退出登录", "info")
    return redirect(url_for("admin.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@requires(perm.SIGNED_IN)
def password():
    errors: dict[str, str] = {}
    if request.method == "POST":
        new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
        if new != again:
            errors["new_password_again"] = "两次输入的新密码不一致"
        else:
            try:
                accounts.change_own_password(
                    staff=g.staff, current=request.form.get("current_password", ""), new=new
                )
            except DomainError as exc:
                db.session.rollback()
                errors = field_errors(exc)
            else:
                # this session stays, every other one (panel and API) ends
                session["stamp"] = accounts.session_stamp(g.staff)
                session["ver"] = g.staff.token_version
                flash("密码已修改", "success")
                return redirect(url_for("admin.dashboard"), code=303)
        return render_template("admin/password.html", errors=errors), 422
    return render_template("admin/password.html", errors=errors)


def field_errors(exc: DomainError) -> dict[str, str]:
    """A domain error as {field: first message}; a message without a field goes under "_"."""
    errors = {name: messages[0] for name, messages in (exc.errors or {}).items() if messages}
    return errors or {"_": exc.message}


def flash_error(exc: DomainError) -> None:
    """Show a refusal on the next page; something outside the subtree stays a 404 page."""
    db.session.rollback()
    if exc.status == 404:
        raise exc
    for message in field_errors(exc).values():
        flash(message, "error")


# --- error pages (the panel's own, HTML; the JSON API keeps its error format) -------------------------
@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    db.session.rollback()
    return render_template("admin/error.html", status=exc.status, message=exc.message), exc.status


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError):
    db.session.rollback()
    message = "页面已过期或请求来源不明（CSRF 校验失败），请刷新页面后重试"
    return render_template("admin/error.html", status=400, message=message), 400


@bp.errorhandler(RateLimitExceeded)
def _too_many(exc: RateLimitExceeded):
    db.session.rollback()
    return render_template("admin/error.html", status=429, message="登录尝试过于频繁，请稍后再试"), 429


@bp.errorhandler(404)
def _not_found(exc):
    return render_template("admin/error.html", status=404, message="页面或记录不存在"), 404
