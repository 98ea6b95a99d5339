"""The org tree's schemas: a union as other things name it, and 单位建会 — what applying to found a
union accepts (``UnitIn``, loaded and checked by ``UnitApplicationIn``) and the application as the
employer sees it."""

from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma

from backend.common.fields import CreditCode, LocalDateTime, MaskedPhone, Mobile, Text, one_of
from backend.common.schema import Schema
from backend.members.models import REVIEW_STATUS_LABELS
from backend.orgs.models import CATEGORY_LABELS, OrgCategory


class OrgBrief(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    level = ma.fields.String()


_BASE_CATEGORIES = [c for c in OrgCategory if c != OrgCategory.COUNTY_FEDERATION]


@dataclass(frozen=True)
class UnitIn:
    """单位建会 as ``orgs.units.apply_for_unit`` takes it."""

    unit_name: str
    credit_code: str
    org_id: int
    category: str
    address: str
    employee_count: int
    contact_name: str
    contact_phone: str
    note: str | None = None


class UnitApplicationIn(Schema):
    unit_name = Text(required=True, max_length=100, metadata={"description": "单位名称"})
    credit_code = CreditCode(required=True, metadata={"description": "统一社会信用代码"})
    org_id = ma.fields.Integer(required=True, metadata={"description": "所在乡镇（街道）工会"})
    category = ma.fields.String(
        required=True,
        validate=one_of(_BASE_CATEGORIES, CATEGORY_LABELS),
    )
    address = Text(required=True, max_length=200)
    employee_count = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=1_000_000))
    contact_name = Text(required=True, max_length=50)
    contact_phone = Mobile(required=True)
    note = Text(max_length=1000, min_length=0, load_default=None)

    @ma.post_load
    def _unit_in(self, data, **_) -> UnitIn:
        return UnitIn(**data)


class UnitApplicationOut(Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda a: REVIEW_STATUS_LABELS.get(a.status, a.status))
    status_note = ma.fields.String(allow_none=True)
    unit_name = ma.fields.String()
    credit_code = ma.fields.String()
    category = ma.fields.String()
    address = ma.fields.String()
    employee_count = ma.fields.Integer()
    contact_name = ma.fields.String()
    contact_phone = MaskedPhone()
    org = ma.fields.Nested(OrgBrief)
    created_org_id = ma.fields.Integer(allow_none=True)
    submitted_at = LocalDateTime()
