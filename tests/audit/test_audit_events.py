"""The event model has no free-text field: every field is an identifier, a number, a flag or a vocabulary word."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coatcheck.audit import ACTIONS, REASONS, AuditEvent, AuditLog
from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import InputError

BASE: dict[str, Any] = {
    "event_id": "e1",
    "timestamp": "2024-05-01T12:00:00.000000+00:00",
    "sequence": 1,
    "tenant": "acme",
    "action": "protect",
    "actor": "svc",
}
RAW = "Sarah Chen 536-22-8817 sarah.chen@example.com"


def test_the_fields_are_pinned() -> None:
    # A new field must be added here on purpose, after checking it cannot carry a raw value.
    assert [f.name for f in dataclasses.fields(AuditEvent)] == [
        "event_id", "timestamp", "sequence", "tenant", "action", "actor", "request_id", "entity_counts",
        "pii_detected", "pii_redacted", "decision", "mode", "payload_hash", "reason", "purpose", "key_version",
        "prev_mac", "mac",
    ]  # fmt: skip
    assert {"protect", "block", "decrypt", "reidentify", "key_rotate", "key_destroy", "policy_observe"} <= ACTIONS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tenant", RAW),
        ("actor", RAW),
        ("request_id", RAW),
        ("event_id", RAW),
        ("action", RAW),
        ("reason", RAW),
        ("purpose", RAW),
        ("purpose", "Fraud review"),
        ("decision", RAW),
        ("mode", RAW),
        ("payload_hash", RAW),
        ("timestamp", RAW),
        ("prev_mac", RAW),
        ("entity_counts", {RAW: 1}),
        ("entity_counts", {"sarah": 1}),
        ("entity_counts", {"PERSON": -1}),
        ("entity_counts", {"PERSON": True}),
        ("entity_counts", {"PERSON": 1.0}),
        ("pii_detected", "yes"),
        ("key_version", 0),
        ("sequence", 0),
    ],
)
def test_values_outside_the_vocabulary_are_refused_without_echoing_them(field: str, value: Any) -> None:
    with pytest.raises(InputError, match=field.split("_")[0]) as info:
        AuditEvent(**{**BASE, field: value})
    for part in RAW.split():
        assert part not in str(info.value)


@given(text=st.text(min_size=1, max_size=40).filter(lambda t: any(c.isspace() for c in t)))
def test_no_identifier_field_accepts_text_with_spaces(text: str) -> None:
    for field in ("tenant", "actor", "request_id", "event_id", "purpose", "reason"):
        with pytest.raises(InputError):
            AuditEvent(**{**BASE, field: text})


@given(name=st.text(max_size=30).filter(lambda t: t not in ENTITY_TYPES))
def test_entity_counts_only_take_taxonomy_names(name: str) -> None:
    with pytest.raises(InputError):
        AuditEvent(**{**BASE, "entity_counts": {name: 1}})


def test_every_vocabulary_word_is_accepted() -> None:
    for action in ACTIONS:
        AuditEvent(**{**BASE, "action": action})
    for reason in REASONS:
        AuditEvent(**{**BASE, "reason": reason})
    event = AuditEvent(**{**BASE, "entity_counts": {"PERSON": 2, "EMAIL_ADDRESS": 1}})
    assert list(event.entity_counts) == ["EMAIL_ADDRESS", "PERSON"]  # canonical order


def test_a_bad_field_records_nothing(tmp_path: Any) -> None:
    from coatcheck.audit import SQLiteAuditSink

    log = AuditLog(SQLiteAuditSink(tmp_path / "a.db"), b"\x00" * 32)
    with pytest.raises(InputError, match="reason"):
        log.record(action="block", tenant="acme", reason="the SSN 536-22-8817 was found")
    assert log.query() == []
    assert log.record(action="block", tenant="acme", reason="policy_block", decision="block").sequence == 1


def test_from_dict_refuses_unknown_or_missing_fields() -> None:
    event = AuditEvent(**BASE)
    with pytest.raises(InputError, match="unexpected fields"):
        AuditEvent.from_dict({**event.as_dict(), "note": RAW})
    data = event.as_dict()
    del data["mac"]
    with pytest.raises(InputError, match="unexpected fields"):
        AuditEvent.from_dict(data)
    assert AuditEvent.from_dict(event.as_dict()) == event
