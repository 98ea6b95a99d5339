"""The RQ worker and cron scheduler that ride out a Redis outage of any length.

RQ's own worker quits on a Redis error outside its dequeue loop ("found an unhandled exception,
quitting..."), its scheduler child dies on one and is only restarted at the next maintenance (up to
ten minutes later), and ``rq cron`` quits at its next tick. These subclasses keep the same processes
alive: they wait for Redis to answer again and carry on within seconds, with nobody restarting them.

    rq worker --with-scheduler -w backend.jobs.worker.Worker --url "$REDIS_URL" \
        notifications default assessment
    python -m backend.jobs.worker cron --url "$REDIS_URL"          # instead of ``rq cron``
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from contextlib import suppress

from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.cron import CronScheduler as _CronScheduler
from rq.exceptions import StopRequested

from backend.config import Settings
from backend.extensions import connect_redis
from backend.jobs.context import install_job_logging

log = logging.getLogger(__name__)

REDIS_WAIT_MAX_S = 5.0  # the longest pause between two attempts to reach Redis again
SCHEDULER_CHECK_S = 5.0  # how often an idle worker makes sure its scheduler child is alive
SCHEDULE_FILE = "backend/jobs/schedule.py"


def wait_for_redis(connection: Redis, what: str, *, stop=lambda: False) -> None:
    """Return once Redis answers PING (at once when it does), trying again with back-off."""
    pause = 0.5
    while not stop():
        try:
            connection.ping()
            return
        except RedisError as exc:
            log.warning("%s: Redis unavailable (%s), trying again in %.1f s", what, exc, pause)
            time.sleep(pause)
            pause = min(pause * 2, REDIS_WAIT_MAX_S)


class Worker(SimpleWorker):
    """``SimpleWorker`` (the app is built once per process) that survives Redis outages.

    When the work loop ends for any reason but a stop request (a shutdown signal, ``--burst``,
    ``--max-jobs``), the worker waits for Redis and starts the loop again; its scheduler child is
    checked every few seconds and started again when it died.
    """

    max_connection_wait_time = REDIS_WAIT_MAX_S  # the dequeue loop's own back-off, capped lower

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        install_job_logging()  # the app's log lines name the job that wrote them

    @property
    def dequeue_timeout(self) -> int:
        # Wake up every few seconds while idle, so the scheduler check below runs.
        return min(super().dequeue_timeout, int(SCHEDULER_CHECK_S))

    def work(self, burst: bool = False, **kwargs) -> bool:
        worked = False
        with_scheduler = kwargs.get("with_scheduler", False)
        ends_by_itself = burst or kwargs.get("max_jobs") or kwargs.get("max_idle_time")
        while True:
            wait_for_redis(self.connection, f"Worker {self.name}", stop=lambda: self._stop_requested)
            if self._stop_requested:
                return worked
            try:
                worked = super().work(burst, **kwargs) or worked
                if ends_by_itself or self._stop_requested:
                    return worked
                self.log.warning("Worker %s: the work loop ended on an error; starting it again", self.name)
            except RedisError as exc:  # the loop's own clean-up could not reach Redis
                if self._stop_requested:
                    return worked
                self.log.warning("Worker %s: Redis failed (%s); will start again", self.name, exc)
            self._forget_previous_run(with_scheduler)

    def _forget_previous_run(self, with_scheduler: bool) -> None:
        """Undo what the ended loop left behind, so the next ``work()`` starts as a fresh worker."""
        if self.scheduler is not None:
            with suppress(Exception):
                self.stop_scheduler()
            self.scheduler = None
        wait_for_redis(self.connection, f"Worker {self.name}", stop=lambda: self._stop_requested)
        with suppress(Exception):
            self.unsubscribe()
        with suppress(RedisError):
            self.register_death()  # else the next start finds "an active worker named ..." already
        self.last_cleaned_at = None
        self._scheduler_checked = 0.0

    def heartbeat(self, timeout: int | None = None, pipeline=None):
        result = super().heartbeat(timeout, pipeline)
        if pipeline is None:
            self._keep_scheduler_alive()
        return result

    def _keep_scheduler_alive(self) -> None:
        scheduler = self.scheduler
        since = time.monotonic() - getattr(self, "_scheduler_checked", 0.0)
        if scheduler is None or since < SCHEDULER_CHECK_S:
            return
        self._scheduler_checked = time.monotonic()
        process = scheduler._process
        if process is not None and process.is_alive():
            return
        # Dead (a Redis error ended it) or never started (another worker held the lock): take the
        # lock if it is free and start a new child, as RQ's maintenance would, minutes later.
        with suppress(RedisError):
            scheduler.acquire_locks(auto_start=True)
            if scheduler._process is not None and scheduler._process is not process:
                self.log.info("Worker %s: scheduler started again", self.name)


class CronScheduler(_CronScheduler):
    """``rq cron`` that keeps its schedule through a Redis outage: a tick that cannot reach Redis is
    tried again a few seconds later (the due jobs are enqueued then), instead of ending the process."""

    def start(self):
        self.log.info("CronScheduler %s: starting...", self.name)
        self._install_signal_handlers()
        try:
            registered = False
            while True:
                try:
                    if not registered:
                        self.register_birth()
                        registered = True
                    if self.enqueue_jobs():
                        self.save()
                    self.heartbeat()
                except RedisError as exc:
                    self.log.warning("CronScheduler %s: Redis unavailable (%s)", self.name, exc)
                    wait_for_redis(self.connection, f"CronScheduler {self.name}")
                    continue
                pause = self.calculate_sleep_interval()
                if pause > 0:
                    time.sleep(pause)
        except (KeyboardInterrupt, StopRequested):
            self.log.info("CronScheduler %s: stop requested", self.name)
        finally:
            with suppress(RedisError):
                self.register_death()
            self.log.info("CronScheduler %s: shutdown complete", self.name)


def run_cron(url: str | None, config: str = SCHEDULE_FILE, logging_level: str = "INFO") -> None:
    logging.basicConfig(level=logging_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if url:
        connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
    else:  # the app's own settings: REDIS_SENTINELS (the master Sentinel names) or REDIS_URL

        connection = connect_redis(Settings.from_env())
        if connection is None:
            raise SystemExit("cron needs --url, REDIS_URL or REDIS_SENTINELS")
    wait_for_redis(connection, "CronScheduler")
    cron = CronScheduler(connection=connection, logging_level=logging_level)
    cron.load_config_from_file(config)
    cron.start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="掌上职工之家 background processes")
    sub = parser.add_subparsers(dest="command", required=True)
    cron = sub.add_parser("cron", help="the periodic-job scheduler (run exactly one)")
    cron.add_argument(
        "--url", "-u", help="Redis URL, e.g. redis://127.0.0.1:6379/0 (default: REDIS_SENTINELS or REDIS_URL)"
    )
    cron.add_argument("--config", default=SCHEDULE_FILE, help=f"schedule file (default {SCHEDULE_FILE})")
    cron.add_argument("--logging-level", default="INFO")
    args = parser.parse_args(argv)
    run_cron(args.url, args.config, args.logging_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
