"""运行维护: failed WeChat notifications (the subtree's) and failed background jobs (city level),
with their reasons and a retry — the services behind ``/api/v1/staff/ops``."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from backend.admin import bp
from backend.admin.views.base import flash_error, requires
from backend.audit import service as audit
from backend.cases.paging import SortKey, seek
from backend.common.errors import DomainError
from backend.extensions import redis_client
from backend.jobs import registry
from backend.notify import service as notify
from backend.notify.models import WECHAT_STATUS_LABELS, Notification
from backend.staff import permissions as perm


@bp.get("/ops/notifications")
@requires(perm.NOTIFICATION_OPS)
def failed_notifications():
    stmt = notify.failed_stmt(g.scope).order_by(None)
    rows, next_cursor = seek(
        stmt, [SortKey(Notification.id, descending=True)], cursor=request.args.get("cursor"), limit=50
    )
    return render_template(
        "admin/failed_notifications.html", rows=rows, next_cursor=next_cursor, labels=WECHAT_STATUS_LABELS
    )


@bp.post("/ops/notifications/<int:notification_id>/retry")
@requires(perm.NOTIFICATION_OPS)
def retry_notification(notification_id: int):
    try:
        notify.retry_notification(scope=g.scope, staff=g.staff, notification_id=notification_id)
    except DomainError as exc:
        flash_error(exc)
    else:
        flash(f"消息 #{notification_id} 已重新排队发送", "success")
    return redirect(url_for("admin.failed_notifications"), code=303)


@bp.get("/ops/jobs")
@requires(perm.JOB_OPS)
def jobs():
    redis = redis_client()
    return render_template(
        "admin/jobs.html",
        queues=registry.queue_sizes(redis),
        failed=registry.failed_jobs(redis),
        queue_labels=registry.QUEUE_LABELS,
        job_label=registry.job_label,
    )


@bp.post("/ops/jobs/retry")
@requires(perm.JOB_OPS)
def retry_job():
    job_id = request.form.get("job_id", "")[:200]
    try:
        registry.retry_failed_job(redis_client(), job_id)
    except DomainError as exc:
        flash_error(exc)
    else:
        audit.record(
            staff=g.staff, action="job.retry", target_type="job", target_id=None, detail={"job_id": job_id}
        )
        flash(f"任务 {job_id} 已重新排队", "success")
    return redirect(url_for("admin.jobs"), code=303)
