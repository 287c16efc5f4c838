"""A detection cache for conversation histories: clients resend every earlier message with each turn.

Without it the gateway would scan a growing history again and again (quadratic in the length of a chat). The
cache holds no values: keys are keyed BLAKE2b digests of the text (a random key per process, so equal texts
cannot be probed from outside) and entries are spans (type, offsets, score), turned back into entities with
the text of the request at hand.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable

from coatcheck.detect.types import Entity
from coatcheck.session import DetectorLike

__all__ = ["CachedDetector"]

_Span = tuple[str, int, int, float, str, tuple[str, ...]]


class CachedDetector:
    """Wraps a detector; texts of at least ``min_chars`` characters are remembered (LRU, ``size`` entries)."""

    def __init__(self, detector: DetectorLike, size: int = 4096, min_chars: int = 200) -> None:
        self.detector = detector
        self.size = size
        self.min_chars = min_chars
        self._key = os.urandom(32)
        self._entries: OrderedDict[bytes, tuple[_Span, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def __repr__(self) -> str:
        return f"CachedDetector({self.detector!r}, entries={len(self._entries)})"

    def _digest(self, text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=self._key, digest_size=20).digest()

    def detect_batch(self, texts: Iterable[str]) -> list[list[Entity]]:
        batch = list(texts)
        keys: list[bytes | None] = [self._digest(t) if len(t) >= self.min_chars else None for t in batch]
        found: list[list[Entity] | None] = [None] * len(batch)
        with self._lock:
            for index, key in enumerate(keys):
                spans = self._entries.get(key) if key is not None else None
                if spans is not None:
                    self._entries.move_to_end(key)  # type: ignore[arg-type]
                    found[index] = [_entity(batch[index], span) for span in spans]
                    self.hits += 1
        missing = [i for i, entities in enumerate(found) if entities is None]
        if missing:
            fresh = self.detector.detect_batch([batch[i] for i in missing])
            with self._lock:
                for index, entities in zip(missing, fresh, strict=True):
                    found[index] = entities
                    key = keys[index]
                    if key is not None:
                        self._entries[key] = tuple(
                            (e.type, e.start, e.end, e.score, e.recognizer, e.context) for e in entities
                        )
                        if len(self._entries) > self.size:
                            self._entries.popitem(last=False)
        return [entities or [] for entities in found]


def _entity(text: str, span: _Span) -> Entity:
    kind, start, end, score, recognizer, context = span
    return Entity(kind, start, end, score, recognizer, text[start:end], context)
