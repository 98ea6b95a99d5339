"""统计 figures kept in Redis, so the dashboard and the statistics page of a city or a county answer in
milliseconds instead of re-counting the subtree on every visit.

Each (figure, org, start, end) is stored with the time it was counted. For ``FRESH_SECONDS`` it is
simply read back. After that it is *stale*: the next visitor is still answered from it at once, and
a background job (``backend.jobs.stats.refresh_figure``, one per figure at a time) counts it again and
replaces it, so no request waits for a count once a figure has been asked for. A stale figure is
kept for ``KEEP_SECONDS``; one nobody asked for within that time is gone, and the first visitor after
that counts it in the request (at city scale a few seconds, read off covering indexes), holding a
short Redis lock so that others asking at the same moment wait for that result instead of counting
too. A staffer therefore sees figures about a minute behind the writes (a request approved a minute
ago may not be counted yet), at most ``KEEP_SECONDS`` when no worker runs. Without Redis (embedded
mode) or when Redis fails, every call counts, as before.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from redis import Redis
from redis.exceptions import LockError, RedisError

from backend.extensions import db, redis_client
from backend.jobs import queues
from backend.orgs.models import Org

log = logging.getLogger(__name__)

FRESH_SECONDS = 60
KEEP_SECONDS = 15 * 60
LOCK_SECONDS = 120  # a count that takes longer than this lets the next caller count as well
PREFIX = "stats:v2"
REFRESH_JOB = "backend.jobs.stats.refresh_figure"

_figures: dict[str, Callable] = {}  # name → the uncached figure function


def _pack(value: Any) -> Any:
    """JSON for what the figures hold: Decimal stays Decimal, dict keys keep their type."""
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, dict):
        return {"$m": [[_pack(k), _pack(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [_pack(v) for v in value]
    return value


def _unpack(value: Any) -> Any:
    if isinstance(value, dict):
        if "$d" in value:
            return Decimal(value["$d"])
        return {_unpack(k): _unpack(v) for k, v in value["$m"]}
    if isinstance(value, list):
        return [_unpack(v) for v in value]
    return value


def _key(name: str, org_id: int, start: date, end: date) -> str:
    return f"{PREFIX}:{name}:{org_id}:{start.isoformat()}:{end.isoformat()}"


def _store(redis: Redis, key: str, value: Any) -> None:
    redis.set(key, json.dumps({"at": time.time(), "v": _pack(value)}), ex=KEEP_SECONDS)


def _count_once(redis: Redis, key: str, compute: Callable[[], Any], *, wait: bool) -> tuple[bool, Any]:
    """Count under the figure's lock and store the result: ``(True, value)``. Whoever held the lock
    before us may have stored it meanwhile: then ``(True, that value)``. Without ``wait``, a count
    already under way is left alone: ``(False, None)``."""
    lock = redis.lock(f"{key}:lock", timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS if wait else 0)
    if not lock.acquire():
        if not wait:
            return False, None
        raise LockError(f"statistics lock {key} not acquired within {LOCK_SECONDS}s")
    try:
        if wait and (raw := redis.get(key)) is not None:
            return True, _unpack(json.loads(raw)["v"])
        value = compute()
        try:
            _store(redis, key, value)
        except RedisError as exc:  # counted all the same: answer it, and count again next time
            log.warning("statistics cache unavailable, %s not kept: %s", key, exc)
        return True, value
    finally:
        try:
            lock.release()
        except LockError:  # the count outlived the lock; the figure is stored all the same
            log.warning("statistics count %s outlived its %ss lock", key, LOCK_SECONDS)


def _refresh_later(redis: Redis, name: str, org_id: int, start: date, end: date) -> None:
    """Have a worker count a stale figure again, once: the marker lets one job through per figure."""
    key = _key(name, org_id, start, end)
    if redis.set(f"{key}:refresh", "1", nx=True, ex=LOCK_SECONDS):
        queues.enqueue(
            redis, queues.DEFAULT, REFRESH_JOB, name, org_id, start.isoformat(), end.isoformat(),
            job_id=f"stats-refresh-{name}-{org_id}-{start.isoformat()}-{end.isoformat()}",
        )  # fmt: skip


def refresh(name: str, org_id: int, start: date, end: date) -> bool:
    """Count a figure again and store it (the refresh job's body); False when there is nothing to do:
    no Redis, the org is gone, or another count of it is under way."""
    redis = redis_client()
    org = db.session.get(Org, org_id)
    if redis is None or org is None:
        return False
    key = _key(name, org_id, start, end)
    try:
        done, _ = _count_once(redis, key, lambda: _figures[name](org=org, start=start, end=end), wait=False)
        return done
    finally:
        redis.delete(f"{key}:refresh")


def cached(name: str) -> Callable:
    """Cache a figure function ``f(*, org, start, end)`` by org id and dates (see the module)."""

    def decorator(compute: Callable) -> Callable:
        _figures[name] = compute

        @functools.wraps(compute)
        def wrapper(*, org, start: date, end: date):
            redis = redis_client()
            if redis is None:
                return compute(org=org, start=start, end=end)
            key = _key(name, org.id, start, end)
            try:
                raw = redis.get(key)
                if raw is not None:
                    entry = json.loads(raw)
                    if time.time() - entry["at"] >= FRESH_SECONDS:
                        _refresh_later(redis, name, org.id, start, end)
                    return _unpack(entry["v"])
                _, value = _count_once(redis, key, lambda: compute(org=org, start=start, end=end), wait=True)
                return value
            except RedisError as exc:
                log.warning("statistics cache unavailable, counting %s directly: %s", name, exc)
                return compute(org=org, start=start, end=end)

        wrapper.uncached = compute
        return wrapper

    return decorator
