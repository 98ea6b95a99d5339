"""How fields are written in the OpenAPI document, so that it says exactly what the server does.

apispec derives most of a field's schema from its validators; these additions cover what it cannot
see: money is a string of yuan with at most two decimals (never a float), a Decimal's bounds are
numbers, identity numbers and phones have their formats, and every enum carries its Chinese labels.
"""

from __future__ import annotations

import re
from decimal import Decimal

import marshmallow as ma

from backend.common import fields

ID_NUMBER_PATTERN = r"^\d{17}[\dXx]$"
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}\d{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}$"
MOBILE_PATTERN = r"^1[3-9]\d{9}$"


def _numeric(value):
    return int(value) if isinstance(value, Decimal) and value == value.to_integral_value() else float(value)


def decimal2properties(self, field, ret, **kwargs) -> dict:
    """Money (and any Decimal shown as text) is a string with a pattern; other Decimals are numbers
    with numeric bounds (apispec would print ``minimum: "0.00"``)."""
    if not isinstance(field, ma.fields.Decimal):
        return {}
    bounds = [v for v in field.validators if isinstance(v, ma.validate.Range)]
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        ret.pop(key, None)
    if field.as_string:
        ret["type"] = "string"
        ret["pattern"] = fields.MONEY_PATTERN
        note = "金额（元），字符串，最多两位小数"
        description = ret.get("description")
        ret["description"] = f"{description}；{note}" if description else note
        return {}
    ret["type"] = "number"
    for bound in bounds:
        if bound.min is not None:
            ret["exclusiveMinimum" if not bound.min_inclusive else "minimum"] = _numeric(bound.min)
        if bound.max is not None:
            ret["exclusiveMaximum" if not bound.max_inclusive else "maximum"] = _numeric(bound.max)
    return {}


def identity2properties(self, field, ret, **kwargs) -> dict:
    """The formats of the validated identifiers (the checksum is checked by the server)."""
    if isinstance(field, fields.IdNumber):
        return {"pattern": ID_NUMBER_PATTERN, "minLength": 18, "maxLength": 18}
    if isinstance(field, fields.CreditCode):
        return {"pattern": CREDIT_CODE_PATTERN, "minLength": 18, "maxLength": 18}
    if isinstance(field, fields.Mobile) and not field.dump_only:
        return {"pattern": MOBILE_PATTERN}
    return {}


def enum_labels2properties(self, field, ret, **kwargs) -> dict:
    """An enum validated by ``fields.one_of`` lists the Chinese name of every value."""
    for validator in field.validators:
        labels = getattr(validator, "labels", None)
        if isinstance(validator, ma.validate.OneOf) and labels:
            listing = "；".join(f"{value} {label}" for value, label in labels.items())
            description = ret.get("description")
            return {
                "x-enum-labels": labels,
                "description": f"{description}（{listing}）" if description else f"取值：{listing}",
            }
    return {}


def register(api) -> None:
    """Add the field conventions to the document's marshmallow converter."""
    converter = api.ma_plugin.converter
    for func in (decimal2properties, identity2properties, enum_labels2properties):
        converter.add_attribute_function(func)


_FORBIDDEN = {
    "description": "此角色无权执行此操作（code: forbidden），或令牌不是工作人员的",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}
_RULE_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _permission_of(view_func, method: str) -> tuple[bool, str | None]:
    """(is a staff operation, the permission it needs) from ``staff_required`` on the class or method."""
    view_class = getattr(view_func, "view_class", None)
    marks = [d for d in getattr(view_class, "decorators", ()) if hasattr(d, "staff_permission")]
    handler = getattr(view_class, method.lower(), None)
    if handler is not None and hasattr(handler, "staff_permission"):
        marks.append(handler)
    if not marks:
        return False, None
    return True, next((m.staff_permission for m in marks if m.staff_permission), None)


def document_staff_roles(api) -> None:
    """Every staff operation says which roles may call it (from the permission table) and that any
    other staff token gets 403 ``forbidden``; a worker's token gets 403 too."""
    from backend.staff import permissions
    from backend.staff.accounts import ROLE_LABELS
    from backend.staff.models import Role

    paths = api.spec._paths
    for rule in api._app.url_map.iter_rules():
        operations = paths.get(_RULE_ARG.sub(r"{\1}", rule.rule))
        if not operations:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = operations.get(method.lower())
            staff, permission = _permission_of(api._app.view_functions[rule.endpoint], method)
            if operation is None or not staff:
                continue
            if callable(permission):  # a need computed from the URL's arguments: not listed here
                continue
            roles = [r for r in Role if permission is None or permissions.allows(r, permission)]
            labels = "、".join(ROLE_LABELS.get(r, str(r)) for r in roles)
            refused = [ROLE_LABELS.get(r, str(r)) for r in Role if r not in roles]
            note = f"可调用角色：{labels}（仅限本级及下级的数据）。"
            if refused:
                note += f"{'、'.join(refused)}调用时返回 403 forbidden。"
            note += "职工的令牌返回 403。"
            operation["x-permission"] = (
                permission if permission is None or isinstance(permission, str) else " | ".join(permission)
            )
            operation["x-roles"] = [str(r) for r in roles]
            operation["description"] = f"{operation.get('description', '').rstrip()}\n\n{note}".strip()
            operation.setdefault("responses", {}).setdefault("403", _FORBIDDEN)
