"""Failed background jobs, for the operations page: RQ's failed-job registries, or (embedded mode,
no Redis) the outbox rows whose inline run raised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from backend.common.errors import NotFound
from backend.extensions import db
from backend.jobs.outbox import run_outbox_message
from backend.jobs.queues import ALL_QUEUES
from backend.outbox.models import OutboxMessage


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    function: str
    reason: str
    failed_at: datetime | None


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else ""


def failed_jobs(redis: Redis | None, *, limit: int = 200) -> list[FailedJob]:
    if redis is None:
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.pending.is_(True), OutboxMessage.last_error.is_not(None))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
        return [
            FailedJob(f"outbox-{r.id}", "inline", r.topic, r.last_error or "", r.created_at) for r in rows
        ]
    found = []
    for name in ALL_QUEUES:
        registry = FailedJobRegistry(name, connection=redis)
        for job in Job.fetch_many(registry.get_job_ids(0, limit - 1), connection=redis):
            if job is None:
                continue
            result = job.latest_result()
            reason = _last_line(result.exc_string if result else None)
            found.append(FailedJob(job.id, name, job.func_name or "", reason, job.ended_at))
    return sorted(found, key=lambda j: j.failed_at or datetime.min, reverse=True)[:limit]


def retry_failed_job(redis: Redis | None, job_id: str) -> None:
    """Put a failed job back on its queue (embedded mode: run the outbox row again, inline)."""
    if redis is None:

        if not job_id.startswith("outbox-") or not job_id[7:].isdigit():
            raise NotFound("任务不存在")
        row = db.session.get(OutboxMessage, int(job_id[7:]))
        if row is None or not row.pending:
            raise NotFound("任务不存在")
        run_outbox_message(row.id)
        return
    for name in ALL_QUEUES:
        registry = FailedJobRegistry(name, connection=redis)
        if job_id in registry:
            registry.requeue(job_id)
            return
    raise NotFound("任务不存在或已不在失败列表中")


def queue_sizes(redis: Redis | None) -> dict[str, int]:
    if redis is None:
        return {}
    return {name: Queue(name, connection=redis).count for name in ALL_QUEUES}


# What staff read for a queue and a job function (never the code's names).
QUEUE_LABELS = {"notifications": "消息发送", "default": "一般任务", "assessment": "考核计算"}
JOB_LABELS = {
    "perform_run": "考核计算",
    "run_scheduled_assessments": "定时考核",
    "escalate_overdue_cases": "超期上报",
    "send_legal_reminders": "法援预约提醒",
    "extend_legal_slots": "生成法援时段",
    "release_stale_sends": "清理中断的发送",
    "purge_idempotency_keys": "清理重复提交记录",
    "run_outbox_message": "业务后续处理（通知、参与记录）",
    "sweep_outbox": "补发遗漏任务",
    "refresh_wage_priorities": "更新欠薪优先级",
}


def job_label(function: str) -> str:
    return JOB_LABELS.get(function.rsplit(".", 1)[-1], "后台任务")
