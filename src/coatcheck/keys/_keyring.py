"""The keyring: per-tenant envelope encryption, keyed derivation, rotation and crypto-shredding.

Each tenant has a key id, versioned data keys, a derivation secret (never rotated, so hashes, tokens and
surrogates stay stable) and optional per-data-subject keys. All are random 32-byte keys, stored only
wrapped by the master key. Destroying a key is crypto-shredding: every token under it is unreadable forever.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidTag

from coatcheck.errors import InputError, InvalidToken, KeyManagementError
from coatcheck.keys._crypto import AESGCM, AESSIV, KEY_BYTES, NONCE_BYTES, b64d, b64e, derive_key, hkdf, lp
from coatcheck.keys._providers import LocalMasterKey, MasterKeyProvider
from coatcheck.keys._store import FileStore, KeyringStore, MemoryStore, new_document

__all__ = ["TOKEN_PREFIX", "KeyInfo", "Keyring"]

logger = logging.getLogger("coatcheck.keys")

TOKEN_PREFIX = "cc1"  # noqa: S105 - a format tag, not a secret
_GCM, _SIV = 1, 2
_INVALID = "invalid token"
_CONTENT_SALT = b"coatcheck/content/v1"
_SUBJECT_SALT = b"coatcheck/subject/v1"
_SUBJECT_INDEX = "coatcheck/subject-index"
_MAX_NAME = 256
_CACHE_MAX = 4096  # cached keys and ciphers (per tenant, version and subject); bounded for many subjects

Cipher = AESGCM | AESSIV
Clock = Callable[[], datetime]
Random = Callable[[int], bytes]


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """Metadata of one key; never any key material.

    Attributes:
        tenant: the tenant the key belongs to.
        kind: ``data`` (versioned encryption key), ``derivation`` (keyed hashing), ``subject`` (one data
            subject's key) or ``tenant`` (the tombstone of a destroyed tenant).
        kid: key id carried in tokens.
        version: data key version, else None.
        state: ``primary`` (encrypts), ``active`` (decrypts), ``retired`` (below the minimum), ``destroyed``.
        created: UTC ISO timestamp.
        subject: keyed hash naming the data subject (never the subject id itself).
    """

    tenant: str
    kind: Literal["data", "derivation", "subject", "tenant"]
    kid: str
    version: int | None
    state: Literal["primary", "active", "retired", "destroyed"]
    created: str
    subject: str | None = None


def _name(value: object, what: str) -> str:
    if type(value) is not str or not 0 < len(value) <= _MAX_NAME or not value.isprintable():
        raise InputError(f"{what} must be a printable string of 1-{_MAX_NAME} characters")
    return value


def _ad(tenant: str, field: str, kid: str, ver_s: str, mode: int) -> bytes:
    """Associated data. NUL-separated is unambiguous: names are printable, kid is hex, version digits."""
    return f"{TOKEN_PREFIX}\0{tenant}\0{field}\0{kid}\0{ver_s}\0{mode}".encode()


def _context(*parts: str) -> str:
    return json.dumps(["coatcheck", *parts], separators=(",", ":"))


def _parse(token: object) -> tuple[str, str, int, int, bytes]:
    """Split a token into (kid, version text, version, mode, body); ValueError on any malformation."""
    if not isinstance(token, str):
        raise ValueError("not a str")
    prefix, kid, ver_s, body_s = token.split(":")
    if prefix != TOKEN_PREFIX or not (ver_s.isascii() and ver_s.isdigit()) or str(int(ver_s)) != ver_s:
        raise ValueError("bad header")
    body = b64d(body_s)
    return kid, ver_s, int(ver_s), body[0], body[1:]


class Keyring:
    """Per-tenant keys behind one API; open a file with ``Keyring.open`` or use ``Keyring.ephemeral``.

    Thread-safe. Several processes may share one keyring file: changes are made under a file lock on the
    freshest copy, and every call notices a file replaced by another process (so a rotation or a shredding
    there applies here at once).
    """

    def __init__(
        self,
        store: KeyringStore,
        provider: MasterKeyProvider,
        doc: dict[str, Any],
        *,
        clock: Clock | None = None,
        random: Random | None = None,
        where: str = "memory",
    ) -> None:
        master = doc.get("master", {})
        if master.get("provider") != provider.name or not hmac.compare_digest(
            str(master.get("key_id", "")).encode(), provider.key_id.encode()
        ):
            raise KeyManagementError(
                f"keyring {where} was created with master key {master.get('provider')}/"
                f"{master.get('key_id')}, not {provider.name}/{provider.key_id}"
            )
        self._store, self._provider, self._doc, self._where = store, provider, doc, where
        self._clock: Clock = clock or (lambda: datetime.now(UTC))
        self._random: Random = random or os.urandom
        self._lock = threading.RLock()
        self._unwrapped: dict[tuple[str, str], bytes] = {}
        self._ciphers: dict[tuple[str, int, str | None, int], tuple[str, Cipher]] = {}
        self._derived: dict[tuple[str, str], bytes] = {}
        self._current: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"Keyring({self._where}, master={self._provider.name}/{self._provider.key_id})"

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        provider: MasterKeyProvider | None = None,
        create: bool = True,
        clock: Clock | None = None,
        random: Random | None = None,
    ) -> Keyring:
        """Open (or create, 0600) the keyring file at ``path``.

        Without a provider the master key lives in ``<path>.master`` (LocalMasterKey). Permissions wider than
        0600 on either file are logged as a warning.
        """
        file = Path(path)
        if not create and not file.exists():
            raise KeyManagementError(f"no keyring at {file}")
        # An existing keyring never gets a new master key file: a missing one is an error, not a fresh key.
        provider = provider or LocalMasterKey.for_keyring(file, create=create and not file.exists())
        store = FileStore(file)
        doc = store.load() or store.create(new_document(provider.name, provider.key_id))
        return cls(store, provider, doc, clock=clock, random=random, where=str(file))

    @classmethod
    def ephemeral(
        cls, master_key: bytes | None = None, *, clock: Clock | None = None, random: Random | None = None
    ) -> Keyring:
        """An in-memory keyring for tests and demos (random master key unless one is given)."""
        rnd = random or os.urandom
        provider = LocalMasterKey(rnd(KEY_BYTES) if master_key is None else master_key, random=rnd)
        store = MemoryStore()
        doc = store.create(new_document(provider.name, provider.key_id))
        return cls(store, provider, doc, clock=clock, random=random)

    # -- public API ---------------------------------------------------------------------------------------

    def derive(self, tenant: str, purpose: str) -> bytes:
        """A 32-byte key for ``purpose`` (HMAC hashing, deterministic tokens, surrogate seeds).

        Stable across rotations and processes: it comes from the tenant's derivation secret (HKDF-SHA256 with
        the tenant and purpose as info), which only ``destroy(tenant)`` removes.
        """
        _name(tenant, "tenant")
        _name(purpose, "purpose")
        with self._lock:
            self._sync()
            hit = self._derived.get((tenant, purpose))
            if hit is not None:
                return hit
            t = self._writable_tenant(tenant)
            secret = self._unwrap(_context(tenant, "derivation", t["kid"]), t["derivation"]["wrapped"])
            out = self._derived[(tenant, purpose)] = derive_key(secret, tenant, purpose)
            return out

    def encrypt(
        self,
        plaintext: bytes,
        *,
        tenant: str,
        field: str,
        subject: str | None = None,
        deterministic: bool = False,
    ) -> str:
        """Encrypt under the tenant's newest key (and the subject's key, if given).

        AES-256-GCM with a random nonce, or AES-256-SIV when ``deterministic`` (equal inputs give equal
        tokens, which allows equality joins but reveals equality). The associated data binds tenant, field,
        key id, version and mode. Returns ``cc1:<kid>:<version>:<base64url>``.
        """
        if not isinstance(plaintext, bytes | bytearray):
            raise InputError(f"plaintext must be bytes, got {type(plaintext).__name__}")
        _name(tenant, "tenant")
        _name(field, "field")
        mode = _SIV if deterministic else _GCM
        with self._lock:
            self._sync()
            version = self._current.get(tenant)
            if version is None:
                t = self._writable_tenant(tenant)
                version = self._current[tenant] = max(int(v) for v in t["versions"])
            shash = None if subject is None else self._subject_hash(tenant, subject)
            found = self._cipher(tenant, version, shash, mode, create=True)
        if found is None:  # pragma: no cover - create=True always finds or raises
            raise KeyManagementError("no key to encrypt with")
        kid, cipher = found
        ver_s = str(version)
        ad = _ad(tenant, field, kid, ver_s, mode)
        if isinstance(cipher, AESGCM):
            nonce = self._random(NONCE_BYTES)
            body = nonce + cipher.encrypt(nonce, bytes(plaintext), ad)
        else:
            body = cipher.encrypt(bytes(plaintext), [ad])
        return f"{TOKEN_PREFIX}:{kid}:{ver_s}:{b64e(bytes([mode]) + body)}"

    def decrypt(self, token: str, *, tenant: str, field: str, subject: str | None = None) -> bytes:
        """Decrypt a token. Every failure (tampering, truncation, other tenant or field or subject, retired
        version, destroyed key) raises the same ``InvalidToken``, so failures reveal nothing."""
        _name(tenant, "tenant")
        _name(field, "field")
        try:
            kid, ver_s, version, mode, body = _parse(token)
            with self._lock:
                self._sync()
                shash = None if subject is None else self._subject_hash(tenant, subject, create=False)
                found = (
                    None
                    if subject is not None and shash is None
                    else self._cipher(tenant, version, shash, mode, create=False)
                )
            if found is None or found[0] != kid:
                raise InvalidToken(_INVALID)
            cipher = found[1]
            ad = _ad(tenant, field, kid, ver_s, mode)
            if isinstance(cipher, AESGCM):
                return cipher.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], ad)
            return cipher.decrypt(body, [ad])
        except (ValueError, IndexError, InvalidTag):
            raise InvalidToken(_INVALID) from None

    def rotate(self, tenant: str) -> int:
        """Add a new data-key version and make it primary; older versions keep decrypting.

        A tenant without keys is created at version 1. Returns the new primary version.
        """
        _name(tenant, "tenant")
        with self._lock:
            self._sync()
            if tenant not in self._doc["tenants"]:
                self._writable_tenant(tenant)
                return 1
            with self._store.transaction() as doc:
                t = self._live(doc, tenant)
                version = max(int(v) for v in t["versions"]) + 1
                t["versions"][str(version)] = self._new_key(_context(tenant, "data", t["kid"], str(version)))
            self._replace(doc)
            return version

    def retire_below(self, tenant: str, version: int) -> None:
        """Refuse decryption under versions below ``version`` (rotate first, then rewrap, then retire)."""
        _name(tenant, "tenant")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise InputError("version must be a positive int")
        with self._lock:
            self._sync()
            with self._store.transaction() as doc:
                t = self._live(doc, tenant)
                if version > max(int(v) for v in t["versions"]):
                    raise KeyManagementError(f"tenant {tenant!r} has no version {version} yet; rotate first")
                t["min_version"] = max(int(t["min_version"]), version)
            self._replace(doc)

    def rewrap(self, token: str, *, tenant: str, field: str, subject: str | None = None) -> str:
        """Re-encrypt a token under the newest version (same mode), without handing out the plaintext."""
        try:
            deterministic = _parse(token)[3] == _SIV
        except (ValueError, IndexError):
            raise InvalidToken(_INVALID) from None
        plaintext = self.decrypt(token, tenant=tenant, field=field, subject=subject)
        return self.encrypt(plaintext, tenant=tenant, field=field, subject=subject, deterministic=deterministic)

    def destroy(self, tenant: str, subject: str | None = None) -> None:
        """Crypto-shredding: destroy all keys of ``tenant``, or only the key of one data ``subject``.

        Tokens under a destroyed key raise InvalidToken forever. A destroyed tenant stays a tombstone (it
        cannot be used again); a destroyed subject gets a new key (new key id) if it is encrypted for again.
        Idempotent for subjects without a key and for tenants already destroyed.
        """
        _name(tenant, "tenant")
        with self._lock:
            self._sync()
            t = self._doc["tenants"].get(tenant)
            if t is None:
                raise KeyManagementError(f"no keys for tenant {tenant!r}")
            if t["state"] == "destroyed":
                return
            shash = None if subject is None else self._subject_hash(tenant, subject)
            with self._store.transaction() as doc:
                t = doc["tenants"][tenant]
                if t["state"] == "destroyed":
                    return
                if shash is not None:
                    t["subjects"].pop(shash, None)
                else:
                    doc["tenants"][tenant] = {
                        "kid": t["kid"],
                        "state": "destroyed",
                        "created": t["created"],
                        "destroyed": self._now(),
                    }
            self._replace(doc)
        logger.info("destroyed %s keys of tenant %s", "subject" if subject is not None else "all", tenant)

    def list_keys(self) -> list[KeyInfo]:
        """Every key's metadata (ids, versions, states, dates); no key material."""
        with self._lock:
            self._sync()
            tenants = self._doc["tenants"]
        out: list[KeyInfo] = []
        for name in sorted(tenants):
            t = tenants[name]
            if t["state"] == "destroyed":
                out.append(KeyInfo(name, "tenant", t["kid"], None, "destroyed", t["destroyed"]))
                continue
            out.append(KeyInfo(name, "derivation", t["kid"], None, "active", t["derivation"]["created"]))
            newest = max(int(v) for v in t["versions"])
            for v in sorted(t["versions"], key=int):
                state: Literal["primary", "active", "retired"] = (
                    "primary" if int(v) == newest else "retired" if int(v) < t["min_version"] else "active"
                )
                out.append(KeyInfo(name, "data", t["kid"], int(v), state, t["versions"][v]["created"]))
            for shash in sorted(t["subjects"]):
                s = t["subjects"][shash]
                out.append(KeyInfo(name, "subject", s["kid"], None, "active", s["created"], subject=shash))
        return out

    # -- internals (callers hold self._lock) --------------------------------------------------------------

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat()

    def _new_kid(self, prefix: str) -> str:
        return prefix + self._random(8).hex()

    def _new_key(self, context: str) -> dict[str, str]:
        return {
            "wrapped": b64e(self._provider.wrap(self._random(KEY_BYTES), context=context)),
            "created": self._now(),
        }

    def _sync(self) -> None:
        if self._store.changed():
            doc = self._store.load()
            if doc is None:
                raise KeyManagementError(f"keyring {self._where} disappeared")
            self._replace(doc)

    def _replace(self, doc: dict[str, Any]) -> None:
        """Adopt a new document; drop every cached key that it no longer holds (shredding applies at once)."""
        self._doc = doc
        self._ciphers.clear()
        self._derived.clear()
        self._current.clear()
        live = {w for _, w in self._unwrapped} & set(_wrapped_values(doc))
        self._unwrapped = {k: v for k, v in self._unwrapped.items() if k[1] in live}

    def _unwrap(self, context: str, wrapped: str) -> bytes:
        key = self._unwrapped.get((context, wrapped))
        if key is None:
            try:
                raw = b64d(wrapped)
            except ValueError:
                raise KeyManagementError(f"keyring {self._where} holds a damaged wrapped key") from None
            key = self._provider.unwrap(raw, context=context)
            if len(key) != KEY_BYTES:
                raise KeyManagementError("master key provider returned a key of the wrong length")
            if len(self._unwrapped) >= _CACHE_MAX:
                self._unwrapped.clear()
            self._unwrapped[(context, wrapped)] = key
        return key

    @staticmethod
    def _live(doc: dict[str, Any], tenant: str) -> dict[str, Any]:
        t = doc["tenants"].get(tenant)
        if t is None:
            raise KeyManagementError(f"no keys for tenant {tenant!r}")
        if t["state"] == "destroyed":
            raise KeyManagementError(f"keys of tenant {tenant!r} were destroyed")
        return t  # type: ignore[no-any-return]

    def _writable_tenant(self, tenant: str) -> dict[str, Any]:
        """The tenant's record, created (under the file lock) on first use."""
        t = self._doc["tenants"].get(tenant)
        if t is None:
            with self._store.transaction() as doc:
                if tenant not in doc["tenants"]:
                    kid = self._new_kid("k")
                    doc["tenants"][tenant] = {
                        "kid": kid,
                        "state": "active",
                        "created": self._now(),
                        "min_version": 1,
                        "derivation": self._new_key(_context(tenant, "derivation", kid)),
                        "versions": {"1": self._new_key(_context(tenant, "data", kid, "1"))},
                        "subjects": {},
                    }
            self._replace(doc)
        return self._live(self._doc, tenant)

    def _subject_hash(self, tenant: str, subject: str, *, create: bool = True) -> str | None:
        _name(subject, "subject")
        t = self._doc["tenants"].get(tenant)
        if not create and (t is None or t["state"] == "destroyed"):
            return None
        index_key = self.derive(tenant, _SUBJECT_INDEX)
        return hmac.new(index_key, subject.encode(), "sha256").hexdigest()[:32]

    def _cipher(
        self, tenant: str, version: int, shash: str | None, mode: int, *, create: bool
    ) -> tuple[str, Cipher] | None:
        ck = (tenant, version, shash, mode)
        hit = self._ciphers.get(ck)
        if hit is not None:
            return hit
        t = self._doc["tenants"].get(tenant)
        if t is None or t["state"] == "destroyed" or mode not in (_GCM, _SIV):
            return None
        if version < int(t["min_version"]) or str(version) not in t["versions"]:
            return None
        base = self._unwrap(_context(tenant, "data", t["kid"], str(version)), t["versions"][str(version)]["wrapped"])
        kid = t["kid"]
        if shash is not None:
            s = t["subjects"].get(shash)
            if s is None:
                if not create:
                    return None
                s = self._new_subject(tenant, shash)
            kid = s["kid"]
            subject_key = self._unwrap(_context(tenant, "subject", kid), s["wrapped"])
            base = hkdf(base + subject_key, salt=_SUBJECT_SALT, info=lp(kid.encode(), str(version).encode()))
        cipher: Cipher = (
            AESGCM(hkdf(base, salt=_CONTENT_SALT, info=b"aes-256-gcm"))
            if mode == _GCM
            else AESSIV(hkdf(base, salt=_CONTENT_SALT, info=b"aes-256-siv", length=2 * KEY_BYTES))
        )
        if len(self._ciphers) >= _CACHE_MAX:
            self._ciphers.clear()
        self._ciphers[ck] = (kid, cipher)
        return kid, cipher

    def _new_subject(self, tenant: str, shash: str) -> dict[str, str]:
        with self._store.transaction() as doc:
            t = self._live(doc, tenant)
            if shash not in t["subjects"]:
                kid = self._new_kid("s")
                t["subjects"][shash] = {"kid": kid, **self._new_key(_context(tenant, "subject", kid))}
        self._replace(doc)
        return self._live(self._doc, tenant)["subjects"][shash]  # type: ignore[no-any-return]


def _wrapped_values(doc: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for t in doc["tenants"].values():
        if t["state"] == "destroyed":
            continue
        out.append(t["derivation"]["wrapped"])
        out.extend(v["wrapped"] for v in t["versions"].values())
        out.extend(s["wrapped"] for s in t["subjects"].values())
    return out
