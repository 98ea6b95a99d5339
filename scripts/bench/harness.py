"""Shared pieces of the HTTP benchmarks (DESIGN §8): a scratch MariaDB database, gunicorn and the fake
WeChat server as subprocesses, a threaded load generator and a report table.

Every benchmark measures a bare one-row-insert endpoint (``scripts/bench/baseline_app.py``) in the
same run and states its figures as ratios to it, so results from different machines compare.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import platform
import queue
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from scripts.bench.gunicorn_hooks import READY_MARK

ROOT = Path(__file__).resolve().parents[2]
HOOKS_FILE = Path(__file__).resolve().parent / "gunicorn_hooks.py"
FAKE_WECHAT = ROOT / "scripts" / "fake_wechat.py"

# Where scratch databases are created; override for a non-default server.
MYSQL_SERVER_URL = os.environ.get("BENCH_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306")
BASELINE_APP = "scripts.bench.baseline_app:create_app()"
BACKEND_APP = "backend:create_app()"

# Variables of the caller's shell that would change what a benchmark server does.
_AMBIENT = ("DATABASE_URL", "REDIS_URL", "GUNICORN_CMD_ARGS", "WEB_CONCURRENCY", "FLASK_APP")


# --- processes ---------------------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without the app settings a shell may carry, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k not in _AMBIENT}
    env["PYTHONUNBUFFERED"] = "1"  # log lines must reach our pipe as they happen
    env.update(overrides)
    return env


def wait_http(url: str, *, timeout: float = 15, process: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers any HTTP status; fail early if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode} before answering")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout}s") from None
            time.sleep(0.05)


class Server(str):
    """A server's base URL (it *is* the string) that also knows the server's pid and recent log."""

    pid: int
    log: collections.deque[str]

    def __new__(cls, url: str, pid: int, log: collections.deque[str] | None = None) -> Server:
        server = super().__new__(cls, url)
        server.pid = pid
        server.log = log if log is not None else collections.deque()
        return server

    def log_tail(self, lines: int = 40) -> str:
        """The server's last log lines (tracebacks of 500s land here)."""
        return "\n".join(list(self.log)[-lines:])


def _stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM (a graceful shutdown), then SIGKILL if it takes too long or we are interrupted."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    except KeyboardInterrupt:
        # A second Ctrl-C during clean-up: still leave no server behind.
        process.kill()
        process.wait()
        raise


