"""Fields used across schemas: local time on output, masked personal data, validated identifiers."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import marshmallow as ma

from backend.common import crypto
from backend.common.idcard import credit_code_error, id_number_error

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


class LocalDateTime(ma.fields.DateTime):
    """Stored in UTC, shown in Asia/Shanghai (+08:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None:
            value = value.astimezone(SHANGHAI)
        return super()._serialize(value, attr, obj, **kwargs)


class MaskedIdNumber(ma.fields.String):
    def _serialize(self, value, attr, obj, **kwargs):
        return crypto.mask_id_number(value)


class MaskedPhone(ma.fields.String):
    def _serialize(self, value, attr, obj, **kwargs):
        return crypto.mask_phone(value)


class Text(ma.fields.String):
    """Trimmed text; blank counts as missing."""

    def __init__(self, *, max_length: int, min_length: int = 1, **kwargs):
        kwargs.setdefault("validate", ma.validate.Length(min=min_length, max=max_length))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text and self.required:
            raise ma.ValidationError("此项不能为空")
        return text


class IdNumber(ma.fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        error = id_number_error(text)
        if error:
            raise ma.ValidationError(error)
        return text


class Mobile(ma.fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().replace(" ", "")
        if text.startswith("+86"):
            text = text[3:]
        if not MOBILE_RE.match(text):
            raise ma.ValidationError("手机号格式不正确，应为11位中国大陆手机号")
        return text


class CreditCode(ma.fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        error = credit_code_error(text)
        if error:
            raise ma.ValidationError(error)
        return text


def one_of(values, labels: dict | None = None) -> ma.validate.OneOf:
    choices = [str(v) for v in values]
    shown = "、".join(labels[v] for v in values) if labels else "、".join(choices)
    return ma.validate.OneOf(choices, error=f"取值应为：{shown}")
