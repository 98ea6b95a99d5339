"""What every case API shares: timeline and attachment schemas, and staff alerts (预警与督办)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint, SelectPage
from backend.cases import service as cases
from backend.cases.paging import cursor_field, page_size_field
from backend.common.fields import LocalDateTime, Text
from backend.common.schema import Schema
from backend.staff import permissions as perm

blp = Blueprint("cases", __name__, url_prefix="/api/v1/staff", description="预警与督办（工作人员）")


class CaseEventOut(Schema):
    """One line of a case's timeline."""

    at = LocalDateTime()
    actor_type = ma.fields.String()
    actor_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    org_id = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)
    detail = ma.fields.Dict()


class AttachmentOut(Schema):
    id = ma.fields.Integer()
    content_type = ma.fields.String()
    size = ma.fields.Integer()


class AssignIn(Schema):
    assignee_id = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null 表示取消分派"}
    )
    note = Text(max_length=500, min_length=0, load_default=None)


class KeysetQuery(Schema):
    """The paging query of a queue that pages itself: ?cursor=&page_size= (read as ``limit``)."""

    cursor = cursor_field()
    limit = page_size_field(data_key="page_size")


class AlertOut(Schema):
    id = ma.fields.Integer()
    org_id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.Function(cases.current_text, metadata={"description": "as it reads now"})
    case_type = ma.fields.String(allow_none=True)
    case_id = ma.fields.Integer(allow_none=True)
    created_at = LocalDateTime()
    acknowledged_at = LocalDateTime(allow_none=True)


class AlertQuery(Schema):
    open_only = ma.fields.Boolean(load_default=True)


@blp.route("/alerts")
class Alerts(MethodView):
    decorators = [staff_required(perm.ALERT_HANDLE)]

    @blp.arguments(AlertQuery, location="query")
    @blp.response(200, AlertOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """本级及下级的预警与超期督办提醒（最新在前）"""
        return cases.alerts_stmt(current_scope(), open_only=query["open_only"])


@blp.route("/alerts/<int:alert_id>/acknowledge")
class AcknowledgeAlert(MethodView):
    decorators = [staff_required(perm.ALERT_HANDLE)]

    @blp.response(200, AlertOut)
    def post(self, alert_id):
        """确认已知晓一条提醒"""
        return cases.acknowledge_alert(scope=current_scope(), staff=current_staff(), alert_id=alert_id)
