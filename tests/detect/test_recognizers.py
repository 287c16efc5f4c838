"""Every built-in recognizer row, checked against its own examples and counterexamples by the full fast engine.

An example marks each value that must be found with ``«`` and ``»``: the engine must report exactly that span
with the row's entity type, and the row itself must have produced it (so no row is dead weight). In a
counterexample the row's entity type must not be reported anywhere.
"""

from __future__ import annotations

import pytest
import re2

from coatcheck.detect.engine import Detector
from coatcheck.detect.recognizers import BUILTIN_RECOGNIZERS, FAMILIES
from coatcheck.detect.types import Recognizer
from coatcheck.entities import ENTITY_TYPES

# Types found by name/place/medical rules and NER rather than by patterns.
NOT_PATTERN_TYPES = {"PERSON", "LOCATION", "ORGANIZATION", "STREET_ADDRESS", "MEDICAL_CONDITION", "MEDICATION"}


def parse_marked(example: str) -> tuple[str, list[tuple[int, int]]]:
    """Strip the ``«»`` marks; return the plain text and the marked spans in it."""
    text, spans, i = "", [], 0
    while (start := example.find("«", i)) >= 0:
        end = example.index("»", start)
        text += example[i:start]
        spans.append((len(text), len(text) + end - start - 1))
        text += example[start + 1 : end]
        i = end + 1
    return text + example[i:], spans


EXAMPLES = [
    pytest.param(row, text, id=f"{row.name}-{i}") for row in BUILTIN_RECOGNIZERS for i, text in enumerate(row.examples)
]
COUNTEREXAMPLES = [
    pytest.param(row, text, id=f"{row.name}-{i}")
    for row in BUILTIN_RECOGNIZERS
    for i, text in enumerate(row.counterexamples)
]


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(profile="fast")


@pytest.mark.parametrize(("row", "example"), EXAMPLES)
def test_example_is_found(detector: Detector, row: Recognizer, example: str) -> None:
    text, spans = parse_marked(example)
    assert spans, "an example must mark at least one value"
    found = {(e.type, e.start, e.end) for e in detector.detect(text)}
    from_row = {
        (c.entity.start, c.entity.end)
        for c in detector.explain(text)
        if c.entity.recognizer == row.name and c.dropped in (None, "overlap")
    }
    for start, end in spans:
        assert (row.entity, start, end) in found, f"{row.entity} {text[start:end]!r} not found; found {found}"
        assert (start, end) in from_row, f"{text[start:end]!r} was found, but not by {row.name}"


@pytest.mark.parametrize(("row", "counterexample"), COUNTEREXAMPLES)
def test_counterexample_is_not_flagged(detector: Detector, row: Recognizer, counterexample: str) -> None:
    flagged = [counterexample[e.start : e.end] for e in detector.detect(counterexample) if e.type == row.entity]
    assert flagged == []


def test_parse_marked() -> None:
    assert parse_marked("a «b» c «de»") == ("a b c de", [(2, 3), (6, 8)])


@pytest.mark.parametrize("row", BUILTIN_RECOGNIZERS, ids=lambda row: row.name)
def test_row_is_well_formed(row: Recognizer) -> None:
    pattern = f"(?i){row.pattern}" if row.case_insensitive else row.pattern
    compiled = re2.compile(pattern)
    assert row.entity in ENTITY_TYPES
    assert set(compiled.groupindex) <= {"value"}
    assert 0.0 < row.score <= 1.0
    assert len(row.examples) >= 2
    assert len(row.counterexamples) >= 2
    assert all(word == word.lower() for word in (*row.context, *row.negative_context))


def test_names_are_unique_and_families_cover_the_tuple() -> None:
    names = [row.name for row in BUILTIN_RECOGNIZERS]
    assert len(names) == len(set(names))
    assert sum(len(rows) for rows in FAMILIES.values()) == len(BUILTIN_RECOGNIZERS)


def test_every_pattern_type_has_a_recognizer() -> None:
    covered = {row.entity for row in BUILTIN_RECOGNIZERS}
    assert covered == set(ENTITY_TYPES) - NOT_PATTERN_TYPES


def test_weak_rows_need_context() -> None:
    """A row that starts below the threshold must have context words that can lift it over."""
    for row in BUILTIN_RECOGNIZERS:
        if row.score < 0.5:
            assert row.context, row.name
            assert row.score + row.context_boost >= 0.5, row.name


@pytest.mark.parametrize(
    "text",
    [
        "Order #88213945 shipped; tracking 1Z999AA10123456784, ETA 2 days.",
        "commit 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b fixed the build (v2.14.3).",
        "request_id=123e4567-e89b-12d3-a456-426614174000 latency=132ms status=200",
        "2024-03-12T10:22:01.332Z INFO worker-3 processed 1500 events",
        "Reference 4532123412341235 was reconciled; total $1,299.00 incl. tax.",
        "Upgrade numpy to 1.26.4 and pandas to 2.2.1.3; see section 4.1.2.",
        "Event at 1710238921 (epoch) took 42 ms.",
        "sha256: 5d41402abc4b2a76b9719d911017c592a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "Invoice INV-2024-00042: 3 items at $19.99, shipping 4.50 EUR.",
        "Docker image app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 pulled.",
        "Deployed 2.7.6.73 to prod at 2024-04-05T11:14:28Z; commit 1777b513c011ad0241890f367f4d1215e75488cd.",
        "docker pull ghcr.io/acme/api:8.0.1.75 && docker run -p 8080:8080 acme/api",
        "Kafka consumer lag on partition 12 is 88213 messages since 2024-04-28 00:50:20,613",
        "Pharmacy note: lot 713-84-9760 of the batch was recalled.",
        "Please try updating to 4.6.8.78 and restarting the device.",
        "PS5 1TB bundle, SKU-11018, ships in 3 days for $499.00.",
    ],
)
def test_pii_free_lookalikes_stay_quiet(detector: Detector, text: str) -> None:
    """Identifiers that merely look like personal data produce no pattern finding at all."""
    pattern_types = set(ENTITY_TYPES) - NOT_PATTERN_TYPES
    assert [(e.type, e.text) for e in detector.detect(text) if e.type in pattern_types] == []
