from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable

import pytest

from coatcheck.detect.types import Entity
from coatcheck.keys import Keyring

MASTER = b"m" * 32

# A small pattern detector: protect's tests need known, exact spans, independent of the real engine's tuning.
_PATTERNS = [
    ("EMAIL_ADDRESS", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    ("IBAN_CODE", r"\b[A-Z]{2}\d{2}(?: ?[0-9]{4}){4} ?\d{2}\b"),
    ("CREDIT_CARD", r"\b(?:\d{4}[- ]){3}\d{4}\b"),
    ("US_SSN", r"\b\d{3}-\d{2}-\d{4}\b"),
    ("PHONE_NUMBER", r"\(?\b\d{3}\)?[- ]\d{3}-\d{4}\b"),
    ("DATE_OF_BIRTH", r"\b\d{4}-\d{2}-\d{2}\b"),
    ("IP_ADDRESS", r"\b\d{1,3}(?:\.\d{1,3}){3}\b"),
    ("PERSON", r"\b(?:Dr\. )?(?:Sarah Chen|John Doe|Maria Garcia|Sarah|Chen|Michael Brown)(?:'s)?\b"),
]
_COMPILED = [(t, re.compile(p)) for t, p in _PATTERNS]


class PatternDetector:
    """Finds the few shapes the tests use; counts calls so views can prove one detection pass."""

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, text: str) -> list[Entity]:
        return self.detect_batch([text])[0]

    def detect_batch(self, texts: Iterable[str]) -> list[list[Entity]]:
        out = []
        for text in texts:
            self.calls += 1
            found: list[Entity] = []
            taken: list[tuple[int, int]] = []
            for etype, pattern in _COMPILED:
                for m in pattern.finditer(text):
                    if any(m.start() < e and s < m.end() for s, e in taken):
                        continue
                    taken.append((m.start(), m.end()))
                    found.append(Entity(etype, m.start(), m.end(), 0.9, "test", m.group()))
            out.append(sorted(found, key=lambda e: e.start))
        return out


def make_spans(text: str, *pairs: tuple[str, str]) -> list[Entity]:
    """Entities for the given (type, substring) pairs, at their first occurrence."""
    out = []
    for etype, value in pairs:
        start = text.index(value)
        out.append(Entity(etype, start, start + len(value), 0.9, "test", value))
    return out


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.ephemeral(MASTER, random=random.Random(11).randbytes)  # reproducible derivations


@pytest.fixture
def detector() -> PatternDetector:
    return PatternDetector()


@pytest.fixture
def spans() -> Callable[..., list[Entity]]:
    return make_spans
