"""The audit event: who did what to which tenant's data, as types and counts, never values.

Every field is an identifier, a number, a flag or a word from a fixed vocabulary; there is no free-text field a
raw value could slip into. Events are HMAC-chained: each carries the MAC of the one before it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import InputError

__all__ = [
    "ACTIONS",
    "GENESIS_MAC",
    "REASONS",
    "AuditEvent",
    "Decision",
    "Mode",
    "compute_mac",
    "format_time",
]

ACTIONS: frozenset[str] = frozenset(
    {
        "detect",  # scanned, nothing changed
        "protect",  # values protected (masked, encrypted, ...)
        "block",  # the policy refused the data
        "review",  # held for a human
        "policy_observe",  # observe mode: what enforce mode would have done
        "restore",  # placeholders put back into a model answer
        "decrypt",
        "reidentify",  # a vault token turned back into its value
        "access_denied",
        "key_init",
        "key_rotate",
        "key_retire",
        "key_rewrap",
        "key_destroy",
        "vault_delete",
        "audit_export",
        "dp_query",  # a differential-privacy query: epsilon spent, or refused for budget
    }
)

REASONS: frozenset[str] = frozenset(
    {
        "policy_block",
        "policy_review",
        "observe_only",
        "access_denied",
        "invalid_token",
        "not_found",
        "expired",
        "rotation",
        "retirement",
        "rewrap",
        "tenant_erasure",
        "subject_erasure",
        "retention",
        "detector_error",
        "upstream_error",
        "size_limit",
        "budget_exhausted",  # a dp_query refused: it would overspend the privacy budget
    }
)

Decision = Literal["allow", "block", "review"]
Mode = Literal["observe", "enforce"]
GENESIS_MAC = "0" * 64

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}")
_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")
_MAX_COUNT = 10**12


def format_time(when: datetime) -> str:
    """Fixed-width UTC ISO time, so stored times sort and compare as text."""
    if when.tzinfo is None:
        raise InputError("audit times must be timezone-aware")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise InputError(f"audit event: {message}")


def _is_id(value: object) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audited action. Built by ``AuditLog.record``; validated on construction and when read back.

    Attributes:
        sequence: position in the chain, from 1, without gaps.
        entity_counts: taxonomy type -> how many values of that type were involved.
        pii_detected: personal data was found; ``pii_redacted``: it was changed before leaving (two facts:
            observe mode detects without redacting).
        payload_hash: keyed HMAC-SHA256 of the payload (``Keyring.derive(tenant, "audit")``), hex; proves which
            payload was seen without storing it.
        reason: a word from ``REASONS``; ``purpose``: a lower_snake code such as ``fraud_review``.
        prev_mac, mac: HMAC-SHA256 chain links, hex.
    """

    event_id: str
    timestamp: str
    sequence: int
    tenant: str
    action: str
    actor: str
    request_id: str | None = None
    entity_counts: Mapping[str, int] = field(default_factory=dict)
    pii_detected: bool = False
    pii_redacted: bool = False
    decision: Decision = "allow"
    mode: Mode = "enforce"
    payload_hash: str | None = None
    reason: str | None = None
    purpose: str | None = None
    key_version: int | None = None
    prev_mac: str = GENESIS_MAC
    mac: str = ""

    def __post_init__(self) -> None:
        _check(_is_id(self.event_id), "event_id must be an identifier")
        _check(isinstance(self.timestamp, str) and _TIME.fullmatch(self.timestamp) is not None, "bad timestamp")
        _check(type(self.sequence) is int and self.sequence >= 1, "sequence must be an int >= 1")
        _check(_is_id(self.tenant), "tenant must be an identifier (letters, digits, ._:@/+-)")
        _check(self.action in ACTIONS, f"action must be one of {sorted(ACTIONS)}")
        _check(_is_id(self.actor), "actor must be an identifier (letters, digits, ._:@/+-)")
        _check(self.request_id is None or _is_id(self.request_id), "request_id must be an identifier")
        _check(isinstance(self.entity_counts, Mapping), "entity_counts must be a mapping")
        for name, count in self.entity_counts.items():
            _check(name in ENTITY_TYPES, "entity_counts keys must be taxonomy entity types")
            _check(type(count) is int and 0 <= count <= _MAX_COUNT, "entity_counts values must be ints >= 0")
        object.__setattr__(self, "entity_counts", dict(sorted(self.entity_counts.items())))
        _check(type(self.pii_detected) is bool and type(self.pii_redacted) is bool, "pii flags must be bools")
        _check(self.decision in get_args(Decision), "decision must be allow, block or review")
        _check(self.mode in get_args(Mode), "mode must be observe or enforce")
        _check(self.payload_hash is None or _is_hex(self.payload_hash), "payload_hash must be 64 hex digits")
        _check(self.reason is None or self.reason in REASONS, f"reason must be one of {sorted(REASONS)}")
        _check(
            self.purpose is None or (isinstance(self.purpose, str) and _PURPOSE.fullmatch(self.purpose) is not None),
            "purpose must be a lower_snake code of up to 64 characters",
        )
        _check(
            self.key_version is None or (type(self.key_version) is int and self.key_version >= 1),
            "key_version must be an int >= 1",
        )
        _check(_is_hex(self.prev_mac), "prev_mac must be 64 hex digits")
        _check(self.mac == "" or _is_hex(self.mac), "mac must be 64 hex digits")

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape stored by every sink."""
        out = {name: getattr(self, name) for name in _NAMES}
        out["entity_counts"] = dict(self.entity_counts)
        return out

    def sealed(self, chain_key: bytes) -> AuditEvent:
        """This event with its ``mac`` set (only ``AuditLog`` seals, right after building the event)."""
        object.__setattr__(self, "mac", compute_mac(chain_key, self))  # frozen, but not yet shared
        return self

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEvent:
        """Rebuild a stored event; raises InputError when it is not a valid event."""
        if not isinstance(data, Mapping) or set(data) != _FIELDS:
            raise InputError("audit event: unexpected fields")
        return cls(**data)

    def signing_bytes(self) -> bytes:
        """Canonical JSON of every field but ``mac``."""
        body = self.as_dict()
        del body["mac"]
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _is_hex(value: object) -> bool:
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


_NAMES = tuple(AuditEvent.__dataclass_fields__)
_FIELDS = frozenset(_NAMES)


def compute_mac(chain_key: bytes, event: AuditEvent) -> str:
    """HMAC-SHA256 over the event's canonical bytes (which include its sequence and the previous MAC)."""
    return hmac.new(chain_key, event.signing_bytes(), hashlib.sha256).hexdigest()
