"""Production refuses to start on anything but real settings, and an unknown APP_ENV (``prod``,
``Production``) is refused instead of quietly running the development defaults."""

from __future__ import annotations

import base64
import os

import pytest

from backend.config import Settings

GOOD = {
    "APP_ENV": "production",
    "SECRET_KEY": "k7Qm2vX9pL4sT8wZ1yB6nR3cF5hJ0dGa",
    "DATA_KEY": base64.b64encode(os.urandom(32)).decode(),
    "DATABASE_URL": "mysql+pymysql://zhigong:pw@db:3306/zhigong",
    "REDIS_URL": "redis://redis:6379/0",
    "WECHAT_APPID": "wx1234567890abcdef",
    "WECHAT_SECRET": "0123456789abcdef0123456789abcdef",
    "WECHAT_API_BASE": "https://api.weixin.qq.com",
}


def test_complete_production_settings_start():
    assert Settings.from_env(GOOD).env == "production"


@pytest.mark.parametrize("value", ["prod", "Production", "PRODUCTION", "staging", " production"])
def test_an_unknown_app_env_is_refused(value):
    with pytest.raises(RuntimeError, match="APP_ENV"):
        Settings.from_env({**GOOD, "APP_ENV": value})
    with pytest.raises(RuntimeError, match="APP_ENV"):
        Settings.from_env({"APP_ENV": value})


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("SECRET_KEY", "", "SECRET_KEY"),
        ("SECRET_KEY", "short-secret", "SECRET_KEY"),
        ("SECRET_KEY", "a" * 40, "SECRET_KEY"),
        ("DATA_KEY", "", "DATA_KEY"),
        ("DATA_KEY", base64.b64encode(b"sixteen byte key").decode(), "DATA_KEY"),
        ("DATA_KEY", "not base64 at all!", "DATA_KEY"),
        ("DATABASE_URL", "", "DATABASE_URL"),
        ("REDIS_URL", "", "REDIS_URL"),
        ("WECHAT_APPID", "", "WECHAT_APPID"),
        ("WECHAT_SECRET", "", "WECHAT_SECRET"),
        ("WECHAT_API_BASE", "http://api.weixin.qq.com", "WECHAT_API_BASE"),
        ("WECHAT_API_BASE", "", "WECHAT_API_BASE"),
    ],
)
def test_production_names_what_is_missing_or_weak(name, value, named):
    with pytest.raises(RuntimeError, match=named):
        Settings.from_env({**GOOD, name: value})


def test_development_and_test_keep_their_embedded_defaults():
    assert Settings.from_env({}).embedded
    assert Settings.from_env({"APP_ENV": "test"}).env == "test"
