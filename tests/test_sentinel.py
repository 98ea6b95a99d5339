"""Redis through Sentinel (REDIS_SENTINELS): the app, the rate limiter and RQ's command line find the
master by asking Sentinel, and keep working after Sentinel promotes the replica."""

from __future__ import annotations

import dataclasses
import subprocess
import time
from pathlib import Path

import pytest
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from rq import Queue
from rq.cli.helpers import get_redis_from_config

from backend import create_app
from backend.config import Settings, parse_sentinels
from backend.extensions import connect_redis, db, limiter
from backend.jobs.rq_settings import rq_settings
from tests.notify.conftest import REDIS_SERVER, _free_port


def _start(args: list[str], ready: str) -> subprocess.Popen:
    process = subprocess.Popen([REDIS_SERVER, *args], stdout=subprocess.PIPE, text=True)
    for line in process.stdout:  # wait for the server to say it is ready, not for a clock
        if ready in line:
            break
    return process


@pytest.fixture
def sentinel_pair(tmp_path: Path):
    """A primary, its replica and one Sentinel watching them, all private to this test."""
    primary, replica, sentinel = _free_port(), _free_port(), _free_port()
    common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    processes = [
        _start(["--port", str(primary), "--dir", str(tmp_path), *common], "Ready to accept connections"),
    ]
    (tmp_path / "r").mkdir()
    processes.append(
        _start(
            [
                "--port",
                str(replica),
                "--dir",
                str(tmp_path / "r"),
                "--replicaof",
                "127.0.0.1",
                str(primary),
                *common,
            ],
            "MASTER <-> REPLICA sync: Finished with success",
        )
    )
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {sentinel}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor zhigong 127.0.0.1 {primary} 1\n"
        "sentinel down-after-milliseconds zhigong 1000\nsentinel failover-timeout zhigong 10000\n"
    )
    processes.append(_start([str(config), "--sentinel"], "+monitor master zhigong"))
    yield {"primary": primary, "replica": replica, "sentinel": sentinel, "processes": processes}
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        process.stdout.close()


@pytest.fixture
def shared_limiter_restored():
    """A second app binds the one shared limiter to its own storage: give it back afterwards, so the
    tests after this one do not count against a Sentinel that is gone."""
    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


def _settings(settings: Settings, pair: dict) -> Settings:
    return dataclasses.replace(
        settings,
        redis_url="redis://127.0.0.1/3",
        redis_sentinels=(("127.0.0.1", pair["sentinel"]),),
        redis_sentinel_master="zhigong",
    )


def test_sentinel_addresses_are_read_strictly():
    assert parse_sentinels("10.0.0.1:26379, 10.0.0.2:26379") == (("10.0.0.1", 26379), ("10.0.0.2", 26379))
    assert parse_sentinels("") == ()
    with pytest.raises(RuntimeError, match="REDIS_SENTINELS"):
        Settings.from_env({"REDIS_SENTINELS": "10.0.0.1"})
    assert not Settings.from_env({"REDIS_SENTINELS": "10.0.0.1:26379"}).embedded


def test_the_app_the_limiter_and_the_workers_follow_a_failover(
    settings, sentinel_pair, shared_limiter_restored
):
    scaled = _settings(settings, sentinel_pair)
    client = connect_redis(scaled)
    client.set("zhigong:probe", "before")
    assert client.connection_pool.connection_kwargs["db"] == 3
    assert Redis(port=sentinel_pair["primary"], db=3).get("zhigong:probe") == b"before"

    limiter = MovingWindowRateLimiter(
        storage_from_string(scaled.ratelimit_storage_uri, **scaled.ratelimit_storage_options)
    )
    per_minute = RateLimitItemPerMinute(2)
    assert [limiter.hit(per_minute, "login", "13800000000") for _ in range(3)] == [True, True, False]

    workers = get_redis_from_config(rq_settings(scaled))
    Queue("default", connection=workers).enqueue("builtins.print", "hello")
    assert Queue("default", connection=client).count == 1

    app = create_app(scaled)
    try:
        assert app.test_client().get("/readyz").json["checks"]["redis"] == "ok"

        # The primary dies; Sentinel promotes the replica, which every client then finds by itself.
        sentinel = Redis(port=sentinel_pair["sentinel"])
        switched = sentinel.pubsub()
        switched.subscribe("+switch-master")
        sentinel_pair["processes"][0].terminate()
        sentinel_pair["processes"][0].wait(timeout=30)
        deadline = time.monotonic() + 60
        message = None
        while message is None or message["type"] != "message":
            assert time.monotonic() < deadline, "Sentinel did not fail over"
            message = switched.get_message(timeout=1)
        assert message["data"].decode().split()[-1] == str(sentinel_pair["replica"])
        switched.close()

        for attempt in range(3):  # the first call may still meet the dead connection
            try:
                client.set("zhigong:probe", "after")
                break
            except (RedisConnectionError, ReadOnlyError):
                assert attempt < 2
        assert Redis(port=sentinel_pair["replica"], db=3).get("zhigong:probe") == b"after"
        assert Queue("default", connection=workers).count == 1  # the job made it across
        assert limiter.hit(per_minute, "login", "13900000000")
        assert app.test_client().get("/readyz").json["checks"]["redis"] == "ok"
    finally:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
