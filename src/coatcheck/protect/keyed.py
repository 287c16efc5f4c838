"""hash, encrypt and tokenize: the keyed methods (no key -> `MissingKeyError`, never a silent fallback)."""

from __future__ import annotations

import hmac
from typing import Literal

from pydantic import Field

from coatcheck.errors import TokenNotFound, VaultError
from coatcheck.protect._formats import (
    card_prefix_length,
    fill_digits,
    iban_with_check,
    reshape_like,
    shape_preserving,
)
from coatcheck.protect._keyed import KeyedRandom, keyed_hex
from coatcheck.protect._normalize import normalize_value
from coatcheck.protect.base import Operator, Params, Scope

__all__ = ["ENCRYPT", "HASH", "TOKENIZE", "EncryptParams", "HashParams", "TokenizeParams", "token_for"]

_MAX_RETRIES = 32
PRESERVABLE = frozenset(
    {
        "EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "PHONE_NUMBER", "US_SSN", "US_ITIN", "US_EIN",
        "US_BANK_ACCOUNT", "ABA_ROUTING_NUMBER", "US_PASSPORT", "US_DRIVER_LICENSE", "UK_NHS", "UK_NINO",
        "MEDICAL_RECORD_NUMBER", "US_NPI", "ZIP_CODE", "VIN",
    }
)  # fmt: skip


class HashParams(Params):
    """Parameters of hash (HMAC-SHA256 under the tenant's "hash" key).

    Attributes:
        prefix: text put before the hex digest (e.g. ``"h_"``).
        length: hex characters kept (8 to 64).
        normalize: hash the normalized value, so spellings of one value join (``A@X.com`` == ``a@x.com``).
    """

    prefix: str = Field(default="", max_length=32)
    length: int = Field(default=16, ge=8, le=64)
    normalize: bool = True


class EncryptParams(Params):
    """Parameters of encrypt (AEAD through the keyring, bound to tenant and field).

    Attributes:
        field: the associated-data field name; default the record field, else the entity type.
        deterministic: equal values give equal tokens (AES-SIV); reveals equality, allows joins.
    """

    field: str | None = Field(default=None, min_length=1)
    deterministic: bool = False


class TokenizeParams(Params):
    """Parameters of tokenize (deterministic keyed tokens, reversible only through the vault).

    Attributes:
        format: ``opaque`` (``tok_3f9a...``) or ``preserve`` (a card stays a Luhn-valid card number of the same
            length, an SSN stays nine digits in its layout, an email stays an email ``tok_ab12cd@example.invalid``);
            types without a fixed format (names, dates, addresses) get opaque tokens either way.
        prefix: opaque and email token prefix.
        length: hex characters of an opaque token.
        keep_brand: preserve format keeps the card's brand prefix (4 for Visa, 51-55 for Mastercard...).
        keep_grouping: preserve format keeps separators and grouping.
        domain: the domain of email tokens.
    """

    format: Literal["opaque", "preserve"] = "opaque"
    prefix: str = Field(default="tok_", max_length=32)
    length: int = Field(default=12, ge=6, le=64)
    keep_brand: bool = True
    keep_grouping: bool = True
    domain: str = Field(default="example.invalid", min_length=3)


def _hash(value: str, scope: Scope, params: HashParams) -> str:
    data = normalize_value(scope.entity.type, value) if params.normalize else value
    return params.prefix + keyed_hex(scope.ctx.key("hash"), data)[: params.length]


def _encrypt(value: str, scope: Scope, params: EncryptParams) -> str:
    keys = scope.ctx.require_keys()
    field = params.field or scope.field
    if params.deterministic:
        return keys.encrypt(value.encode(), tenant=scope.ctx.tenant, field=field, deterministic=True)
    return keys.encrypt(value.encode(), tenant=scope.ctx.tenant, field=field)


def _preserve(entity_type: str, value: str, rng: KeyedRandom, params: TokenizeParams, hexd: str) -> str:
    if entity_type == "EMAIL_ADDRESS":
        return f"{params.prefix}{hexd[:6]}@{params.domain}"
    digits = "".join(ch for ch in value if ch.isdigit())
    if entity_type == "CREDIT_CARD" and len(digits) >= 12:
        prefix = digits[: card_prefix_length(digits)] if params.keep_brand else str(rng.between(1, 9))
        token = fill_digits(prefix, len(digits), rng, luhn=True)
        return reshape_like(value, token) if params.keep_grouping else token
    if entity_type == "IBAN_CODE":
        compact = "".join(ch for ch in value if ch.isalnum()).upper()
        if len(compact) > 4 and compact[:2].isalpha():
            iban = iban_with_check(compact[:2], shape_preserving(compact[4:], rng))
            return reshape_like(value, iban) if params.keep_grouping else iban
    keep = 0
    if entity_type == "PHONE_NUMBER" and value.startswith("+"):
        keep = 1
        while keep < len(value) and value[keep].isdigit():
            keep += 1
    token = shape_preserving(value, rng, keep=keep)
    return token if params.keep_grouping else "".join(ch for ch in token if ch.isalnum())


def token_for(entity_type: str, value: str, key: bytes, params: TokenizeParams, attempt: int = 0) -> str:
    """The deterministic token of ``value`` (``attempt`` > 0 only after a collision in the vault)."""
    norm = normalize_value(entity_type, value)
    parts = (entity_type, norm) if attempt == 0 else (entity_type, norm, str(attempt))
    hexd = keyed_hex(key, *parts)
    if params.format == "opaque" or entity_type not in PRESERVABLE:
        return params.prefix + hexd[: params.length]
    return _preserve(entity_type, value, KeyedRandom(key, "tokenize", *parts), params, hexd)


def _tokenize(value: str, scope: Scope, params: TokenizeParams) -> str:
    ctx = scope.ctx
    key = ctx.key("tokenize")
    etype = scope.entity.type
    if ctx.vault is None:
        return token_for(etype, value, key, params)
    norm = normalize_value(etype, value)
    for attempt in range(_MAX_RETRIES):
        token = token_for(etype, value, key, params, attempt)
        if token in ctx.stored_tokens:
            return token
        try:
            stored = ctx.vault.get(ctx.tenant, token, session=ctx.session)
        except TokenNotFound:
            ctx.vault.put(ctx.tenant, token, value, session=ctx.session, ttl=ctx.ttl)
            ctx.stored_tokens.add(token)
            return token
        if hmac.compare_digest(normalize_value(etype, stored).encode(), norm.encode()):
            ctx.stored_tokens.add(token)
            return token
    raise VaultError(f"could not find a free {etype} token after {_MAX_RETRIES} attempts")


HASH: Operator[HashParams] = Operator("hash", HashParams, _hash, keyed=True)
ENCRYPT: Operator[EncryptParams] = Operator("encrypt", EncryptParams, _encrypt, keyed=True)
TOKENIZE: Operator[TokenizeParams] = Operator("tokenize", TokenizeParams, _tokenize, keyed=True, mapped=True)
