"""The statistics cache: with Redis a figure is counted once per (org, range), read back exactly as
counted, answered at once when stale while a worker counts it again; without Redis every call counts
afresh."""

from __future__ import annotations

import json
from datetime import date

from rq import Queue, SimpleWorker

from backend.extensions import db, redis_client
from backend.jobs.queues import DEFAULT
from backend.stats import cache
from backend.stats import service as stats
from tests.assessment.conftest import MARCH, add_members
from tests.stats.test_stats import _dataset

START, END = date(2026, 1, 1), date(2026, 12, 31)


def _county(tree):
    return db.session.get(type(tree.county_a), tree.county_a.id)


def test_a_cached_figure_reads_back_exactly_as_it_was_computed(app, factory):
    tree = _dataset(factory)
    county = _county(tree)
    for function in (stats.subtree_summary, stats.monthly_series):
        first = function(org=county, start=START, end=END)
        again = function(org=county, start=START, end=END)  # from Redis when there is one
        assert again == first == function.uncached(org=county, start=START, end=END)
    summary = stats.subtree_summary(org=county, start=START, end=END)
    assert summary["ratings"]["by_score"] == {4: 1, 5: 1}  # int keys, Decimal money survive the trip
    assert str(summary["wages_recovered"]) == "12346.00"


def test_a_write_shows_within_the_freshness_bound(app, factory):
    tree = _dataset(factory)
    county = _county(tree)
    before = stats.subtree_summary(org=county, start=START, end=END)["members"]
    add_members(tree.union_a1, 2, MARCH)
    seen = stats.subtree_summary(org=county, start=START, end=END)["members"]
    redis = redis_client()
    if redis is None:  # embedded mode: nothing is cached, the write shows at once
        assert seen == before + 2
        return
    assert seen == before  # cached: about FRESH_SECONDS behind the writes
    keys = redis.keys(f"{cache.PREFIX}:summary:{county.id}:*")
    assert len(keys) == 1 and 0 < redis.ttl(keys[0]) <= cache.KEEP_SECONDS
    redis.delete(*keys)  # what the expiry does
    assert stats.subtree_summary(org=county, start=START, end=END)["members"] == before + 2


def _age(redis, key: str, seconds: float) -> None:
    """Make a stored figure as old as if it had been counted ``seconds`` ago."""
    entry = json.loads(redis.get(key))
    entry["at"] -= seconds
    redis.set(key, json.dumps(entry), keepttl=True)


def test_a_stale_figure_is_answered_at_once_and_counted_again_by_a_worker(app, factory):
    tree = _dataset(factory)
    county = _county(tree)
    redis = redis_client()
    before = stats.subtree_summary(org=county, start=START, end=END)["members"]
    add_members(tree.union_a1, 2, MARCH)
    if redis is None:  # embedded mode: nothing is cached
        assert stats.subtree_summary(org=county, start=START, end=END)["members"] == before + 2
        return
    (key,) = redis.keys(f"{cache.PREFIX}:summary:{county.id}:*")
    _age(redis, key.decode(), cache.FRESH_SECONDS + 1)
    queue = Queue(DEFAULT, connection=redis)
    # Stale: every visitor is answered from it at once; one refresh job is queued, not one per visitor.
    for _ in range(3):
        assert stats.subtree_summary(org=county, start=START, end=END)["members"] == before
    assert [job.func_name for job in queue.jobs] == [cache.REFRESH_JOB]
    SimpleWorker([queue], connection=redis).work(burst=True)
    db.session.rollback()
    assert stats.subtree_summary(org=county, start=START, end=END)["members"] == before + 2
    assert queue.count == 0  # fresh again: nothing more to count


def test_a_count_that_outlives_its_lock_is_still_answered_and_kept(app, factory):
    redis = redis_client()
    if redis is None:
        return
    tree = _dataset(factory)
    county = _county(tree)

    def slow_figure(*, org, start, end):
        redis.delete(*redis.keys(f"{cache.PREFIX}:slow:*:lock"))  # the lock expires mid-count
        return {"org": org.id}

    figure = cache.cached("slow")(slow_figure)
    assert figure(org=county, start=START, end=END) == {"org": county.id}
    assert redis.keys(f"{cache.PREFIX}:slow:{county.id}:*") != []
    assert figure(org=county, start=START, end=END) == {"org": county.id}


def test_figures_are_cached_per_org_and_range(app, factory):
    tree = _dataset(factory)
    county = _county(tree)
    whole = stats.subtree_summary(org=county, start=START, end=END)
    march = stats.subtree_summary(org=county, start=date(2026, 3, 1), end=date(2026, 3, 31))
    other = stats.subtree_summary(
        org=db.session.get(type(tree.county_b), tree.county_b.id), start=START, end=END
    )
    assert whole["new_members"] == 5 and march["new_members"] == 3 and other["members"] == 1
