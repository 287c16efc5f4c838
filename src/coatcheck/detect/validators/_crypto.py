"""Cryptocurrency addresses: base58check (Bitcoin legacy), bech32/bech32m (SegWit), Ethereum."""

from __future__ import annotations

import hashlib

from coatcheck.detect.validators._common import all_same

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(_B58)}


def _b58decode(value: str) -> bytes | None:
    if not value or len(value) > 128 or any(ch not in _B58_INDEX for ch in value):
        return None
    n = 0
    for ch in value:
        n = n * 58 + _B58_INDEX[ch]
    return b"\x00" * (len(value) - len(value.lstrip("1"))) + n.to_bytes((n.bit_length() + 7) // 8, "big")


def base58check(value: str) -> bool:
    """Base58 that decodes to payload + 4-byte double-SHA-256 checksum."""
    raw = _b58decode(value)
    if raw is None or len(raw) < 5:
        return False
    payload, check = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == check


def bitcoin_address(value: str) -> bool:
    """Legacy P2PKH/P2SH address: base58check, 25 bytes, a mainnet or testnet version byte."""
    raw = _b58decode(value)
    return raw is not None and len(raw) == 25 and raw[0] in (0x00, 0x05, 0x6F, 0xC4) and base58check(value)


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def bech32(value: str) -> bool:
    """BIP-173/BIP-350 segwit address (bech32 or bech32m checksum), ``bc`` or ``tb``, one case."""
    if value.lower() != value and value.upper() != value:
        return False
    s = value.lower()
    hrp, sep, data = s.rpartition("1")
    if not sep or hrp not in ("bc", "tb") or not 6 < len(data) <= 88 or any(c not in _BECH32 for c in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + [_BECH32.index(c) for c in data]
    return _bech32_polymod(values) in (1, 0x2BC830A3)


def ethereum_address(value: str) -> bool:
    """``0x`` + 40 hex digits that are not all one digit (EIP-55 case needs Keccak, which we do not ship)."""
    body = value[2:]
    return (
        value[:2] in ("0x", "0X")
        and len(body) == 40
        and not all_same(body.lower())
        and all(c in "0123456789abcdefABCDEF" for c in body)
    )
