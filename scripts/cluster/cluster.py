"""Start or stop the scale-out topology on this machine (see ``topology.py`` for what runs where).

    .venv/bin/python scripts/cluster/cluster.py start [--run-dir DIR] [--base 21900]
    .venv/bin/python scripts/cluster/cluster.py status
    .venv/bin/python scripts/cluster/cluster.py stop

``start`` returns once every piece answers and leaves them running; ``stop`` ends all of them and
leaves the run directory (logs, data) for reading; ``start`` begins from empty data again.
Needs root (the Galera nodes run as user ``mysql``) and Debian's mariadb-server, galera-4, rsync,
haproxy and redis-server.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # runnable from a plain checkout

from scripts.cluster.topology import Topology

DEFAULT_RUN_DIR = Path("/tmp/zhigong-cluster")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The scale-out topology on one machine.")
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR, help=f"(default {DEFAULT_RUN_DIR})")
    parser.add_argument("--base", type=int, default=21900, help="first port of the 100 used (21900)")
    args = parser.parse_args(argv)
    topology = Topology(args.run_dir, args.base)
    if args.command == "start":
        topology.start()
        print(json.dumps({"api": f"{topology.api_url}/api/v1", "running": topology.running()}, indent=2))
    elif args.command == "stop":
        topology.stop()
    else:
        running = topology.running()
        status = {"running": running}
        for i in topology.NODES:
            if f"node{i}" in running:
                status[f"node{i}"] = topology.node_status(i)
        if any(name.startswith("sentinel") for name in running):
            status["redis_master"] = topology.redis_master()
        print(json.dumps(status, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
