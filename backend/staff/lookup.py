"""Finding a person by a full ID number or phone without the number travelling in a URL (proxies and
browser histories keep URLs). The number goes in a POST body once and comes back as a lookup token —
its keyed blind index, signed and short-lived — which queue URLs may carry instead.

A queue's free-text ``q`` refuses a value that is a whole ID number or phone."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from backend.common import crypto
from backend.common.errors import InvalidInput
from backend.common.idcard import id_number_error

ID_NUMBER = "id_number"
MOBILE = "mobile"
TOKEN_HOURS = 12
IN_URL_REFUSED = "完整身份证号、手机号不能放在网址里查询，请使用“按证件号/手机号查找”（号码只在表单中提交）"


@dataclass(frozen=True)
class Lookup:
    kind: str  # id_number | mobile
    digest: str  # the blind index the rows carry (``id_blind``, ``mobile_blind`` …)


def classify(value: str) -> str | None:
    """``id_number`` for a whole valid ID number, ``mobile`` for a whole mainland phone, else None."""
    text = (value or "").strip().replace(" ", "").upper()
    if len(text) == 18 and id_number_error(text) is None:
        return ID_NUMBER
    if len(text) == 11 and text.isdigit() and text.startswith("1"):
        return MOBILE
    return None


def refuse_in_url(q: str | None) -> None:
    """A queue filter refuses a whole ID number or phone in its (URL) text search."""
    if q:
        text = q.strip().replace(" ", "")
        if classify(text) or (len(text) == 18 and text[:17].isdigit()):
            raise InvalidInput("q", IN_URL_REFUSED)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff-lookup")


def make_token(value: str) -> tuple[str, str]:
    """(token, kind) for a whole ID number or phone; 422 for anything else."""
    kind = classify(value)
    text = (value or "").strip().replace(" ", "").upper()
    if kind == ID_NUMBER:
        digest = crypto.id_number_index(text)
    elif kind == MOBILE:
        digest = crypto.phone_index(text)
    else:
        raise InvalidInput("value", "请输入完整的18位身份证号或11位手机号")
    return _serializer().dumps({"k": kind, "d": digest}), kind


def read_token(token: str) -> Lookup:
    try:
        data = _serializer().loads(token, max_age=TOKEN_HOURS * 3600)
    except BadSignature as exc:  # tampered or expired
        raise InvalidInput("lookup", "查询令牌无效或已过期，请重新查找") from exc
    if not isinstance(data, dict) or data.get("k") not in (ID_NUMBER, MOBILE) or not data.get("d"):
        raise InvalidInput("lookup", "查询令牌无效或已过期，请重新查找")
    return Lookup(kind=data["k"], digest=str(data["d"]))
