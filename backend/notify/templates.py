"""Notification templates per event kind, loaded from ``config/notifications/*.yaml`` (one file per
domain). A malformed file, or a kind defined twice, is refused when the app starts, with the file,
kind and key that is wrong.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import marshmallow as ma

from backend.common.config_files import ConfigError, ConfigSchema, NonEmptyText, Sections, load
from backend.notify.fitting import FIELD_LIMITS, field_type

_KNOWN_TYPES = set(FIELD_LIMITS) | {"time", "date"}


@dataclass(frozen=True)
class Template:
    kind: str
    template_id: str
    page: str | None
    title: str
    body: str
    fields: dict[str, str]

    def render(self, values: dict) -> tuple[str, str, dict[str, object]]:
        """(title, body, raw field values) with the event's values filled in."""
        fmt = _Formatter()
        fields = {key: fmt.value(pattern, values) for key, pattern in self.fields.items()}
        return fmt.format(self.title, **values), fmt.format(self.body, **values), fields


class _Formatter(string.Formatter):
    def value(self, pattern: str, values: dict) -> object:
        """A pattern that is exactly one placeholder keeps the value's type (datetime, Decimal)."""
        parsed = list(self.parse(pattern))
        if len(parsed) == 1 and parsed[0][0] == "" and parsed[0][1]:
            return values[parsed[0][1]]
        return self.format(pattern, **values)


class _TemplateFields(ma.fields.Field):
    """WeChat data keys (``thing1``, ``time4`` …) to the pattern that fills each."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict) or not value:
            raise ma.ValidationError("must be a non-empty mapping")
        for key in value:
            try:
                kind_of_field = field_type(str(key))
            except ValueError as exc:
                raise ma.ValidationError({str(key): [str(exc)]}) from exc
            if kind_of_field not in _KNOWN_TYPES:
                raise ma.ValidationError({str(key): [f"unknown WeChat field type {kind_of_field!r}"]})
        return {str(k): str(v) for k, v in value.items()}


class _Template(ConfigSchema):
    template_id = NonEmptyText(required=True)
    page = ma.fields.String(load_default=None, error_messages={"invalid": "must be a mini-program page path"})
    title = NonEmptyText(required=True)
    body = NonEmptyText(required=True)
    fields = _TemplateFields(required=True)

    @ma.pre_load
    def _complete(self, entry, **_kwargs):
        """Every missing key in one message, so a half-written entry is fixed in one go."""
        if isinstance(entry, dict):
            missing = {"template_id", "title", "body", "fields"} - set(entry)
            if missing:
                raise ma.ValidationError(f"missing {', '.join(sorted(missing))}")
        return entry


class TemplatesFile(ConfigSchema):
    """One file of ``config/notifications/``: event kind → its template."""

    templates = Sections(_Template, required=True, empty="needs a non-empty 'templates' mapping")

    @ma.post_load
    def _templates(self, data: dict, **_kwargs) -> dict[str, Template]:
        return {str(kind): Template(kind=str(kind), **entry) for kind, entry in data["templates"].items()}


def load_template_dir(directory: Path) -> dict[str, Template]:
    """Every ``*.yaml`` in ``directory``, merged; a kind may be defined in one file only."""
    merged: dict[str, Template] = {}
    for path in sorted(directory.glob("*.yaml")):
        for kind, template in load_templates(path).items():
            if kind in merged:
                raise ConfigError(path, f"templates.{kind}", "is already defined in another file")
            merged[kind] = template
    if not merged:
        raise ConfigError(directory, None, "no notification templates found")
    return merged


def load_templates(path: Path) -> dict[str, Template]:
    """Read and check one template file; any problem names the file, the kind and the key."""
    return load(path, TemplatesFile())
