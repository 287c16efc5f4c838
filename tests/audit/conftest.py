"""Audit fixtures: one log per sink kind, PostgreSQL in a schema of its own for this run (dropped after)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from coatcheck.audit import AuditLog, JsonLinesAuditSink, PostgresAuditSink, SQLiteAuditSink
from coatcheck.audit._sink import AuditSink
from coatcheck.keys import Keyring

PG_URL = os.environ.get("COATCHECK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
SINKS = ("sqlite", "jsonl", "postgres")


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    schema = f"cc_audit_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(PG_URL, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL} ({exc}); the audit tests need the real server")
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield schema
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.ephemeral(bytes(range(32)))


class Clock:
    """A clock that advances one second per reading."""

    def __init__(self, start: datetime = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def make_sink(tmp_path: Path, pg_schema: str) -> Iterator[Callable[[str], AuditSink]]:
    opened: list[AuditSink] = []

    def make(kind: str) -> AuditSink:
        sink: AuditSink
        if kind == "sqlite":
            sink = SQLiteAuditSink(tmp_path / "audit.db")
        elif kind == "jsonl":
            sink = JsonLinesAuditSink(tmp_path / "audit.jsonl")
        else:
            sink = PostgresAuditSink(PG_URL, table=f"{pg_schema}.audit_{uuid.uuid4().hex[:10]}")
        opened.append(sink)
        return sink

    yield make
    for sink in opened:
        sink.close()


@pytest.fixture
def pg_url() -> str:
    return PG_URL


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=SINKS)
def log(request: pytest.FixtureRequest, make_sink: Callable[[str], AuditSink], keyring: Keyring) -> AuditLog:
    return AuditLog.for_keyring(make_sink(request.param), keyring, clock=Clock())