@contextmanager
def gunicorn(
    app_spec: str,
    *,
    env: dict[str, str],
    workers: int = 4,
    threads: int = 1,
    port: int | None = None,
    boot_timeout: float = 60,
) -> Iterator[Server]:
    """Run ``gunicorn app_spec`` on loopback; yield its base URL once every worker has loaded the app.

    Sync workers unless ``threads > 1`` (then gthread, as gunicorn decides). No access log: writing
    it would be part of what is measured.
    """
    port = port or free_port()
    command = [
        sys.executable, "-m", "gunicorn",
        "-c", str(HOOKS_FILE),
        "-w", str(workers),
        "--threads", str(threads),
        "-b", f"127.0.0.1:{port}",
        app_spec,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    tail: collections.deque[str] = collections.deque(maxlen=200)
    boot_lines: queue.Queue[str] = queue.Queue()
    booted = threading.Event()

    def drain() -> None:
        # Keep reading for the server's whole life: a full pipe would block its logging.
        for line in process.stdout:  # type: ignore[union-attr]
            tail.append(line.rstrip())
            if not booted.is_set():
                boot_lines.put(line)

    reader = threading.Thread(target=drain, name=f"gunicorn-{port}-log", daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + boot_timeout
        ready = 0
        while ready < workers:
            try:
                line = boot_lines.get(timeout=0.2)
            except queue.Empty:
                if process.poll() is not None:
                    reader.join(timeout=2)  # the last lines say why
                    raise RuntimeError(
                        f"gunicorn {app_spec} exited with {process.returncode}:\n" + "\n".join(tail)
                    ) from None
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"gunicorn workers not ready in {boot_timeout}s:\n" + "\n".join(tail)
                    ) from None
                continue
            ready += READY_MARK in line
        booted.set()
        try:
            yield Server(f"http://127.0.0.1:{port}", process.pid, tail)
        except Exception:
            print(f"--- last gunicorn log lines ({app_spec}) ---", *tail, sep="\n", file=sys.stderr)
            raise
    finally:
        _stop(process)


@contextmanager
def fake_wechat(*, latency_ms: float = 0) -> Iterator[Server]:
    """Run ``scripts/fake_wechat.py`` on a free loopback port; yield its base URL once it answers."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        command = [sys.executable, str(FAKE_WECHAT), "--port", str(port), "--latency-ms", str(latency_ms)]
        process = subprocess.Popen(command, cwd=ROOT, env=clean_env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_http(f"{url}/__fake/state", process=process)
            yield Server(url, process.pid)
        except Exception:
            log.seek(0)
            print("--- fake WeChat output ---", log.read()[-4000:], sep="\n", file=sys.stderr)
            raise
        finally:
            _stop(process, timeout=10)


# --- database and Redis ------------------------------------------------------------------------------

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,40}$")


@contextmanager
def scratch_database(name: str, *, server_url: str = MYSQL_SERVER_URL) -> Iterator[str]:
    """Create an empty utf8mb4 database, yield its URL, and drop it afterwards.

    The process id is appended to ``name``: a run killed before its clean-up leaves a stray database
    behind, but never blocks the next run or makes it drop somebody else's.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    database = f"{name}_{os.getpid()}"
    server = create_engine(f"{server_url.rstrip('/')}/", poolclass=NullPool)
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    try:
        yield f"{server_url.rstrip('/')}/{database}?charset=utf8mb4"
    finally:
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{database}`"))
        server.dispose()


def run_flask(*args: str, env: dict[str, str]) -> str:
    """``flask --app backend:create_app ARGS`` in a subprocess; its output, or an error showing it."""
    command = [sys.executable, "-m", "flask", "--app", BACKEND_APP, *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def upgrade_database(url: str, *, env: dict[str, str] | None = None) -> None:
    """Build the schema with the project's own migrations (``flask db upgrade``)."""
    run_flask("db", "upgrade", env={**(env or clean_env()), "DATABASE_URL": url})


def flush_redis(url: str) -> None:
    """Empty the one Redis database in ``url`` (rate-limit windows, locks, queued jobs)."""
    from redis import Redis

    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()


# --- CPU accounting ----------------------------------------------------------------------------------
# On a small machine the client, the app, MariaDB and Redis share the cores, so requests/s alone
# cannot say where time goes. CPU seconds per request, per process group, can.

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
LOCAL_SERVICES = {"mariadb": ("mariadbd", "mysqld"), "redis": ("redis-server",)}


def _proc_table() -> dict[int, tuple[str, int, float]]:
    """pid → (command name, parent pid, CPU seconds) for every visible process (Linux only)."""
    table: dict[int, tuple[str, int, float]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = entry.read_text()
        except OSError:  # the process ended while we looked
            continue
        # The command name is in parentheses and may itself contain spaces or parentheses.
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry.parent.name)] = (comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS)
    return table


def cpu_meter(**trees: int) -> Callable[[], dict[str, float]]:
    """A reader of cumulative CPU seconds for each named process tree (``server=pid``) and for the
    local MariaDB and Redis servers; the readings are empty where ``/proc`` is missing."""

    def read() -> dict[str, float]:
        if not Path("/proc/self/stat").exists():
            return {}
        table = _proc_table()
        children: dict[int, list[int]] = collections.defaultdict(list)
        for pid, (_, parent, _) in table.items():
            children[parent].append(pid)
        totals: dict[str, float] = {}
        for name, root in trees.items():
            stack, seconds = [root], 0.0
            while stack:
                pid = stack.pop()
                if pid in table:
                    seconds += table[pid][2]
                stack += children.get(pid, [])
            totals[name] = seconds
        for name, commands in LOCAL_SERVICES.items():
            totals[name] = sum(cpu for comm, _, cpu in table.values() if comm in commands)
        return totals

    return read


# --- load --------------------------------------------------------------------------------------------

RequestFn = Callable[[requests.Session, int], requests.Response]


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Result:
    """One measured run: every request's latency (seconds) and outcome."""

    count: int
    concurrency: int
    elapsed: float
    latencies: list[float] = field(repr=False)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)  # requests that raised (no answer)
    refusal_samples: list[str] = field(default_factory=list)  # answers with a 4xx/5xx status
    client_cpu: float = 0.0  # CPU seconds the load generator itself spent (it shares the machine)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of each measured process group

    def __post_init__(self) -> None:
        self.latencies.sort()

    @property
    def rps(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50)

    @property
    def p90(self) -> float:
        return percentile(self.latencies, 90)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)

    @property
    def max(self) -> float:
        return self.latencies[-1] if self.latencies else 0.0

    def cpu_ms_per_request(self) -> dict[str, float]:
        """Milliseconds of CPU per request: the client, each measured group, and the servers' total."""
        if not self.count:
            return {}
        per = {"client": self.client_cpu, **self.cpu}
        per["servers"] = sum(self.cpu.values())
        return {name: seconds * 1000 / self.count for name, seconds in per.items()}

    @property
    def ok(self) -> int:
        """Requests answered with a 2xx status."""
        return sum(n for status, n in self.statuses.items() if isinstance(status, int) and status < 300)

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "concurrency": self.concurrency,
            "elapsed_s": round(self.elapsed, 4),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50 * 1000, 2),
            "p90_ms": round(self.p90 * 1000, 2),
            "p99_ms": round(self.p99 * 1000, 2),
            "max_ms": round(self.max * 1000, 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=str)},
            "errors": self.errors,
            "error_samples": self.error_samples,
            "refusal_samples": self.refusal_samples,
            "cpu_ms_per_request": {k: round(v, 3) for k, v in self.cpu_ms_per_request().items()},
        }


def _run(
    request_fn: RequestFn,
    indices: Iterable[int],
    sessions: list[requests.Session],
    cpu: Callable[[], dict[str, float]] | None = None,
) -> Result:
    pending = iter(indices)
    take = threading.Lock()
    per_thread: list[tuple[list[float], collections.Counter, list[str], list[str]]] = [
        ([], collections.Counter(), [], []) for _ in sessions
    ]
    start = threading.Barrier(len(sessions) + 1)

    def worker(k: int) -> None:
        session = sessions[k]
        latencies, statuses, errors, refusals = per_thread[k]
        start.wait()
        while True:
            # A shared queue of indices, not fixed slices: a slow request doesn't idle its thread's share.
            with take:
                i = next(pending, None)
            if i is None:
                return
            began = time.perf_counter()
            try:
                response = request_fn(session, i)
            except Exception as exc:
                latencies.append(time.perf_counter() - began)
                statuses["error"] += 1
                errors.append(f"#{i}: {type(exc).__name__}: {exc}"[:300])
                continue
            latencies.append(time.perf_counter() - began)
            statuses[response.status_code] += 1
            if response.status_code >= 400 and len(refusals) < 5:
                refusals.append(f"#{i}: HTTP {response.status_code} {response.text.strip()}"[:300])

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(len(sessions))]
    for thread in threads:
        thread.start()
    cpu_before = cpu() if cpu else {}
    client_before = time.process_time()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    client_cpu = time.process_time() - client_before
    cpu_after = cpu() if cpu else {}

    latencies: list[float] = []
    statuses: collections.Counter = collections.Counter()
    errors: list[str] = []
    refusals: list[str] = []
    for lat, st, err, ref in per_thread:
        latencies += lat
        statuses.update(st)
        errors += err
        refusals += ref
    return Result(
        count=len(latencies),
        concurrency=len(sessions),
        elapsed=elapsed,
        latencies=latencies,
        statuses=statuses,
        errors=len(errors),
        error_samples=errors[:5],
        refusal_samples=refusals[:5],
        client_cpu=client_cpu,
        # Clamped: a process that exits mid-run (a Redis save child) takes its CPU time with it.
        cpu={name: max(0.0, cpu_after[name] - cpu_before.get(name, 0.0)) for name in cpu_after},
    )


def load(
    request_fn: RequestFn,
    *,
    n: int,
    concurrency: int,
    warmup: int = 100,
    cpu: Callable[[], dict[str, float]] | None = None,
) -> Result:
    """Run requests ``0 .. n-1`` from ``concurrency`` threads, each with its own ``requests.Session``.

    ``request_fn(session, i)`` performs request ``i`` and returns the response; an exception counts as
    an error. First ``warmup`` untimed requests (indices ``n .. n+warmup-1``, so a function that needs
    one fresh item per request must have ``n + warmup`` of them) let every server worker import its
    lazy modules and fill its connection pools. ``cpu`` (see ``cpu_meter``) is read before and after
    the timed requests.
    """
    sessions = [requests.Session() for _ in range(max(1, concurrency))]
    try:
        if warmup > 0:
            _run(request_fn, range(n, n + warmup), sessions)
        return _run(request_fn, range(n), sessions, cpu)
    finally:
        for session in sessions:
            session.close()


# --- command line and report -------------------------------------------------------------------------


def add_arguments(
    parser: argparse.ArgumentParser, *, n: int = 2000, concurrency: int = 16, workers: int = 4
) -> None:
    """The flags every HTTP benchmark takes (``n``: the default of ``--requests``)."""
    parser.add_argument("--requests", type=int, default=n, help=f"timed requests per endpoint ({n})")
    parser.add_argument(
        "--concurrency", type=int, default=concurrency, help=f"client threads ({concurrency})"
    )
    parser.add_argument("--workers", type=int, default=workers, help=f"gunicorn workers ({workers})")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (1 = sync)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests before each run (100)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_before": os.getloadavg(),
    }


_COLUMNS = (
    "benchmark", "n", "req/s", "×base", "p50 ms", "×base", "p90 ms", "p99 ms", "×base", "max ms", "statuses",
)  # fmt: skip


def _ratio(value: float, base: Result | None, attr: str) -> str:
    reference = getattr(base, attr) if base else 0
    return f"{value / reference:.2f}×" if reference else "-"


def _cpu_ratio(result: Result, base: Result | None) -> float | None:
    reference = base.cpu_ms_per_request().get("servers") if base else None
    servers = result.cpu_ms_per_request().get("servers")
    return round(servers / reference, 3) if reference and servers is not None else None


def _print_table(table: list[tuple[str, ...]], free_last: bool = False) -> None:
    # Names left-aligned, figures right-aligned; a free-width last column is not padded.
    measured = table if not free_last else [row[:-1] for row in table]
    widths = [max(len(row[c]) for row in measured) for c in range(len(measured[0]))]
    for k, row in enumerate(table):
        cells = [row[0].ljust(widths[0])] + [row[c].rjust(widths[c]) for c in range(1, len(widths))]
        print("  ".join(cells + list(row[len(widths) :])))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def report(
    rows: Sequence[tuple[str, Result]],
    *,
    baseline: str | None = None,
    json_path: str | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Print a table of ``(name, result)`` rows with ratios to the row named ``baseline`` (default: the
    first), and a table of CPU per request; also write JSON when ``json_path`` is given.

    Ratios are result ÷ baseline: ≥ 1 is better for req/s, worse for latency and CPU.
    Returns the JSON document.
    """
    if not rows:
        return {}
    base = dict(rows).get(baseline) if baseline else rows[0][1]
    table = [_COLUMNS]
    for name, r in rows:
        table.append(
            (
                name,
                str(r.count),
                f"{r.rps:.0f}",
                _ratio(r.rps, base, "rps"),
                f"{r.p50 * 1000:.1f}",
                _ratio(r.p50, base, "p50"),
                f"{r.p90 * 1000:.1f}",
                f"{r.p99 * 1000:.1f}",
                _ratio(r.p99, base, "p99"),
                f"{r.max * 1000:.1f}",
                " ".join(f"{k}:{v}" for k, v in sorted(r.statuses.items(), key=str)),
            )
        )
    _print_table(table, free_last=True)
    for name, r in rows:
        for sample in r.error_samples + r.refusal_samples:
            print(f"  {name}: {sample}")

    groups = list(dict.fromkeys(g for _, r in rows for g in r.cpu_ms_per_request() if g != "servers"))
    if groups:
        print("\nCPU ms per request (servers = everything but the client)")
        cpu_table = [("benchmark", *groups, "servers", "×base")]
        for name, r in rows:
            per = r.cpu_ms_per_request()
            ratio = _cpu_ratio(r, base)
            cpu_table.append(
                (
                    name,
                    *(f"{per[g]:.2f}" if g in per else "-" for g in groups),
                    f"{per.get('servers', 0.0):.2f}",
                    f"{ratio:.2f}×" if ratio is not None else "-",
                )
            )
        _print_table(cpu_table)

    document = {
        "meta": meta or {},
        "baseline": baseline or rows[0][0],
        "results": [
            {
                "name": name,
                **r.to_dict(),
                "rps_ratio": round(r.rps / base.rps, 3) if base and base.rps else None,
                "p50_ratio": round(r.p50 / base.p50, 3) if base and base.p50 else None,
                "p99_ratio": round(r.p99 / base.p99, 3) if base and base.p99 else None,
                "servers_cpu_ratio": _cpu_ratio(r, base),
            }
            for name, r in rows
        ],
    }
    if json_path:
        Path(json_path).write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        print(f"\nwritten to {json_path}")
    return document


def demo_database(stack: ExitStack, name: str, redis_url: str) -> str:
    """The set-up every HTTP benchmark shares: an emptied Redis database and a scratch MariaDB
    database, migrated and loaded with the demo city; both are cleaned up when ``stack`` closes."""
    flush_redis(redis_url)
    stack.callback(flush_redis, redis_url)
    database = stack.enter_context(scratch_database(name))
    started = time.perf_counter()
    upgrade_database(database)
    run_flask("seed-demo", env=clean_env(DATABASE_URL=database))
    print(f"schema and demo data in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return database


def baseline_insert(url: str) -> Callable:
    """Request ``i`` against the bare one-row-insert app: the baseline every ratio is measured to."""

    def insert_one(session, i: int):
        return session.post(f"{url}/insert", json={"name": f"张建国{i}", "amount": f"{i}.50"})

    return insert_one


def app_context(env: dict[str, str]):
    """An app context of the backend on ``env``'s database, for checking invariants afterwards."""
    from backend import create_app
    from backend.config import Settings

    return create_app(Settings.from_env(env)).app_context()


def measure_baseline(env: dict[str, str], *, n: int, concurrency: int, warmup: int, **servers) -> Result:
    """The bare one-row-insert endpoint on gunicorn with the same server settings: the baseline."""
    with gunicorn(BASELINE_APP, env=env, **servers) as url:
        cpu = cpu_meter(server=url.pid)
        result = load(baseline_insert(url), n=n, concurrency=concurrency, warmup=warmup, cpu=cpu)
    print(f"baseline POST /insert: {result.rps:.0f} req/s", file=sys.stderr)
    return result
