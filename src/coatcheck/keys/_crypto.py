"""The low-level primitives, in one place: AES-256-GCM, AES-256-SIV, HKDF-SHA256 and strict base64url.

Nothing outside ``coatcheck.keys`` imports ``cryptography.hazmat`` (ruff TID251); everything here is a thin,
typed recipe over pyca/cryptography.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from coatcheck.errors import KeyManagementError

__all__ = [
    "AESGCM",
    "AESSIV",
    "DERIVE_SALT",
    "KEY_BYTES",
    "NONCE_BYTES",
    "b64d",
    "b64e",
    "check_key",
    "derive_key",
    "hkdf",
    "lp",
]

KEY_BYTES = 32
NONCE_BYTES = 12
DERIVE_SALT = b"coatcheck/derive/v1"


def check_key(key: object, what: str, length: int = KEY_BYTES) -> bytes:
    """Return ``key`` if it is ``length`` bytes, else raise a typed error naming ``what`` (not the value)."""
    if not isinstance(key, bytes | bytearray):
        raise KeyManagementError(f"{what} must be bytes, got {type(key).__name__}")
    if len(key) != length:
        raise KeyManagementError(f"{what} must be {length} bytes, got {len(key)}")
    return bytes(key)


def lp(*parts: bytes) -> bytes:
    """Length-prefixed concatenation, so ("ab", "c") and ("a", "bc") never collide."""
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


def hkdf(ikm: bytes, *, salt: bytes, info: bytes, length: int = KEY_BYTES) -> bytes:
    """HKDF-SHA256 (RFC 5869)."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def derive_key(secret: bytes, tenant: str, purpose: str) -> bytes:
    """The keyed derivation behind ``Keyring.derive``; its bytes are pinned by a known-answer test."""
    info = lp(b"coatcheck/derive", tenant.encode(), purpose.encode())
    return hkdf(secret, salt=DERIVE_SALT, info=info)


def b64e(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    """Strict unpadded base64url: non-canonical encodings (e.g. flipped padding bits) are rejected.

    Raises:
        ValueError: on any malformed input.
    """
    if not text.isascii():
        raise ValueError("not ascii")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("bad base64") from exc
    if b64e(data) != text:
        raise ValueError("non-canonical base64")
    return data
