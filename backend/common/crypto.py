"""Field encryption for personal data (PIPL): AES-256-GCM at rest plus a keyed blind index.

One ``DATA_KEY`` (32 random bytes, base64) is stretched with HKDF into two independent keys: one
encrypts, the other computes the HMAC blind index used for equality look-ups ("is this ID number
already a member?") without storing or comparing plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

_VERSION = b"\x01"  # ciphertext format/key version, kept in front of each value for rotation


class Keyring:
    def __init__(self, data_key: str):
        raw = base64.b64decode(data_key)
        if len(raw) < 32:
            raise ValueError("DATA_KEY must be at least 32 bytes, base64-encoded")
        self._aead = AESGCM(self._derive(raw, b"zhigong field encryption"))
        self._index_key = self._derive(raw, b"zhigong blind index")

    @staticmethod
    def _derive(raw: bytes, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)

    def encrypt(self, plaintext: str) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext.encode(), None)

    def decrypt(self, blob: bytes) -> str:
        if blob[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        return self._aead.decrypt(blob[1:13], blob[13:], None).decode()

    def blind_index(self, value: str, *, purpose: str) -> str:
        """Deterministic keyed digest; ``purpose`` keeps ID and phone indexes unrelated."""
        message = f"{purpose}:{value}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


_keyring: Keyring | None = None


def configure(data_key: str) -> None:
    global _keyring
    _keyring = Keyring(data_key)


def keyring() -> Keyring:
    if _keyring is None:
        raise RuntimeError("field encryption is not configured (create_app sets it)")
    return _keyring


def id_number_index(id_number: str) -> str:
    return keyring().blind_index(id_number.upper(), purpose="id")


def phone_index(phone: str) -> str:
    return keyring().blind_index(phone, purpose="phone")


class Encrypted(TypeDecorator):
    """A string column stored as AES-GCM ciphertext."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else keyring().decrypt(bytes(value))


def mask_id_number(value: str | None) -> str | None:
    """110105********123X → first three and last four characters visible."""
    if not value:
        return value
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    if not value:
        return value
    return value[:3] + "****" + value[-4:]


def mask_name(value: str | None) -> str | None:
    """张三丰 → 张**: enough for a card holder to recognise themselves, not to identify them."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)
