"""A statement that runs past the limit of a web request (``DB_STATEMENT_TIMEOUT``, MariaDB's
``max_statement_time``, set by config/gunicorn.conf.py) is ended by the database and answered as a
JSON 503 with Retry-After; the gunicorn worker that ran it is neither hung nor killed."""

from __future__ import annotations

import os

import requests

from tests.notify.conftest import _free_port
from tests.reliability.conftest import PYTHON, Process


def gunicorn(private_mariadb, fake_wechat, tmp_path, **extra: str) -> tuple[Process, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "GUNICORN_CMD_ARGS")}
    env.update(
        PYTHONUNBUFFERED="1",
        APP_ENV="test",
        DATABASE_URL=private_mariadb.url(),
        WECHAT_API_BASE=fake_wechat[0],
        UPLOAD_DIR=str(tmp_path),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_ACCESS_LOG="-",
        **extra,
    )
    server = Process(
        [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
         "tests.reliability.slow_statement_app:create_app()"],
        env,
    )
    server.wait_for_line("Booting worker")
    return server, f"http://127.0.0.1:{port}"


def test_a_statement_over_the_limit_is_a_json_503_and_the_worker_serves_on(
    private_mariadb, fake_wechat, tmp_path
):
    # The worker timeout is below the statement asked for: without the limit gunicorn would kill the
    # worker mid-request and the client would get gunicorn's HTML 500 page.
    server, base = gunicorn(
        private_mariadb, fake_wechat, tmp_path, DB_STATEMENT_TIMEOUT="1", GUNICORN_TIMEOUT="10"
    )
    try:
        within = requests.get(f"{base}/test/slow-statement", params={"seconds": 0.1}, timeout=60)
        assert within.status_code == 200 and within.json() == {"slept": 0}

        over = requests.get(
            f"{base}/test/slow-statement",
            params={"seconds": 20},
            headers={"X-Request-Id": "slow-1"},
            timeout=60,
        )
        assert over.status_code == 503
        assert over.headers["Content-Type"].startswith("application/json")
        assert over.json()["code"] == "database_busy"
        assert over.json()["message"] == "系统繁忙，请稍后重试"
        assert int(over.headers["Retry-After"]) >= 1
        assert over.headers["X-Request-Id"] == "slow-1"
        logged = server.lines[server.wait_for_line("request slow-1 GET /test/slow-statement answered 503")]
        assert "(1969)" in logged and "max_statement_time" in logged

        # The same worker (it was not killed) answers the next request at once, on a fresh statement.
        again = requests.get(f"{base}/test/slow-statement", params={"seconds": 0}, timeout=60)
        assert again.status_code == 200
        assert requests.get(f"{base}/readyz", timeout=60).json()["status"] in ("ready", "degraded")
        assert not any("WORKER TIMEOUT" in line for line in server.lines)
        assert sum("Booting worker" in line for line in server.lines) == 1
    finally:
        server.stop()
