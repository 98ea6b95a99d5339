"""Keyset paging and the SLA table, on their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from backend.cases.paging import InvalidCursor, SortKey, seek, sort_keys_of
from backend.cases.sla import load_sla
from backend.common.config_files import ConfigError
from backend.config import CONFIG_DIR
from backend.extensions import db
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


def test_a_forged_cursor_is_a_clear_400(app):
    with pytest.raises(InvalidCursor) as error:
        seek(select(Org), [SortKey(Org.id)], cursor="not-a-cursor!!", limit=5)
    assert error.value.status == 400
    assert error.value.errors == {"cursor": ["分页游标无效，请从第一页重新开始"]}


def test_a_cursor_is_refused_when_edited_or_taken_to_another_order(factory):
    factory.org_tree()
    keys = [SortKey(Org.id)]
    _, cursor = seek(select(Org), keys, cursor=None, limit=2)
    assert cursor
    # its values decoded and re-encoded by hand (a crafted cursor with any value): refused
    payload, signature = cursor.rsplit(".", 1)
    crafted = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    for forged in (crafted, cursor + "x", cursor[:-1]):
        with pytest.raises(InvalidCursor):
            seek(select(Org), keys, cursor=forged, limit=2)
    with pytest.raises(InvalidCursor):  # a genuine cursor of another list's order
        seek(select(Org), [SortKey(Org.level), SortKey(Org.id)], cursor=cursor, limit=2)


def test_default_keys_follow_the_statement_order_and_end_unique(factory):
    factory.org_tree()
    stmt = select(Org).order_by(Org.level.desc())
    keys = [(str(k.column), k.descending) for k in sort_keys_of(stmt)]
    assert keys == [("orgs.level", True), ("Org.id", True)]
    seen, cursor = [], None
    while True:
        rows, cursor = seek(stmt, cursor=cursor, limit=3)
        seen += rows
        if cursor is None:
            break
    every = sorted(db.session.scalars(select(Org)), key=lambda o: (o.level, o.id), reverse=True)
    assert [o.id for o in seen] == [o.id for o in every]


def test_nullable_sort_keys_page_through_nulls_too(factory):
    tree = factory.org_tree()
    # parent_id is NULL for the city only: it sorts first ascending and last descending
    for descending in (False, True):
        keys = [SortKey(Org.parent_id, descending=descending), SortKey(Org.id, descending=descending)]
        seen, cursor = [], None
        while True:
            rows, cursor = seek(select(Org), keys, cursor=cursor, limit=2)
            seen += [o.id for o in rows]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 8
        assert (seen[-1] if descending else seen[0]) == tree.city.id


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
    with pytest.raises(ConfigError):
        load_sla(path)
