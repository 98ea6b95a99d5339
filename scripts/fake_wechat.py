"""A fake WeChat API server for development and tests (loopback only).

It answers the endpoints the backend uses — ``cgi-bin/token``, ``sns/jscode2session``,
``cgi-bin/message/subscribe/send`` and ``wxa/business/getuserphonenumber`` — with WeChat's documented
JSON shapes and error codes (always HTTP 200, errors as ``errcode``/``errmsg``). Tests steer it
through ``FakeWeChatState`` methods in-process, or the ``/__fake/...`` endpoints over HTTP.

Run it: ``python scripts/fake_wechat.py --port 8001 [--latency-ms 20]``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import ipaddress
import itertools
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

DEFAULT_APPID = "wx_demo_appid"
DEFAULT_SECRET = "wx_demo_secret"
TOKEN_TTL_SECONDS = 7200

# errmsg texts as WeChat spells them.
ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40013: "invalid appid",
    40014: "invalid access_token",
    40029: "invalid code",
    40125: "invalid appsecret",
    40163: "code been used",
    42001: "access_token expired",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47001: "data format error",
    47003: "argument invalid!",
}


def _error(errcode: int, errmsg: str | None = None) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": errmsg or ERRMSG.get(errcode, "fake error")}


class FakeWeChatState:
    """Everything the fake remembers; shared by the server threads, so guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._arrival = threading.Condition()
        self._gate = threading.Event()
        self.reset()

    def reset(self) -> None:
        """Forget tokens, codes, sends and every injected fault."""
        with self.lock:
            self.token_fetches = 0
            self.valid_tokens: set[str] = set()
            self.expired_tokens: set[str] = set()
            self.used_codes: set[str] = set()
            self.session_calls = 0
            self.phone_calls = 0
            self.sent: list[dict[str, Any]] = []
            self.deny_users: set[str] = set()
            self.latency_ms = 0
            self.fail_errcode = 0
            self.fail_count = 0
            self._msgids = itertools.count(1)
        with self._arrival:
            self.send_arrivals = 0
        self._gate.set()

    # -- controls ---------------------------------------------------------------------------------

    def hold_sends(self) -> None:
        """Make subscribe sends wait (after arriving) until ``release_sends``: a send in flight."""
        self._gate.clear()

    def release_sends(self) -> None:
        self._gate.set()

    def wait_for_send_arrivals(self, count: int, timeout: float = 30) -> bool:
        """Block until ``count`` subscribe sends have reached the server (held or not)."""
        with self._arrival:
            return self._arrival.wait_for(lambda: self.send_arrivals >= count, timeout)

    def _arrive_and_wait(self) -> None:
        with self._arrival:
            self.send_arrivals += 1
            self._arrival.notify_all()
        self._gate.wait(timeout=120)

    def expire_tokens(self) -> None:
        """Every token issued so far now answers 42001."""
        with self.lock:
            self.expired_tokens |= self.valid_tokens
            self.valid_tokens = set()

    def fail_next(self, errcode: int = 40001, count: int = 1) -> None:
        """The next ``count`` subscribe sends answer ``errcode`` instead of being delivered."""
        with self.lock:
            self.fail_errcode = int(errcode)
            self.fail_count = max(0, int(count))

    def deny(self, openid: str) -> None:
        """This user has not granted any template: sends to them answer 43101."""
        with self.lock:
            self.deny_users.add(openid)

    def allow(self, openid: str) -> None:
        with self.lock:
            self.deny_users.discard(openid)

    def set_latency(self, ms: float) -> None:
        """Simulated network delay added to every WeChat endpoint."""
        with self.lock:
            self.latency_ms = max(0.0, float(ms))

    def snapshot(self) -> dict[str, Any]:
        """Counters for assertions and the ``/__fake/state`` endpoint."""
        with self.lock:
            return {
                "token_fetches": self.token_fetches,
                "valid_tokens": len(self.valid_tokens),
                "expired_tokens": len(self.expired_tokens),
                "session_calls": self.session_calls,
                "phone_calls": self.phone_calls,
                "sent": len(self.sent),
                "deny_users": sorted(self.deny_users),
                "latency_ms": self.latency_ms,
                "fail_next": {"errcode": self.fail_errcode, "count": self.fail_count},
            }

    def sent_to(self, touser: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Accepted sends, oldest first, optionally for one user; ``limit`` keeps the newest."""
        with self.lock:
            rows = [s for s in self.sent if touser is None or s["touser"] == touser]
        return rows[-limit:] if limit else rows

    # -- used by the endpoints --------------------------------------------------------------------

    def issue_token(self) -> str:
        token = "fake_at_" + secrets.token_urlsafe(24)
        with self.lock:
            # WeChat keeps the previous token valid for a while, so issuing invalidates nothing.
            self.valid_tokens.add(token)
        return token

    def count_token_fetch(self) -> None:
        with self.lock:
            self.token_fetches += 1

    def token_errcode(self, token: str | None) -> int:
        """0 when the token is usable, else the errcode WeChat would answer."""
        with self.lock:
            if token and token in self.valid_tokens:
                return 0
            if token and token in self.expired_tokens:
                return 42001
        return 40001

    def spend_code(self, code: str) -> bool:
        """False if this code was already exchanged. Only ``used_*`` codes are one-time, so
        tests can log the same user in again with the same plain code."""
        with self.lock:
            self.session_calls += 1
            if not code.startswith("used_"):
                return True
            if code in self.used_codes:
                return False
            self.used_codes.add(code)
            return True

    def count_phone_call(self) -> None:
        with self.lock:
            self.phone_calls += 1

    def take_forced_failure(self) -> int:
        """The injected errcode for this send, or 0."""
        with self.lock:
            if self.fail_count <= 0:
                return 0
            self.fail_count -= 1
            return self.fail_errcode

    def is_denied(self, openid: str) -> bool:
        with self.lock:
            return openid in self.deny_users

    def record_send(self, message: dict[str, Any]) -> int:
        with self.lock:
            msgid = next(self._msgids)
            self.sent.append({**message, "msgid": msgid, "at": time.time()})
        return msgid


# -- subscribe-message field rules -----------------------------------------------------------------
# https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_DAY = (
    r"\d{4}(?:年(?:0?[1-9]|1[0-2])月(?:0?[1-9]|[12]\d|3[01])日"
    r"|[-/](?:0?[1-9]|1[0-2])[-/](?:0?[1-9]|[12]\d|3[01]))"
)
_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
_DATE_POINT = rf"{_DAY}(?:\s*{_CLOCK})?"
_TIME_POINT = rf"(?:{_DAY}\s*)?{_CLOCK}"


def _span(point: str) -> re.Pattern[str]:
    # WeChat allows a range of two points joined by "~".
    return re.compile(rf"{point}(?:\s*~\s*{point})?")


def _matches(pattern: str | re.Pattern[str], max_len: int) -> Callable[[str], bool]:
    compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
    return lambda v: len(v) <= max_len and compiled.fullmatch(v) is not None


def _valid_name(value: str) -> bool:
    # 10 characters when any Chinese is present, 20 for a purely Latin name.
    return len(value) <= (20 if value.isascii() else 10) and not any(c.isdigit() for c in value)


FIELD_RULES: dict[str, Callable[[str], bool]] = {
    "thing": lambda v: len(v) <= 20,
    "name": _valid_name,
    "phrase": _matches(rf"[{_CJK}]+", 5),
    "character_string": _matches(r"[0-9A-Za-z_\-]+", 32),
    "number": _matches(r"\d+(?:\.\d+)?", 32),
    "letter": _matches(r"[A-Za-z]+", 32),
    "symbol": _matches(r"[^0-9A-Za-z\s" + _CJK + r"]+", 5),
    "amount": _matches(r"[¥￥]?\d+(?:\.\d+)?元?", 32),
    "date": _matches(_span(_DATE_POINT), 64),
    "time": _matches(_span(_TIME_POINT), 64),
    "phone_number": _matches(r"\+?[\d\- ()]+", 17),
    "car_number": _matches(rf"[{_CJK}A-Za-z0-9][A-Za-z0-9]*[{_CJK}A-Za-z0-9]?", 8),
}
_KEY = re.compile(r"([a-z_]+?)\d+")


def invalid_data_key(data: Any) -> str | None:
    """The first ``data`` key whose value breaks WeChat's rule for its type, or None if all fit."""
    if not isinstance(data, dict):
        return ""
    for key, entry in data.items():
        value = entry.get("value") if isinstance(entry, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value:
            return key
        m = _KEY.fullmatch(key)
        rule = FIELD_RULES.get(m.group(1)) if m else None
        if rule is not None and not rule(value):
            return key
    return None


def phone_for_code(code: str) -> str:
    """The mainland mobile number a phone code stands for: deterministic, so tests can predict it."""
    digits = int.from_bytes(hashlib.sha256(code.encode()).digest()[:8], "big") % 10**8
    return f"138{digits:08d}"


# -- the app ---------------------------------------------------------------------------------------


def create_fake_app(
    appid: str = DEFAULT_APPID, secret: str = DEFAULT_SECRET, state: FakeWeChatState | None = None
) -> Flask:
    """The fake as a Flask app; its state is in ``app.extensions["fake_wechat"]``."""
    state = state or FakeWeChatState()
    app = Flask("fake_wechat")
    app.extensions["fake_wechat"] = state
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    @app.before_request
    def simulate_network() -> None:
        if not request.path.startswith("/__fake/"):
            delay = state.latency_ms
            if delay:
                time.sleep(delay / 1000)

    def body() -> dict[str, Any] | None:
        # wechatpy posts JSON bytes without a Content-Type, as WeChat tolerates.
        data = request.get_json(force=True, silent=True)
        return data if isinstance(data, dict) else None

    @app.get("/cgi-bin/token")
    def token() -> dict[str, Any]:
        state.count_token_fetch()
        args = request.args
        if args.get("grant_type") != "client_credential":
            return _error(40002)
        if args.get("appid") != appid:
            return _error(40013)
        if args.get("secret") != secret:
            return _error(40125)
        return {"access_token": state.issue_token(), "expires_in": TOKEN_TTL_SECONDS}

    @app.get("/sns/jscode2session")
    def jscode2session() -> dict[str, Any]:
        # No access_token here: WeChat authenticates this call with appid + secret only.
        args = request.args
        if args.get("appid") != appid:
            return _error(40013)
        if args.get("secret") != secret:
            return _error(40125)
        if args.get("grant_type") != "authorization_code":
            return _error(40002)
        code = args.get("js_code", "")
        if code in ("", "invalid"):
            return _error(40029)
        if not state.spend_code(code):
            return _error(40163)
        return {
            "openid": f"o_{code}",
            "session_key": base64.b64encode(secrets.token_bytes(16)).decode(),
            "unionid": f"u_{code}",
        }

    @app.post("/cgi-bin/message/subscribe/send")
    def subscribe_send() -> dict[str, Any]:
        state._arrive_and_wait()
        errcode = state.token_errcode(request.args.get("access_token"))
        if errcode:
            return _error(errcode)
        forced = state.take_forced_failure()
        if forced:
            return _error(forced)
        msg = body()
        if msg is None:
            return _error(47001)
        touser, template_id = msg.get("touser"), msg.get("template_id")
        if not isinstance(touser, str) or not touser or not isinstance(template_id, str) or not template_id:
            return _error(47003)
        if state.is_denied(touser):
            return _error(43101)
        bad = invalid_data_key(msg.get("data"))
        if bad is not None:
            return _error(47003, f"argument invalid! data.{bad}.value invalid" if bad else None)
        msgid = state.record_send(
            {
                "touser": touser,
                "template_id": template_id,
                "page": msg.get("page"),
                "data": msg.get("data"),
                "miniprogram_state": msg.get("miniprogram_state", "formal"),
                "lang": msg.get("lang", "zh_CN"),
            }
        )
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    @app.post("/wxa/business/getuserphonenumber")
    def getuserphonenumber() -> dict[str, Any]:
        errcode = state.token_errcode(request.args.get("access_token"))
        if errcode:
            return _error(errcode)
        state.count_phone_call()
        msg = body()
        if msg is None:
            return _error(47001)
        code = msg.get("code")
        if not isinstance(code, str) or code in ("", "invalid"):
            return _error(40029)
        pure = phone_for_code(code)
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": f"+86 {pure}",
                "purePhoneNumber": pure,
                "countryCode": "86",
                "watermark": {"timestamp": int(time.time()), "appid": appid},
            },
        }

    # -- test controls ----------------------------------------------------------------------------

    def control_body() -> dict[str, Any]:
        return request.get_json(silent=True) or {}

    @app.get("/__fake/state")
    def fake_state() -> dict[str, Any]:
        return state.snapshot()

    @app.get("/__fake/sent")
    def fake_sent() -> dict[str, Any]:
        limit = request.args.get("limit", 100, type=int)
        return {"sent": state.sent_to(request.args.get("touser"), limit)}

    @app.post("/__fake/reset")
    def fake_reset() -> dict[str, Any]:
        state.reset()
        return state.snapshot()

    @app.post("/__fake/expire-tokens")
    def fake_expire_tokens() -> dict[str, Any]:
        state.expire_tokens()
        return state.snapshot()

    @app.post("/__fake/fail-next")
    def fake_fail_next() -> dict[str, Any]:
        data = control_body()
        state.fail_next(int(data.get("errcode", 40001)), int(data.get("count", 1)))
        return state.snapshot()

    @app.post("/__fake/deny")
    def fake_deny() -> dict[str, Any]:
        state.deny(str(control_body()["openid"]))
        return state.snapshot()

    @app.post("/__fake/allow")
    def fake_allow() -> dict[str, Any]:
        state.allow(str(control_body()["openid"]))
        return state.snapshot()

    @app.post("/__fake/latency")
    def fake_latency() -> dict[str, Any]:
        state.set_latency(float(control_body().get("ms", 0)))
        return state.snapshot()

    return app


