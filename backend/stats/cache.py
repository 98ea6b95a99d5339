"""统计 figures kept in Redis for a short while, so the dashboard and the statistics page of a city or
a county answer in milliseconds instead of re-counting the subtree on every visit.

A figure is computed at most once per ``FRESH_SECONDS`` for each (org, start, end): whoever asks
first computes it, holding a short Redis lock, while others asking at the same moment wait for that
result instead of counting too. A staffer therefore sees figures at most ``FRESH_SECONDS`` behind the
writes (a request approved a minute ago may not be counted yet); the figures of a range that ended
before today change only through late corrections and are cached the same way. Without Redis
(embedded mode) or when Redis fails, every call computes, as before.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from redis.exceptions import RedisError

from backend.extensions import redis_client

log = logging.getLogger(__name__)

FRESH_SECONDS = 60
LOCK_SECONDS = 30  # a computation that takes longer than this lets the next caller compute as well
PREFIX = "stats:v1"


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


def cached(name: str) -> Callable:
    """Cache a figure function ``f(*, org, start, end)`` by org id and dates (see the module)."""

    def decorator(compute: Callable) -> Callable:
        @functools.wraps(compute)
        def wrapper(*, org, start: date, end: date):
            redis = redis_client()
            if redis is None:
                return compute(org=org, start=start, end=end)
            key = f"{PREFIX}:{name}:{org.id}:{start.isoformat()}:{end.isoformat()}"
            try:
                raw = redis.get(key)
                if raw is None:
                    with redis.lock(f"{key}:lock", timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS):
                        raw = redis.get(key)  # computed by whoever held the lock before us
                        if raw is None:
                            value = compute(org=org, start=start, end=end)
                            redis.set(key, json.dumps(_pack(value)), ex=FRESH_SECONDS)
                            return value
                return _unpack(json.loads(raw))
            except RedisError as exc:
                log.warning("statistics cache unavailable, computing %s directly: %s", name, exc)
                return compute(org=org, start=start, end=end)

        wrapper.uncached = compute
        return wrapper

    return decorator
