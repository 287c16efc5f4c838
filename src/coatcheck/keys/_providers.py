"""Master-key providers: the key that wraps (encrypts) every data key in a keyring.

The keyring stores only wrapped data keys; whoever holds the master key (a local file, an environment
variable, AWS KMS, Vault transit) controls them all. Each wrap is bound to a ``context`` string naming the
tenant, kind and version of the key, so a wrapped key moved to another slot of the keyring file no longer
unwraps.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag

from coatcheck.errors import KeyManagementError
from coatcheck.keys._crypto import AESGCM, KEY_BYTES, NONCE_BYTES, check_key
from coatcheck.keys._files import check_permissions, write_new_private_file

__all__ = ["ENV_VAR", "EnvMasterKey", "LocalMasterKey", "MasterKeyProvider", "parse_key_text"]

logger = logging.getLogger("coatcheck.keys")

ENV_VAR = "COATCHECK_MASTER_KEY"
_WRAP_VERSION = b"\x01"
_WRAP_AD = b"coatcheck/wrap/v1|"


@runtime_checkable
class MasterKeyProvider(Protocol):
    """Wraps and unwraps data keys. Implementations must be thread-safe.

    Attributes:
        name: short provider name recorded in the keyring file (``local``, ``aws-kms``, ...).
        key_id: identifies the master key without revealing it; a keyring refuses a provider whose
            ``key_id`` differs from the one it was created with.
    """

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> str: ...

    def wrap(self, key: bytes, *, context: str) -> bytes:
        """Encrypt a data key, bound to ``context``."""
        ...

    def unwrap(self, wrapped: bytes, *, context: str) -> bytes:
        """Decrypt a data key; raises KeyManagementError when it does not verify."""
        ...


def parse_key_text(text: str, what: str) -> bytes:
    """Read a 32-byte key written as 64 hex digits or (url-safe or standard) base64."""
    text = text.strip()
    try:
        raw = (
            bytes.fromhex(text)
            if len(text) == 2 * KEY_BYTES
            else base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
        )
    except (ValueError, binascii.Error):
        raise KeyManagementError(f"{what} is not hex or base64") from None
    return check_key(raw, what)


class LocalMasterKey:
    """A master key held in this process (AES-256-GCM key wrap). The embedded default.

    Use ``for_keyring(path)`` to keep it in a 0600 file next to the keyring file. Anyone who can read both
    files can read every value, so keep the master key elsewhere (KMS, Vault) in production.
    """

    name = "local"

    def __init__(self, key: bytes, *, random: Callable[[int], bytes] = os.urandom) -> None:
        self._aead = AESGCM(check_key(key, "master key"))
        self._random = random
        self._key_id = hmac.new(bytes(key), b"coatcheck/master-key-id", "sha256").hexdigest()[:16]

    def __repr__(self) -> str:
        return f"LocalMasterKey(key_id={self._key_id!r})"

    @property
    def key_id(self) -> str:
        return self._key_id

    @classmethod
    def for_keyring(cls, keyring_path: str | os.PathLike[str], *, create: bool = True) -> LocalMasterKey:
        """The master key in ``<keyring>.master`` (created 0600 with a random key on first use)."""
        path = Path(keyring_path)
        key_path = path.with_name(path.name + ".master")
        if not key_path.exists():
            if not create:
                raise KeyManagementError(f"no master key file at {key_path}")
            write_new_private_file(key_path, base64.urlsafe_b64encode(os.urandom(KEY_BYTES)) + b"\n")
        check_permissions(key_path, "master key file")
        return cls(parse_key_text(key_path.read_text("ascii"), f"master key file {key_path}"))

    def wrap(self, key: bytes, *, context: str) -> bytes:
        nonce = self._random(NONCE_BYTES)
        return _WRAP_VERSION + nonce + self._aead.encrypt(nonce, key, _WRAP_AD + context.encode())

    def unwrap(self, wrapped: bytes, *, context: str) -> bytes:
        if wrapped[:1] != _WRAP_VERSION or len(wrapped) < 1 + NONCE_BYTES + 16:
            raise KeyManagementError("wrapped key has an unknown format")
        nonce, body = wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, _WRAP_AD + context.encode())
        except InvalidTag:
            raise KeyManagementError(
                "master key could not unwrap a data key (wrong master key or damaged keyring)"
            ) from None


class EnvMasterKey(LocalMasterKey):
    """A master key read from ``COATCHECK_MASTER_KEY`` (hex or base64 of 32 bytes). Development only."""

    name = "env"

    def __init__(
        self,
        var: str = ENV_VAR,
        *,
        environ: Mapping[str, str] | None = None,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        env = os.environ if environ is None else environ
        text = env.get(var)
        if not text:
            raise KeyManagementError(f"environment variable {var} is not set")
        logger.warning("master key from environment variable %s: development only", var)
        super().__init__(parse_key_text(text, f"environment variable {var}"), random=random)

    def __repr__(self) -> str:
        return f"EnvMasterKey(key_id={self.key_id!r})"
