"""Fitting values into WeChat's typed subscribe-message fields.

WeChat refuses a whole message (errcode 47003) when one value breaks its field's rule, so a long
Chinese employer name must never reach it untrimmed. The field type is the key's prefix
(``thing3`` → thing). Rules from WeChat's subscribe-message documentation.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from backend.common.time import chinese_date, chinese_datetime

ELLIPSIS = "…"

_KEY_RE = re.compile(r"^([a-z_]+?)\d*$")
FIELD_LIMITS = {
    "thing": 20,
    "name": 10,
    "phrase": 5,
    "character_string": 32,
    "number": 32,
    "amount": 32,
    "phone_number": 17,
    "letter": 32,
    "symbol": 5,
    "car_number": 8,
}


def field_type(key: str) -> str:
    match = _KEY_RE.match(key)
    if not match:
        raise ValueError(f"not a WeChat template field key: {key!r}")
    return match.group(1)


def _text(value) -> str:
    if isinstance(value, datetime):
        return chinese_datetime(value)
    if isinstance(value, date):
        return chinese_date(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _cut(text: str, limit: int, *, ellipsis: bool = True) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS if ellipsis else text[:limit]


def fit(key: str, value) -> str:
    """The value as WeChat will accept it for field ``key``."""
    kind = field_type(key)
    if kind == "time":
        if isinstance(value, datetime):
            return chinese_datetime(value)
        return _text(value)
    if kind == "date":
        if isinstance(value, datetime):
            return chinese_date(value)
        return _text(value)
    text = _text(value)
    if kind == "thing":
        return _cut(text, 20) or "-"
    if kind == "name":
        return _cut(re.sub(r"\d", "", text), 10) or "-"
    if kind == "phrase":
        return _cut(re.sub(r"[^\u4e00-\u9fff]", "", text), 5, ellipsis=False) or "通知"
    if kind == "character_string":
        return _cut(re.sub(r"[^0-9A-Za-z_\-]", "", text), 32, ellipsis=False) or "-"
    if kind == "number":
        return _cut(re.sub(r"[^0-9.]", "", text), 32, ellipsis=False) or "0"
    if kind == "amount":
        amount = Decimal(str(value)) if isinstance(value, int | float | Decimal) else None
        shown = f"{amount:.2f}元" if amount is not None else text
        return _cut(shown, 32, ellipsis=False)
    if kind == "phone_number":
        return _cut(re.sub(r"[^0-9+\-]", "", text), 17, ellipsis=False)
    if kind == "letter":
        return _cut(re.sub(r"[^A-Za-z]", "", text), 32, ellipsis=False) or "A"
    if kind in FIELD_LIMITS:
        return _cut(text, FIELD_LIMITS[kind], ellipsis=False)
    return text


def fit_all(fields: dict[str, object]) -> dict[str, str]:
    return {key: fit(key, value) for key, value in fields.items()}
