"""组织与人员: the subtree's unions and staff accounts; new accounts with a role, deactivation,
password resets (scoped and audited by ``backend.staff.accounts``); the roles and what they may do."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from backend.admin import bp
from backend.admin.views.base import flash_error, requires
from backend.cases.paging import SortKey, seek
from backend.common.errors import DomainError, InvalidInput
from backend.orgs.models import CATEGORY_LABELS, LEVEL_LABELS, Org
from backend.staff import accounts
from backend.staff import permissions as perm
from backend.staff.models import Staff

PERMISSION_LABELS = {
    perm.MEMBERSHIP_REVIEW: "入会审核",
    perm.UNIT_REVIEW: "单位建会审核",
    perm.TRANSFER_REVIEW: "会员转会审核",
    perm.CARD_VERIFY: "会员卡核验",
    perm.PII_REVEAL: "查看完整身份证号、手机号（留痕）",
    perm.ORG_MANAGE: "组织与人员管理",
    perm.AUDIT_READ: "查看审计日志",
    perm.NOTIFICATION_OPS: "失败消息重发",
    perm.JOB_OPS: "后台任务重试（市级）",
    perm.AID_HANDLE: "困难帮扶办理",
    perm.LEGAL_MANAGE: "法律援助管理",
    perm.LEGAL_CONSULT: "法律咨询接待（律师）",
    perm.WAGE_HANDLE: "欠薪求助办理",
    perm.EVENT_MANAGE: "联谊活动管理",
    perm.EVENT_CHECKIN: "活动签到",
    perm.COMPETITION_MANAGE: "竞赛管理",
    perm.SIGNED_IN: "登录管理后台、修改本人密码",
    perm.ALERT_HANDLE: "预警与督办（确认留痕）",
    perm.ANNOUNCEMENT_PUBLISH: "发布与撤回工会公告",
    perm.ASSESSMENT_READ: "查看考核结果",
    perm.ASSESSMENT_RUN: "发起考核（市级）",
    perm.STATS_READ: "查看统计",
}


@bp.get("/people")
@requires(perm.ORG_MANAGE)
def people():
    q = (request.args.get("q") or "").strip()[:50] or None
    stmt = accounts.staff_stmt(g.scope, q=q).order_by(None)
    rows, next_cursor = seek(stmt, [SortKey(Staff.id)], cursor=request.args.get("cursor"), limit=50)
    org_stmt = g.scope.restrict(select(Org), Org.id).order_by(None)
    orgs, next_org_cursor = seek(
        org_stmt, [SortKey(Org.path), SortKey(Org.id)], cursor=request.args.get("org_cursor"), limit=50
    )
    return render_template(
        "admin/people.html",
        rows=rows,
        next_cursor=next_cursor,
        orgs=orgs,
        next_org_cursor=next_org_cursor,
        q=q or "",
        role_labels=accounts.ROLE_LABELS,
        level_labels=LEVEL_LABELS,
        category_labels=CATEGORY_LABELS,
        errors={},
        form={},
    )


@bp.post("/people/staff")
@requires(perm.ORG_MANAGE)
def create_staff():
    form = request.form
    org_id = form.get("org_id", "")
    try:
        if not org_id.isdigit():
            raise InvalidInput("org_id", "请从列表中选择所属工会")
        created = accounts.create_staff(
            scope=g.scope,
            staff=g.staff,
            org_id=int(org_id),
            username=form.get("username", ""),
            name=form.get("name", ""),
            role=form.get("role", ""),
            password=form.get("password", ""),
        )
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("admin.people"), code=303)
    flash(f"已开设账号 {created.username}", "success")
    return redirect(url_for("admin.people"), code=303)


@bp.post("/people/staff/<int:staff_id>/active")
@requires(perm.ORG_MANAGE)
def set_staff_active(staff_id: int):
    active = request.form.get("active") == "true"
    try:
        target = accounts.set_active(scope=g.scope, staff=g.staff, staff_id=staff_id, active=active)
    except DomainError as exc:
        flash_error(exc)
    else:
        flash(f"账号 {target.username} 已{'启用' if active else '停用'}", "success")
    return redirect(url_for("admin.people"), code=303)


@bp.post("/people/staff/<int:staff_id>/password")
@requires(perm.ORG_MANAGE)
def reset_staff_password(staff_id: int):
    try:
        target = accounts.reset_password(
            scope=g.scope, staff=g.staff, staff_id=staff_id, password=request.form.get("password", "")
        )
    except DomainError as exc:
        flash_error(exc)
    else:
        flash(f"账号 {target.username} 的密码已重置", "success")
    return redirect(url_for("admin.people"), code=303)


@bp.get("/roles")
@requires(perm.SIGNED_IN)
def roles():
    table = [
        (accounts.ROLE_LABELS[role], [PERMISSION_LABELS.get(p, p) for p in sorted(perms)])
        for role, perms in perm.ROLE_PERMISSIONS.items()
    ]
    return render_template("admin/roles.html", table=table)
