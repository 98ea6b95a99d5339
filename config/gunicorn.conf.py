"""gunicorn settings for the 掌上职工之家 API; every value can be tuned from the environment.

Run: ``gunicorn -c config/gunicorn.conf.py 'backend:create_app()'``
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# A statement of a web request may run this long (MariaDB max_statement_time), well below the worker
# timeout below, so a slow query is answered 503 instead of the worker being killed. Only the API:
# migrations and background jobs run without it.
os.environ.setdefault("DB_STATEMENT_TIMEOUT", "15")

# Sync workers: each request holds one database connection for its one transaction. Size the
# workers to the cores (2 × cores is a sound start) and to the database's connection limit
# (each worker's pool may open up to 30 connections).
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", 4))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# WeChat calls have their own short timeouts; a request still running after this is stuck.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so a slow leak can never grow without bound. The jitter (a quarter
# of max_requests) spreads the workers' restarts over hundreds of requests, and with the app
# preloaded a replacement is a fork that serves at once, so recycling never leaves the API without
# a worker.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max(1, max_requests // 4))

# The app is built once in the master (about 1 s, mostly imports) and each worker is a fork of it,
# ready in milliseconds instead of building the app again. The app opens no connection while it is
# built, and a forked child drops any pooled connection it inherited (backend/web.py), so no
# database or Redis socket is ever shared between processes. GUNICORN_PRELOAD=0 turns it off.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in ("0", "false", "no")

# Behind a reverse proxy, trust its X-Forwarded-* headers only from its address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn's control socket (for gunicornc) is off unless a path is given: its default path under
# $HOME clashes between two servers of one user and fails where $HOME is read-only (the container).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

# Logs to stdout/stderr for the container runtime or systemd to collect. The access log shows the
# request time in milliseconds (%(M)s) and leaves out the query string, which may carry search terms.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
