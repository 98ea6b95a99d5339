"""Notification templates per event kind, loaded from ``config/notifications/*.yaml`` (one file per
domain). A malformed file, or a kind defined twice, is refused when the app starts, with the file,
kind and key that is wrong.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import yaml

from backend.common.config_files import ConfigTextError
from backend.notify.fitting import FIELD_LIMITS, field_type

_KNOWN_TYPES = set(FIELD_LIMITS) | {"time", "date"}


class TemplateConfigError(ConfigTextError):
    pass


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


def load_template_dir(directory: Path) -> dict[str, Template]:
    """Every ``*.yaml`` in ``directory``, merged; a kind may be defined in one file only."""
    merged: dict[str, Template] = {}
    for path in sorted(directory.glob("*.yaml")):
        for kind, template in load_templates(path).items():
            if kind in merged:
                raise TemplateConfigError(f"{path}: templates.{kind} is already defined in another file")
            merged[kind] = template
    if not merged:
        raise TemplateConfigError(f"{directory}: no notification templates found")
    return merged


def load_templates(path: Path) -> dict[str, Template]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TemplateConfigError(f"{path}: not valid YAML: {exc}") from exc
    entries = raw.get("templates")
    if not isinstance(entries, dict) or not entries:
        raise TemplateConfigError(f"{path}: needs a non-empty 'templates' mapping")
    templates = {}
    for kind, entry in entries.items():
        where = f"{path}: templates.{kind}"
        if not isinstance(entry, dict):
            raise TemplateConfigError(f"{where}: must be a mapping")
        missing = {"template_id", "title", "body", "fields"} - set(entry)
        if missing:
            raise TemplateConfigError(f"{where}: missing {', '.join(sorted(missing))}")
        fields = entry["fields"]
        if not isinstance(fields, dict) or not fields:
            raise TemplateConfigError(f"{where}.fields: must be a non-empty mapping")
        for key in fields:
            try:
                kind_of_field = field_type(str(key))
            except ValueError as exc:
                raise TemplateConfigError(f"{where}.fields.{key}: {exc}") from exc
            if kind_of_field not in _KNOWN_TYPES:
                raise TemplateConfigError(
                    f"{where}.fields.{key}: unknown WeChat field type {kind_of_field!r}"
                )
        templates[kind] = Template(
            kind=kind,
            template_id=str(entry["template_id"]),
            page=entry.get("page"),
            title=str(entry["title"]),
            body=str(entry["body"]),
            fields={str(k): str(v) for k, v in fields.items()},
        )
    return templates
