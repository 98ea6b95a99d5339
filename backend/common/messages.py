"""Chinese messages for marshmallow's built-in errors, and the guards every field applies to hostile
input (whole 64-bit numbers only, no lone surrogates).

Set on marshmallow's classes once, when this module is first imported. Validators such as ``Range``
format their message when they are built, so every module that defines a schema imports this one
(through ``backend.common.schema`` / ``backend.common.fields``) before it builds one.
"""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma

# --- Chinese messages for marshmallow's built-in errors -------------------------------------------
_FIELD_MESSAGES: dict[type, dict[str, str]] = {
    ma.fields.Field: {
        "required": "此项为必填项",
        "null": "此项不能为空",
        "validator_failed": "取值无效",
    },
    ma.fields.String: {"invalid": "应为文本", "invalid_utf8": "不是有效的 UTF-8 文本"},
    ma.fields.Integer: {"invalid": "应为整数", "too_large": "数值过大"},
    ma.fields.Number: {"invalid": "应为数字", "too_large": "数值过大"},
    ma.fields.Decimal: {"special": "不支持该数值"},
    ma.fields.Boolean: {"invalid": "应为 true 或 false"},
    ma.fields.DateTime: {"invalid": "日期时间格式不正确", "invalid_awareness": "日期时间缺少时区"},
    ma.fields.Date: {"invalid": "日期格式不正确，应为 YYYY-MM-DD"},
    ma.fields.List: {"invalid": "应为列表"},
    ma.fields.Dict: {"invalid": "应为对象"},
    ma.fields.Nested: {"type": "应为对象"},
    ma.fields.Email: {"invalid": "邮箱格式不正确"},
    ma.fields.Url: {"invalid": "网址格式不正确"},
}
for _cls, _messages in _FIELD_MESSAGES.items():
    _cls.default_error_messages = {**_cls.default_error_messages, **_messages}

ma.validate.Length.message_min = "长度不能少于 {min}"
ma.validate.Length.message_max = "长度不能超过 {max}"
ma.validate.Length.message_all = "长度应在 {min} 到 {max} 之间"
ma.validate.Length.message_equal = "长度应为 {equal}"
ma.validate.Range.message_min = "应{min_op} {{min}}"
ma.validate.Range.message_max = "应{max_op} {{max}}"
ma.validate.Range.message_all = "应{min_op} {{min}} 且{max_op} {{max}}"
ma.validate.Range.message_gte = "大于或等于"
ma.validate.Range.message_gt = "大于"
ma.validate.Range.message_lte = "小于或等于"
ma.validate.Range.message_lt = "小于"
ma.validate.OneOf.default_message = "取值应为：{choices}"
ma.validate.Regexp.default_message = "格式不正确"

# --- hostile input stops at the schema, with a Chinese message, before it reaches the database ----
INT64_MAX = 2**63 - 1  # the largest id or count a BIGINT column holds
_number_validated = ma.fields.Number._validated


def _integer_validated(self, value):
    """Whole numbers only: 2.5 is refused, never truncated to 2 ("20" in a query string still reads
    as 20); and nothing beyond a signed 64-bit column."""
    if isinstance(value, float) and not value.is_integer():
        raise self.make_error("invalid", input=value)
    if isinstance(value, Decimal) and (not value.is_finite() or value != value.to_integral_value()):
        raise self.make_error("invalid", input=value)
    number = _number_validated(self, value)
    if not -INT64_MAX - 1 <= number <= INT64_MAX:
        raise self.make_error("too_large", input=value)
    return number


ma.fields.Integer._validated = _integer_validated
_string_deserialize = ma.fields.String._deserialize


def _string_without_surrogates(self, value, attr, data, **kwargs):
    """A lone UTF-16 surrogate ("\\ud800") is valid JSON but no text: no database can store it."""
    text = _string_deserialize(self, value, attr, data, **kwargs)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ma.ValidationError("包含无法识别的字符，请删除后重试") from exc
    return text


ma.fields.String._deserialize = _string_without_surrogates
