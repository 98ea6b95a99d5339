"""A production-shaped topology on one machine, from Debian's packages, every piece its own process on
loopback: a 3-node MariaDB Galera cluster behind HAProxy, Redis with one replica and three Sentinels,
two API hosts (gunicorn, each with its own instance folder), two RQ workers, the RQ cron scheduler and
the fake WeChat server. ``Topology(run_dir).start()`` brings it up, ``.stop()`` ends everything it
started (pid files under ``run_dir/pids``, so ``cluster.py stop`` works from another shell too).

Ports (``--base``, default 21900): Galera nodes 11–13 (SQL), 21–23 (replication), 31–33 (IST),
41–43 (SST); HAProxy 50 (writes: one node at a time), 51 (reads: every node), 60 (API); API hosts
61–62; Redis 70 (first primary), 71 (first replica), Sentinels 75–77; fake WeChat 80.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pymysql
import requests
from redis import Redis

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
GALERA = "/usr/lib/galera/libgalera_smm.so"
MASTER = "zhigong"
DB_USER, DB_PASSWORD, DB_NAME = "zhigong", "zhigong-cluster-pass", "zhigong"
QUEUES = ("notifications", "default", "assessment")


def wait_until(what: str, check, timeout: float = 120, every: float = 0.25):
    """Poll ``check`` until it returns something truthy; its value, or RuntimeError after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(every)
    raise RuntimeError(f"timed out waiting for {what}" + (f" ({last})" if last else ""))


@dataclass(frozen=True)
class Ports:
    base: int = 21900

    def node(self, i: int) -> int:
        return self.base + 10 + i

    def replication(self, i: int) -> int:
        return self.base + 20 + i

    def ist(self, i: int) -> int:
        return self.base + 30 + i

    def sst(self, i: int) -> int:
        return self.base + 40 + i

    @property
    def db_write(self) -> int:
        return self.base + 50

    @property
    def db_read(self) -> int:
        return self.base + 51

    @property
    def api(self) -> int:
        return self.base + 60

    def api_host(self, i: int) -> int:
        return self.base + 60 + i

    def redis(self, i: int) -> int:
        return self.base + 69 + i  # 1 → 70, 2 → 71

    def sentinel(self, i: int) -> int:
        return self.base + 74 + i

    @property
    def wechat(self) -> int:
        return self.base + 80


