"""Keyset paging and the SLA table, on their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from backend.cases.paging import SortKey, seek
from backend.cases.sla import SlaConfigError, load_sla
from backend.common.errors import InvalidInput
from backend.config import CONFIG_DIR
from backend.orgs.models import Org


def test_seek_walks_every_row_once_in_order(factory):
    tree = factory.org_tree()
    keys = [SortKey(Org.level), SortKey(Org.id, descending=True)]
    seen, cursor = [], None
    while True:
        rows, cursor = seek(select(Org), keys, cursor=cursor, limit=3)
        seen.extend(rows)
        if cursor is None:
            break
    expected = sorted(
        [
            tree.city,
            tree.county_a,
            tree.county_b,
            tree.town_a,
            tree.town_b,
            tree.union_a1,
            tree.union_a2,
            tree.union_b1,
        ],
        key=lambda o: (o.level, -o.id),
    )
    assert [o.id for o in seen] == [o.id for o in expected]


def test_a_forged_cursor_is_a_clear_422(app):
    with pytest.raises(InvalidInput) as error:
        seek(select(Org), [SortKey(Org.id)], cursor="not-a-cursor!!", limit=5)
    assert error.value.errors == {"cursor": ["分页游标无效，请从第一页重新开始"]}


def test_the_shipped_sla_table_gives_deadlines_per_state():
    table = load_sla(CONFIG_DIR / "sla.yaml")
    start = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
    assert table.deadline("wage", "submitted", start) == start + timedelta(hours=24)
    assert table.deadline("aid", "verifying", start) == start + timedelta(days=10)
    assert table.deadline("wage", "resolved", start) is None
    assert table.max_escalations == 3


@pytest.mark.parametrize(
    "text", ["wage: [1, 2]", "wage:\n  submitted: {weeks: 1}", "wage:\n  submitted: {hours: 0}"]
)
def test_a_malformed_sla_table_is_refused(tmp_path, text):
    path = tmp_path / "sla.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SlaConfigError):
        load_sla(path)
