"""Legal-aid jobs: the day-before reminder and the rolling slot horizon."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from backend.extensions import db
from backend.jobs.context import job_context

log = logging.getLogger(__name__)


def send_legal_reminders() -> int:
    """Remind members of tomorrow's consultations; each booking once, however often this runs."""
    from backend.legal import service as legal

    with job_context():
        sent = legal.send_reminders()
        db.session.commit()
        if sent:
            log.info("sent %d legal-aid reminders", sent)
        return sent


def extend_legal_slots() -> int:
    """Keep every lawyer's slots generated for the coming weeks (one transaction per lawyer)."""
    from backend.legal.models import Lawyer
    from backend.legal.slots import lawyer_ids, sync_lawyer_slots

    with job_context():
        created = 0
        for lawyer_id in lawyer_ids():
            try:
                created += sync_lawyer_slots(db.session.get(Lawyer, lawyer_id)).created
                db.session.commit()
            except IntegrityError:  # a staff edit generated the same slots a moment ago
                db.session.rollback()
                log.warning("slots of lawyer %s changed concurrently; next run catches up", lawyer_id)
        if created:
            log.info("generated %d legal-aid slots", created)
        return created
