"""Deterministic, keyed randomness: HMAC-SHA256 in counter mode.

Every keyed choice (a token, a stand-in, a date offset) comes from `KeyedRandom(key, *parts)`, so two processes
with the same key make the same choice for the same input, with no shared state.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import TypeVar

__all__ = ["KeyedRandom", "keyed_hex"]

T = TypeVar("T")


def keyed_hex(key: bytes, *parts: str) -> str:
    """HMAC-SHA256 of the parts (joined unambiguously), as 64 hex characters."""
    return hmac.new(key, _message(parts), hashlib.sha256).hexdigest()


def _message(parts: Sequence[str]) -> bytes:
    return b"".join(len(p.encode()).to_bytes(4, "big") + p.encode() for p in parts)


class KeyedRandom:
    """A reproducible stream of choices derived from ``key`` and ``parts``; not a general RNG."""

    __slots__ = ("_block", "_buffer", "_key", "_pos", "_seed")

    def __init__(self, key: bytes, *parts: str) -> None:
        self._key = key
        self._seed = _message(parts)
        self._block = 0
        self._buffer = b""
        self._pos = 0

    def __repr__(self) -> str:
        return "KeyedRandom()"

    def _byte(self) -> int:
        if self._pos >= len(self._buffer):
            self._buffer = hmac.new(self._key, self._seed + self._block.to_bytes(4, "big"), hashlib.sha256).digest()
            self._block += 1
            self._pos = 0
        value = self._buffer[self._pos]
        self._pos += 1
        return value

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` (rejection sampling, no modulo bias)."""
        if n <= 1:
            return 0
        nbytes = (n.bit_length() + 7) // 8
        limit = (256**nbytes // n) * n
        while True:
            value = 0
            for _ in range(nbytes):
                value = value * 256 + self._byte()
            if value < limit:
                return value % n

    def between(self, low: int, high: int) -> int:
        """A uniform integer in ``[low, high]``."""
        return low + self.below(high - low + 1)

    def choice(self, seq: Sequence[T]) -> T:
        """One element of a non-empty sequence."""
        return seq[self.below(len(seq))]

    def digits(self, count: int) -> str:
        """``count`` decimal digits."""
        return "".join(str(self.below(10)) for _ in range(count))

    def seed(self) -> int:
        """A 64-bit integer to seed another generator (Faker) reproducibly."""
        return int.from_bytes(bytes(self._byte() for _ in range(8)), "big")
