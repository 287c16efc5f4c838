"""Field policies for records: which field gets which method, and which fields hold a known type."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import ProtectError
from coatcheck.protect.registry import MethodSpec, configure_method

__all__ = ["STAR", "FieldPolicy", "FieldRule", "field_type", "parse_path"]

STAR = "[*]"
_PATH = re.compile(r"[^.\[\]]+(?:\.[^.\[\]]+|\[(?:\*|\d+)\])*")
_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\*|\d+)\]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

_FIELD_TYPES: dict[str, str] = {
    **{name.lower(): name for name in ENTITY_TYPES},
    **dict.fromkeys(("ssn", "social_security_number", "social_security", "us_ssn"), "US_SSN"),
    **dict.fromkeys(("email", "e_mail", "email_address", "mail"), "EMAIL_ADDRESS"),
    **dict.fromkeys(("phone", "phone_number", "mobile", "telephone", "tel", "cell", "fax"), "PHONE_NUMBER"),
    **dict.fromkeys(
        (
            "name",
            "full_name",
            "first_name",
            "last_name",
            "given_name",
            "family_name",
            "surname",
            "patient_name",
            "customer_name",
            "contact_name",
        ),
        "PERSON",
    ),
    **dict.fromkeys(("dob", "date_of_birth", "birth_date", "birthdate", "birthday"), "DATE_OF_BIRTH"),
    **dict.fromkeys(("ip", "ip_address", "client_ip", "remote_addr"), "IP_ADDRESS"),
    **dict.fromkeys(("zip", "zipcode", "zip_code", "postal_code", "postcode"), "ZIP_CODE"),
    **dict.fromkeys(("address", "street", "street_address", "address_line1", "address1"), "STREET_ADDRESS"),
    **dict.fromkeys(("credit_card", "card_number", "cc_number", "card", "pan"), "CREDIT_CARD"),
    **dict.fromkeys(("iban",), "IBAN_CODE"),
    **dict.fromkeys(("age",), "AGE"),
    **dict.fromkeys(("mrn", "medical_record_number"), "MEDICAL_RECORD_NUMBER"),
    **dict.fromkeys(("passport", "passport_number"), "US_PASSPORT"),
    **dict.fromkeys(("password", "passwd", "pwd"), "PASSWORD"),
    **dict.fromkeys(("api_key", "apikey", "access_token", "secret_key"), "API_KEY"),
    **dict.fromkeys(("city",), "LOCATION"),
    **dict.fromkeys(("company", "organization", "employer"), "ORGANIZATION"),
    **dict.fromkeys(("routing_number",), "ABA_ROUTING_NUMBER"),
    **dict.fromkeys(("account_number", "bank_account"), "US_BANK_ACCOUNT"),
    **dict.fromkeys(("mac", "mac_address"), "MAC_ADDRESS"),
}


def field_type(name: str) -> str | None:
    """The entity type a field name implies (``ssn``, ``customerEmail`` -> no, ``email`` -> EMAIL_ADDRESS)."""
    key = _CAMEL.sub("_", name).replace("-", "_").replace(" ", "_").lower()
    return _FIELD_TYPES.get(key)


def parse_path(path: str) -> tuple[str | int, ...]:
    """``"messages[*].content"`` -> ``("messages", "[*]", "content")``; ``[2]`` selects one list item."""
    if not _PATH.fullmatch(path):
        raise ProtectError(f"field path {path!r} is malformed; use dotted names with [*] or [N] for lists")
    segments: list[str | int] = []
    for name, index in _SEGMENT.findall(path):
        if name:
            segments.append(name)
        else:
            segments.append(STAR if index == "*" else int(index))
    return tuple(segments)


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one field path is protected.

    Attributes:
        path: as written in the policy.
        segments: the parsed path.
        method: the method for everything found in the field.
        entity_type: protect the whole value as this type (explicit ``type``, or implied by the field name);
            None means the value is free text, scanned with the detector.
    """

    path: str
    segments: tuple[str | int, ...]
    method: MethodSpec
    entity_type: str | None


@dataclass(frozen=True, slots=True)
class FieldPolicy:
    """A compiled field policy: validated once, applied to any number of records."""

    rules: tuple[FieldRule, ...]

    @classmethod
    def from_mapping(cls, policy: Mapping[str, Any]) -> FieldPolicy:
        """Compile ``{"email": "mask", "notes": {"method": "surrogate", "consistency": true}}``.

        A rule may add ``"type": "US_SSN"`` (protect the whole value as that type) or ``"scan": true`` (treat
        the value as free text even if the field name implies a type).

        Raises:
            ProtectError: a malformed path, unknown method, type or parameter (names the field).
        """
        rules: list[FieldRule] = []
        for path, spec in policy.items():
            segments = parse_path(path)
            options = dict(spec) if isinstance(spec, Mapping) else spec
            explicit: object = None
            scan = False
            if isinstance(options, dict):
                explicit = options.pop("type", None)
                scan = bool(options.pop("scan", False))
            if explicit is not None and explicit not in ENTITY_TYPES:
                raise ProtectError(
                    f"field {path!r}: unknown entity type {explicit!r}; known types: {', '.join(sorted(ENTITY_TYPES))}"
                )
            method = configure_method(options, where=f"field {path!r}")
            last_name = next((s for s in reversed(segments) if isinstance(s, str) and s != STAR), "")
            implied = None if scan else (str(explicit) if explicit is not None else field_type(last_name))
            types = method.operator.types
            if implied is not None and types is not None and implied not in types:
                raise ProtectError(f"field {path!r}: method {method.name} supports only {', '.join(sorted(types))}")
            rules.append(FieldRule(path, segments, method, implied))
        # Longer (more specific) paths are applied last so they win where paths nest.
        rules.sort(key=lambda r: len(r.segments))
        return cls(tuple(rules))
