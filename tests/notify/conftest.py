"""A private Redis for the job tests: they stop and restart it, so it is never the shared one."""

from __future__ import annotations

import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis
from rq import SimpleWorker

from backend.extensions import db
from backend.jobs.queues import ALL_QUEUES
from backend.outbox import service as outbox

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PrivateRedis:
    port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> Redis:
        return Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=5)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for line in self.process.stdout:  # wait for the server to say it is ready, not for a clock
            if "Ready to accept connections" in line:
                break
        self.process.stdout.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory):
    server = PrivateRedis(port=_free_port(), directory=tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def queue_redis(app, private_redis):
    """Point the app's queues (and WeChat token cache) at the private Redis for one test."""
    if private_redis.process is None:
        private_redis.start()
    saved = app.extensions["zhigong.redis"]
    app.extensions["zhigong.redis"] = private_redis.client()
    app.extensions.pop("zhigong.wechat_client", None)
    yield app.extensions["zhigong.redis"]
    if private_redis.process is None:
        private_redis.start()
    private_redis.client().flushall()
    outbox.reset_redis_backoff()
    app.extensions["zhigong.redis"] = saved
    app.extensions.pop("zhigong.wechat_client", None)


def work(redis: Redis) -> None:
    """Run every queued job with a real RQ worker, then return (burst mode)."""
    SimpleWorker(list(ALL_QUEUES), connection=redis).work(burst=True)
    db.session.rollback()  # the test's next reads start a new transaction and see the jobs' commits
