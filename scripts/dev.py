"""Dev runner: the fake WeChat server and the API, side by side, stopped together by Ctrl-C.

``make run`` calls this after ``flask db upgrade`` and ``flask seed-demo``. Each child runs in its own
process group, so a signal reaches the whole child (including a reloader's subprocess) and nothing
outlives this script.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEMO_PASSWORD = "demo-pass-2026"
DEMO_STAFF = (
    ("demo_city", "市总工会"),
    ("demo_county", "县（区）总工会"),
    ("demo_town", "乡镇（街道）工会"),
    ("demo_union", "基层工会"),
    ("demo_lawyer", "法律援助律师"),
)
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    parser.add_argument("--wechat-port", type=int, default=8001, help="fake WeChat port (default 8001)")
    parser.add_argument(
        "--no-fake-wechat",
        action="store_true",
        help="don't start the fake WeChat server; use WECHAT_API_BASE from the environment",
    )
    parser.add_argument(
        "--threads", type=int, default=16, help="API threads (default 16); more clients wait their turn"
    )
    parser.add_argument(
        "--debug", action="store_true", help="Flask's own server in debug mode (reloader and debugger)"
    )
    return parser.parse_args(argv)


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def answers(url: str) -> bool:
    """True once something answers HTTP at ``url`` — any status counts, only silence doesn't."""
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def wait_until_answering(name: str, url: str, child: subprocess.Popen) -> None:
    """Poll ``url`` until it answers; give up if the child dies or the time runs out."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while not answers(url):
        if child.poll() is not None:
            raise SystemExit(f"{name} exited with code {child.returncode} before answering at {url}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{name} did not answer at {url} within {START_TIMEOUT_S:.0f} s")
        time.sleep(0.2)


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(children: list[subprocess.Popen]) -> None:
    """SIGINT to every child's process group, then SIGKILL to whatever is still there."""
    for child in children:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGINT)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def api_command(args: argparse.Namespace) -> list[str]:
    """gunicorn (one process, a bounded pool of threads) unless --debug asks for Flask's reloader."""
    if args.debug:
        flask = [sys.executable, "-m", "flask", "--app", "backend:create_app", "--debug"]
        return [*flask, "run", "--host", HOST, "--port", str(args.port), "--with-threads"]
    return [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "backend:create_app()"]


def api_env(env: dict[str, str], args: argparse.Namespace) -> dict[str, str]:
    """One process: embedded mode keeps rate limits in memory, runs jobs inline and queues SQLite
    writers in the process, so more processes would only contend. A crowd waits in gunicorn's
    queue for one of ``--threads`` threads, each of which finds a database connection free."""
    return dict(
        env,
        GUNICORN_BIND=f"{HOST}:{args.port}",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS=str(args.threads),
        DB_POOL_SIZE=env.get("DB_POOL_SIZE", str(args.threads)),
    )


def banner(api_port: int, wechat_base: str | None) -> str:
    api = f"http://{HOST}:{api_port}"
    lines = [
        "",
        "掌上职工之家 is running — Ctrl-C stops everything.",
        f"  API           {api}/api/v1",
        f"  API docs      {api}/api/docs   (spec: {api}/api/openapi.json)",
        f"  Health        {api}/healthz   {api}/readyz",
    ]
    if wechat_base:
        lines.append(f"  Fake WeChat   {wechat_base}   (any wx.login code works; 'invalid' fails)")
    lines += [
        "",
        f'Worker log-in: POST {api}/api/v1/auth/wechat-login  {{"code": "demo"}}',
        f"Staff log-in:  POST {api}/api/v1/staff/login, password {DEMO_PASSWORD} for:",
    ]
    lines += [f"  {username:<13} {role}" for username, role in DEMO_STAFF]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = dict(os.environ, PYTHONUNBUFFERED="1")

    busy = [port for port in (args.port, None if args.no_fake_wechat else args.wechat_port) if port]
    busy = [port for port in busy if port_in_use(port)]
    if busy:
        print(
            f"Port(s) {', '.join(map(str, busy))} already in use on {HOST}: stop whatever runs there "
            "or pick others with --port / --wechat-port.",
            file=sys.stderr,
        )
        return 1

    children: dict[str, subprocess.Popen] = {}
    wechat_base: str | None = None

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    # Ctrl-C and SIGTERM both end in the clean-up below, even when started with SIGINT ignored
    # (a background job of a non-interactive shell); children then start with the default handler.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if not args.no_fake_wechat:
            wechat_base = f"http://{HOST}:{args.wechat_port}"
            fake_wechat = [
                sys.executable,
                "scripts/fake_wechat.py",
                "--host",
                HOST,
                "--port",
                str(args.wechat_port),
            ]
            children["fake WeChat server"] = start(fake_wechat, env)
            wait_until_answering("fake WeChat server", wechat_base + "/", children["fake WeChat server"])
            env["WECHAT_API_BASE"] = wechat_base

        children["API"] = start(api_command(args), api_env(env, args))
        wait_until_answering("API", f"http://{HOST}:{args.port}/healthz", children["API"])
        print(banner(args.port, wechat_base), flush=True)

        # Run until a child stops by itself (a crash) or we are interrupted.
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
        name, crashed = next((n, c) for n, c in children.items() if c.poll() is not None)
        print(f"The {name} stopped with code {crashed.returncode}; stopping the rest.", file=sys.stderr)
        return crashed.returncode or 1
    except KeyboardInterrupt:
        print("\nStopping …", file=sys.stderr)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        stop(list(children.values()))


if __name__ == "__main__":
    sys.exit(main())
