"""gunicorn settings shared by every benchmark server (``-c scripts/bench/gunicorn_hooks.py``).

Only what the command line cannot say lives here; workers, threads and the bind address are flags.
"""

from __future__ import annotations

# gunicorn logs "Booting worker" right after the fork, before the app is imported. The harness waits
# for this line instead, so the first timed request never pays for an import.
READY_MARK = "Benchmark worker ready"

# Two benchmark servers side by side must not fight over the default control socket path in $HOME.
control_socket_disable = True


def post_worker_init(worker) -> None:
    worker.log.info("%s (pid: %s)", READY_MARK, worker.pid)
