"""The wechatpy 1.8.18 client, pointed at a configurable API base (the fake server in dev and tests).

wechatpy hard-codes ``https://api.weixin.qq.com`` in the token fetch and in each sub-API's
``API_BASE_URL``; ``WeChatApiClient`` rebases every URL in ``_request`` and ``fetch_access_token``, so
no call can slip past to the real WeChat. Errors surface as ``WeChatClientException`` with ``.errcode``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from wechatpy.client import WeChatClient
from wechatpy.constants import WeChatErrorCode
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

WECHAT_API_BASE = "https://api.weixin.qq.com"
TOKEN_URL = f"{WECHAT_API_BASE}/cgi-bin/token"
# Endpoints outside cgi-bin/ (sns/, wxa/) are joined to the host root, as wechatpy's WeChatWxa does.
ROOT_API_BASE = f"{WECHAT_API_BASE}/"
TOKEN_ERRCODES = frozenset(
    {
        WeChatErrorCode.INVALID_CREDENTIAL.value,
        WeChatErrorCode.INVALID_ACCESS_TOKEN.value,
        WeChatErrorCode.EXPIRED_ACCESS_TOKEN.value,
    }
)

# Set while a call is being answered, so the token-refresh retry happens once, not recursively.
_in_token_retry: ContextVar[bool] = ContextVar("wechat_in_token_retry", default=False)


class WeChatSettings(Protocol):
    wechat_appid: str
    wechat_secret: str
    wechat_api_base: str


class WeChatApiClient(WeChatClient):
    """wechatpy's ``WeChatClient`` with every URL rebased onto ``base_url``."""

    def __init__(
        self,
        appid: str,
        secret: str,
        base_url: str,
        session: SessionStorage | None = None,
        timeout: float = 5,
    ) -> None:
        super().__init__(appid, secret, session=session, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self._base = urlsplit(self.base_url)

    def _rebase(self, url: str) -> str:
        if url.startswith(self.base_url + "/"):
            return url  # already rebased (wechatpy's retry passes the full URL back in)
        parts = urlsplit(url)
        return urlunsplit(
            (self._base.scheme, self._base.netloc, self._base.path + parts.path, parts.query, "")
        )

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        # Build the full URL exactly as BaseWeChatClient._request does, then move it onto our base.
        api_base_url = kwargs.pop("api_base_url", self.API_BASE_URL)
        if not url_or_endpoint.startswith(("http://", "https://")):
            url_or_endpoint = f"{api_base_url}{url_or_endpoint}"
        return super()._request(method, self._rebase(url_or_endpoint), **kwargs)

    def _handle_result(
        self,
        res: Any,
        method: str | None = None,
        url: str | None = None,
        result_processor: Any = None,
        **kwargs: Any,
    ) -> Any:
        if _in_token_retry.get():
            # The token was just refreshed; another token error is real. Unchecked, wechatpy would
            # refetch forever and burn the daily token quota (2000 fetches).
            result = self._decode_result(res)
            if isinstance(result, dict) and int(result.get("errcode") or 0) in TOKEN_ERRCODES:
                raise WeChatClientException(
                    int(result["errcode"]),
                    result.get("errmsg"),
                    client=self,
                    request=res.request,
                    response=res,
                )
            return super()._handle_result(res, method, url, result_processor, **kwargs)
        marker = _in_token_retry.set(True)
        try:
            return super()._handle_result(res, method, url, result_processor, **kwargs)
        finally:
            _in_token_retry.reset(marker)

    def fetch_access_token(self) -> dict[str, Any]:
        """GET cgi-bin/token on our base and store the token in the session storage.

        Same contract as wechatpy's ``_fetch_access_token``, plus the client timeout it omits: a hung
        token fetch would otherwise stall a worker indefinitely.
        """
        try:
            res = self._http.get(
                self._rebase(TOKEN_URL),
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
                timeout=self.timeout,
            )
            res.raise_for_status()
            result = res.json()
        except (requests.RequestException, ValueError) as exc:  # network, HTTP status or not JSON
            raise WeChatClientException(
                None,
                str(exc),
                client=self,
                request=getattr(exc, "request", None),
                response=getattr(exc, "response", None),
            ) from exc
        if result.get("errcode"):
            raise WeChatClientException(
                int(result["errcode"]), result.get("errmsg"), client=self, request=res.request, response=res
            )
        expires_in = int(result.get("expires_in", 7200))
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return result

    def code_to_session(self, js_code: str) -> dict[str, Any]:
        """登录凭证校验 — exchange a ``wx.login`` code for ``openid``, ``session_key`` (and ``unionid``)."""
        # access_token=None keeps wechatpy from fetching a token: this call is signed by the secret.
        return self.get(
            "sns/jscode2session",
            params={
                "appid": self.appid,
                "secret": self.secret,
                "js_code": js_code,
                "grant_type": "authorization_code",
                "access_token": None,
            },
            api_base_url=ROOT_API_BASE,
        )

    def get_phone_number(self, code: str) -> dict[str, Any]:
        """手机号快速验证 — WeChat's whole answer; the number is in ``["phone_info"]["purePhoneNumber"]``."""
        return self.post("wxa/business/getuserphonenumber", data={"code": code}, api_base_url=ROOT_API_BASE)

    def send_subscribe(
        self, openid: str, template_id: str, data: Mapping[str, Any], page: str | None = None
    ) -> dict[str, Any]:
        """订阅消息 — send one subscribe message; ``data`` values may be strings or ``{"value": ...}``."""
        payload = {k: v if isinstance(v, Mapping) else {"value": str(v)} for k, v in data.items()}
        return self.wxa.send_subscribe_message(openid, template_id, payload, page=page)


def make_client(settings: WeChatSettings, session: SessionStorage | None = None) -> WeChatApiClient:
    """The client for the configured mini-program; ``session`` is where the access token is cached."""
    return WeChatApiClient(
        settings.wechat_appid, settings.wechat_secret, settings.wechat_api_base, session=session
    )
