"""The one exception tree of coatcheck.

Messages name types, fields and positions, never the values themselves::

    CoatcheckError
     ├── InputError              bad input: wrong type, undecodable bytes, malformed record (says where)
     ├── DetectorError           a detector failed; detection fails closed, it never returns "no PII" instead
     │    └── DetectionTimeout   the detection deadline passed
     ├── ProtectError            an operator could not be applied (unknown method, bad parameters)
     ├── PolicyError             a policy file or object is invalid (says file, line and what is allowed)
     │    └── PolicyViolation    a policy decision blocked the data
     │         └── BudgetExhausted  a differential-privacy query would overspend its privacy budget
     ├── KeyManagementError      keyring, master-key provider or key lifecycle problem
     │    ├── MissingKeyError    a keyed method was asked for without a key
     │    └── InvalidToken       any decrypt/verify failure: one uniform error, like Fernet's
     ├── VaultError              the mapping store failed
     │    └── TokenNotFound      unknown token, or a token of another tenant (indistinguishable on purpose)
     ├── AccessDenied            re-identification refused for this actor, role or purpose
     ├── AuditError              the audit sink could not write; the audited action fails with it
     │    └── ChainBroken        `audit verify` found an edited, deleted or reordered event
     └── UpstreamError           the model provider failed or answered something we cannot protect
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "AuditError",
    "BudgetExhausted",
    "ChainBroken",
    "CoatcheckError",
    "DetectionTimeout",
    "DetectorError",
    "InputError",
    "InvalidToken",
    "KeyManagementError",
    "MissingKeyError",
    "PolicyError",
    "PolicyViolation",
    "ProtectError",
    "TokenNotFound",
    "UpstreamError",
    "VaultError",
]


class CoatcheckError(Exception):
    """Root of every error coatcheck raises on purpose."""


class InputError(CoatcheckError):
    """The input cannot be processed; the message says where and what, never the value."""


class DetectorError(CoatcheckError):
    """A detector failed. Callers must treat the text as unscanned, never as clean."""


class DetectionTimeout(DetectorError):  # noqa: N818 - reads as what happened
    """Detection did not finish before its deadline."""


class ProtectError(CoatcheckError):
    """A protection method could not be applied."""


class PolicyError(CoatcheckError):
    """A policy is invalid."""


class PolicyViolation(PolicyError):  # noqa: N818 - a decision, not a malfunction
    """The policy decided to block this data.

    Attributes:
        entity_types: the types that caused the block, sorted.
    """

    def __init__(self, message: str, entity_types: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.entity_types = tuple(sorted(set(entity_types)))


class BudgetExhausted(PolicyViolation):
    """A differential-privacy query was refused: it would spend more than the remaining budget (nothing spent)."""


class KeyManagementError(CoatcheckError):
    """Key storage, master-key provider or key lifecycle problem."""


class MissingKeyError(KeyManagementError):
    """A keyed method (hash, encrypt, tokenize, surrogate) was used without a key."""


class InvalidToken(KeyManagementError):  # noqa: N818 - the name Fernet made familiar
    """A ciphertext, token or MAC did not verify. Deliberately says nothing more."""


class VaultError(CoatcheckError):
    """The mapping store failed."""


class TokenNotFound(VaultError):  # noqa: N818 - reads better at call sites than TokenNotFoundError
    """No mapping for this token in this tenant (also raised for other tenants' tokens)."""


class AccessDenied(CoatcheckError):  # noqa: N818 - a decision, not a malfunction
    """Re-identification was refused for this actor, role or purpose."""


class AuditError(CoatcheckError):
    """The audit trail could not be written or read."""


class ChainBroken(AuditError):  # noqa: N818 - a finding of `audit verify`
    """The audit chain does not verify; the message names the first bad sequence number."""


class UpstreamError(CoatcheckError):
    """The upstream model provider failed."""
