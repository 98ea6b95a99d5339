"""Schemas shared by several endpoint modules."""

from __future__ import annotations

import marshmallow as ma

from backend.api.base import Schema
from backend.api.fields import LocalDateTime, MaskedIdNumber, MaskedPhone, Text


class OrgBrief(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    level = ma.fields.String()


class MemberSchema(Schema):
    """A member as the member (or staff) sees it: ID number and phone always masked."""

    id = ma.fields.Integer()
    card_no = ma.fields.String()
    name = ma.fields.String()
    gender = ma.fields.String()
    id_number = MaskedIdNumber()
    mobile = MaskedPhone()
    employer = ma.fields.String()
    worker_type = ma.fields.String()
    status = ma.fields.String()
    org = ma.fields.Nested(OrgBrief)
    joined_at = LocalDateTime()


class TransitionIn(Schema):
    action = ma.fields.String(required=True, metadata={"description": "如 approve / reject / request_info"})
    note = Text(max_length=500, min_length=0, load_default=None)


class MessageOut(Schema):
    message = ma.fields.String()
