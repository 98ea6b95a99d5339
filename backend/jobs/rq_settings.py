"""Settings module for RQ's command line (``rq worker -c backend.jobs.rq_settings``, ``rq cron -c …``):
the same Redis as the app — through Sentinel when ``REDIS_SENTINELS`` is set, else ``REDIS_URL`` —
so a worker follows a Redis fail-over exactly as the API hosts do."""

from __future__ import annotations

from backend.config import Settings


def rq_settings(settings: Settings) -> dict:
    if settings.redis_sentinels:
        return {
            "SENTINEL": {
                "INSTANCES": list(settings.redis_sentinels),
                "MASTER_NAME": settings.redis_sentinel_master,
                "DB": settings.redis_db,
                "PASSWORD": settings.redis_password,
                "SENTINEL_KWARGS": {"socket_timeout": 1, "socket_connect_timeout": 1},
            }
        }
    return {"REDIS_URL": settings.redis_url}


globals().update(rq_settings(Settings.from_env()))
