"""Audit events in PostgreSQL (psycopg 3); appends serialize on a transaction-scoped advisory lock."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from coatcheck.audit._event import GENESIS_MAC, AuditEvent
from coatcheck.audit._sink import Builder, Filters, Record
from coatcheck.audit._sqlite import COLUMNS, event_to_row, row_to_record, where_clause
from coatcheck.errors import AuditError

__all__ = ["PostgresAuditSink"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (
    sequence BIGINT PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, timestamp TEXT NOT NULL, tenant TEXT NOT NULL,
    action TEXT NOT NULL, actor TEXT NOT NULL, request_id TEXT, entity_counts TEXT NOT NULL,
    pii_detected BOOLEAN NOT NULL, pii_redacted BOOLEAN NOT NULL, decision TEXT NOT NULL, mode TEXT NOT NULL,
    payload_hash TEXT, reason TEXT, purpose TEXT, key_version INTEGER, prev_mac TEXT NOT NULL, mac TEXT NOT NULL
)
"""


class PostgresAuditSink:
    """Audit events in a PostgreSQL table (created if missing).

    Args:
        dsn: libpq connection string or URL.
        table: table name, optionally ``schema.table``.
    """

    def __init__(self, dsn: str, *, table: str = "coatcheck_audit") -> None:
        parts = table.split(".")
        if not 1 <= len(parts) <= 2 or not all(p.isidentifier() for p in parts):
            raise AuditError("audit table must be 'name' or 'schema.name' (identifiers)")
        self._dsn = dsn
        self._table = sql.Identifier(*parts)
        self._name = table
        # A stable 63-bit number for the advisory lock that serializes appends to this table.
        self._lock_id = int.from_bytes(hashlib.sha256(table.encode()).digest()[:8], "big") >> 1
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._closed = False
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction():  # under the append lock: concurrent first starts race on CREATE
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_id,))
                    conn.execute(sql.SQL(_SCHEMA).format(table=self._table))
            except psycopg.Error as exc:
                raise AuditError(f"audit table {table} cannot be created: {type(exc).__name__}") from None

    def __repr__(self) -> str:
        return f"PostgresAuditSink(table={self._name!r})"

    def _connection(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise AuditError("audit sink is closed")
        if self._conn is None or self._conn.closed or self._conn.broken:
            try:
                self._conn = psycopg.connect(self._dsn, autocommit=True)
            except psycopg.Error as exc:
                raise AuditError(f"audit database cannot be reached: {type(exc).__name__}") from None
        return self._conn

    def append(self, build: Builder) -> AuditEvent:
        insert = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            self._table,
            sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
            sql.SQL(", ").join(sql.Placeholder() * len(COLUMNS)),
        )
        head_query = sql.SQL("SELECT sequence, mac FROM {} ORDER BY sequence DESC LIMIT 1").format(self._table)
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_id,))
                    head = conn.execute(head_query).fetchone()
                    event = build(1, GENESIS_MAC) if head is None else build(head[0] + 1, head[1])
                    conn.execute(insert, event_to_row(event))
            except psycopg.Error as exc:
                raise AuditError(f"audit table {self._name} cannot write: {type(exc).__name__}") from None
        return event

    def records(self, filters: Filters = Filters()) -> Iterator[Record]:  # noqa: B008 - immutable default
        where, params = where_clause(filters, "%s")
        query = sql.SQL("SELECT {} FROM {}" + where + " ORDER BY sequence").format(  # noqa: S608 - fixed columns
            sql.SQL(", ").join(map(sql.Identifier, COLUMNS)), self._table
        )
        with self._lock:
            conn = self._connection()
            try:
                rows = conn.execute(query, params).fetchall()
            except psycopg.Error as exc:
                raise AuditError(f"audit table {self._name} cannot be read: {type(exc).__name__}") from None
        for row in rows:
            yield row_to_record(tuple(row))

    def drop(self) -> None:
        """Drop the table (tests and teardown)."""
        with self._lock:
            self._connection().execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._table))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
