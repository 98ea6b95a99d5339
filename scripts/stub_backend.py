"""A throw-away backend for the mini-program stub's tests: fresh SQLite, demo city, fake WeChat.

Runs the migrations on a temporary SQLite file, loads the demo city (``flask seed-demo``), starts
the fake WeChat server in a thread and serves the API on a free loopback port, in embedded mode
(no Redis, jobs inline). When everything answers it prints one JSON line on stdout::

    {"api": "http://127.0.0.1:PORT", "wechat": "http://127.0.0.1:PORT2", "database": "sqlite:///…"}

and serves until stdin closes or it gets SIGTERM/SIGINT; the temporary directory goes with it.
``miniprogram_stub/tests/global-setup.js`` starts it with the repository's ``.venv/bin/python``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from backend import create_app  # noqa: E402
from backend.config import Settings  # noqa: E402
from backend.demo.tree import seed_demo  # noqa: E402
from backend.extensions import db  # noqa: E402
from scripts.fake_wechat import serve_in_thread  # noqa: E402

HOST = "127.0.0.1"


def build_app(workdir: Path, wechat_base: str):
    """The app on a migrated, seeded SQLite file under ``workdir``."""
    settings = Settings(
        env="test",
        database_url=f"sqlite:///{workdir / 'stub.db'}",
        redis_url=None,
        wechat_api_base=wechat_base,
        login_rate_limit="100000 per minute",
        wechat_login_code_limit="100000 per minute",
        wechat_login_address_limit="100000 per minute",
        application_rate_limit="100000 per minute",
        upload_rate_limit="100000 per minute",
        upload_dir=workdir / "uploads",
    )
    app = create_app(settings)
    with app.app_context():
        upgrade()
        seed_demo(db.session)
        db.session.commit()
        db.session.remove()
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="API port (default: a free one)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="zhigong-stub-") as tmp:
        workdir = Path(tmp)
        wechat_server, wechat_base, _state = serve_in_thread(HOST, 0)
        app = build_app(workdir, wechat_base)
        server = make_server(HOST, args.port, app, threaded=True)
        threading.Thread(target=server.serve_forever, name="stub-api", daemon=True).start()

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        # The parent holds our stdin; when it goes away (even killed), so do we.
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()

        api = f"http://{HOST}:{server.server_port}"
        database = app.config["SQLALCHEMY_DATABASE_URI"]
        print(json.dumps({"api": api, "wechat": wechat_base, "database": database}))
        sys.stdout.flush()
        stop.wait()
        server.shutdown()
        wechat_server.shutdown()
    return 0


if __name__ == "__main__":
    os.environ.pop("REDIS_URL", None)
    sys.exit(main())
