"""Priority (config/wages.yaml): money and people owed, how long, and the nearness of Spring Festival
— near it, a large new claim overtakes a small old one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from backend.common.config_files import ConfigError
from backend.extensions import db
from backend.wages import service as wages
from backend.wages.models import WageClaim
from backend.wages.priority import festival_nearness, priority_of
from backend.wages.rules import RULES_FILE, load_rules
from tests.wages import act, filed, queue

RULES = load_rules()
SPRING_FESTIVAL_2027 = date(2027, 2, 6)
SUMMER = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
NEAR_FESTIVAL = datetime(2027, 1, 27, 1, 0, tzinfo=UTC)  # ten days before 2027-02-06


def p(amount: int, workers: int, days: int, today: date) -> int:
    return priority_of(
        amount=Decimal(amount),
        workers=workers,
        owed_since=today - timedelta(days=days),
        today=today,
        rules=RULES,
    )


def test_more_money_more_people_and_longer_waits_rank_higher():
    today = date(2026, 7, 1)
    assert p(50_000, 1, 30, today) > p(5_000, 1, 30, today)
    assert p(5_000, 8, 30, today) > p(5_000, 1, 30, today)
    assert p(5_000, 1, 120, today) > p(5_000, 1, 30, today)
    assert p(5_000, 1, 400, today) == p(5_000, 1, 180, today)  # capped at days_cap
    assert p(10**9, 500, 1000, today) == 400 + 200 + 250  # everything at its cap, no festival


def test_the_festival_weight_rises_through_the_window_before_spring_festival():
    assert festival_nearness(SPRING_FESTIVAL_2027 - timedelta(days=60), RULES) == 0
    assert festival_nearness(SPRING_FESTIVAL_2027 - timedelta(days=45), RULES) == pytest.approx(1 / 45)
    assert festival_nearness(SPRING_FESTIVAL_2027 - timedelta(days=10), RULES) == pytest.approx(36 / 45)
    assert festival_nearness(SPRING_FESTIVAL_2027 - timedelta(days=1), RULES) == 1
    assert festival_nearness(SPRING_FESTIVAL_2027, RULES) == 0  # workers are home by then
    assert festival_nearness(date(2040, 1, 1), RULES) == 0  # beyond the configured years


def _pair(client, worker: str, org_id: int, today: date, tag: str) -> tuple[int, int]:
    """A small claim owed for a year and a large crew claim owed for five days, filed ``today``."""
    small_old = filed(
        client,
        worker,
        org_id,
        employer=f"{tag}老欠薪公司",
        amount_owed="30000",
        owed_since=(today - timedelta(days=365)).isoformat(),
    )
    big_new = filed(
        client,
        worker,
        org_id,
        employer=f"{tag}新工地公司",
        amount_owed="300000",
        workers_owed=12,
        owed_since=(today - timedelta(days=5)).isoformat(),
    )
    return small_old, big_new


def test_near_spring_festival_a_large_new_claim_overtakes_a_small_old_one(factory, client):
    tree = factory.org_tree()
    with time_machine.travel(SUMMER, tick=False):
        summer = _pair(client, factory.worker_token("summer"), tree.town_a.id, date(2026, 7, 1), "夏")
    with time_machine.travel(NEAR_FESTIVAL, tick=False):
        winter = _pair(client, factory.worker_token("winter"), tree.town_a.id, date(2027, 1, 27), "冬")
        order = [c["id"] for c in queue(client, factory.staff_token("t_town_a")).json]
    small_old, big_new = summer
    assert order.index(small_old) < order.index(big_new)  # in summer age weighs more
    small_old, big_new = winter
    assert order.index(big_new) < order.index(small_old)  # ten days before the festival, size does


def test_the_daily_refresh_recomputes_open_claims_only(factory, client):
    tree = factory.org_tree()
    with time_machine.travel(SUMMER, tick=False):
        worker = factory.worker_token("refresh")
        open_id = filed(client, worker, tree.town_a.id, owed_since="2026-06-20", amount_owed="60000")
        closed_id = filed(client, worker, tree.town_a.id, owed_since="2026-06-20", amount_owed="60000")
        staff = factory.staff_token("t_town_a")
        act(client, staff, closed_id, "accept")
        act(client, staff, closed_id, "close", note="重复反映，已并入另一件")
    before = {c.id: c.priority for c in db.session.scalars(select(WageClaim))}
    assert before[open_id] == before[closed_id]

    with time_machine.travel(NEAR_FESTIVAL, tick=False):
        assert wages.refresh_priorities() == 1
        db.session.commit()
        db.session.expire_all()
        claim = db.session.get(WageClaim, open_id)
        assert claim.priority == priority_of(
            amount=claim.amount_owed,
            workers=1,
            owed_since=date(2026, 6, 20),
            today=date(2027, 1, 27),
            rules=RULES,
        )
        assert claim.priority > before[open_id]
        assert db.session.get(WageClaim, closed_id).priority == before[closed_id]
        assert wages.refresh_priorities() == 0  # same day, nothing to change


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("priority: {}", "priority"),
        ("{}", "priority"),
    ],
)
def test_a_malformed_rules_file_is_refused(tmp_path, text, complaint):
    path = tmp_path / "wages.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=complaint):
        load_rules(path)


def test_a_wrong_value_in_the_rules_file_names_its_key(tmp_path):
    shipped = RULES_FILE.read_text(encoding="utf-8")
    path = tmp_path / "wages.yaml"
    path.write_text(shipped.replace("days_cap: 180", "days_cap: -1"), encoding="utf-8")
    with pytest.raises(ConfigError, match="days_cap"):
        load_rules(path)
    path.write_text(shipped.replace("2027: 2027-02-06", "2027: 2026-02-06"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"spring_festival\.2027"):
        load_rules(path)
    path.write_text(shipped.replace("  claims: 3", "  claims: three"), encoding="utf-8")
    with pytest.raises(ConfigError, match="claims"):
        load_rules(path)