# -- serving ---------------------------------------------------------------------------------------


class _FastHandler(WSGIRequestHandler):
    """Tuned for benchmark rates: no access log, and no Nagle delay between headers and body."""

    quiet = True

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not self.quiet:
            super().log_request(code, size)


class _VerboseHandler(_FastHandler):
    quiet = False


def _require_loopback(host: str) -> None:
    # The fake accepts any caller with the demo secret; it must never face a network.
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the fake WeChat server only binds to loopback, not {host!r}")


def _make_server(host: str, port: int, app: Flask, quiet: bool = True) -> BaseWSGIServer:
    _require_loopback(host)
    handler = _FastHandler if quiet else _VerboseHandler
    return make_server(host, port, app, threaded=True, request_handler=handler)


def _base_url(server: BaseWSGIServer, host: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{server.server_port}"


def serve_in_thread(
    host: str = "127.0.0.1", port: int = 0, **kw: Any
) -> tuple[BaseWSGIServer, str, FakeWeChatState]:
    """Start the fake in a daemon thread; ``server.shutdown()`` stops it. ``kw`` go to create_fake_app."""
    app = create_fake_app(**kw)
    server = _make_server(host, port, app)
    threading.Thread(target=server.serve_forever, name="fake-wechat", daemon=True).start()
    return server, _base_url(server, host), app.extensions["fake_wechat"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake WeChat API server (loopback only).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--appid", default=os.environ.get("WECHAT_APPID") or DEFAULT_APPID)
    parser.add_argument("--secret", default=os.environ.get("WECHAT_SECRET") or DEFAULT_SECRET)
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    state = FakeWeChatState()
    state.set_latency(args.latency_ms)
    app = create_fake_app(args.appid, args.secret, state)
    server = _make_server(args.host, args.port, app, quiet=not args.verbose)
    print(f"fake WeChat on {_base_url(server, args.host)} (appid={args.appid})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
