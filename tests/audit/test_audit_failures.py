"""A sink that cannot write makes `record` fail with AuditError, so the action is not done unaudited."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from coatcheck.audit import AuditLog, JsonLinesAuditSink, PostgresAuditSink, SQLiteAuditSink
from coatcheck.audit._sink import AuditSink
from coatcheck.errors import AuditError


def _log(sink: AuditSink) -> AuditLog:
    return AuditLog(sink, b"\x05" * 32)


def test_sqlite_read_only_database(tmp_path: Path) -> None:
    _log(SQLiteAuditSink(tmp_path / "a.db")).record(action="detect", tenant="acme")
    reader = _log(SQLiteAuditSink(tmp_path / "a.db", readonly=True))
    assert reader.verify().ok
    with pytest.raises(AuditError, match=r"audit database .*a\.db cannot write"):
        reader.record(action="protect", tenant="acme")
    assert reader.verify().events == 1


def test_sqlite_missing_database_cannot_be_opened_read_only(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="cannot be opened"):
        SQLiteAuditSink(tmp_path / "missing.db", readonly=True)


@pytest.mark.parametrize("kind", ["sqlite", "jsonl", "postgres"])
def test_closed_sinks_refuse_to_record(make_sink: Callable[[str], AuditSink], kind: str) -> None:
    log = _log(make_sink(kind))
    log.record(action="detect", tenant="acme")
    log.close()
    with pytest.raises(AuditError):
        log.record(action="protect", tenant="acme")


def test_jsonl_full_disk() -> None:
    log = _log(JsonLinesAuditSink("/dev/full"))
    with pytest.raises(AuditError, match="cannot write: OSError"):
        log.record(action="protect", tenant="acme")


def test_jsonl_unopenable_path(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(AuditError, match="cannot be opened"):
        JsonLinesAuditSink(tmp_path / "file" / "audit.jsonl")


def test_jsonl_stream_sink_writes_but_cannot_be_read(capsys: pytest.CaptureFixture[str]) -> None:
    log = _log(JsonLinesAuditSink(sys.stdout))
    event = log.record(action="protect", tenant="acme", entity_counts={"PERSON": 2})
    assert log.record(action="detect", tenant="acme").prev_mac == event.mac
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert '"PERSON":2' in lines[0]
    with pytest.raises(AuditError, match="cannot be read back"):
        log.query()


def test_jsonl_damaged_tail_stops_appends(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    _log(JsonLinesAuditSink(path)).record(action="detect", tenant="acme")
    with path.open("a") as fh:
        fh.write('{"half": ')
    with pytest.raises(AuditError, match="ends with a malformed line"):
        _log(JsonLinesAuditSink(path)).record(action="detect", tenant="acme")


def test_postgres_terminated_connection_fails_then_reconnects(pg_url: str, pg_schema: str) -> None:
    sink = PostgresAuditSink(pg_url, table=f"{pg_schema}.terminated")
    log = _log(sink)
    log.record(action="detect", tenant="acme")
    pid = sink._connection().info.backend_pid
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(AuditError, match="cannot write"):
        log.record(action="protect", tenant="acme")
    assert log.record(action="protect", tenant="acme").sequence == 2
    assert log.verify().ok
    sink.close()


def test_postgres_unreachable_server() -> None:
    with pytest.raises(AuditError, match="cannot be reached"):
        PostgresAuditSink("postgresql://postgres@127.0.0.1:1/test?connect_timeout=2")


@pytest.mark.parametrize("table", ["a;drop", "a.b.c", "", "1x"])
def test_postgres_table_names_are_identifiers(pg_url: str, table: str) -> None:
    with pytest.raises(AuditError, match="identifiers"):
        PostgresAuditSink(pg_url, table=table)


_WORKER = """
import sys
from coatcheck.audit import AuditLog, SQLiteAuditSink, JsonLinesAuditSink, PostgresAuditSink
kind, target = sys.argv[1], sys.argv[2]
sink = {"sqlite": SQLiteAuditSink, "jsonl": JsonLinesAuditSink}[kind](target) if kind != "postgres" else (
    PostgresAuditSink("postgresql://postgres@127.0.0.1:5432/test", table=target))
log = AuditLog(sink, b"\\x05" * 32)
for _ in range(25):
    log.record(action="protect", tenant="acme", entity_counts={"PERSON": 1})
"""


@pytest.mark.parametrize("kind", ["sqlite", "jsonl", "postgres"])
def test_processes_share_one_chain(tmp_path: Path, pg_schema: str, kind: str) -> None:
    target = {"sqlite": str(tmp_path / "a.db"), "jsonl": str(tmp_path / "a.jsonl")}.get(kind, f"{pg_schema}.procs")
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, kind, target]) for _ in range(3)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0]
    sink = (
        SQLiteAuditSink(target) if kind == "sqlite" else JsonLinesAuditSink(target) if kind == "jsonl"
        else PostgresAuditSink("postgresql://postgres@127.0.0.1:5432/test", table=target)
    )  # fmt: skip
    report = _log(sink).verify()
    sink.close()
    assert report.ok
    assert report.events == 75
