"""Values fitted to WeChat's typed template fields, and the template file's checks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from backend.common.config_files import ConfigError
from backend.config import CONFIG_DIR
from backend.notify.fitting import fit, fit_all
from backend.notify.templates import load_template_dir, load_templates
from scripts.fake_wechat import invalid_data_key

LONG_EMPLOYER = "山西省临汾市尧都区解放路街道某某建筑劳务分包有限责任公司第三项目部"


def test_long_chinese_text_is_cut_to_twenty_characters_with_an_ellipsis():
    fitted = fit("thing3", LONG_EMPLOYER)
    assert len(fitted) == 20 and fitted.endswith("…")
    assert fitted.startswith("山西省临汾市")
    assert fit("thing1", "欠薪求助") == "欠薪求助"
    assert fit("thing1", "  多个\n空白\t字符  ") == "多个 空白 字符"
    assert fit("thing1", "") == "-"  # WeChat refuses empty values


def test_names_phrases_and_codes_follow_their_rules():
    assert fit("name1", "欧阳娜娜娜娜娜娜娜娜娜娜") == "欧阳娜娜娜娜娜娜娜…"
    assert len(fit("name1", "欧阳娜娜娜娜娜娜娜娜娜娜")) == 10
    assert fit("phrase2", "已通过审核并发放") == "已通过审核"
    assert fit("phrase2", "OK 通过!") == "通过"
    assert fit("character_string5", "卡号 2026-0000001234-5 号") == "2026-0000001234-5"
    assert len(fit("character_string5", "A" * 40)) == 32
    assert fit("number4", "共 12 人") == "12"
    assert fit("amount6", Decimal("17000000")) == "17000000.00元"
    assert fit("phone_number7", "138 0013 8000") == "13800138000"


def test_times_and_dates_are_shown_in_shanghai_time():
    moment = datetime(2026, 1, 31, 17, 30, tzinfo=UTC)  # 01:30 on 1 February in Shanghai
    assert fit("time4", moment) == "2026年02月01日 01:30"
    assert fit("date2", moment) == "2026年02月01日"
    assert fit("date2", date(2026, 2, 10)) == "2026年02月10日"


def test_every_fitted_value_passes_wechats_checks():
    fields = {
        "thing1": LONG_EMPLOYER * 3,
        "name2": "买买提·艾力江·阿卜杜热合曼",
        "phrase3": "正在调解处理中",
        "character_string4": "案件编号：QX-2026-临汾-000123",
        "number5": "3,500 人",
        "amount6": Decimal("123456.7"),
        "time7": datetime(2026, 11, 21, 6, 0, tzinfo=UTC),
        "date8": datetime(2026, 11, 21, 6, 0, tzinfo=UTC),
    }
    fitted = fit_all(fields)
    assert invalid_data_key({k: {"value": v} for k, v in fitted.items()}) is None


def test_the_shipped_templates_load_and_cover_every_membership_event():
    templates = load_template_dir(CONFIG_DIR / "notifications")
    assert {
        "membership.submitted",
        "membership.approved",
        "membership.rejected",
        "membership.needs_info",
        "transfer.approved",
        "transfer.rejected",
        "unit.approved",
        "unit.rejected",
    } <= set(templates)
    title, body, fields = templates["membership.approved"].render(
        {
            "org_name": "甲区建筑公司工会",
            "card_no": "2026000000000017",
            "at": datetime(2026, 1, 1, tzinfo=UTC),
        }
    )
    assert title == "入会申请已通过" and "2026000000000017" in body
    assert fields["time4"] == datetime(2026, 1, 1, tzinfo=UTC)  # a lone placeholder keeps its type


def test_a_kind_defined_in_two_files_is_refused(tmp_path):
    entry = "templates:\n  a.b:\n    template_id: T\n    title: t\n    body: b\n    fields: {thing1: x}\n"
    (tmp_path / "one.yaml").write_text(entry, encoding="utf-8")
    (tmp_path / "two.yaml").write_text(entry, encoding="utf-8")
    with pytest.raises(ConfigError, match="already defined"):
        load_template_dir(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("templates: []", "non-empty 'templates' mapping"),
        ("templates:\n  a.b:\n    template_id: T\n    title: t\n    body: b\n", "missing fields"),
        (
            "templates:\n  a.b:\n    template_id: T\n    title: t\n    body: b\n    fields: {colour1: x}\n",
            "unknown WeChat field type 'colour'",
        ),
        (
            "templates:\n  a.b:\n    template_id: T\n    title: t\n    body: b\n    fields: {'1thing': x}\n",
            "not a WeChat template field key",
        ),
        ("templates: [unclosed", "not valid YAML"),
    ],
)
def test_a_malformed_template_file_is_refused_at_load(tmp_path, text, message):
    path = tmp_path / "notifications.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_templates(path)
