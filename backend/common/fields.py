"""Fields used across schemas: local time on output, masked personal data, validated identifiers."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import marshmallow as ma

from backend.common import (
    crypto,
    messages,  # noqa: F401  (Chinese messages before any schema is built)
)
from backend.common.idcard import credit_code_error, id_number_error
from backend.common.time import local

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
CENT = Decimal("0.01")
# A yuan amount as text: digits, at most two decimals (what the document declares as its pattern).
MONEY_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"
MONEY_RE = re.compile(r"^-?\d{1,30}(\.\d{1,30})?$")  # read, then judged with a Chinese message


class LocalDateTime(ma.fields.DateTime):
    """Stored in UTC, shown in Asia/Shanghai (+08:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None:
            value = local(value)
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
    validator = ma.validate.OneOf(choices, error=f"取值应为：{shown}")
    validator.labels = {str(v): labels[v] for v in values} if labels else None  # for the document
    return validator


def _finite(text: str) -> bool:
    try:
        return Decimal(text.strip()).is_finite()
    except ArithmeticError:  # not a number at all: the Decimal field says so
        return False


class Money(ma.fields.Decimal):
    """Yuan, exact: at most two decimals (fen), above zero (or zero where allowed), at most
    ``ceiling`` (a number, or a function for a configured limit). Shown as a string ("2600.00") so
    no client turns it into a float."""

    def __init__(self, *, ceiling: Decimal | Callable[[], Decimal], allow_zero: bool = False, **kwargs):
        super().__init__(as_string=True, allow_nan=False, **kwargs)  # no places: 1.001 is refused
        self.allow_zero = allow_zero
        self.ceiling = ceiling

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, str) and _finite(value) and not MONEY_RE.match(value.strip()):
            # "1E+50", "1_000": a yuan amount is written out in digits
            raise ma.ValidationError("金额格式不正确，应为数字，最多两位小数（如 2600.50）")
        amount = super()._deserialize(value, attr, data, **kwargs)
        if amount < 0 or (amount == 0 and not self.allow_zero):
            raise ma.ValidationError("金额不能为负数" if self.allow_zero else "金额应大于 0")
        limit = self.ceiling() if callable(self.ceiling) else self.ceiling
        if amount > limit:  # before rounding: 1e308 has no fen to round to
            raise ma.ValidationError(f"金额不能超过 {limit:,.0f} 元")
        if amount != amount.quantize(CENT):
            raise ma.ValidationError("金额最多保留两位小数（精确到分）")
        return amount.quantize(CENT)
