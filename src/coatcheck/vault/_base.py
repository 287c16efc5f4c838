"""The vault interface: token -> original value, looked up by keyed hash, stored encrypted.

Every backend stores the same row shape, so what a stolen database shows is the same everywhere:

- ``k``: HMAC of (session, token) under a per-tenant key. Equal tokens in two tenants or two sessions give
  unrelated keys, and the key does not reveal the token text.
- ``t``/``s``: keyed tags of the tenant and session, for deletion and counting.
- ``f``: keyed fingerprint of (``k``, value), so a re-``put`` can tell "same value" (idempotent) from
  "different value" (conflict) without decrypting, even inside a Redis script.
- ``v``: the value, AEAD-encrypted by the keyring with tenant and field ``vault:<k hex>`` as associated data
  (a ciphertext copied onto another row, tenant or session does not decrypt).
- ``e``: expiry time in seconds since the epoch, or none.
"""

from __future__ import annotations

import hmac
import math
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import ParamSpec, Protocol, Self, TypeVar, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

from coatcheck.errors import InputError, InvalidToken, TokenNotFound, VaultError

__all__ = ["Cipher", "Clock", "Row", "Scope", "Vault"]

Clock = Callable[[], float]

#: Prefix of the keyring ``field`` of vault values; the row key follows it.
FIELD = "vault"
#: The keyring derivation purpose of the per-tenant index key.
INDEX_PURPOSE = "vault-index"
#: Stored key, tag and fingerprint length in bytes (truncated HMAC-SHA256).
TAG_BYTES = 16
MAX_TOKEN_CHARS = 4096
_NOT_FOUND = "token not found for this tenant (unknown, expired or deleted)"
_TAMPERED = (
    "a vault entry failed to decrypt: it was altered or moved to another row, its key was destroyed, "
    "or this is not the keyring it was written with"
)
_INDEX_CACHE_SIZE = 4096
_P = ParamSpec("_P")
_R = TypeVar("_R")


@runtime_checkable
class Cipher(Protocol):
    """What the vault needs from a keyring; ``coatcheck.keys.Keyring`` satisfies it.

    Only ``coatcheck.keys`` touches cryptographic primitives; the vault asks it for authenticated encryption
    bound to (tenant, field, subject) and for per-tenant derived keys for its lookup hashes.
    """

    def encrypt(self, plaintext: bytes, *, tenant: str, field: str, subject: str | None = None) -> str:
        """Encrypt and authenticate ``plaintext``, bound to ``tenant``, ``field`` and ``subject``."""
        ...

    def decrypt(self, token: str, *, tenant: str, field: str, subject: str | None = None) -> bytes:
        """Reverse ``encrypt``; raise ``InvalidToken`` on any failure."""
        ...

    def derive(self, tenant: str, purpose: str) -> bytes:
        """A stable secret key for ``tenant`` and ``purpose``."""
        ...


@dataclass(frozen=True, slots=True)
class Row:
    """One stored entry, as every backend writes it (see the module docstring)."""

    key: bytes
    tenant: bytes
    session: bytes | None
    fingerprint: bytes
    ciphertext: str = field(repr=False)
    expires: float | None


@dataclass(frozen=True, slots=True)
class Scope:
    """A tenant and optional session, resolved to their keyed tags."""

    tenant: str
    session: str | None
    tenant_tag: bytes
    session_tag: bytes | None
    index_key: bytes = field(repr=False)
    lookup_prefix: bytes = field(repr=False)

    def lookup(self, token: str) -> bytes:
        """The stored key of ``token`` in this scope."""
        return _mac(self.index_key, self.lookup_prefix + _text(token, "token"))

    def fingerprint(self, key: bytes, value: bytes) -> bytes:
        """Keyed fingerprint of the value bound to ``key``."""
        return _mac(self.index_key, b"f" + key + value)


