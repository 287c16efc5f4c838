"""The audit log: records chained events into a sink and verifies the chain."""

from __future__ import annotations

import hashlib
import hmac
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from coatcheck.audit._event import GENESIS_MAC, AuditEvent, Decision, Mode, compute_mac, format_time
from coatcheck.audit._sink import AuditSink, Filters
from coatcheck.errors import AuditError, ChainBroken, InputError, MissingKeyError

if TYPE_CHECKING:
    from coatcheck.keys import Keyring

__all__ = ["CHAIN_TENANT", "AuditLog", "VerifyReport"]

CHAIN_TENANT = "coatcheck-audit"  # the keyring tenant whose derivation secret keys the chain
PAYLOAD_PURPOSE = "audit"

Problem = Literal["edited", "deleted", "reordered", "relinked"]


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of ``AuditLog.verify``.

    Attributes:
        ok: every event verifies and the sequence has no gap.
        events: how many events were checked.
        head_sequence, head_mac: the last event; keep a copy elsewhere to detect removal of the newest events,
            which no chain can reveal by itself.
        first_bad: sequence number of the first event that does not verify (None when ok).
        problem: ``edited`` (content or MAC changed), ``deleted`` (missing), ``reordered`` (out of place), or
            ``relinked`` (valid event whose predecessor was replaced).
    """

    ok: bool
    events: int
    head_sequence: int
    head_mac: str
    first_bad: int | None = None
    problem: Problem | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain ok: {self.events} events, head {self.head_sequence}"
        return f"audit chain broken at event {self.first_bad}: {self.problem}"

    def raise_for_problem(self) -> None:
        """Raise ChainBroken naming the first bad event, if any."""
        if not self.ok:
            raise ChainBroken(str(self))


class AuditLog:
    """Records audit events, HMAC-chained, into one sink. Thread-safe; process-safe as far as the sink is.

    Args:
        sink: where events go (SQLiteAuditSink by default in the CLI).
        chain_key: 32-byte key of the chain MACs (``AuditLog.for_keyring`` derives it from a keyring).
        keyring: needed only to hash payloads (``record(payload=...)``).
        clock, new_id: injectable time and event ids, for tests.
    """

    def __init__(
        self,
        sink: AuditSink,
        chain_key: bytes,
        *,
        keyring: Keyring | None = None,
        clock: Callable[[], datetime] | None = None,
        new_id: Callable[[], str] | None = None,
    ) -> None:
        if not isinstance(chain_key, bytes) or len(chain_key) != 32:
            raise MissingKeyError("audit chain_key must be 32 bytes")
        self.sink = sink
        self._key = chain_key
        self._keyring = keyring
        self._clock = clock or (lambda: datetime.now(UTC))
        self._new_id = new_id or (lambda: uuid.uuid4().hex)
        self._lock = threading.Lock()

    @classmethod
    def for_keyring(cls, sink: AuditSink, keyring: Keyring, **kwargs: object) -> AuditLog:
        """An audit log whose chain key is derived from ``keyring`` (the same in every process)."""
        return cls(sink, keyring.derive(CHAIN_TENANT, "audit-chain"), keyring=keyring, **kwargs)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"AuditLog({self.sink!r})"

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.sink.close()

    def payload_hash(self, tenant: str, payload: bytes | str) -> str:
        """Keyed HMAC-SHA256 of a payload under the tenant's ``audit`` derivation key."""
        if self._keyring is None:
            raise MissingKeyError("hashing an audit payload needs a keyring")
        data = payload.encode() if isinstance(payload, str) else payload
        return hmac.new(self._keyring.derive(tenant, PAYLOAD_PURPOSE), data, hashlib.sha256).hexdigest()

    def record(
        self,
        *,
        action: str,
        tenant: str,
        actor: str = "system",
        request_id: str | None = None,
        entity_counts: Mapping[str, int] | None = None,
        pii_detected: bool | None = None,
        pii_redacted: bool = False,
        decision: Decision = "allow",
        mode: Mode = "enforce",
        payload: bytes | str | None = None,
        reason: str | None = None,
        purpose: str | None = None,
        key_version: int | None = None,
    ) -> AuditEvent:
        """Append one event and return it.

        ``pii_detected`` defaults to "some entity was counted". Raises InputError for a field outside its
        vocabulary, and AuditError when the sink cannot write, so the audited action fails with it rather than
        going unaudited.
        """
        counts = dict(entity_counts or {})
        detected = any(counts.values()) if pii_detected is None else pii_detected
        digest = None if payload is None else self.payload_hash(tenant, payload)
        timestamp = format_time(self._clock())
        event_id = self._new_id()

        def build(sequence: int, prev_mac: str) -> AuditEvent:
            event = AuditEvent(
                event_id=event_id, timestamp=timestamp, sequence=sequence, tenant=tenant, action=action,
                actor=actor, request_id=request_id, entity_counts=counts, pii_detected=detected,
                pii_redacted=pii_redacted, decision=decision, mode=mode, payload_hash=digest, reason=reason,
                purpose=purpose, key_version=key_version, prev_mac=prev_mac,
            )  # fmt: skip
            return event.sealed(self._key)

        with self._lock:
            return self.sink.append(build)

    def query(
        self,
        tenant: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[AuditEvent]:
        """Events in stored order, filtered by tenant, action and time (``since`` <= t < ``until``).

        Raises AuditError when a stored event is not a valid event (``verify`` locates tampering).
        """
        out = []
        for record in self.sink.records(Filters.of(tenant, action, since, until)):
            try:
                out.append(AuditEvent.from_dict(record))
            except InputError:
                raise AuditError(f"stored audit event {record.get('sequence')!r} is malformed") from None
        return out

    def verify(self) -> VerifyReport:
        """Check every MAC, link and sequence number; name the first event that does not verify."""
        records = list(self.sink.records())
        present = {r.get("sequence") for r in records}
        expected, prev = 1, GENESIS_MAC
        for record in records:
            problem: Problem | None = None
            try:
                event = AuditEvent.from_dict(record)
            except InputError:
                problem = "edited"
            else:
                if not hmac.compare_digest(compute_mac(self._key, event), event.mac):
                    problem = "edited"
                elif event.sequence != expected:
                    problem = "reordered" if expected in present or event.sequence < expected else "deleted"
                elif not hmac.compare_digest(event.prev_mac, prev):
                    problem = "relinked"
            if problem is not None:
                return VerifyReport(False, len(records), expected - 1, prev, first_bad=expected, problem=problem)
            expected, prev = expected + 1, event.mac
        return VerifyReport(True, len(records), expected - 1, prev)
