"""Chinese identity numbers: GB 11643 (居民身份证号码) and GB 32100 (统一社会信用代码)."""

from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_error(value: str, *, today: date | None = None) -> str | None:
    """Return a Chinese message saying what is wrong with an 18-digit ID number, or None."""
    value = value.strip().upper()
    if not _ID_RE.match(value):
        return "身份证号应为18位，前17位为数字，最后一位为数字或X"
    try:
        born = birth_date(value)
    except ValueError:
        return "身份证号中的出生日期无效"
    today = today or date.today()
    if born > today or born.year < 1900:
        return "身份证号中的出生日期无效"
    if id_check_char(value[:17]) != value[17]:
        return "身份证号校验位不正确，请核对"
    return None


def birth_date(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_of(value: str) -> str:
    """The 17th digit is odd for men and even for women."""
    return "male" if int(value[16]) % 2 else "female"


def make_id_number(region: str, born: date, sequence: int, gender: str) -> str:
    """Build a valid ID number (for demo data and tests)."""
    seq = sequence % 500 * 2 + (1 if gender == "male" else 0)
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_check_char(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(value: str) -> str | None:
    """Validate a unified social credit code (统一社会信用代码, GB 32100)."""
    value = value.strip().upper()
    if not _CREDIT_RE.match(value):
        return "统一社会信用代码应为18位数字或大写字母"
    if credit_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位不正确，请核对"
    return None


def make_credit_code(region: str, serial: int) -> str:
    """Build a valid credit code (for demo data and tests): registered as 91 (enterprise)."""
    body = f"91{region}"
    tail = ""
    n = serial
    for _ in range(9):
        tail = _CREDIT_ALPHABET[n % 31] + tail
        n //= 31
    first17 = body + tail
    return first17 + credit_check_char(first17)
