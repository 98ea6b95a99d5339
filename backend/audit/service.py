"""Writing the audit log. Every service function that acts for a staff member calls ``record``."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import Select, select

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.staff.models import Staff


def record(
    *,
    staff: Staff | None,
    action: str,
    target_type: str,
    target_id: int | None,
    org_id: int | None = None,
    detail: dict | None = None,
) -> AuditLog:
    entry = AuditLog(
        staff_id=staff.id if staff else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        org_id=org_id,
        detail=detail or {},
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


# --- reading the log (审计日志 page and ``GET /staff/audit-log``) ----------------------------------------
# What an action names, as staff read it: the record's domain, then what was done to it.
DOMAIN_LABELS = {
    "pii": "个人信息",
    "membership": "入会申请",
    "unit": "单位建会",
    "transfer": "会员转接",
    "card": "会员卡",
    "aid": "困难帮扶",
    "wage": "欠薪求助",
    "legal": "法律援助",
    "event": "联谊活动",
    "competition": "竞赛",
    "announcement": "工会公告",
    "assessment": "考核",
    "notification": "微信消息",
    "job": "后台任务",
    "staff": "工作人员账号",
    "account": "职工账号",
    "org": "组织",
    "center": "法律援助中心",
    "lawyer": "律师",
    "schedule": "律师排班",
    "slot": "法援时段",
}
VERB_LABELS = {
    "reveal": "查看完整身份证号/电话",
    "accept": "受理",
    "approve": "通过/批准",
    "reject": "不予通过",
    "request_info": "要求补充材料",
    "assign": "分派承办人",
    "verify": "走访核实",
    "disburse": "发放",
    "close": "关闭/结案",
    "mediate": "开始调解",
    "refer": "转办",
    "resolve": "办结（已解决）",
    "create": "新建",
    "add": "新增",
    "remove": "停止",
    "update": "修改",
    "rename": "更名",
    "move": "调整上级",
    "publish": "发布",
    "withdraw": "撤回",
    "cancel": "取消",
    "finish": "结束",
    "check_in": "现场签到",
    "cancel_signup": "代为取消报名",
    "score": "评分",
    "award": "评奖",
    "questions": "维护题库",
    "retry": "重试",
    "login": "登录",
    "activate": "启用/停用",
    "reset_password": "重置密码",
    "change_password": "修改密码",
    "erase": "删除个人信息",
    "run_requested": "发起考核",
    "complete": "记录咨询结果",
    "no_show": "记为未到场",
    "staff_cancel": "代为取消预约",
    "close_slot": "关闭时段",
}
TARGET_LABELS = {
    "membership_application": "入会申请",
    "unit_application": "单位建会申请",
    "transfer": "会员转接",
    "member": "会员",
    "aid": "困难帮扶",
    "wage": "欠薪求助",
    "legal_booking": "法援预约",
    "needy_household": "困难职工档案",
    "event": "联谊活动",
    "event_signup": "活动报名",
    "competition": "竞赛",
    "competition_entry": "竞赛报名",
    "announcement": "工会公告",
    "assessment_run": "考核",
    "notification": "微信消息",
    "job": "后台任务",
    "staff": "工作人员",
    "wx_account": "职工账号",
    "org": "组织",
}


def action_label(action: str) -> str:
    """"wage.accept" → "欠薪求助 · 受理"; an unlisted part reads "其他操作", never its code."""
    domain, _, rest = action.partition(".")
    verb = rest.rsplit(".", 1)[-1] if rest else domain
    where = DOMAIN_LABELS.get(domain, "")
    what = VERB_LABELS.get(verb, "其他操作")
    return f"{where} · {what}" if where and rest else what


def target_label(target_type: str) -> str:
    return TARGET_LABELS.get(target_type, "其他记录")


def log_stmt(
    scope,
    *,
    staff_id: int | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select:
    """Who did what to which record, newest first: entries about the caller's subtree only (an entry
    without an org is city business and stays out of a county's view)."""
    stmt = scope.restrict(select(AuditLog), AuditLog.org_id)
    if staff_id is not None:
        stmt = stmt.where(AuditLog.staff_id == staff_id)
    if action:
        # "pii.reveal" exactly, or a whole domain ("wage") with every action in it
        stmt = stmt.where(
            (AuditLog.action == action) | AuditLog.action.startswith(f"{action}.", autoescape=True)
        )
    if target_type:
        stmt = stmt.where(AuditLog.target_type == target_type)
    if target_id is not None:
        stmt = stmt.where(AuditLog.target_id == target_id)
    if since is not None:
        stmt = stmt.where(AuditLog.created_at >= since)
    if until is not None:
        stmt = stmt.where(AuditLog.created_at < until)
    return stmt.order_by(AuditLog.id.desc())
