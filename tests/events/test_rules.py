"""config/events.yaml: read once, and a broken file is refused with the key that is wrong."""

from __future__ import annotations

import pytest

from backend.common.config_files import ConfigError
from backend.events.rules import RULES_FILE, load_rules


def test_the_shipped_file_is_valid():
    rules = load_rules()
    assert rules.declaration_version and "单身" in rules.declaration_text
    assert rules.ticket_ttl_seconds >= 30


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("declaration: [", "not valid YAML"),
        (
            "declaration: {version: '', text: x}\ncheck_in: {ticket_ttl_seconds: 60, opens_hours_before: 1}",
            "declaration.version",
        ),
        (
            "declaration: {version: v1, text: x}\ncheck_in: {ticket_ttl_seconds: 5, opens_hours_before: 1}",
            "check_in.ticket_ttl_seconds",
        ),
        (
            "declaration: {version: v1, text: x}\ncheck_in: {ticket_ttl_seconds: 60, opens_hours_before: on}",
            "check_in.opens_hours_before",
        ),
    ],
)
def test_a_broken_file_is_refused_naming_the_key(tmp_path, broken, message):
    path = tmp_path / RULES_FILE.name
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_rules(path)
    assert str(path) in str(caught.value)
