"""Recording, querying and verifying the chain on every sink; tampering is found and located."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from coatcheck.audit import AuditLog, JsonLinesAuditSink, PostgresAuditSink, SQLiteAuditSink
from coatcheck.errors import AuditError, ChainBroken, MissingKeyError
from coatcheck.keys import Keyring


def _fill(log: AuditLog, n: int = 6) -> None:
    for i in range(n):
        log.record(
            action="protect" if i % 2 == 0 else "decrypt",
            tenant="acme" if i % 3 else "globex",
            actor="svc-gateway",
            request_id=f"req-{i}",
            entity_counts={"EMAIL_ADDRESS": i, "PERSON": 1},
            pii_redacted=i % 2 == 0,
        )


def test_recorded_events_are_chained_and_verify(log: AuditLog) -> None:
    first = log.record(action="protect", tenant="acme", entity_counts={"US_SSN": 1}, pii_redacted=True)
    second = log.record(action="decrypt", tenant="acme", actor="alice@example.org", purpose="fraud_review")
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.prev_mac == "0" * 64
    assert second.prev_mac == first.mac != second.mac
    assert first.pii_detected
    assert first.pii_redacted
    assert not second.pii_detected
    assert first.timestamp == "2024-05-01T12:00:01.000000+00:00"
    report = log.verify()
    assert report.ok
    assert report.events == 2
    assert report.head_sequence == 2
    assert report.head_mac == second.mac
    assert str(report) == "audit chain ok: 2 events, head 2"
    report.raise_for_problem()
    assert log.query() == [first, second]


def test_an_empty_log_verifies(log: AuditLog) -> None:
    report = log.verify()
    assert (report.ok, report.events, report.head_sequence) == (True, 0, 0)


def test_query_filters_by_tenant_action_and_time(log: AuditLog) -> None:
    _fill(log)
    assert [e.sequence for e in log.query(tenant="globex")] == [1, 4]
    assert [e.sequence for e in log.query(action="decrypt")] == [2, 4, 6]
    assert [e.sequence for e in log.query(tenant="acme", action="protect")] == [3, 5]
    since = datetime(2024, 5, 1, 12, 0, 3, tzinfo=UTC)  # event n was recorded at 12:00:0n
    until = datetime(2024, 5, 1, 14, 0, 5, tzinfo=UTC).astimezone()  # any timezone; compared in UTC
    assert [e.sequence for e in log.query(since=since)] == [3, 4, 5, 6]
    assert [e.sequence for e in log.query(since=since, until=datetime(2024, 5, 1, 12, 0, 5, tzinfo=UTC))] == [3, 4]
    assert len(log.query(until=until)) == 6


def test_payload_hash_is_keyed_per_tenant(log: AuditLog, keyring: Keyring) -> None:
    a = log.record(action="protect", tenant="acme", payload="call 415-555-0132")
    b = log.record(action="protect", tenant="acme", payload=b"call 415-555-0132")
    c = log.record(action="protect", tenant="globex", payload="call 415-555-0132")
    assert a.payload_hash == b.payload_hash != c.payload_hash
    assert a.payload_hash == log.payload_hash("acme", "call 415-555-0132")
    other = AuditLog(log.sink, b"\x01" * 32, keyring=Keyring.ephemeral())
    assert other.payload_hash("acme", "call 415-555-0132") != a.payload_hash


def test_payload_needs_a_keyring(tmp_path: Path) -> None:
    log = AuditLog(SQLiteAuditSink(tmp_path / "a.db"), b"\x00" * 32)
    with pytest.raises(MissingKeyError, match="needs a keyring"):
        log.record(action="protect", tenant="acme", payload=b"x")
    assert log.query() == []


@pytest.mark.parametrize("key", [b"short", "x" * 32, b"\x00" * 33])
def test_chain_key_is_checked(tmp_path: Path, key: Any) -> None:
    with pytest.raises(MissingKeyError, match="32 bytes"):
        AuditLog(SQLiteAuditSink(tmp_path / "a.db"), key)


def test_another_chain_key_does_not_verify(log: AuditLog) -> None:
    _fill(log, 2)
    report = AuditLog(log.sink, b"\x09" * 32).verify()
    assert (report.ok, report.first_bad, report.problem) == (False, 1, "edited")
    with pytest.raises(ChainBroken, match="broken at event 1: edited"):
        report.raise_for_problem()


# -- tampering, per storage -----------------------------------------------------------------------------


PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _sql(log: AuditLog, statement: str) -> None:
    sink = log.sink
    if isinstance(sink, SQLiteAuditSink):
        with sqlite3.connect(sink.path) as conn:
            conn.execute(statement.replace("{table}", "audit_events"))
    else:
        assert isinstance(sink, PostgresAuditSink)
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(statement.replace("{table}", sink._name))  # type: ignore[arg-type]


def _lines(log: AuditLog) -> list[dict[str, Any]]:
    assert isinstance(log.sink, JsonLinesAuditSink)
    assert log.sink.path
    return [json.loads(line) for line in log.sink.path.read_text().splitlines()]


def _write_lines(log: AuditLog, rows: list[dict[str, Any]]) -> None:
    assert isinstance(log.sink, JsonLinesAuditSink)
    assert log.sink.path
    log.sink.path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _edit(log: AuditLog, sequence: int, column: str, value: Any) -> None:
    if isinstance(log.sink, JsonLinesAuditSink):
        rows = _lines(log)
        rows[sequence - 1][column] = value
        _write_lines(log, rows)
    else:
        literal = f"'{value}'" if isinstance(value, str) else str(value)
        _sql(log, f"UPDATE {{table}} SET {column} = {literal} WHERE sequence = {sequence}")  # noqa: S608 - test tampering, constants


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("tenant", "initech"),
        ("actor", "mallory"),
        ("entity_counts", {"EMAIL_ADDRESS": 0}),
        ("timestamp", "2030-01-01T00:00:00.000000+00:00"),
        ("mac", "f" * 64),
        ("action", "not-an-action"),
        ("entity_counts", "not json"),
    ],
)
def test_an_edited_event_is_named(log: AuditLog, column: str, value: Any) -> None:
    _fill(log)
    if column == "entity_counts" and not isinstance(log.sink, JsonLinesAuditSink):
        value = json.dumps(value) if isinstance(value, dict) else value
    _edit(log, 4, column, value)
    report = log.verify()
    assert (report.ok, report.first_bad, report.problem, report.head_sequence) == (False, 4, "edited", 3)


def test_a_deleted_event_is_named(log: AuditLog) -> None:
    _fill(log)
    if isinstance(log.sink, JsonLinesAuditSink):
        _write_lines(log, [r for r in _lines(log) if r["sequence"] != 3])
    else:
        _sql(log, "DELETE FROM {table} WHERE sequence = 3")
    report = log.verify()
    assert (report.ok, report.first_bad, report.problem) == (False, 3, "deleted")
    assert str(report) == "audit chain broken at event 3: deleted"


def test_renumbering_after_a_deletion_is_found(log: AuditLog) -> None:
    _fill(log)
    if isinstance(log.sink, JsonLinesAuditSink):
        rows = [r for r in _lines(log) if r["sequence"] != 3]
        for r in rows[2:]:
            r["sequence"] -= 1
        _write_lines(log, rows)
    else:
        _sql(log, "DELETE FROM {table} WHERE sequence = 3")
        for seq in (4, 5, 6):
            _sql(log, f"UPDATE {{table}} SET sequence = {seq - 1} WHERE sequence = {seq}")  # noqa: S608 - test tampering, constants
    report = log.verify()
    assert (report.first_bad, report.problem) == (3, "edited")


def test_reordered_lines_are_named(make_sink: Any, keyring: Keyring) -> None:
    log = AuditLog.for_keyring(make_sink("jsonl"), keyring)
    _fill(log)
    rows = _lines(log)
    rows[2], rows[3] = rows[3], rows[2]
    _write_lines(log, rows)
    report = log.verify()
    assert (report.ok, report.first_bad, report.problem) == (False, 3, "reordered")


def test_swapped_sequence_numbers_are_found(make_sink: Any, keyring: Keyring) -> None:
    log = AuditLog.for_keyring(make_sink("sqlite"), keyring)
    _fill(log)
    _sql(log, "UPDATE {table} SET sequence = -sequence WHERE sequence IN (2, 5)")
    _sql(log, "UPDATE {table} SET sequence = 5 WHERE sequence = -2")
    _sql(log, "UPDATE {table} SET sequence = 2 WHERE sequence = -5")
    assert (log.verify().first_bad, log.verify().problem) == (2, "edited")


def test_an_event_from_another_chain_is_relinked(make_sink: Any, keyring: Keyring) -> None:
    # Two chains under one key: splicing event 2 of one into the other keeps every MAC valid but not the links.
    a = AuditLog.for_keyring(make_sink("jsonl"), keyring)
    b = AuditLog(JsonLinesAuditSink(a.sink.path.with_name("b.jsonl")), keyring.derive("coatcheck-audit", "audit-chain"))  # type: ignore[attr-defined]
    _fill(a, 3)
    _fill(b, 3)
    rows = _lines(a)
    rows[1] = _lines(b)[1]
    _write_lines(a, rows)
    assert (a.verify().first_bad, a.verify().problem) == (2, "relinked")


def test_query_refuses_malformed_stored_events(log: AuditLog) -> None:
    _fill(log, 2)
    _edit(log, 2, "action", "bogus")
    with pytest.raises(AuditError, match="stored audit event 2 is malformed"):
        log.query()


# -- concurrency -----------------------------------------------------------------------------------------


def test_threads_share_one_chain(log: AuditLog) -> None:
    def work() -> None:
        for _ in range(15):
            log.record(action="protect", tenant="acme", entity_counts={"PERSON": 1})

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = log.verify()
    assert report.ok
    assert report.events == 60
    assert [e.sequence for e in log.query()] == list(range(1, 61))


def test_logs_reopen_and_continue_the_chain(tmp_path: Path, keyring: Keyring, clock: Any) -> None:
    for kind in ("sqlite", "jsonl"):
        make = (
            (lambda: SQLiteAuditSink(tmp_path / "a.db"))
            if kind == "sqlite"
            else (lambda: JsonLinesAuditSink(tmp_path / "a.jsonl"))
        )
        with AuditLog.for_keyring(make(), keyring, clock=clock) as log:
            _fill(log, 3)
        with AuditLog.for_keyring(make(), keyring) as log:
            assert log.record(action="detect", tenant="acme").sequence == 4
            assert log.verify().ok
