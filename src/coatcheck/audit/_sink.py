"""The sink interface: append under the chain's lock, read back in sequence order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from coatcheck.audit._event import AuditEvent, format_time

__all__ = ["AuditSink", "Builder", "Filters", "Record"]

# A stored event as its sink holds it (the fields of AuditEvent.as_dict); AuditLog validates it.
Record = dict[str, Any]

# Called by a sink with (next sequence number, previous MAC) while it holds the chain's lock.
Builder = Callable[[int, str], AuditEvent]


@dataclass(frozen=True, slots=True)
class Filters:
    """Query filters; times are compared as fixed-width UTC ISO text."""

    tenant: str | None = None
    action: str | None = None
    since: str | None = None
    until: str | None = None

    @classmethod
    def of(
        cls,
        tenant: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Filters:
        return cls(
            tenant,
            action,
            None if since is None else format_time(since),
            None if until is None else format_time(until),
        )

    def match(self, record: Record) -> bool:
        stamp = str(record.get("timestamp", ""))
        return (
            (self.tenant is None or record.get("tenant") == self.tenant)
            and (self.action is None or record.get("action") == self.action)
            and (self.since is None or stamp >= self.since)
            and (self.until is None or stamp < self.until)
        )


class AuditSink(Protocol):
    """Where audit events are kept. Implementations raise ``AuditError`` when they cannot write or read."""

    def append(self, build: Builder) -> AuditEvent:
        """Atomically (across threads, and processes where the store allows): read the chain head, build the
        next event with it, store it. Returns the stored event."""
        ...

    def records(self, filters: Filters = ...) -> Iterator[Record]:
        """Stored events as dicts, in stored order (sequence order for databases, line order for files)."""
        ...

    def close(self) -> None: ...
