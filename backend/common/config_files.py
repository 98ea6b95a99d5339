"""Reading the files in ``config/``: YAML, checked by a marshmallow schema, at start.

Every file a union may tune is read once, when the app is built (each domain's ``register``), so a
broken file stops the start with one :class:`ConfigError` that names the file and the key — never a
worker's request later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import marshmallow as ma
import yaml


class ConfigError(ValueError):
    """A config file the app cannot start with: ``<file>: <key>: <what is wrong>``."""

    def __init__(self, file: Path | str, key: str | None, message: str):
        self.file, self.key, self.problem = Path(file), key, message
        super().__init__(f"{file}: {key}: {message}" if key else f"{file}: {message}")


class ConfigTextError(ConfigError):
    """A :class:`ConfigError` raised by the checks still written by hand (rubrics, aid, wages,
    notification templates) with one text ``"<file>: <key> <what is wrong>"``."""

    def __init__(self, text: str):
        file, _, problem = text.partition(": ")
        super().__init__(file, None, problem or text)


def read_yaml(path: Path) -> dict:
    """The file's top-level mapping (an empty file is an empty mapping)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, f"not valid YAML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(path, None, f"cannot be read: {exc.strerror}") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(path, None, "must be a mapping of keys to values")
    return raw


def load(path: Path, schema: ma.Schema) -> Any:
    """Read ``path`` and load it through ``schema``; the first problem found names its key."""
    raw = read_yaml(path)
    try:
        return schema.load(raw)
    except ma.ValidationError as exc:
        key, message = first_problem(exc.messages)
        raise ConfigError(path, key, message) from exc


def first_problem(messages: Any, prefix: str = "") -> tuple[str | None, str]:
    """The dotted key (``rigid[1].metric``) and text of the first message marshmallow gave."""
    if isinstance(messages, dict):
        for key, inner in messages.items():
            if key == "_schema":
                return first_problem(inner, prefix)
            name = f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}.{key}" if prefix else str(key)
            return first_problem(inner, name)
    if isinstance(messages, list) and messages:
        return first_problem(messages[0], prefix)
    return (prefix or None), str(messages)


# --- fields the config files share ----------------------------------------------------------------------
class WholeNumber(ma.fields.Integer):
    """An integer written as one (``on``/``yes`` are booleans in YAML, not numbers)."""

    def __init__(self, *, minimum: int | None = None, **kwargs):
        self.minimum = minimum
        validate = []
        if minimum is not None:
            validate.append(ma.validate.Range(min=minimum, error=f"must be an integer ≥ {minimum}"))
        super().__init__(strict=True, validate=validate, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ma.ValidationError(
                f"must be an integer ≥ {self.minimum}" if self.minimum is not None else "must be an integer"
            )
        return super()._deserialize(value, attr, data, **kwargs)


class NonEmptyText(ma.fields.String):
    """A string with something in it, trimmed."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not value.strip():
            raise ma.ValidationError("must be a non-empty string")
        return value.strip()


class ConfigSchema(ma.Schema):
    """A section of a config file: keys it does not know are left alone (comments, future keys)."""

    class Meta:
        unknown = ma.EXCLUDE
