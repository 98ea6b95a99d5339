"""Legal-aid jobs: the day-before reminder and the rolling slot horizon."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from backend.common import unit_of_work
from backend.extensions import db
from backend.jobs.context import job
from backend.legal import service as legal
from backend.legal.models import Lawyer
from backend.legal.slots import lawyer_ids, sync_lawyer_slots

log = logging.getLogger(__name__)


@job
def send_legal_reminders() -> int:
    """Remind members of tomorrow's consultations; each booking once, however often this runs."""
    sent = legal.send_reminders()
    if sent:
        log.info("reminding %d legal-aid bookings", sent)
    return sent


@job(steps=True)
def extend_legal_slots() -> int:
    """Keep every lawyer's slots generated for the coming weeks (one transaction per lawyer)."""
    created = 0
    for lawyer_id in lawyer_ids():
        try:
            created += unit_of_work.run(
                lambda lawyer_id=lawyer_id: sync_lawyer_slots(db.session.get(Lawyer, lawyer_id)).created,
                what="legal.extend-slots",
            )
        except IntegrityError:  # a staff edit generated the same slots a moment ago
            log.warning("slots of lawyer %s changed concurrently; next run catches up", lawyer_id)
    if created:
        log.info("generated %d legal-aid slots", created)
    return created
