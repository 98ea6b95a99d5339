"""A real server for end-to-end tests: gunicorn serving the app against the test database."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading

import pytest

from backend.config import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_server(app, settings):
    """Start gunicorn (2 workers) on a free loopback port; yield its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "WECHAT_API_BASE": settings.wechat_api_base,
        "LOGIN_RATE_LIMIT": settings.login_rate_limit,
        "WECHAT_LOGIN_CODE_LIMIT": settings.wechat_login_code_limit,
        "WECHAT_LOGIN_ADDRESS_LIMIT": settings.wechat_login_address_limit,
        "APPLICATION_RATE_LIMIT": settings.application_rate_limit,
        "UPLOAD_RATE_LIMIT": settings.upload_rate_limit,
    }
    env.pop("REDIS_URL", None)
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "backend:create_app()"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    booted = 0
    while booted < 2:  # the listening socket exists before workers boot; wait for both workers
        line = lines.get(timeout=60)
        booted += "Booting worker" in line
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)
