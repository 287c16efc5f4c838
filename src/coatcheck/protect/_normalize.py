"""Normalized value keys: one key per real-world value, however it was typed.

Consistency (placeholders, tokens, hashes, stand-ins) is keyed on these, so ``Sarah.Chen@X.com`` and
``sarah.chen@x.com`` are one value, and so are ``4532-1234-5678-9010`` and ``4532 1234 5678 9010``.
"""

from __future__ import annotations

import unicodedata

__all__ = ["normalize_value"]

_DIGIT_TYPES = frozenset(
    {
        "CREDIT_CARD",
        "US_SSN",
        "US_ITIN",
        "US_EIN",
        "US_BANK_ACCOUNT",
        "ABA_ROUTING_NUMBER",
        "UK_NHS",
        "US_NPI",
    }
)
_COMPACT_TYPES = frozenset({"IBAN_CODE", "UK_NINO", "SWIFT_BIC", "MAC_ADDRESS", "VIN", "US_PASSPORT"})
_EXACT_TYPES = frozenset({"API_KEY", "JWT", "PRIVATE_KEY", "PASSWORD", "CONNECTION_STRING", "CRYPTO_WALLET"})


def normalize_value(entity_type: str, value: str) -> str:
    """The consistency key of ``value`` read as ``entity_type``.

    Secrets are case-sensitive and kept exact; numbers keep only their digits (a leading ``+`` of a phone
    number too); everything else is NFKC-folded, case-folded and whitespace-collapsed.
    """
    if entity_type in _EXACT_TYPES:
        return value
    text = unicodedata.normalize("NFKC", value)
    if entity_type in _DIGIT_TYPES:
        digits = "".join(ch for ch in text if ch.isdigit())
        return digits or text.casefold()
    if entity_type == "PHONE_NUMBER":
        digits = "".join(ch for ch in text if ch.isdigit())
        return ("+" + digits) if text.lstrip().startswith("+") else digits
    if entity_type in _COMPACT_TYPES:
        return "".join(ch for ch in text if ch.isalnum()).upper()
    return " ".join(text.casefold().split())
