"""The history cache: same entities as the detector, no values stored, bounded."""

from __future__ import annotations

from coatcheck.detect.engine import Detector
from coatcheck.gateway._cache import CachedDetector

HISTORY = [
    "Earlier turn: I'm Sarah Chen, reach me at sarah.chen@example.com or (415) 555-0132. " * 3,
    "Then Bob Stone wrote from bob.stone@example.org about card 4532 0151 1283 0366, twice. " * 3,
]


def test_cached_results_equal_fresh_detection_and_hold_no_values():
    detector = Detector("fast")
    cached = CachedDetector(detector, size=8)
    first = cached.detect_batch(HISTORY)
    again = cached.detect_batch([*HISTORY, "short: ann@example.com"])
    assert cached.hits == 2
    assert again[:2] == first == detector.detect_batch(HISTORY)
    assert [e.text for e in again[0]] == [e.text for e in first[0]]
    assert again[2][0].text == "ann@example.com"  # short texts are not cached, only detected
    stored = repr(list(cached._entries.items())) + repr(cached)
    for value in ("Sarah Chen", "sarah.chen@example.com", "4532 0151 1283 0366", "ann@example.com"):
        assert value not in stored


def test_the_cache_is_bounded():
    cached = CachedDetector(Detector("fast"), size=3, min_chars=10)
    cached.detect_batch([f"message number {i} from sarah.chen@example.com" for i in range(10)])
    assert len(cached._entries) == 3
