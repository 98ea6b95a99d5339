"""One access token for every worker: cached in Redis, refreshed under a lock.

WeChat allows 2,000 token fetches a day and a fresh token retires the previous one after a few
minutes, so many workers must never race to refresh. Whoever holds the lock refreshes; the others,
once they get the lock, find a token newer than the one that failed and simply use it.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any

from flask import current_app
from redis import Redis
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from backend.extensions import redis_client
from backend.wechat.client import WeChatApiClient, WeChatSettings

LOCK_TIMEOUT_S = 15  # longer than one token fetch can take (client timeout 5 s)
_local_lock = threading.Lock()


class SharedTokenClient(WeChatApiClient):
    def __init__(self, settings: WeChatSettings, redis: Redis | None, *, timeout: float = 5) -> None:
        storage = RedisStorage(redis, prefix="wechat") if redis is not None else MemoryStorage()
        super().__init__(
            settings.wechat_appid,
            settings.wechat_secret,
            settings.wechat_api_base,
            session=storage,
            timeout=timeout,
        )
        self._redis = redis
        self._failed_token: str | None = None

    @contextmanager
    def _refresh_lock(self):
        if self._redis is None:
            with _local_lock:
                yield
            return
        with self._redis.lock(
            f"wechat:{self.appid}:token-lock", timeout=LOCK_TIMEOUT_S, blocking_timeout=LOCK_TIMEOUT_S
        ):
            yield

    def _handle_result(
        self,
        res: Any,
        method: str | None = None,
        url: str | None = None,
        result_processor: Any = None,
        **kwargs: Any,
    ) -> Any:
        # Remember which token this call used, so a refresh can tell whether it is still current.
        self._failed_token = (kwargs.get("params") or {}).get("access_token")
        return super()._handle_result(res, method, url, result_processor, **kwargs)

    def fetch_access_token(self) -> dict[str, Any]:
        with self._refresh_lock():
            current = self.session.get(self.access_token_key)
            if current and current != self._failed_token:
                return {"access_token": current}  # another worker refreshed while we waited
            return super().fetch_access_token()


def drop_cached_token(settings: WeChatSettings, redis: Redis | None) -> None:
    """Forget the shared token (used by tests and by an operator after rotating the secret)."""
    if redis is not None:
        RedisStorage(redis, prefix="wechat").delete(f"{settings.wechat_appid}_access_token")


def shared_client() -> SharedTokenClient:
    """This process's client (one HTTP connection pool), built on first use from the app settings."""


    client = current_app.extensions.get("zhigong.wechat_client")
    if client is None:
        client = SharedTokenClient(current_app.extensions["zhigong.settings"], redis_client())
        current_app.extensions["zhigong.wechat_client"] = client
    return client
