"""会员卡 — card numbers and the signed QR payload a phone shows and staff verify."""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from backend.common.errors import DomainError, NotFound
from backend.extensions import db
from backend.members.models import Member

CARD_QR_TTL_SECONDS = 300  # the phone refreshes its QR code; a screenshot stops working soon


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card_number(member_id: int, joined: datetime) -> str:
    """16 digits: year joined, the member id, and a Luhn check digit against typing mistakes."""
    body = f"{joined.year:04d}{member_id:011d}"
    return body + luhn_digit(body)


def card_number_is_valid(value: str) -> bool:
    return len(value) == 16 and value.isdigit() and luhn_digit(value[:-1]) == value[-1]


class CardInvalid(DomainError):
    status = 422
    code = "card_invalid"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="zhigong.member-card")


def sign_card(secret_key: str, *, member_id: int, card_no: str) -> str:
    return _serializer(secret_key).dumps({"m": member_id, "c": card_no})


def read_card(secret_key: str, token: str) -> dict:
    """Verify a scanned QR payload; raises CardInvalid with a Chinese reason."""
    try:
        return _serializer(secret_key).loads(token, max_age=CARD_QR_TTL_SECONDS)
    except SignatureExpired as exc:
        raise CardInvalid("会员码已过期，请让会员刷新后重新出示") from exc
    except BadSignature as exc:
        raise CardInvalid("会员码无效") from exc


def verify_card(secret_key: str, payload: str):
    """会员卡核验: the active member a scanned (or typed) QR payload belongs to, or a Chinese refusal
    (an expired or forged code, a card that was replaced, a membership that ended)."""

    claims = read_card(secret_key, payload)
    member = db.session.get(Member, claims["m"])
    if member is None or member.card_no != claims["c"] or member.status != "active":
        raise NotFound("会员不存在或会籍已变更", code="card_unknown")
    return member
