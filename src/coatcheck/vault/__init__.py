"""The vault: token or placeholder -> original value, for restoring and authorized re-identification.

Consistency never needs the vault (tokens come from keyed derivation); only going back does. Lookups use a
keyed hash of (tenant, session, token) and values are encrypted by the keyring, bound to their tenant and row,
so the store alone reveals neither tokens nor values. Backends: `SQLiteVault` (embedded default), `PostgresVault`,
`RedisVault`; `open_vault(url, cipher)` picks one from a URL.
"""

from __future__ import annotations

from coatcheck.vault._async import AsyncVault
from coatcheck.vault._base import Cipher, Vault
from coatcheck.vault._open import open_vault
from coatcheck.vault._postgres import PostgresVault
from coatcheck.vault._redis import RedisVault
from coatcheck.vault._sqlite import SQLiteVault

__all__ = ["AsyncVault", "Cipher", "PostgresVault", "RedisVault", "SQLiteVault", "Vault", "open_vault"]
