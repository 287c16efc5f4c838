"""mask: hide most characters of a value, keep its shape and the part people need to recognize it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from coatcheck.protect.base import Operator, Params, Scope

__all__ = ["MASK", "MaskParams", "mask_value"]

_LAST4 = frozenset(
    {
        "CREDIT_CARD", "US_SSN", "US_ITIN", "US_EIN", "US_BANK_ACCOUNT", "ABA_ROUTING_NUMBER", "US_PASSPORT",
        "US_DRIVER_LICENSE", "UK_NHS", "UK_NINO", "MEDICAL_RECORD_NUMBER", "US_NPI", "VIN", "CRYPTO_WALLET",
    }
)  # fmt: skip
_INITIALS = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "STREET_ADDRESS", "MEDICAL_CONDITION", "MEDICATION"})
_SECRETS = frozenset({"API_KEY", "JWT", "PRIVATE_KEY", "PASSWORD", "CONNECTION_STRING"})
_DATES = frozenset({"DATE_OF_BIRTH", "DATE_TIME"})
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "rev"})


class MaskParams(Params):
    """Parameters of mask.

    Attributes:
        char: the masking character.
        visible: how many alphanumeric characters stay visible (None: the per-type default, e.g. last 4 digits
            of a card, first letter of each name).
        direction: which end the visible characters are taken from (with ``visible``).
    """

    char: str = Field(default="*", min_length=1, max_length=1)
    visible: int | None = Field(default=None, ge=0)
    direction: Literal["start", "end"] = "end"


def _keep_some(value: str, char: str, visible: int, from_end: bool) -> str:
    """Mask alphanumerics except ``visible`` of them at one end; separators stay."""
    total = sum(1 for ch in value if ch.isalnum())
    first_kept = total - visible if from_end else 0
    last_kept = total if from_end else visible
    out: list[str] = []
    i = 0
    for ch in value:
        if ch.isalnum():
            out.append(ch if first_kept <= i < last_kept else char)
            i += 1
        else:
            out.append(ch)
    return "".join(out)


def _keep_positions(value: str, char: str, keep_start: int, keep_end: int) -> str:
    total = sum(1 for ch in value if ch.isalnum())
    out: list[str] = []
    i = 0
    for ch in value:
        if ch.isalnum():
            out.append(ch if i < keep_start or i >= total - keep_end else char)
            i += 1
        else:
            out.append(ch)
    return "".join(out)


def _initials(value: str, char: str) -> str:
    out: list[str] = []
    for word in value.split(" "):
        if word.rstrip(".").lower() in _TITLES or not word:
            out.append(word)
        elif word[0].isdigit():
            out.append("".join(char if c.isalnum() else c for c in word))
        else:
            out.append(word[0] + "".join(char if c.isalnum() else c for c in word[1:]))
    return " ".join(out)


def _phone(value: str, char: str) -> str:
    body = value.lstrip()
    lead = len(value) - len(body)
    cc = ""
    if body.startswith("+"):
        i = 1
        while i < len(body) and body[i].isdigit():
            i += 1
        if i < len(body) and not body[i].isdigit() and i <= 4:
            cc, body = body[:i], body[i:]
    digits = sum(1 for ch in body if ch.isdigit())
    keep_start = 3 if digits >= 10 else 0
    return value[:lead] + cc + _keep_positions(body, char, keep_start, min(4, max(0, digits - 4)))


def _date(value: str, char: str) -> str:
    out: list[str] = []
    run: list[str] = []
    for ch in [*value, ""]:
        if ch.isdigit():
            run.append(ch)
            continue
        if run:
            out.append("".join(run) if len(run) == 4 else char * len(run))
            run = []
        out.append(char if ch.isalpha() else ch)
    return "".join(out)


def _ip(value: str, char: str) -> str:
    sep = "." if "." in value and ":" not in value else ":"
    parts = value.split(sep)
    keep = 2
    return sep.join(p if i < keep else "".join(char if c.isalnum() else c for c in p) for i, p in enumerate(parts))


def mask_value(entity_type: str, value: str, params: MaskParams) -> str:
    """Mask one value as ``entity_type`` (see `MaskParams`); pure and fast."""
    char = params.char
    from_end = params.direction == "end"
    if entity_type == "EMAIL_ADDRESS" and "@" in value:
        local, _, domain = value.rpartition("@")
        if params.visible is None:
            return f"{local[:1]}{char * 4}@{domain}"
        return f"{_keep_some(local, char, params.visible, from_end)}@{domain}"
    if params.visible is not None:
        return _keep_some(value, char, params.visible, from_end)
    if entity_type in _LAST4:
        alnum = sum(1 for ch in value if ch.isalnum())
        return _keep_some(value, char, 4 if alnum >= 8 else 0, True)
    if entity_type == "IBAN_CODE":
        return _keep_positions(value, char, 2, 4)
    if entity_type == "PHONE_NUMBER":
        return _phone(value, char)
    if entity_type in _INITIALS:
        return _initials(value, char)
    if entity_type in _SECRETS:
        return char * 8
    if entity_type in _DATES:
        return _date(value, char)
    if entity_type == "IP_ADDRESS":
        return _ip(value, char)
    if entity_type == "AGE":
        return "".join(char if ch.isdigit() else ch for ch in value)
    if entity_type == "MAC_ADDRESS":
        return _keep_positions(value, char, 6, 0)
    if entity_type == "ZIP_CODE":
        return _keep_positions(value, char, 3, 0)
    if entity_type == "URL" and "://" in value:
        scheme, _, rest = value.partition("://")
        host, slash, path = rest.partition("/")
        return f"{scheme}://{host}{slash}{''.join(char if c.isalnum() else c for c in path)}"
    return "".join(char if ch.isalnum() else ch for ch in value)


def _mask(value: str, scope: Scope, params: MaskParams) -> str:
    return mask_value(scope.entity.type, value, params)


MASK: Operator[MaskParams] = Operator("mask", MaskParams, _mask)
