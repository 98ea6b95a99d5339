"""ID numbers (GB 11643) and credit codes (GB 32100) are checked with python-stdnum, in Chinese."""

from __future__ import annotations

from datetime import date

from stdnum.cn import uscc

from backend.common.idcard import credit_code_error, id_number_error, make_credit_code, make_id_number


def test_an_id_number_from_a_region_that_does_not_exist_is_refused():
    for region in ("000000", "990000", "141099"):
        number = make_id_number(region, date(1990, 3, 8), 7, "male")  # a correct check character
        assert id_number_error(number) == "身份证号中的地区码不存在，请核对前6位", region
    for region in ("141002", "110101", "140102"):  # 临汾市尧都区, 北京市东城区, 太原市小店区
        assert id_number_error(make_id_number(region, date(1990, 3, 8), 7, "male")) is None


def test_an_id_number_keeps_its_other_chinese_messages():
    good = make_id_number("141002", date(1990, 3, 8), 7, "male")
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    assert id_number_error(wrong_check) == "身份证号校验位不正确，请核对"
    assert id_number_error("14100219901332071X") == "身份证号中的出生日期无效"
    assert id_number_error("1410021990") == "身份证号应为18位，前17位为数字，最后一位为数字或X"


def test_a_credit_code_with_an_impossible_authority_or_type_is_refused():
    good = make_credit_code("140102", 4242)
    assert credit_code_error(good) is None and uscc.is_valid(good)
    refused = "统一社会信用代码的登记管理部门或机构类别代码（前2位）不存在，请核对"
    for prefix in ("00", "95", "B1", "80"):
        body = prefix + good[2:17]
        forged = body + uscc.calc_check_digit(body)
        assert credit_code_error(forged) == refused, prefix
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    assert credit_code_error(wrong_check) == "统一社会信用代码校验位不正确，请核对"
