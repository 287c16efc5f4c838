"""Keys: envelope encryption, keyed derivation, rotation, crypto-shredding; the only user of low-level crypto.

``Keyring`` is the whole API the rest of coatcheck needs; master-key providers decide where the key that wraps
the data keys lives (a local file by default, AWS KMS or Vault transit in production).
"""

from __future__ import annotations

import logging

from coatcheck.keys._aws import AwsKmsMasterKey
from coatcheck.keys._keyring import TOKEN_PREFIX, KeyInfo, Keyring
from coatcheck.keys._providers import ENV_VAR, EnvMasterKey, LocalMasterKey, MasterKeyProvider
from coatcheck.keys._transit import VaultTransitMasterKey

logging.getLogger("coatcheck.keys").addHandler(logging.NullHandler())

__all__ = [
    "ENV_VAR",
    "TOKEN_PREFIX",
    "AwsKmsMasterKey",
    "EnvMasterKey",
    "KeyInfo",
    "Keyring",
    "LocalMasterKey",
    "MasterKeyProvider",
    "VaultTransitMasterKey",
]
