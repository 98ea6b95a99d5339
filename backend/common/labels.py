"""Enums that carry the Chinese name people read, so a status and its label are declared together."""

from __future__ import annotations

import enum


class LabelledEnum(enum.StrEnum):
    """A ``StrEnum`` whose members carry their label: ``SUBMITTED = "submitted", "待受理"``. The
    value stays the plain string (stored, sent, compared); ``WageStatus.SUBMITTED.label`` is what a
    worker or a staffer reads, and ``WageStatus.labels()`` every value's label in declared order."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {member.value: member.label for member in cls}
