"""Reading the files in ``config/``: YAML, checked by a marshmallow schema, at start.

Every file a union may tune is read once, when the app is built (each domain's ``register``), so a
broken file stops the start with one :class:`ConfigError` that names the file and the key — never a
worker's request later.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import marshmallow as ma
import yaml


class ConfigError(ValueError):
    """A config file the app cannot start with: ``<file>: <key>: <what is wrong>``."""

    def __init__(self, file: Path | str, key: str | None, message: str):
        self.file, self.key, self.problem = Path(file), key, message
        super().__init__(f"{file}: {key}: {message}" if key else f"{file}: {message}")


def read_yaml(path: Path) -> dict:
    """The file's top-level mapping (an empty file is an empty mapping)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, None, f"cannot be read: {exc.strerror}") from exc
    return parse_yaml(path, text)


def parse_yaml(path: Path, text: str) -> dict:
    """``text`` (the contents of ``path``) as a mapping; an empty file is an empty mapping."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, f"not valid YAML: {exc}") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(path, None, "must be a mapping of keys to values")
    return raw


def load(path: Path, schema: ma.Schema) -> Any:
    """Read ``path`` and load it through ``schema``; the first problem found names its key."""
    return check(path, read_yaml(path), schema)


def check(file: Path | str, raw: Any, schema: ma.Schema) -> Any:
    """Load ``raw`` (the contents of ``file``) through ``schema``, or raise the first problem."""
    try:
        return schema.load(raw)
    except ma.ValidationError as exc:
        key, message = first_problem(exc.messages)
        raise ConfigError(file, key, message) from exc


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
    """An integer written as one (``on``/``yes`` are booleans in YAML, not numbers); ``message``
    replaces the default complaint for any value that is not one."""

    def __init__(self, *, minimum: int | None = None, message: str | None = None, **kwargs):
        self.minimum = minimum
        self.message = message or (
            f"must be an integer ≥ {minimum}" if minimum is not None else "must be an integer"
        )
        validate = []
        if minimum is not None:
            validate.append(ma.validate.Range(min=minimum, error=self.message))
        super().__init__(strict=True, validate=validate, **kwargs)
        self.error_messages = {**self.error_messages, "invalid": self.message}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ma.ValidationError(self.message)
        return super()._deserialize(value, attr, data, **kwargs)


class NonEmptyText(ma.fields.String):
    """A string with something in it, trimmed."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not value.strip():
            raise ma.ValidationError("must be a non-empty string")
        return value.strip()


class PlainNumber(ma.fields.Field):
    """An int or float as YAML wrote it (a weight, a cap), at least ``minimum``."""

    def __init__(self, *, minimum: float = 0, **kwargs):
        self.minimum = minimum
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < self.minimum:
            raise ma.ValidationError(f"must be a number ≥ {self.minimum}")
        return value


class ExactNumber(ma.fields.Field):
    """A Decimal read through ``str`` so 0.1 stays 0.1; never negative, and never 0 if ``positive``.
    ``places`` limits the decimal places (2 for yuan: whole fen)."""

    places_message = "at most {places} decimal places"

    def __init__(self, *, positive: bool = False, places: int | None = None, **kwargs):
        self.positive, self.places = positive, places
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ma.ValidationError("must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ma.ValidationError(f"must be a number, got {value!r}") from exc
        if not number.is_finite() or number < 0 or (self.positive and number == 0):
            raise ma.ValidationError(self.range_message)
        if self.places is not None:
            step = Decimal(1).scaleb(-self.places)
            if number != number.quantize(step):
                raise ma.ValidationError(self.places_message.format(places=self.places))
            return number.quantize(step)
        return number

    @property
    def range_message(self) -> str:
        return "must be greater than 0" if self.positive else "must be zero or more"


class Yuan(ExactNumber):
    """An amount in yuan, exact to the fen."""

    places_message = "at most two decimal places (fen)"

    def __init__(self, **kwargs):
        super().__init__(places=2, **kwargs)


class Words(ma.fields.Field):
    """A non-empty list of non-empty strings, as a tuple; ``longest_first`` sorts them for matching."""

    def __init__(self, *, longest_first: bool = False, **kwargs):
        self.longest_first = longest_first
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or not value or not all(isinstance(w, str) and w for w in value):
            raise ma.ValidationError("must be a list of words")
        return tuple(sorted(value, key=len, reverse=True)) if self.longest_first else tuple(value)


class Labels(ma.fields.Field):
    """A non-empty mapping of codes (letters, digits, ``_``) to the Chinese label shown for each."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict) or not value:
            raise ma.ValidationError("must map codes to labels")
        for code, label in value.items():
            if (
                not isinstance(code, str)
                or not code.isidentifier()
                or not isinstance(label, str)
                or not label
            ):
                raise ma.ValidationError({str(code): ["needs a code (letters, _) and a label"]})
        return dict(value)


class Sections(ma.fields.Field):
    """A mapping of names to sections (non-empty unless ``allow_empty``), each loaded by ``section``
    (a schema class, or a field for a section that is itself a mapping); a problem is named
    ``<this key>.<name>.<key>``."""

    def __init__(
        self,
        section: type[ma.Schema] | ma.fields.Field,
        *,
        empty: str = "must be a non-empty mapping",
        allow_empty: bool = False,
        **kwargs,
    ):
        self.load_section = section.deserialize if isinstance(section, ma.fields.Field) else section().load
        self.empty, self.allow_empty = empty, allow_empty
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict) or not (value or self.allow_empty):
            raise ma.ValidationError(self.empty)
        loaded, errors = {}, {}
        for name, entry in value.items():
            try:
                loaded[name] = self.load_section(entry)
            except ma.ValidationError as exc:
                errors[str(name)] = exc.messages
        if errors:
            raise ma.ValidationError(errors)
        return loaded


class ConfigSchema(ma.Schema):
    """A section of a config file: keys it does not know are left alone (comments, future keys).
    Config files are read by the people who run the app, so their messages are English."""

    class Meta:
        unknown = ma.EXCLUDE

    error_messages = {"type": "must be a mapping"}
    field_messages = {"required": "missing", "null": "must have a value"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages = {**field.error_messages, **self.field_messages}


class StrictConfigSchema(ConfigSchema):
    """A section whose keys are all known: a key it does not know (a typo) is refused, naming the
    keys it takes."""

    class Meta:
        unknown = ma.RAISE

    unknown_message = "unknown key (allowed: {allowed})"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ", ".join(sorted(field.data_key or name for name, field in self.load_fields.items()))
        self.error_messages = {**self.error_messages, "unknown": self.unknown_message.format(allowed=allowed)}
