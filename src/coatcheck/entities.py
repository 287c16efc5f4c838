"""The entity taxonomy: every type coatcheck knows, in one table.

Policies, placeholders, audit counts and metrics all use these names. Sensitivity classes, from least to most
protected: public, internal, personal, sensitive, regulated.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

__all__ = ["ENTITY_TYPES", "EntityType", "Sensitivity", "entity_type"]


class Sensitivity(IntEnum):
    """Sensitivity classes; higher is stricter, so classes compare and sort."""

    PUBLIC = 0
    INTERNAL = 1
    PERSONAL = 2
    SENSITIVE = 3
    REGULATED = 4

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class EntityType:
    """One row of the taxonomy.

    Attributes:
        name: UPPER_SNAKE name used everywhere.
        category: the family it belongs to (contact, financial, government_id, ...).
        sensitivity: default class; a policy may reclassify.
        example: a made-up example value (never real data).
        validator: the check that confirms a candidate, or "" when the type relies on context or NER.
        placeholder: the short alias used in placeholders such as ``[EMAIL_1]``.
        specificity: breaks ties between equally long, equally scored overlaps (higher wins).
    """

    name: str
    category: str
    sensitivity: Sensitivity
    example: str
    validator: str
    placeholder: str
    specificity: int = 1


_P, _S, _R, _I = Sensitivity.PERSONAL, Sensitivity.SENSITIVE, Sensitivity.REGULATED, Sensitivity.INTERNAL

ENTITY_TYPES: dict[str, EntityType] = {
    row.name: row
    for row in (
        EntityType("PERSON", "identity", _P, "Sarah Chen", "", "PERSON", 2),
        EntityType("EMAIL_ADDRESS", "contact", _P, "sarah.chen@example.com", "RFC 5321 shape, known TLD", "EMAIL", 3),
        EntityType("PHONE_NUMBER", "contact", _P, "+1 415-555-0132", "digit count per layout, E.164", "PHONE", 2),
        EntityType("CREDIT_CARD", "financial", _R, "4532 0151 1283 0366", "Luhn + issuer prefix", "CARD", 4),
        EntityType("US_SSN", "government_id", _R, "536-22-8817", "area/group/serial rules", "SSN", 4),
        EntityType("US_ITIN", "government_id", _R, "912-78-1234", "9xx with group 50-65, 70-88, 90-92, 94-99", "ITIN", 5),
        EntityType("US_EIN", "government_id", _S, "12-3456789", "valid IRS campus prefix", "EIN", 3),
        EntityType("IBAN_CODE", "financial", _R, "DE89 3704 0044 0532 0130 00", "mod-97 + per-country length", "IBAN", 4),
        EntityType("US_BANK_ACCOUNT", "financial", _R, "000123456789", "context (account number)", "BANK_ACCOUNT", 1),
        EntityType("ABA_ROUTING_NUMBER", "financial", _S, "021000021", "ABA 3-7-1 checksum", "ROUTING", 3),
        EntityType("SWIFT_BIC", "financial", _I, "DEUTDEFF500", "shape + country code + context", "BIC", 2),
        EntityType("IP_ADDRESS", "network", _P, "203.0.113.42", "octets <= 255, valid IPv6", "IP", 2),
        EntityType("MAC_ADDRESS", "network", _P, "00:1A:2B:3C:4D:5E", "six hex pairs", "MAC", 2),
        EntityType("URL", "network", _I, "https://example.com/u/sarah", "scheme or www + known TLD", "URL", 1),
        EntityType("STREET_ADDRESS", "location", _P, "742 Evergreen Terrace", "number + name + street suffix", "ADDRESS", 2),
        EntityType("LOCATION", "location", _I, "Springfield", "gazetteer or NER", "LOCATION", 1),
        EntityType("ZIP_CODE", "location", _I, "94103", "context (zip, postal) or after a state", "ZIP", 1),
        EntityType("DATE_OF_BIRTH", "temporal", _S, "1984-03-12", "a date with birth context", "DOB", 3),
        EntityType("DATE_TIME", "temporal", _I, "March 12, 2024", "calendar-valid date or time", "DATE", 1),
        EntityType("AGE", "temporal", _P, "42", "the number in an age phrase (42 years old, aged 42), 0-120", "AGE", 2),
        EntityType("US_PASSPORT", "government_id", _R, "A12345678", "context (passport)", "PASSPORT", 2),
        EntityType("US_DRIVER_LICENSE", "government_id", _R, "D1234567", "context (driver's license)", "DRIVER_LICENSE", 2),
        EntityType("UK_NHS", "government_id", _R, "943 476 5919", "mod-11 check digit", "NHS", 4),
        EntityType("UK_NINO", "government_id", _R, "AB 12 34 56 C", "prefix rules", "NINO", 4),
        EntityType("MEDICAL_RECORD_NUMBER", "health", _R, "MRN 00482913", "context (MRN, medical record)", "MRN", 3),
        EntityType("US_NPI", "health", _S, "1245319599", "Luhn with 80840 prefix + context", "NPI", 3),
        EntityType("MEDICAL_CONDITION", "health", _R, "type 2 diabetes", "gazetteer", "CONDITION", 2),
        EntityType("MEDICATION", "health", _R, "metformin 500 mg", "gazetteer", "MEDICATION", 2),
        EntityType("ORGANIZATION", "identity", _I, "Acme Health", "NER or suffix (Inc., LLC, Hospital)", "ORG", 1),
        EntityType("CRYPTO_WALLET", "financial", _S, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "base58check / bech32", "WALLET", 3),
        EntityType("VIN", "identity", _P, "1HGCM82633A004352", "ISO 3779 check digit", "VIN", 3),
        EntityType("API_KEY", "credential", _R, "ghp_" + "x" * 36, "provider prefix and length, or entropy", "API_KEY", 5),
        EntityType("JWT", "credential", _R, "eyJhbGciOi...", "three base64url parts, JSON header", "JWT", 5),
        EntityType("PRIVATE_KEY", "credential", _R, "-----BEGIN PRIVATE KEY-----...", "PEM armor", "PRIVATE_KEY", 6),
        EntityType("PASSWORD", "credential", _R, "hunter2!", "context (password is, pwd=)", "PASSWORD", 3),
        EntityType("CONNECTION_STRING", "credential", _R, "postgres://app:s3cret@db:5432/x", "URI with user:password", "CONN", 5),
    )
}


def entity_type(name: str) -> EntityType:
    """Look a type up by name, with an error that lists what exists."""
    from coatcheck.errors import PolicyError

    try:
        return ENTITY_TYPES[name]
    except KeyError:
        raise PolicyError(
            f"unknown entity type {name!r}; known types: {', '.join(sorted(ENTITY_TYPES))}"
        ) from None


def taxonomy_markdown() -> str:
    """The taxonomy as the Markdown table the README carries (a test keeps the two in sync)."""
    lines = [
        "| type | category | default class | example | validator | placeholder |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in ENTITY_TYPES.values():
        lines.append(
            f"| `{row.name}` | {row.category} | {row.sensitivity} | `{row.example}` | {row.validator or 'NER / rules'} "
            f"| `[{row.placeholder}_1]` |"
        )
    return "\n".join(lines)
