"""Audit: one event per action, as types and counts, never values; HMAC-chained and verifiable.

``AuditLog`` records into a sink (SQLite by default, PostgreSQL, or JSON lines for a SIEM). If the sink cannot
write, ``record`` raises ``AuditError`` so the audited action fails instead of happening unaudited.
"""

from __future__ import annotations

from coatcheck.audit._event import ACTIONS, REASONS, AuditEvent, Decision, Mode
from coatcheck.audit._jsonl import JsonLinesAuditSink
from coatcheck.audit._log import CHAIN_TENANT, AuditLog, VerifyReport
from coatcheck.audit._postgres import PostgresAuditSink
from coatcheck.audit._sink import AuditSink, Filters
from coatcheck.audit._sqlite import SQLiteAuditSink

__all__ = [
    "ACTIONS",
    "CHAIN_TENANT",
    "REASONS",
    "AuditEvent",
    "AuditLog",
    "AuditSink",
    "Decision",
    "Filters",
    "JsonLinesAuditSink",
    "Mode",
    "PostgresAuditSink",
    "SQLiteAuditSink",
    "VerifyReport",
]
