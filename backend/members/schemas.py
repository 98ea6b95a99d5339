"""Membership schemas: the member record as members and staff see it."""

from __future__ import annotations

import marshmallow as ma

from backend.common.fields import LocalDateTime, MaskedIdNumber, MaskedPhone
from backend.common.schema import Schema
from backend.orgs.schemas import OrgBrief


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
