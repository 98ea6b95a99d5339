"""How long a gunicorn worker takes to start serving, with the app preloaded in the master and without.

    .venv/bin/python scripts/bench/worker_start.py [--rounds 5]

A worker is killed (SIGKILL) and the master starts a replacement, as it does when it recycles one
after max_requests; the time is from the kill to the replacement's post_worker_init (the app is
loaded and the worker accepts requests). Embedded settings: a scratch SQLite file, no Redis.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # runnable from a plain checkout

from scripts.bench.gunicorn_hooks import READY_MARK  # noqa: E402
from scripts.bench.harness import HOOKS_FILE, clean_env, free_port  # noqa: E402

READY = re.compile(rf"{READY_MARK} \(pid: (\d+)\)")


def measure(preload: bool, rounds: int, database_url: str) -> list[float]:
    command = [
        sys.executable, "-m", "gunicorn", "-c", str(HOOKS_FILE), "-w", "2",
        "-b", f"127.0.0.1:{free_port()}", *(["--preload"] if preload else []), "backend:create_app()",
    ]  # fmt: skip
    env = clean_env(DATABASE_URL=database_url)
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    ready: queue.Queue[int] = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            match = READY.search(line)
            if match:
                ready.put(int(match.group(1)))

    threading.Thread(target=read, daemon=True).start()
    try:
        workers = [ready.get(timeout=120), ready.get(timeout=120)]
        times = []
        for _ in range(rounds):
            victim = workers.pop(0)
            started = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            workers.append(ready.get(timeout=120))
            times.append(time.monotonic() - started)
        return times
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/start.db"
        for preload in (False, True):
            times = measure(preload, args.rounds, url)
            label = "preloaded (fork of the master)" if preload else "app built in each worker"
            print(
                f"{label:<32} median {statistics.median(times) * 1000:7.0f} ms, "
                f"max {max(times) * 1000:7.0f} ms over {len(times)} restarts"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
