"""The booking state machine, as data (法律援助预约的状态流转).

    booked ──cancel (worker) / staff_cancel (staff)──▶ cancelled
    booked ──complete (lawyer, with an outcome)──────▶ completed
    booked ──no_show (lawyer)───────────────────────▶ no_show
    booked ──reschedule (worker)────────────────────▶ booked   (another slot)

completed, no_show and cancelled are final: any action on them is refused with 409.
"""

from __future__ import annotations

from backend.common.statemachine import StateMachine, Transition
from backend.legal.models import BOOKING_STATUS_LABELS, BookingStatus

BOOKED = frozenset({BookingStatus.BOOKED})
FINAL = frozenset({BookingStatus.COMPLETED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED})

BOOKING_FLOW = StateMachine(
    "legal_booking",
    [
        Transition("cancel", BOOKED, BookingStatus.CANCELLED, "worker", "取消预约"),
        Transition("reschedule", BOOKED, BookingStatus.BOOKED, "worker", "改约"),
        Transition("staff_cancel", BOOKED, BookingStatus.CANCELLED, "staff", "中心取消", needs_note=True),
        Transition("complete", BOOKED, BookingStatus.COMPLETED, "staff", "记录咨询结果"),
        Transition("no_show", BOOKED, BookingStatus.NO_SHOW, "staff", "标记未到场"),
    ],
    BOOKING_STATUS_LABELS,
)

# Staff actions only the lawyer who holds the booking may take (they were in the room).
LAWYER_ONLY = frozenset({"complete", "no_show"})
