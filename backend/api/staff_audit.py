"""审计日志 for staff: who did what to which record in the caller's subtree, with filters — the same
query (``audit.service.log_stmt``) as the panel's audit-log page."""

from __future__ import annotations

from datetime import timedelta

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_scope, staff_required
from backend.api.base import Blueprint, SelectPage
from backend.assessment.periods import local_midnight_utc
from backend.audit import service as audit
from backend.common.fields import LocalDateTime
from backend.common.schema import Schema
from backend.staff import permissions as perm

blp = Blueprint(
    "staff_audit", __name__, url_prefix="/api/v1/staff/audit-log", description="审计日志（工作人员）"
)


class AuditQuery(Schema):
    staff_id = ma.fields.Integer(metadata={"description": "操作人（工作人员编号）"})
    action = ma.fields.String(
        validate=ma.validate.Length(max=64),
        metadata={"description": "操作，如 pii.reveal；或一个业务域，如 wage（其下全部操作）"},
    )
    target_type = ma.fields.String(
        validate=ma.validate.Length(max=40), metadata={"description": "对象类型，如 membership_application"}
    )
    target_id = ma.fields.Integer(metadata={"description": "对象编号"})
    start = ma.fields.Date(metadata={"description": "自该日（北京时间，含）"})
    end = ma.fields.Date(metadata={"description": "至该日（北京时间，含）"})


class AuditEntryOut(Schema):
    id = ma.fields.Integer()
    staff_id = ma.fields.Integer(allow_none=True)
    staff_name = ma.fields.Function(lambda e: e.staff.name if e.staff else None)
    action = ma.fields.String()
    action_label = ma.fields.Function(lambda e: audit.action_label(e.action))
    target_type = ma.fields.String()
    target_label = ma.fields.Function(lambda e: audit.target_label(e.target_type))
    target_id = ma.fields.Integer(allow_none=True)
    org_id = ma.fields.Integer(allow_none=True)
    detail = ma.fields.Dict()
    ip = ma.fields.String(allow_none=True)
    created_at = LocalDateTime()


def filters_of(query: dict) -> dict:
    """The query as ``log_stmt`` takes it: local days to UTC bounds, the end day included."""
    found = {k: query.get(k) for k in ("staff_id", "action", "target_type", "target_id")}
    if query.get("start"):
        found["since"] = local_midnight_utc(query["start"])
    if query.get("end"):
        found["until"] = local_midnight_utc(query["end"] + timedelta(days=1))
    return found


@blp.route("")
class AuditLogList(MethodView):
    decorators = [staff_required(perm.AUDIT_READ)]

    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditEntryOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """审计日志：谁在何时对哪条记录做了什么（本辖区，新的在前）"""
        return audit.log_stmt(current_scope(), **filters_of(query))
