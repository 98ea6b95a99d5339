"""Every periodic job, declared once with a stable name.

Run by RQ's cron scheduler: ``rq cron backend/jobs/schedule.py`` (with the same REDIS_URL as the
workers). The names are stable ids: RQ keeps each one's history under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rq import cron

from backend.jobs import maintenance
from backend.jobs.assessment import run_scheduled_assessments
from backend.jobs.cases import escalate_overdue_cases
from backend.jobs.legal import extend_legal_slots, send_legal_reminders
from backend.jobs.outbox import sweep_outbox
from backend.jobs.queues import ASSESSMENT, DEFAULT
from backend.jobs.wages import refresh_wage_priorities


@dataclass(frozen=True)
class Periodic:
    name: str
    func: object
    queue: str
    interval: int | None = None  # seconds
    cron: str | None = None  # crontab, Asia/Shanghai is UTC+8: '0 19 * * *' is 03:00 local


PERIODIC_JOBS = (
    Periodic("outbox.sweep", sweep_outbox, DEFAULT, interval=15),  # rows left by a Redis outage
    Periodic("cases.escalate-overdue", escalate_overdue_cases, DEFAULT, interval=300),
    Periodic("notifications.release-stale-sends", maintenance.release_stale_sends, DEFAULT, interval=300),
    Periodic("idempotency.purge", maintenance.purge_idempotency_keys, DEFAULT, cron="0 19 * * *"),
    Periodic("uploads.purge-unattached", maintenance.purge_unattached_uploads, DEFAULT, interval=3600),
    Periodic("legal.send-reminders", send_legal_reminders, DEFAULT, interval=900),
    Periodic("legal.extend-slots", extend_legal_slots, DEFAULT, cron="30 18 * * *"),
    Periodic("wages.refresh-priorities", refresh_wage_priorities, DEFAULT, cron="5 16 * * *"),
    Periodic("assessment.scheduled-runs", run_scheduled_assessments, ASSESSMENT, cron="30 16 * * *"),
)

for job in PERIODIC_JOBS:
    cron.register(job.func, job.queue, interval=job.interval, cron=job.cron, name=job.name)