class Vault(ABC):
    """Maps tokens and placeholders back to the original values, per tenant and optional session.

    Subclasses implement a few storage primitives; everything about hashing, encryption, validation and
    error messages lives here so all backends behave the same. Instances are safe to share between threads;
    several processes may use the same store at once. Errors never contain tokens or values.

    Args:
        cipher: the keyring (see `Cipher`).
        clock: seconds since the epoch; injectable so tests can move time (Redis expiry uses server time).
    """

    def __init__(self, cipher: Cipher, *, clock: Clock = time.time) -> None:
        self._cipher = cipher
        self._clock = clock
        self._index_keys: dict[str, bytes] = {}
        self._index_lock = threading.Lock()

    # -- public API ------------------------------------------------------------------------------------

    def put(
        self, tenant: str, token: str, value: str, *, session: str | None = None, ttl: float | None = None
    ) -> None:
        """Store ``token -> value``. Storing the same pair again refreshes its expiry to ``ttl``.

        Raises:
            VaultError: the token is already bound to a different, unexpired value (never overwritten).
            InputError: empty tenant, session or token, a value that is not text, or a bad ``ttl``.
        """
        self.put_many(tenant, {token: value}, session=session, ttl=ttl)

    def put_many(
        self,
        tenant: str,
        items: Mapping[str, str],
        *,
        session: str | None = None,
        ttl: float | None = None,
    ) -> None:
        """Store several mappings in one transaction: all of them, or none if any fails or conflicts."""
        scope = self._scope(tenant, session)
        expires = self._expiry(ttl)
        if not isinstance(items, Mapping):
            raise InputError(f"put_many items must be a token -> value mapping, not {type(items).__name__}")
        keyed = sorted((scope.lookup(tok), _text(val, "value")) for tok, val in items.items())
        if not keyed:
            return
        # Encrypted lazily: backends consume this inside their transaction.
        rows = (self._seal(scope, key, raw, expires) for key, raw in keyed)
        self._guard(self._write, scope, rows, len(keyed), ttl, self._clock())

    def get(self, tenant: str, token: str, *, session: str | None = None) -> str:
        """The value of ``token``.

        Raises:
            TokenNotFound: unknown, expired or deleted, or another tenant's or session's token; always the
                same message, so a caller cannot probe other tenants.
        """
        scope = self._scope(tenant, session)
        key = scope.lookup(token)
        found = self._guard(self._read, scope, [key], self._clock())
        if key not in found:
            raise TokenNotFound(_NOT_FOUND)
        return self._open(scope, key, found[key])

    def get_many(
        self, tenant: str, tokens: Iterable[str], *, session: str | None = None, strict: bool = True
    ) -> dict[str, str]:
        """Values of several tokens in one round trip, in the order asked.

        Args:
            strict: raise `TokenNotFound` if any token is missing; when false, missing tokens are left out.
        """
        scope = self._scope(tenant, session)
        if isinstance(tokens, str):
            raise InputError("get_many takes an iterable of tokens, not a single string")
        by_key = {scope.lookup(tok): tok for tok in tokens}
        found = self._guard(self._read, scope, list(by_key), self._clock()) if by_key else {}
        if strict and len(found) < len(by_key):
            raise TokenNotFound(f"{len(by_key) - len(found)} of {len(by_key)} tokens: {_NOT_FOUND}")
        return {tok: self._open(scope, key, found[key]) for key, tok in by_key.items() if key in found}

    def delete(self, tenant: str, token: str | None = None, *, session: str | None = None) -> int:
        """Delete one token, every entry of a session, or (with neither) every entry of the tenant.

        Returns:
            How many unexpired entries were removed.
        """
        scope = self._scope(tenant, session)
        now = self._clock()
        if token is not None:
            return self._guard(self._delete_keys, scope, [scope.lookup(token)], now)
        if session is not None:
            return self._guard(self._delete_session, scope, now)
        return self._guard(self._delete_tenant, scope, now)

    def purge_expired(self) -> int:
        """Remove expired entries; returns how many. Expired entries are invisible even before a purge."""
        return self._guard(self._purge, self._clock())

    def count(self, tenant: str | None = None) -> int:
        """Unexpired entries of ``tenant`` (all sessions), or of every tenant."""
        tag = None if tenant is None else self._scope(tenant, None).tenant_tag
        return self._guard(self._count, tag, self._clock())

    @abstractmethod
    def close(self) -> None:
        """Release the connection. Further calls fail."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- backend primitives ----------------------------------------------------------------------------

    @abstractmethod
    def _write(self, scope: Scope, rows: Iterator[Row], n: int, ttl: float | None, now: float) -> None:
        """Upsert ``n`` rows atomically; an unexpired row with another fingerprint makes it all fail."""

    @abstractmethod
    def _read(self, scope: Scope, keys: list[bytes], now: float) -> dict[bytes, str]:
        """Ciphertexts of the unexpired rows among ``keys``."""

    @abstractmethod
    def _delete_keys(self, scope: Scope, keys: list[bytes], now: float) -> int: ...

    @abstractmethod
    def _delete_session(self, scope: Scope, now: float) -> int: ...

    @abstractmethod
    def _delete_tenant(self, scope: Scope, now: float) -> int: ...

    @abstractmethod
    def _purge(self, now: float) -> int: ...

    @abstractmethod
    def _count(self, tenant_tag: bytes | None, now: float) -> int: ...

    def _backend_errors(self) -> tuple[type[BaseException], ...]:
        """Driver exceptions that `_guard` turns into `VaultError`."""
        return ()

    def _describe(self, exc: BaseException) -> str:
        """A value-free description of a driver error."""
        return type(exc).__name__

    # -- helpers ---------------------------------------------------------------------------------------

    def _guard(self, fn: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except self._backend_errors() as exc:
            raise VaultError(f"{type(self).__name__}: {self._describe(exc)}") from exc

    def _scope(self, tenant: str, session: str | None) -> Scope:
        if not isinstance(tenant, str) or not tenant:
            raise InputError("tenant must be a non-empty string")
        if session is not None and (not isinstance(session, str) or not session):
            raise InputError("session must be a non-empty string or None")
        index_key = self._index_key(tenant)
        if session is None:
            sess_tag, prefix = None, b"k0:"
        else:
            raw = _text(session, "session")
            sess_tag, prefix = _mac(index_key, b"s" + raw), b"k1:%d:%b" % (len(raw), raw)
        return Scope(tenant, session, _mac(index_key, b"t"), sess_tag, index_key, prefix)

    def _index_key(self, tenant: str) -> bytes:
        key = self._index_keys.get(tenant)
        if key is None:
            key = self._cipher.derive(tenant, INDEX_PURPOSE)
            if not isinstance(key, bytes) or len(key) < 16:
                raise VaultError("the keyring returned an index key shorter than 16 bytes")
            with self._index_lock:
                if len(self._index_keys) >= _INDEX_CACHE_SIZE:
                    self._index_keys.clear()
                self._index_keys[tenant] = key
        return key

    def _expiry(self, ttl: float | None) -> float | None:
        if ttl is None:
            return None
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl) or ttl <= 0:
            raise InputError("ttl must be a positive, finite number of seconds, or None")
        return self._clock() + ttl

    def _seal(self, scope: Scope, key: bytes, raw: bytes, expires: float | None) -> Row:
        ct = self._cipher.encrypt(raw, tenant=scope.tenant, field=f"{FIELD}:{key.hex()}")
        return Row(key, scope.tenant_tag, scope.session_tag, scope.fingerprint(key, raw), ct, expires)

    def _open(self, scope: Scope, key: bytes, ciphertext: str) -> str:
        try:
            raw = self._cipher.decrypt(ciphertext, tenant=scope.tenant, field=f"{FIELD}:{key.hex()}")
            return raw.decode("utf-8")
        except (InvalidToken, UnicodeDecodeError):
            raise VaultError(_TAMPERED) from None


def conflict_message(bad: int, n: int) -> str:
    """The error text of a rejected rebinding: counts only, never tokens."""
    return f"{bad} of {n} tokens are already bound to a different value; nothing was written"


def batched(rows: Iterator[Row], size: int) -> Iterator[tuple[Row, ...]]:
    """Consecutive chunks of ``rows`` (itertools.batched arrived in Python 3.12)."""
    while chunk := tuple(islice(rows, size)):
        yield chunk


def redact_url(url: str) -> str:
    """``url`` (or a libpq ``key=value`` string) with its password replaced by ``***``, for reprs/errors."""
    if "://" in url:
        try:
            parts = urlsplit(url)
        except ValueError:
            return "<unparsable url>"
        userinfo, at, hostport = parts.netloc.rpartition("@")
        if at and ":" in userinfo:
            url = urlunsplit(parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{hostport}"))
    return re.sub(r"(password\s*=\s*)('[^']*'|[^\s&]+)", r"\1***", url)


def _mac(key: bytes, msg: bytes) -> bytes:
    return hmac.digest(key, msg, "sha256")[:TAG_BYTES]


def _text(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise InputError(f"vault {what} must be a string, not {type(value).__name__}")
    if what == "token" and not value:
        raise InputError("vault token must be a non-empty string")
    if what == "token" and len(value) > MAX_TOKEN_CHARS:
        raise InputError(f"vault token is longer than {MAX_TOKEN_CHARS} characters")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"vault {what} is not valid Unicode text (lone surrogate)") from None
