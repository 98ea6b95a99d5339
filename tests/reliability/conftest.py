"""Servers of our own for the fault tests: a redis-server and a mariadbd on free ports in temporary
directories, which the tests kill and start again. The shared servers are never touched."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pymysql
import pytest

from backend.config import ROOT
from tests.notify.conftest import PrivateRedis, _free_port, private_redis, queue_redis, work  # noqa: F401

MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else "python3"
RQ = str(Path(PYTHON).parent / "rq")


def kill_redis(server: PrivateRedis) -> None:
    """kill -9: no shutdown, no save; clients see their connections drop."""
    if server.process is not None:
        server.process.kill()
        server.process.wait(timeout=30)
        server.process = None


@dataclass
class PrivateMariaDB:
    """A mariadbd of our own (root without a password) that a test may kill -9 and start again."""

    directory: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "zhigong") -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{database}"

    def install(self) -> None:
        subprocess.run(
            [
                INSTALL_DB,
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                MARIADBD,
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--user=root",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                f"--socket={self.directory / 'mysqld.sock'}",
                f"--pid-file={self.directory / 'mysqld.pid'}",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=32M",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in self.process.stderr:  # wait for the server to say it is ready, not for a clock
            if "ready for connections" in line:
                break
        else:
            raise RuntimeError(f"mariadbd exited with {self.process.wait()}")
        # Keep reading its log, or a full pipe would stall the server.
        threading.Thread(target=self.process.stderr.read, daemon=True).start()

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=60)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)
            self.process = None

    def connect(self, database: str | None = "zhigong") -> pymysql.Connection:
        return pymysql.connect(
            host="127.0.0.1", port=self.port, user="root", database=database, autocommit=True
        )


@pytest.fixture(scope="session")
def private_mariadb(tmp_path_factory) -> Iterator[PrivateMariaDB]:
    server = PrivateMariaDB(tmp_path_factory.mktemp("mariadb"))
    server.install()
    server.start()
    with server.connect(None) as conn:
        conn.cursor().execute(
            "CREATE DATABASE zhigong CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    yield server
    server.stop()


class Process:
    """A child process (a worker, the cron scheduler) whose output is collected line by line."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: its scheduler child goes with it
        )
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.popen.stdout:
            with self._changed:
                self.lines.append(line.rstrip())
                self._changed.notify_all()

    def wait_for_line(self, text: str, *, after: int = 0, timeout: float = 60) -> int:
        """Wait until a line (from line number ``after`` on) contains ``text``; its line number."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for number in range(after, len(self.lines)):
                    if text in self.lines[number]:
                        return number
                left = deadline - time.monotonic()
                if left <= 0 or self.popen.poll() is not None:
                    tail = "\n".join(self.lines[-30:])
                    raise AssertionError(f"no line with {text!r} (exit {self.popen.poll()}):\n{tail}")
                self._changed.wait(left)

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        """A warm shutdown (SIGTERM), then whatever is left of its process group is killed."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)


def child_env(settings, redis_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        PYTHONUNBUFFERED="1",
        APP_ENV="test",
        DATABASE_URL=settings.database_url,
        REDIS_URL=redis_url,
        WECHAT_API_BASE=settings.wechat_api_base,
        UPLOAD_DIR=str(settings.upload_dir),
        **extra,
    )
    return env
