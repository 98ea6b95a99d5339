"""The wechatpy adapter against the fake WeChat server, over real HTTP on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
from wechatpy.exceptions import WeChatClientException

from backend.wechat.client import WeChatApiClient, make_client
from scripts.fake_wechat import FakeWeChatState, phone_for_code, serve_in_thread

APPID, SECRET = "wx_test_appid", "wx_test_secret"
TEMPLATE = "tpl_aid_status"


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[str, FakeWeChatState]]:
    server, base_url, state = serve_in_thread(appid=APPID, secret=SECRET)
    yield base_url, state
    server.shutdown()
    server.server_close()


@pytest.fixture
def state(fake: tuple[str, FakeWeChatState]) -> FakeWeChatState:
    fake[1].reset()
    return fake[1]


@pytest.fixture
def base_url(fake: tuple[str, FakeWeChatState], state: FakeWeChatState) -> str:
    return fake[0]


@pytest.fixture
def client(base_url: str) -> WeChatApiClient:
    settings = SimpleNamespace(wechat_appid=APPID, wechat_secret=SECRET, wechat_api_base=base_url)
    return make_client(settings)


def send(client: WeChatApiClient, openid: str = "o_alice", **data: str) -> dict:
    return client.send_subscribe(openid, TEMPLATE, data or {"thing1": "困难帮扶申请已受理"}, page="pages/me")


def errcode_of(call) -> int | None:
    with pytest.raises(WeChatClientException) as info:
        call()
    return info.value.errcode


def test_code_to_session_returns_openid_for_the_code_without_a_token(client, state):
    result = client.code_to_session("abc123")
    assert result["openid"] == "o_abc123"
    assert result["unionid"] == "u_abc123"
    assert result["session_key"]
    assert state.token_fetches == 0


def test_an_invalid_code_is_40029_and_fetches_no_token(client, state):
    assert errcode_of(lambda: client.code_to_session("invalid")) == 40029
    assert state.token_fetches == 0


def test_a_one_time_code_cannot_be_exchanged_twice(client):
    client.code_to_session("used_once")
    assert errcode_of(lambda: client.code_to_session("used_once")) == 40163


def test_the_token_comes_from_the_base_and_is_reused(client, state):
    assert send(client)["errcode"] == 0
    assert send(client)["errcode"] == 0
    assert state.token_fetches == 1
    assert [s["touser"] for s in state.sent] == ["o_alice", "o_alice"]
    assert state.sent[0]["data"] == {"thing1": {"value": "困难帮扶申请已受理"}}
    assert state.sent[0]["page"] == "pages/me"


def test_a_stale_token_is_refreshed_and_the_send_retried(client, state):
    state.fail_next(40001, count=1)
    assert send(client)["errcode"] == 0
    assert state.token_fetches == 2
    assert len(state.sent) == 1


def test_an_expired_token_is_refreshed_and_the_send_retried(client, state):
    send(client)
    state.expire_tokens()
    assert send(client)["errcode"] == 0
    assert state.token_fetches == 2
    assert len(state.sent) == 2


def test_a_persistent_token_error_is_raised_after_one_refresh(client, state):
    state.fail_next(40001, count=5)
    assert errcode_of(lambda: send(client)) == 40001
    assert state.token_fetches == 2
    assert state.sent == []


def test_a_wrong_secret_fails_the_token_fetch_with_40125(base_url, state):
    client = WeChatApiClient(APPID, "wrong", base_url)
    assert errcode_of(lambda: send(client)) == 40125
    assert state.token_fetches == 1


def test_a_user_without_a_grant_gets_43101(client, state):
    state.deny("o_bob")
    assert errcode_of(lambda: send(client, "o_bob")) == 43101
    assert send(client, "o_alice")["errcode"] == 0


def test_the_phone_number_is_derived_from_the_code(client, state):
    info = client.get_phone_number("phone-code-1")["phone_info"]
    assert info["purePhoneNumber"] == phone_for_code("phone-code-1")
    assert info["purePhoneNumber"].startswith("138") and len(info["purePhoneNumber"]) == 11
    assert info["phoneNumber"] == "+86 " + info["purePhoneNumber"]
    assert info["countryCode"] == "86"
    assert info["watermark"]["appid"] == APPID
    assert errcode_of(lambda: client.get_phone_number("invalid")) == 40029


def test_a_thing_longer_than_20_characters_is_47003(client, state):
    with pytest.raises(WeChatClientException) as info:
        send(client, thing1="字" * 21)
    assert info.value.errcode == 47003
    assert "data.thing1.value" in info.value.errmsg
    assert state.sent == []


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("thing1", "字" * 20, True),
        ("name2", "欧阳娜娜", True),
        ("name2", "张" * 11, False),
        ("name2", "Alexander Hamilton", True),
        ("phrase3", "已通过", True),
        ("phrase3", "审核已经通过", False),
        ("character_string4", "WC-2026_0001", True),
        ("character_string4", "WC 2026", False),
        ("number5", "12", True),
        ("number5", "12a", False),
        ("amount6", "¥1700.50", True),
        ("amount6", "300元", True),
        ("amount6", "三百元", False),
        ("date7", "2026年11月21日", True),
        ("date7", "2026-11-21", True),
        ("date7", "21/11/2026", False),
        ("time8", "2026-11-21 14:30", True),
        ("time8", "14:30", True),
        ("time8", "2026年11月21日 14:30 ~ 2026年11月21日 15:00", True),
        ("time8", "25:00", False),
        ("phone_number9", "0594-12345678", True),
        ("phone_number9", "1" * 18, False),
        ("thing10", "", False),
    ],
)
def test_data_values_follow_wechat_field_rules(client, key, value, ok):
    if ok:
        assert send(client, **{key: value})["errcode"] == 0
    else:
        assert errcode_of(lambda: send(client, **{key: value})) == 47003


def test_control_endpoints_steer_the_fake_over_http(client, base_url, state):
    requests.post(f"{base_url}/__fake/deny", json={"openid": "o_carol"}, timeout=5).raise_for_status()
    requests.post(f"{base_url}/__fake/fail-next", json={"errcode": 45009, "count": 1}, timeout=5)
    assert errcode_of(lambda: send(client, "o_alice")) == 45009
    assert errcode_of(lambda: send(client, "o_carol")) == 43101
    snapshot = requests.get(f"{base_url}/__fake/state", timeout=5).json()
    assert snapshot["token_fetches"] == 1
    assert snapshot["sent"] == 0
    assert snapshot["deny_users"] == ["o_carol"]
    requests.post(f"{base_url}/__fake/reset", timeout=5)
    assert state.snapshot()["deny_users"] == []


def test_send_rejects_a_missing_recipient_and_a_missing_token(base_url, state):
    client = WeChatApiClient(APPID, SECRET, base_url)
    assert errcode_of(lambda: client.wxa.send_subscribe_message("", TEMPLATE, {})) == 47003
    bare = requests.post(f"{base_url}/cgi-bin/message/subscribe/send", json={}, timeout=5).json()
    assert bare["errcode"] == 40001


def test_latency_applies_to_wechat_endpoints_only(client, base_url, state):
    state.set_latency(50)
    started = time.perf_counter()
    client.code_to_session("slow")
    assert time.perf_counter() - started >= 0.05
    started = time.perf_counter()
    requests.get(f"{base_url}/__fake/state", timeout=5)
    assert time.perf_counter() - started < 0.05


def test_concurrent_sends_are_all_recorded_once(base_url, state):
    def burst(worker: int) -> list[int]:
        own = WeChatApiClient(APPID, SECRET, base_url)
        return [send(own, f"o_w{worker}")["msgid"] for _ in range(10)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        msgids = [m for batch in pool.map(burst, range(8)) for m in batch]
    assert len(msgids) == len(set(msgids)) == 80
    assert len(state.sent) == 80


def test_the_fake_refuses_to_bind_beyond_loopback():
    with pytest.raises(ValueError):
        serve_in_thread(host="0.0.0.0")
