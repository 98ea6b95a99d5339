"""Chinese identity numbers: GB 11643 (居民身份证号码) and GB 32100 (统一社会信用代码)."""

from __future__ import annotations

import re
from datetime import date

from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_error(value: str, *, today: date | None = None) -> str | None:
    """Return a Chinese message saying what is wrong with an 18-digit ID number, or None.

    python-stdnum (``stdnum.cn.ric``) gives the birth date, the check character and the table of
    administrative divisions (GB/T 2260) the first six digits must come from."""
    value = value.strip().upper()
    if not _ID_RE.match(value):
        return "身份证号应为18位，前17位为数字，最后一位为数字或X"
    try:
        born = ric.get_birth_date(value)
    except ValidationError:
        return "身份证号中的出生日期无效"
    today = today or date.today()
    if born > today or born.year < 1900:
        return "身份证号中的出生日期无效"
    if ric.calc_check_digit(value) != value[17]:
        return "身份证号校验位不正确，请核对"
    if not _region_exists(value[:6]):
        return "身份证号中的地区码不存在，请核对前6位"
    return None


def _region_exists(region: str) -> bool:
    """The administrative division is one GB/T 2260 has defined (python-stdnum's table). Not checked
    against the year of birth: a number first issued late (补录户口) carries the code of that time."""
    found = {key: val for _part, props in numdb.get("cn/loc").info(region) for key, val in props.items()}
    return bool(found.get("county"))


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


# GB 32100 附录: 登记管理部门代码 → 机构类别代码 it may carry.
_CREDIT_AUTHORITY_TYPES = {
    "1": "1239",  # 机构编制: 机关、事业单位、编办直接管理的群众团体、其他
    "2": "19",  # 外交
    "3": "123459",  # 司法行政: 律师执业机构、公证处、基层法律服务所、司法鉴定机构、仲裁委员会、其他
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体、民办非企业单位、基金会、其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会: 基层工会、其他
    "9": "123",  # 市场监管（工商）: 企业、个体工商户、农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业: 组级、村级、乡镇级集体经济组织、其他
    "Y": "1",  # 其他
}


def credit_code_error(value: str) -> str | None:
    """Validate a unified social credit code (统一社会信用代码, GB 32100): the registration authority
    and organisation type must be a pair the standard defines; format and check character by
    python-stdnum (``stdnum.cn.uscc``)."""
    value = value.strip().upper()
    if not _CREDIT_RE.match(value):
        return "统一社会信用代码应为18位数字或大写字母"
    if value[1] not in _CREDIT_AUTHORITY_TYPES.get(value[0], ""):
        return "统一社会信用代码的登记管理部门或机构类别代码（前2位）不存在，请核对"
    if uscc.calc_check_digit(value) != value[17]:
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
