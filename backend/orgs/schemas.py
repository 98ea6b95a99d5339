"""The org tree's schemas: a union as other things name it."""

from __future__ import annotations

import marshmallow as ma

from backend.common.schema import Schema


class OrgBrief(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    level = ma.fields.String()
