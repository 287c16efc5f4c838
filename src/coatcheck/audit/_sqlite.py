"""The default sink: one SQLite table in WAL mode, safe for several threads and processes."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from coatcheck.audit._event import GENESIS_MAC, AuditEvent
from coatcheck.audit._sink import Builder, Filters, Record
from coatcheck.errors import AuditError

__all__ = ["COLUMNS", "SQLiteAuditSink", "event_to_row", "row_to_record", "where_clause"]

COLUMNS = (
    "sequence", "event_id", "timestamp", "tenant", "action", "actor", "request_id", "entity_counts",
    "pii_detected", "pii_redacted", "decision", "mode", "payload_hash", "reason", "purpose", "key_version",
    "prev_mac", "mac",
)  # fmt: skip

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_events (
    sequence INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, timestamp TEXT NOT NULL, tenant TEXT NOT NULL,
    action TEXT NOT NULL, actor TEXT NOT NULL, request_id TEXT, entity_counts TEXT NOT NULL,
    pii_detected INTEGER NOT NULL, pii_redacted INTEGER NOT NULL, decision TEXT NOT NULL, mode TEXT NOT NULL,
    payload_hash TEXT, reason TEXT, purpose TEXT, key_version INTEGER, prev_mac TEXT NOT NULL, mac TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_tenant_time ON audit_events (tenant, timestamp);
CREATE INDEX IF NOT EXISTS audit_events_action_time ON audit_events (action, timestamp);
"""


def event_to_row(event: AuditEvent) -> tuple[Any, ...]:
    d = event.as_dict()
    d["entity_counts"] = json.dumps(d["entity_counts"], sort_keys=True, separators=(",", ":"))
    return tuple(d[c] for c in COLUMNS)


def row_to_record(row: tuple[Any, ...]) -> Record:
    """A stored row as the dict AuditEvent.from_dict reads (invalid content is left for it to reject)."""
    d = dict(zip(COLUMNS, row, strict=True))
    with contextlib.suppress(ValueError, TypeError):
        d["entity_counts"] = json.loads(d["entity_counts"])
    for flag in ("pii_detected", "pii_redacted"):
        if type(d[flag]) is int and d[flag] in (0, 1):
            d[flag] = bool(d[flag])
    return d


def where_clause(filters: Filters, placeholder: str) -> tuple[str, list[Any]]:
    """SQL condition and parameters for ``filters`` (column names are fixed, values are parameters)."""
    parts: list[str] = []
    params: list[Any] = []
    for column, op, value in (
        ("tenant", "=", filters.tenant),
        ("action", "=", filters.action),
        ("timestamp", ">=", filters.since),
        ("timestamp", "<", filters.until),
    ):
        if value is not None:
            parts.append(f"{column} {op} {placeholder}")
            params.append(value)
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


class SQLiteAuditSink:
    """Audit events in a SQLite file (WAL journal; each append is one ``BEGIN IMMEDIATE`` transaction).

    Args:
        path: the database file (created with its folder); ``":memory:"`` for tests.
        readonly: open without write access (``audit verify``/``show`` on a copy or a protected file).
        durable: ``synchronous=FULL``: fsync at every commit, so even a power loss keeps the newest events
            (about 20x slower). The default, NORMAL in WAL mode, survives process crashes; a power loss may
            drop the last events, which ``verify`` cannot tell from a clean end (compare the head elsewhere).
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, durable: bool = False) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        try:
            if readonly:
                uri = Path(path).resolve().as_uri() + "?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            else:
                if self.path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
                self._conn.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise AuditError(f"audit database {self.path} cannot be opened: {type(exc).__name__}") from None
        names, marks = ", ".join(COLUMNS), ", ".join("?" * len(COLUMNS))
        self._insert = f"INSERT INTO audit_events ({names}) VALUES ({marks})"  # noqa: S608 - fixed columns

    def __repr__(self) -> str:
        return f"SQLiteAuditSink({self.path!r})"

    def append(self, build: Builder) -> AuditEvent:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    head = self._conn.execute(
                        "SELECT sequence, mac FROM audit_events ORDER BY sequence DESC LIMIT 1"
                    ).fetchone()
                    event = build(1, GENESIS_MAC) if head is None else build(head[0] + 1, head[1])
                    self._conn.execute(self._insert, event_to_row(event))
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise AuditError(f"audit database {self.path} cannot write: {exc}") from None
        return event

    def records(self, filters: Filters = Filters()) -> Iterator[Record]:  # noqa: B008 - immutable default
        where, params = where_clause(filters, "?")
        query = f"SELECT {', '.join(COLUMNS)} FROM audit_events{where} ORDER BY sequence"  # noqa: S608 - fixed columns
        with self._lock:
            try:
                rows = self._conn.execute(query, params).fetchall()
            except sqlite3.Error as exc:
                raise AuditError(f"audit database {self.path} cannot be read: {exc}") from None
        for row in rows:
            yield row_to_record(row)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
