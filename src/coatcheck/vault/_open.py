"""`open_vault`: pick a backend from a URL, as configuration files name them."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from coatcheck.errors import InputError
from coatcheck.vault._base import Cipher, Vault, redact_url

__all__ = ["open_vault"]


def open_vault(url: str, cipher: Cipher, **options: Any) -> Vault:
    """Open the vault that ``url`` names.

    - ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (SQLAlchemy's convention), ``sqlite://``
      for a private in-memory store;
    - ``postgresql://user@host:5432/db`` (or ``postgres://``);
    - ``redis://[:password@]host:6379/0`` (or ``rediss://``).

    ``options`` go to the backend's constructor (``table=``, ``prefix=``, ``clock=``...).

    Raises:
        InputError: an unsupported or malformed URL.
        VaultError: the store cannot be opened or reached.
    """
    if not isinstance(url, str):
        raise InputError(f"vault URL must be a string, not {type(url).__name__}")
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise InputError(f"vault URL {redact_url(url)!r} has no scheme: use sqlite:///, postgresql:// or redis://")
    if scheme == "sqlite":
        from coatcheck.vault._sqlite import SQLiteVault

        if rest in ("", "/", "/:memory:"):
            return SQLiteVault(":memory:", cipher, **options)
        if not rest.startswith("/") or "?" in rest:
            raise InputError("SQLite vault URL must look like sqlite:///relative.db or sqlite:////absolute.db")
        return SQLiteVault(unquote(rest[1:]), cipher, **options)
    if scheme in ("postgresql", "postgres"):
        from coatcheck.vault._postgres import PostgresVault

        return PostgresVault(url, cipher, **options)
    if scheme in ("redis", "rediss"):
        from coatcheck.vault._redis import RedisVault

        return RedisVault(url, cipher, **options)
    raise InputError(f"unsupported vault URL scheme {scheme!r}: use sqlite:///, postgresql:// or redis://")
