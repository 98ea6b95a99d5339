"""The staff queue of legal-aid bookings, as the API and the panel both serve it: admins see their
subtree's centres, a lawyer their own bookings, in order of the consultation (``backend/cases/queue.py``)."""

from __future__ import annotations

from backend.cases.queue import CaseQueue, pages_of
from backend.legal import service as legal
from backend.legal.flow import BOOKING_FLOW
from backend.legal.models import LegalBooking
from backend.legal.schemas import LegalTransitionIn, StaffBookingQuery
from backend.staff import permissions as perm

BOOKINGS = CaseQueue(
    name="bookings",
    label="法援预约",
    permission=(perm.LEGAL_MANAGE, perm.LEGAL_CONSULT),
    model=LegalBooking,
    flow=BOOKING_FLOW,
    query=StaffBookingQuery,
    action_schema=LegalTransitionIn,
    page=pages_of(lambda scope, staff, **f: legal.staff_bookings_stmt(scope=scope, staff=staff, **f)),
    load=lambda scope, staff, booking_id: legal.staff_booking(
        scope=scope, staff=staff, booking_id=booking_id
    ),
    act=lambda scope, staff, booking_id, **data: legal.act(
        scope=scope, staff=staff, booking_id=booking_id, **data
    ),
)
