"""Hostile input: every built-in pattern and the whole fast engine must finish on 1 MB of it.

RE2 is linear, so these are not speed tests; the wall-clock bound is a generous sanity guard against a pattern
that would fall back to something pathological (and against a Python-side loop that is quadratic).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import re2

from coatcheck.detect.engine import Detector
from coatcheck.detect.recognizers import BUILTIN_RECOGNIZERS
from coatcheck.detect.types import Entity

pytestmark = pytest.mark.slow

MB = 1_000_000
GUARD_SECONDS = 20.0
PEM_HEADER = "-----BEGIN RSA " + "PRIVATE KEY-----\n"

ADVERSARIAL = {
    "digit_run": "7" * MB,
    "spaced_digits": "4 " * (MB // 2),
    "card_groups": "4111 " * (MB // 5),
    "email_dots": "a@" + "a." * (MB // 2),
    "unclosed_quote": 'password="' + "x" * MB,
    "pem_without_end": PEM_HEADER + "QUJD" * (MB // 4),
    "begin_repeated": "-----BEGIN" * (MB // 10),
    "scheme_repeated": "://" * (MB // 3),
    "base64_token": "QUJDRGVmZ2g" * (MB // 11),
    "dotted_numbers": "1." * (MB // 2),
    "colon_hex": "ab:" * (MB // 3),
    "plus_ones": "+1 " * (MB // 3),
    "jwt_prefix": "eyJ" + "a" * MB + ".",
    "userinfo_colons": "postgres://" + "a:" * (MB // 2),
    "ado_pairs": "Server=x;" * (MB // 9),
    "escaped_newlines": "\\n" * (MB // 2),
}


def _compiled(pattern: str, case_insensitive: bool) -> Any:
    return re2.compile(f"(?i){pattern}" if case_insensitive else pattern)


PATTERNS = [(row.name, _compiled(row.pattern, row.case_insensitive)) for row in BUILTIN_RECOGNIZERS]


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_every_pattern_finishes(name: str) -> None:
    text = ADVERSARIAL[name]
    started = time.monotonic()
    counts = {row: sum(1 for _ in regex.finditer(text)) for row, regex in PATTERNS}
    assert time.monotonic() - started < GUARD_SECONDS
    assert set(counts) == {row for row, _ in PATTERNS}


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(profile="fast")


def _check(entities: list[Entity], text: str) -> None:
    assert isinstance(entities, list)
    for entity in entities:
        assert 0 <= entity.start < entity.end <= len(text)
        assert entity.text == text[entity.start : entity.end]


def test_engine_finishes_on_a_mixed_megabyte(detector: Detector) -> None:
    share = MB // len(ADVERSARIAL)
    blob = " ".join(text[:share] for text in ADVERSARIAL.values())
    started = time.monotonic()
    entities = detector.detect(blob)
    assert time.monotonic() - started < GUARD_SECONDS
    _check(entities, blob)
    assert "PRIVATE_KEY" in {e.type for e in entities}  # the header + base64 body is a (truncated) key


@pytest.mark.parametrize("name", ["digit_run", "pem_without_end", "unclosed_quote", "jwt_prefix"])
def test_engine_finishes_on_a_whole_megabyte(detector: Detector, name: str) -> None:
    text = ADVERSARIAL[name]
    started = time.monotonic()
    entities = detector.detect(text)
    assert time.monotonic() - started < GUARD_SECONDS
    _check(entities, text)
