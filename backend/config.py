"""Typed settings read from the environment.

With no ``DATABASE_URL`` and no ``REDIS_URL`` the app runs in *embedded mode*: a SQLite file under
``instance/`` and background jobs executed inline, so ``make run`` works on any machine.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"
# Each host its own instance folder (``INSTANCE_DIR``); nothing in it is shared between API hosts.
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR") or ROOT / "instance")

# Development-only secrets. Production refuses to start with them (see ``Settings.check``).
DEV_SECRET_KEY = "dev-secret-key-not-for-production-0123456789"
DEV_DATA_KEY = "ZGV2LWRhdGEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE="  # base64 of 32 bytes


APP_ENVS = ("development", "test", "production")
DEV_WECHAT_APPID = "wx_demo_appid"
DEV_WECHAT_SECRET = "wx_demo_secret"


def _is_key_of_32_bytes(value: str) -> bool:
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(key) == 32 and len(set(key)) > 8


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
    wechat_appid: str = DEV_WECHAT_APPID
    wechat_secret: str = DEV_WECHAT_SECRET
    wechat_api_base: str = "http://127.0.0.1:8001"
    access_token_minutes: int = 30
    refresh_token_days: int = 30
    consent_version: str = "2026-01"
    max_body_bytes: int = 64 * 1024
    max_upload_bytes: int = 8 * 1024 * 1024
    upload_dir: Path = INSTANCE_DIR / "uploads"
    # Scale-out (README "Scaling out"): reports read from a replica or another cluster node, Redis
    # found through Sentinel, uploads kept where every API host reaches them.
    database_read_url: str | None = None
    redis_sentinels: tuple[tuple[str, int], ...] = ()
    redis_sentinel_master: str = "zhigong"
    upload_storage: str = "local"  # local | database | s3
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_prefix: str = ""
    # Bounded waits on the database, well below gunicorn's 30 s worker timeout. The statement limit
    # (0 = none) is set by config/gunicorn.conf.py for the API, so migrations and jobs have none.
    db_lock_wait_s: int = 3
    db_statement_timeout_s: float = 0.0
    db_pool_size: int = 10
    db_pool_timeout_s: float = 5.0
    upload_rate_limit: str = "30 per hour"  # files one account may upload
    upload_pending_files: int = 20  # files an account may hold not yet attached to a request
    upload_daily_bytes: int = 100 * 1024 * 1024  # what one account may store in 24 hours
    upload_unattached_hours: int = 24  # files never attached are deleted after this
    login_rate_limit: str = "10 per minute"  # staff password log-in, per address and per user name
    # WeChat log-in: the one-time js_code is the credential, so it is limited per code and openid;
    # per address only at a level no real crowd behind one NAT reaches.
    wechat_login_code_limit: str = "5 per minute"
    wechat_login_address_limit: str = "600 per minute"
    application_rate_limit: str = "5 per day"  # membership applications (and resubmissions) per account
    trusted_proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-* headers are believed
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: jobs run inline and limits are kept in memory."""
        return self.redis_url is None and not self.redis_sentinels

    @property
    def redis_db(self) -> int:
        """The Redis database number: the path of ``REDIS_URL`` (``redis://host/6``), else 0."""

        path = urlsplit(self.redis_url).path.strip("/") if self.redis_url else ""
        return int(path) if path.isdigit() else 0

    @property
    def redis_password(self) -> str | None:
        if not self.redis_url:
            return None

        password = urlsplit(self.redis_url).password
        return unquote(password) if password else None

    @property
    def ratelimit_storage_uri(self) -> str:
        """Where the rate limits count: Redis (through Sentinel when configured), else memory."""
        if self.redis_sentinels:
            hosts = ",".join(f"{host}:{port}" for host, port in self.redis_sentinels)
            return f"redis+sentinel://{hosts}/{self.redis_sentinel_master}"
        return self.redis_url or "memory://"

    @property
    def ratelimit_storage_options(self) -> dict:
        if not self.redis_sentinels:
            return {}
        options: dict = {"db": self.redis_db, "socket_timeout": 2}
        if self.redis_password:
            options["password"] = self.redis_password
        return options

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
            "wechat_login_code_limit": _env(env, "WECHAT_LOGIN_CODE_LIMIT", base.wechat_login_code_limit),
            "wechat_login_address_limit": _env(
                env, "WECHAT_LOGIN_ADDRESS_LIMIT", base.wechat_login_address_limit
            ),
            "trusted_proxy_hops": int(_env(env, "TRUSTED_PROXY_HOPS", "0")),
            "application_rate_limit": _env(env, "APPLICATION_RATE_LIMIT", base.application_rate_limit),
            "max_upload_bytes": int(_env(env, "MAX_UPLOAD_BYTES", str(base.max_upload_bytes))),
            "upload_dir": Path(_env(env, "UPLOAD_DIR", str(base.upload_dir))),
            "database_read_url": _env(env, "DATABASE_READ_URL"),
            "redis_sentinels": parse_sentinels(_env(env, "REDIS_SENTINELS", "")),
            "redis_sentinel_master": _env(env, "REDIS_SENTINEL_MASTER", base.redis_sentinel_master),
            "upload_storage": _env(env, "UPLOAD_STORAGE", base.upload_storage),
            "s3_bucket": _env(env, "S3_BUCKET"),
            "s3_endpoint_url": _env(env, "S3_ENDPOINT_URL"),
            "s3_region": _env(env, "S3_REGION"),
            "s3_prefix": _env(env, "S3_PREFIX", base.s3_prefix),
            "db_lock_wait_s": int(_env(env, "DB_LOCK_WAIT_TIMEOUT", str(base.db_lock_wait_s))),
            "db_statement_timeout_s": float(
                _env(env, "DB_STATEMENT_TIMEOUT", str(base.db_statement_timeout_s))
            ),
            "db_pool_size": int(_env(env, "DB_POOL_SIZE", str(base.db_pool_size))),
            "db_pool_timeout_s": float(_env(env, "DB_POOL_TIMEOUT", str(base.db_pool_timeout_s))),
            "upload_rate_limit": _env(env, "UPLOAD_RATE_LIMIT", base.upload_rate_limit),
            "upload_pending_files": int(_env(env, "UPLOAD_PENDING_FILES", str(base.upload_pending_files))),
            "upload_daily_bytes": int(_env(env, "UPLOAD_DAILY_BYTES", str(base.upload_daily_bytes))),
            "upload_unattached_hours": int(
                _env(env, "UPLOAD_UNATTACHED_HOURS", str(base.upload_unattached_hours))
            ),
        }
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse an unknown APP_ENV, and production on development secrets, SQLite, no Redis, the
        demo WeChat credentials or a WeChat API that is not https."""
        if self.env not in APP_ENVS:
            raise RuntimeError(f"APP_ENV={self.env!r} is unknown: use one of {', '.join(APP_ENVS)}")
        if self.upload_storage not in UPLOAD_STORAGES:
            raise RuntimeError(f"UPLOAD_STORAGE must be one of {', '.join(UPLOAD_STORAGES)}")
        if self.upload_storage == "s3" and not self.s3_bucket:
            raise RuntimeError("UPLOAD_STORAGE=s3 needs S3_BUCKET")
        if self.env != "production":
            return
        problems = []
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32 or len(set(self.secret_key)) < 10:
            problems.append("SECRET_KEY (at least 32 random characters, not the development one)")
        if self.data_key == DEV_DATA_KEY or not _is_key_of_32_bytes(self.data_key):
            problems.append("DATA_KEY (base64 of 32 random bytes, not the development one)")
        if self.database_url.startswith("sqlite"):
            problems.append("DATABASE_URL (MySQL/MariaDB)")
        if not self.redis_url:
            problems.append("REDIS_URL")
        if self.wechat_appid in ("", DEV_WECHAT_APPID) or self.wechat_secret in ("", DEV_WECHAT_SECRET):
            problems.append("WECHAT_APPID and WECHAT_SECRET (the mini-program's own)")
        if not self.wechat_api_base.startswith("https://"):
            problems.append("WECHAT_API_BASE (https://…)")
        if problems:
            raise RuntimeError("APP_ENV=production needs " + "; ".join(problems))

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the driver and charset we rely on."""
        return normalise_database_url(self.database_url)

    @property
    def sqlalchemy_read_url(self) -> str | None:
        return normalise_database_url(self.database_read_url) if self.database_read_url else None


UPLOAD_STORAGES = ("local", "database", "s3")


def parse_sentinels(value: str | None) -> tuple[tuple[str, int], ...]:
    """``host:port,host:port`` → ((host, port), …); a bad entry stops the app at start."""
    sentinels = []
    for item in (value or "").split(","):
        item = item.strip()
        if not item:
            continue
        host, sep, port = item.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise RuntimeError(f"REDIS_SENTINELS: {item!r} is not host:port")
        sentinels.append((host, int(port)))
    return tuple(sentinels)


def normalise_database_url(url: str) -> str:
    """The driver and charset we rely on, whichever spelling of a MySQL URL is given."""
    if url.startswith("mysql://"):
        url = "mysql+pymysql://" + url[len("mysql://") :]
    if url.startswith("mariadb://"):
        url = "mysql+pymysql://" + url[len("mariadb://") :]
    if url.startswith("mysql+pymysql://") and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    return url
