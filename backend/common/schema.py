"""The base every schema builds on, and views: one schema per thing, shown per role.

A domain's ``schemas.py`` declares a thing once — each field with its type, its masking and the
label staff read (``metadata={"label": …}``) — and lists which fields each role sees in ``views``
(``worker``, ``staff_row``, ``staff_detail`` …, as CTFd's ``views=``). ``Thing.view("worker",
"ThingOut")`` is then the schema that role gets: a named class, so the OpenAPI document keeps one
stable component per view, and a field masked on the thing is masked in every view of it.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, ClassVar

import marshmallow as ma

from backend.common import messages  # noqa: F401  (Chinese messages before any schema is built)
from backend.common.fields import Text


class Schema(ma.Schema):
    """Base schema: unknown fields are refused with a Chinese message."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "不支持的字段", "type": "请求体应为 JSON 对象"}

    views: ClassVar[dict[str, tuple[str, ...]]] = {}

    @classmethod
    def view(cls, name: str, class_name: str, **extra: ma.fields.Field) -> type[Schema]:
        """The fields of view ``name`` in the view's order, plus ``extra`` fields that only this
        view has (a timeline, the actions allowed). Methods and hooks of the thing's schema stay."""
        shown = cls.views[name]
        namespace: dict[str, Any] = {"__module__": cls.__module__, "__qualname__": class_name, **extra}
        viewed = type(cls)(class_name, (cls,), namespace)
        declared = viewed._declared_fields
        viewed._declared_fields = {field: declared[field] for field in (*shown, *extra)}
        return viewed

    @classmethod
    def label(cls, field: str) -> str:
        """What staff read for ``field`` (a column heading, an export's header)."""
        return cls._declared_fields[field].metadata["label"]


class TransitionIn(Schema):
    """A staff decision on a case: the action, and the note some actions need."""

    action = ma.fields.String(required=True, metadata={"description": "如 approve / reject / request_info"})
    note = Text(max_length=500, min_length=0, load_default=None)


class MessageOut(Schema):
    message = ma.fields.String()


UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET", "__bool__": lambda self: False})()
"""A field a partial update (PATCH) left out; ``None`` is a value it may set."""


def given(changes) -> dict[str, Any]:
    """The fields a partial update sets, by name, in the order the dataclass declares them."""
    return {f.name: value for f in fields(changes) if (value := getattr(changes, f.name)) is not UNSET}
