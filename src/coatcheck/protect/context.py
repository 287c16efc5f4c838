"""The state one session of protection carries: keys, placeholders, surrogate links, the vault."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from coatcheck.errors import MissingKeyError
from coatcheck.protect.base import KeyMaterial, VaultLike
from coatcheck.protect.placeholders import PlaceholderMinter
from coatcheck.protect.surrogate.context import SurrogateContext

__all__ = ["ProtectContext"]


@dataclass(slots=True)
class ProtectContext:
    """Everything that must persist across the texts of one session (a conversation, a file, a batch).

    Pure data plus caches: creating one does no I/O. Keyed derivations are fetched once per purpose.

    Attributes:
        keys: the keyring; keyed methods raise `MissingKeyError` without one.
        tenant: whose keys and vault entries are used.
        minter: placeholders for redact, stable across the session.
        surrogates: name links and stand-ins chosen so far, so later turns reuse them.
        vault: where tokenize stores token -> value (optional).
        session: the vault session the mappings belong to.
        ttl: how long vault mappings live (seconds), None for ever.
        locale: default Faker locale for stand-ins.
        stored_tokens: tokens already written to the vault in this session (skips repeated writes).
    """

    keys: KeyMaterial | None = None
    tenant: str = "default"
    minter: PlaceholderMinter = field(default_factory=PlaceholderMinter)
    surrogates: SurrogateContext = field(default_factory=SurrogateContext)
    vault: VaultLike | None = None
    session: str | None = None
    ttl: float | None = None
    locale: str = "en_US"
    _derived: dict[str, bytes] = field(default_factory=dict, repr=False)
    stored_tokens: set[str] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def key(self, purpose: str) -> bytes:
        """The tenant's derived key for ``purpose`` ("hash", "tokenize", "surrogate")."""
        found = self._derived.get(purpose)
        if found is not None:
            return found
        if self.keys is None:
            raise MissingKeyError(f"method {purpose!r} needs a key: pass a keyring (CLI: --key-file)")
        with self._lock:
            derived = self._derived[purpose] = self.keys.derive(self.tenant, purpose)
        return derived

    def require_keys(self) -> KeyMaterial:
        """The keyring, or `MissingKeyError`."""
        if self.keys is None:
            raise MissingKeyError("encrypt needs a key: pass a keyring (CLI: --key-file)")
        return self.keys

    def fork(self) -> ProtectContext:
        """A new session with the same keys, tenant, vault and locale but fresh placeholders and links."""
        return ProtectContext(
            keys=self.keys,
            tenant=self.tenant,
            vault=self.vault,
            ttl=self.ttl,
            locale=self.locale,
            _derived=self._derived,
        )