class Topology:
    NODES = (1, 2, 3)
    REDIS = (1, 2)
    SENTINELS = (1, 2, 3)
    API_HOSTS = (1, 2)
    WORKERS = (1, 2)

    def __init__(self, run_dir: Path, base: int = 21900, *, quiet: bool = False):
        self.run = Path(run_dir)
        self.ports = Ports(base)
        self.quiet = quiet
        (self.run / "pids").mkdir(parents=True, exist_ok=True)
        (self.run / "logs").mkdir(exist_ok=True)
        os.chmod(self.run, 0o755)

    # --- bookkeeping --------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        if not self.quiet:
            print(f"[cluster] {text}", file=sys.stderr, flush=True)

    def _pidfile(self, name: str) -> Path:
        return self.run / "pids" / f"{name}.pid"

    def _spawn(self, name: str, argv: list[str], *, env: dict | None = None, cwd: Path = ROOT) -> int:
        with open(self.run / "logs" / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
            )
        self._pidfile(name).write_text(str(process.pid))
        return process.pid

    def pid(self, name: str) -> int | None:
        try:
            pid = int(self._pidfile(name).read_text())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def running(self) -> dict[str, int]:
        return {p.stem: pid for p in sorted((self.run / "pids").glob("*.pid")) if (pid := self.pid(p.stem))}

    def kill(self, name: str, sig: int = signal.SIGKILL, grace: float = 20) -> None:
        """End one piece with its whole process group (a gunicorn master and its workers), as a host
        or process loss would (SIGKILL), or politely (SIGTERM, then SIGKILL after ``grace`` seconds);
        returns once it is gone."""
        pid = self.pid(name)
        if pid is None:
            return
        gone = lambda: self.pid(name) is None or _reap(pid)  # noqa: E731
        for signal_ in (sig, signal.SIGKILL):
            try:
                os.killpg(pid, signal_)
            except ProcessLookupError:
                break
            try:
                wait_until(f"{name} to end", gone, timeout=grace if signal_ != signal.SIGKILL else 60)
                break
            except RuntimeError:
                if signal_ == signal.SIGKILL:
                    raise
        self._pidfile(name).unlink(missing_ok=True)

    def stop(self) -> None:
        """Stop everything this topology started: clients of the databases first, the databases last."""
        order = ["scheduler", *(f"worker{i}" for i in self.WORKERS), *(f"api{i}" for i in self.API_HOSTS)]
        order += ["haproxy", "wechat", *(f"sentinel{i}" for i in self.SENTINELS)]
        order += [*(f"redis{i}" for i in self.REDIS), *(f"node{i}" for i in reversed(self.NODES))]
        known = set(order)
        order += [name for name in self.running() if name not in known]
        for name in order:
            if self.pid(name) is None:
                self._pidfile(name).unlink(missing_ok=True)
                continue
            self.say(f"stopping {name}")
            self.kill(name, signal.SIGTERM if name.startswith(("node", "api", "worker")) else signal.SIGKILL)

    # --- MariaDB Galera ------------------------------------------------------------------------------

    def node_dir(self, i: int) -> Path:
        return self.run / f"node{i}"

    def socket(self, i: int) -> str:
        return str(self.node_dir(i) / "mysqld.sock")

    def _node_config(self, i: int) -> Path:
        p = self.ports
        cluster = ",".join(f"127.0.0.1:{p.replication(n)}" for n in self.NODES)
        options = ";".join(
            [
                f"gmcast.listen_addr=tcp://127.0.0.1:{p.replication(i)}",
                f"ist.recv_addr=127.0.0.1:{p.ist(i)}",
                "evs.keepalive_period=PT1S",
                "evs.suspect_timeout=PT3S",
                "evs.inactive_timeout=PT6S",
                "evs.install_timeout=PT6S",
                "gcache.size=64M",
                "cert.log_conflicts=yes",
            ]
        )
        config = self.node_dir(i) / "my.cnf"
        config.write_text(
            f"""[mysqld]
user=mysql
datadir={self.node_dir(i) / "data"}
socket={self.socket(i)}
pid-file={self.node_dir(i) / "mysqld.pid"}
port={p.node(i)}
bind-address=127.0.0.1
skip-name-resolve
log-error={self.node_dir(i) / "error.log"}
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
default_storage_engine=InnoDB
binlog_format=ROW
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=96M
innodb_log_file_size=48M
innodb_flush_log_at_trx_commit=2
max_connections=400
max_allowed_packet=64M
performance_schema=OFF
wsrep_on=ON
wsrep_provider={GALERA}
wsrep_cluster_name=zhigong
wsrep_cluster_address=gcomm://{cluster}
wsrep_node_name=node{i}
wsrep_node_address=127.0.0.1:{p.replication(i)}
wsrep_provider_options="{options}"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:{p.sst(i)}
wsrep_slave_threads=2
# Every read waits until this node has applied what the cluster committed before it: a report read
# on one node sees what was written through another.
wsrep_sync_wait=1
"""
        )
        return config

    def _mysql(self, i: int, sql: str) -> str:
        out = subprocess.run(
            ["mariadb", f"--socket={self.socket(i)}", "-uroot", "-N", "-B", "-e", sql],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip())
        return out.stdout.strip()

    def node_status(self, i: int) -> dict[str, str]:
        rows = self._mysql(
            i,
            "SHOW GLOBAL STATUS WHERE Variable_name IN "
            "('wsrep_cluster_size','wsrep_local_state_comment','wsrep_ready','wsrep_cluster_status')",
        )
        return dict(line.split("\t", 1) for line in rows.splitlines())

    def _synced(self, i: int, size: int | None = None) -> bool:
        status = self.node_status(i)
        return status.get("wsrep_local_state_comment") == "Synced" and (
            size is None or int(status.get("wsrep_cluster_size", 0)) >= size
        )

    def start_node(self, i: int, *, bootstrap: bool = False, fresh: bool = False) -> None:
        """Start node ``i``; ``bootstrap`` founds the cluster, any other node joins it (state transfer
        by rsync the first time, incremental (IST) after a restart)."""
        directory = self.node_dir(i)
        if fresh and directory.exists():
            shutil.rmtree(directory)
        (directory / "data").mkdir(parents=True, exist_ok=True)
        config = self._node_config(i)
        if fresh:
            subprocess.run(
                [
                    "mariadb-install-db",
                    f"--defaults-file={config}",
                    "--user=mysql",
                    "--auth-root-authentication-method=socket",
                    "--skip-test-db",
                ],
                check=True,
                capture_output=True,
            )
        shutil.chown(directory, "mysql", "mysql")
        subprocess.run(["chown", "-R", "mysql:mysql", str(directory)], check=True)
        argv = ["mariadbd", f"--defaults-file={config}"]
        if bootstrap:
            argv.append("--wsrep-new-cluster")
        self.say(f"starting Galera node{i}{' (bootstrap)' if bootstrap else ''} on :{self.ports.node(i)}")
        self._spawn(f"node{i}", argv)
        wait_until(f"node{i} to be Synced", lambda: self._synced(i), timeout=180)

    def start_galera(self) -> None:
        self.start_node(1, bootstrap=True, fresh=True)
        self._mysql(
            1,
            f"CREATE DATABASE IF NOT EXISTS {DB_NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
            f"CREATE USER IF NOT EXISTS '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{DB_PASSWORD}';"
            f"GRANT ALL ON {DB_NAME}.* TO '{DB_USER}'@'127.0.0.1';"
            f"GRANT ALL ON `{DB_NAME}\\_%`.* TO '{DB_USER}'@'127.0.0.1';"
            "CREATE USER IF NOT EXISTS 'haproxy'@'127.0.0.1';",
        )
        for i in self.NODES[1:]:
            self.start_node(i, fresh=True)
        wait_until("a 3-node cluster", lambda: self._synced(1, size=3))

    def db_url(self, port: int | None = None) -> str:
        port = port or self.ports.db_write
        return f"mysql+pymysql://{DB_USER}:{DB_PASSWORD}@127.0.0.1:{port}/{DB_NAME}"

    def writer(self) -> str:
        """The node HAProxy's write port leads to now."""
        connection = pymysql.connect(
            host="127.0.0.1", port=self.ports.db_write, user=DB_USER, password=DB_PASSWORD, connect_timeout=2
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT @@wsrep_node_name")
                return cursor.fetchone()[0]
        finally:
            connection.close()

    # --- HAProxy -------------------------------------------------------------------------------------

    def start_haproxy(self) -> None:
        p = self.ports
        nodes = "\n".join(f"  server node{i} 127.0.0.1:{p.node(i)}" for i in self.NODES)
        writers = "\n".join(
            f"  server node{i} 127.0.0.1:{p.node(i)}"
            + ("" if i == 1 else " backup")
            + " on-marked-up shutdown-backup-sessions" * (i == 1)
            for i in self.NODES
        )
        hosts = "\n".join(f"  server api{i} 127.0.0.1:{p.api_host(i)}" for i in self.API_HOSTS)
        config = self.run / "haproxy.cfg"
        config.write_text(
            f"""global
  maxconn 4000

defaults
  mode tcp
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  retries 3
  option redispatch

# Writes go to one node at a time, so row locks mean what they say: node1 while it is up, else the
# first backup that is. When node1 comes back, the sessions on the backup are cut (the app reconnects)
# so two nodes never take writes for long; a conflict in that moment is a deadlock, and retried.
frontend db_write
  bind 127.0.0.1:{p.db_write}
  default_backend galera_write

backend galera_write
  option mysql-check user haproxy post-41
  default-server check inter 1s fall 2 rise 3 on-marked-down shutdown-sessions
{writers}

# Reports (DATABASE_READ_URL) read from any node.
frontend db_read
  bind 127.0.0.1:{p.db_read}
  default_backend galera_read

backend galera_read
  balance leastconn
  option mysql-check user haproxy post-41
  default-server check inter 1s fall 2 rise 3 on-marked-down shutdown-sessions
{nodes}

frontend api
  mode http
  bind 127.0.0.1:{p.api}
  option forwardfor
  timeout client 60s
  default_backend api_hosts

backend api_hosts
  mode http
  balance roundrobin
  option httpchk GET /healthz
  retry-on conn-failure
  timeout server 60s
  default-server check inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
{hosts}
"""
        )
        self.say(f"starting HAProxy: writes :{p.db_write}, reads :{p.db_read}, API :{p.api}")
        self._spawn("haproxy", ["haproxy", "-db", "-f", str(config)])
        wait_until("HAProxy to route to the cluster", lambda: _db_answers(self.db_url()))

    # --- Redis and Sentinel --------------------------------------------------------------------------

    def start_redis(self, i: int, *, replica_of: int | None = None, fresh: bool = False) -> None:
        directory = self.run / f"redis{i}"
        if fresh and directory.exists():
            shutil.rmtree(directory)  # a replica's full sync leaves a dump.rdb of the last run's jobs
        directory.mkdir(exist_ok=True)
        argv = [
            "redis-server",
            "--port",
            str(self.ports.redis(i)),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
        ]
        argv += ["--save", "", "--appendonly", "no"]
        if replica_of:
            argv += ["--replicaof", "127.0.0.1", str(replica_of)]
        self.say(f"starting Redis redis{i} on :{self.ports.redis(i)}" + (" (replica)" if replica_of else ""))
        self._spawn(f"redis{i}", argv)
        wait_until(f"redis{i}", lambda: Redis(port=self.ports.redis(i), socket_timeout=1).ping())

    def start_sentinels(self) -> None:
        for i in self.SENTINELS:
            config = self.run / f"sentinel{i}.conf"
            config.write_text(
                f"port {self.ports.sentinel(i)}\nbind 127.0.0.1\ndir {self.run}\n"
                f"sentinel monitor {MASTER} 127.0.0.1 {self.ports.redis(1)} 2\n"
                f"sentinel down-after-milliseconds {MASTER} 2000\n"
                f"sentinel failover-timeout {MASTER} 10000\n"
                f"sentinel parallel-syncs {MASTER} 1\n"
            )
            self._spawn(f"sentinel{i}", ["redis-server", str(config), "--sentinel"])
        for i in self.SENTINELS:
            wait_until(
                f"sentinel{i} to know the replica",
                lambda i=i: Redis(port=self.ports.sentinel(i), socket_timeout=1).sentinel_slaves(MASTER),
            )
        self.say(f"Sentinels on :{', :'.join(str(self.ports.sentinel(i)) for i in self.SENTINELS)}")

    def redis_master(self) -> tuple[str, int]:
        for i in self.SENTINELS:
            try:
                host, port = Redis(
                    port=self.ports.sentinel(i), socket_timeout=1
                ).sentinel_get_master_addr_by_name(MASTER)
                return (host.decode() if isinstance(host, bytes) else host), int(port)
            except Exception:
                continue
        raise RuntimeError("no Sentinel answers")

    # --- the app -------------------------------------------------------------------------------------

    def app_env(self, host: str = "shared") -> dict[str, str]:
        secrets_file = self.run / "secrets.env"
        if not secrets_file.exists():
            secrets_file.write_text(
                f"SECRET_KEY={secrets.token_urlsafe(48)}\nDATA_KEY={base64.b64encode(os.urandom(32)).decode()}\n"
            )
        values = dict(line.split("=", 1) for line in secrets_file.read_text().splitlines() if line)
        instance = self.run / f"instance-{host}"
        instance.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "FLASK_APP")}
        env.update(
            values,
            APP_ENV="production",
            INSTANCE_DIR=str(instance),
            DATABASE_URL=self.db_url(),
            DATABASE_READ_URL=self.db_url(self.ports.db_read),
            REDIS_SENTINELS=",".join(f"127.0.0.1:{self.ports.sentinel(i)}" for i in self.SENTINELS),
            REDIS_SENTINEL_MASTER=MASTER,
            REDIS_URL="redis://127.0.0.1/0",
            UPLOAD_STORAGE="database",
            WECHAT_API_BASE=f"http://127.0.0.1:{self.ports.wechat}",
            WECHAT_APPID="wx_demo_appid",
            WECHAT_SECRET="wx_demo_secret",
            LOGIN_RATE_LIMIT="100000 per minute",
            PYTHONPATH=str(ROOT),
        )
        return env

    def flask(self, *args: str) -> None:
        subprocess.run(
            [str(BIN / "flask"), "--app", "backend:create_app", *args],
            env=self.app_env(),
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    def start_wechat(self) -> None:
        self._spawn("wechat", [PYTHON, "scripts/fake_wechat.py", "--port", str(self.ports.wechat)])
        wait_until(
            "the fake WeChat server", lambda: requests.get(self.wechat_url("/__fake/state"), timeout=1).ok
        )

    def wechat_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.ports.wechat}{path}"

    def start_api_host(self, i: int) -> None:
        env = self.app_env(f"api{i}")
        env.update(
            GUNICORN_BIND=f"127.0.0.1:{self.ports.api_host(i)}",
            GUNICORN_WORKERS="2",
            GUNICORN_THREADS="4",
            GUNICORN_MAX_REQUESTS="0",
        )
        self.say(f"starting API host api{i} on :{self.ports.api_host(i)}")
        self._spawn(
            f"api{i}",
            [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "backend:create_app()"],
            env=env,
        )
        url = f"http://127.0.0.1:{self.ports.api_host(i)}/readyz"
        wait_until(f"api{i} to be ready", lambda: requests.get(url, timeout=2).ok, timeout=120)

    def start_worker(self, i: int) -> None:
        argv = [str(BIN / "rq"), "worker", "--with-scheduler", "-w", "backend.jobs.worker.Worker"]
        # A job whose worker died mid-job (a host lost) is found and retried within a minute or two,
        # not after RQ's default ten minutes.
        argv += ["--maintenance-interval", "60"]
        argv += ["-c", "backend.jobs.rq_settings", "-n", f"worker{i}-{secrets.token_hex(3)}", *QUEUES]
        self.say(f"starting RQ worker{i}")
        self._spawn(f"worker{i}", argv, env=self.app_env(f"worker{i}"))

    def start_scheduler(self) -> None:
        self.say("starting the RQ cron scheduler")
        argv = [PYTHON, "-m", "backend.jobs.worker", "cron"]  # Redis through the Sentinels, as the app
        self._spawn("scheduler", argv, env=self.app_env("scheduler"))

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.api}"

    def start(self) -> None:
        """Everything, in dependency order; the schema by the migrations, the demo org tree and staff."""
        if self.running():
            raise RuntimeError(f"already running in {self.run}: {', '.join(self.running())}")
        started = time.monotonic()
        try:
            self.start_galera()
            self.start_haproxy()
            self.start_redis(1, fresh=True)
            self.start_redis(2, replica_of=self.ports.redis(1), fresh=True)
            self.start_sentinels()
            self.start_wechat()
            self.say("migrating (flask db upgrade) and loading the demo org tree (flask seed-demo)")
            self.flask("db", "upgrade")
            self.flask("seed-demo")
            for i in self.API_HOSTS:
                self.start_api_host(i)
            for i in self.WORKERS:
                self.start_worker(i)
            self.start_scheduler()
        except BaseException:
            self.stop()
            raise
        self.say(f"up in {time.monotonic() - started:.0f} s; API {self.api_url}/api/v1")


def _reap(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return False


def _db_answers(url: str) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
