"""Operations for staff: failed notifications (within the subtree) and failed jobs (city level)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint, SelectPage
from backend.audit import service as audit
from backend.common.fields import LocalDateTime
from backend.common.schema import Schema
from backend.extensions import redis_client
from backend.jobs import registry
from backend.notify import service as notify
from backend.notify.models import WECHAT_STATUS_LABELS
from backend.staff import permissions as perm

blp = Blueprint("staff_ops", __name__, url_prefix="/api/v1/staff/ops", description="运行维护（工作人员）")


class FailedNotificationOut(Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    org_id = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String()
    title = ma.fields.String()
    template_id = ma.fields.String(allow_none=True)
    wechat_status = ma.fields.String()
    wechat_status_label = ma.fields.Function(lambda n: WECHAT_STATUS_LABELS.get(n.wechat_status))
    wechat_reason = ma.fields.String(allow_none=True)
    created_at = LocalDateTime()


class FailedJobOut(Schema):
    id = ma.fields.String()
    queue = ma.fields.String()
    function = ma.fields.String()
    reason = ma.fields.String()
    failed_at = LocalDateTime(allow_none=True)


class JobsOut(Schema):
    queues = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    failed = ma.fields.List(ma.fields.Nested(FailedJobOut))


@blp.route("/failed-notifications")
class FailedNotifications(MethodView):
    decorators = [staff_required(perm.NOTIFICATION_OPS)]

    @blp.response(200, FailedNotificationOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """发送失败或结果未知的微信消息（附原因）"""
        return notify.failed_stmt(current_scope())


@blp.route("/failed-notifications/<int:notification_id>/retry")
class RetryNotification(MethodView):
    decorators = [staff_required(perm.NOTIFICATION_OPS)]

    @blp.response(200, FailedNotificationOut)
    def post(self, notification_id):
        """重新发送一条失败的消息"""
        return notify.retry_notification(
            scope=current_scope(), staff=current_staff(), notification_id=notification_id
        )


@blp.route("/jobs")
class Jobs(MethodView):
    decorators = [staff_required(perm.JOB_OPS)]

    @blp.response(200, JobsOut)
    def get(self):
        """队列长度与失败的后台任务（附原因）"""
        redis = redis_client()
        return {"queues": registry.queue_sizes(redis), "failed": registry.failed_jobs(redis)}


@blp.route("/jobs/<string:job_id>/retry")
class RetryJob(MethodView):
    decorators = [staff_required(perm.JOB_OPS)]

    @blp.response(202, Schema)
    def post(self, job_id):
        """重试一个失败的后台任务"""
        registry.retry_failed_job(redis_client(), job_id)
        audit.record(
            staff=current_staff(),
            action="job.retry",
            target_type="job",
            target_id=None,
            detail={"job_id": job_id},
        )
        return {}
