"""Counting what one account (or one WeChat user) does, where the route's address-based limits do
not know who is calling: log-ins per openid, applications and uploads per account. The counts live
in the same storage as flask-limiter's (Redis, or memory in embedded mode)."""

from __future__ import annotations

from limits import parse
from redis.exceptions import RedisError

from backend.common.errors import DomainError
from backend.extensions import limiter


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


def hit_or_refuse(limit: str, *key: object, message: str = "操作过于频繁，请稍后再试") -> None:
    """Count one more under ``key``; 429 with ``message`` once ``limit`` ("5 per hour") is reached."""
    try:
        allowed = limiter.limiter.hit(parse(limit), *(str(part) for part in key))
    except (RedisError, OSError):  # a Redis outage must not take the service down
        allowed = True
    if not allowed:
        raise TooManyRequests(message)
