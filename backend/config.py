"""Typed settings read from the environment.

With no ``DATABASE_URL`` and no ``REDIS_URL`` the app runs in *embedded mode*: a SQLite file under
``instance/`` and background jobs executed inline, so ``make run`` works on any machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"
INSTANCE_DIR = ROOT / "instance"

# Development-only secrets. Production refuses to start with them (see ``Settings.check``).
DEV_SECRET_KEY = "dev-secret-key-not-for-production-0123456789"
DEV_DATA_KEY = "ZGV2LWRhdGEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE="  # base64 of 32 bytes


def _env(env: dict[str, str], name: str, default: str | None = None) -> str | None:
    value = env.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'zhigong.db'}"
    redis_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    data_key: str = DEV_DATA_KEY
    wechat_appid: str = "wx_demo_appid"
    wechat_secret: str = "wx_demo_secret"
    wechat_api_base: str = "http://127.0.0.1:8001"
    access_token_minutes: int = 30
    refresh_token_days: int = 30
    consent_version: str = "2026-01"
    max_body_bytes: int = 64 * 1024
    max_upload_bytes: int = 8 * 1024 * 1024
    upload_dir: Path = INSTANCE_DIR / "uploads"
    login_rate_limit: str = "10 per minute"
    # Bounded waits on the database, well below gunicorn's 30 s worker timeout. The statement limit
    # (0 = none) is set by config/gunicorn.conf.py for the API, so migrations and jobs have none.
    db_lock_wait_s: int = 3
    db_statement_timeout_s: float = 0.0
    db_pool_size: int = 10
    db_pool_timeout_s: float = 5.0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: jobs run inline and limits are kept in memory."""
        return self.redis_url is None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if env is None else env)
        base = cls()
        values: dict[str, object] = {
            "env": _env(env, "APP_ENV", base.env),
            "database_url": _env(env, "DATABASE_URL", base.database_url),
            "redis_url": _env(env, "REDIS_URL"),
            "secret_key": _env(env, "SECRET_KEY", base.secret_key),
            "data_key": _env(env, "DATA_KEY", base.data_key),
            "wechat_appid": _env(env, "WECHAT_APPID", base.wechat_appid),
            "wechat_secret": _env(env, "WECHAT_SECRET", base.wechat_secret),
            "wechat_api_base": _env(env, "WECHAT_API_BASE", base.wechat_api_base),
            "access_token_minutes": int(_env(env, "ACCESS_TOKEN_MINUTES", "30")),
            "refresh_token_days": int(_env(env, "REFRESH_TOKEN_DAYS", "30")),
            "consent_version": _env(env, "CONSENT_VERSION", base.consent_version),
            "max_body_bytes": int(_env(env, "MAX_BODY_BYTES", str(base.max_body_bytes))),
            "login_rate_limit": _env(env, "LOGIN_RATE_LIMIT", base.login_rate_limit),
            "max_upload_bytes": int(_env(env, "MAX_UPLOAD_BYTES", str(base.max_upload_bytes))),
            "upload_dir": Path(_env(env, "UPLOAD_DIR", str(base.upload_dir))),
            "db_lock_wait_s": int(_env(env, "DB_LOCK_WAIT_TIMEOUT", str(base.db_lock_wait_s))),
            "db_statement_timeout_s": float(
                _env(env, "DB_STATEMENT_TIMEOUT", str(base.db_statement_timeout_s))
            ),
            "db_pool_size": int(_env(env, "DB_POOL_SIZE", str(base.db_pool_size))),
            "db_pool_timeout_s": float(_env(env, "DB_POOL_TIMEOUT", str(base.db_pool_timeout_s))),
        }
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse to run production on development secrets."""
        if self.env == "production":
            if self.secret_key == DEV_SECRET_KEY or self.data_key == DEV_DATA_KEY:
                raise RuntimeError("APP_ENV=production needs its own SECRET_KEY and DATA_KEY")
            if self.database_url.startswith("sqlite"):
                raise RuntimeError("APP_ENV=production needs DATABASE_URL (MySQL/MariaDB)")

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the driver and charset we rely on."""
        url = self.database_url
        if url.startswith("mysql://"):
            url = "mysql+pymysql://" + url[len("mysql://") :]
        if url.startswith("mariadb://"):
            url = "mysql+pymysql://" + url[len("mariadb://") :]
        if url.startswith("mysql+pymysql://") and "charset=" not in url:
            url += ("&" if "?" in url else "?") + "charset=utf8mb4"
        return url
