"""HashiCorp Vault's transit engine as the master-key provider (encryption as a service)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from coatcheck.errors import KeyManagementError

__all__ = ["VaultTransitMasterKey"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class VaultTransitMasterKey:
    """Wrap data keys with Vault transit ``encrypt``/``decrypt`` (``POST /v1/<mount>/encrypt/<name>``).

    The wrap context is sent as ``associated_data``, which Vault binds for AEAD key types (``aes256-gcm96``,
    the default, and ``chacha20-poly1305``).

    Args:
        key_name: the transit key name (recorded in the keyring as ``<mount_point>/<key_name>``).
        client: an ``hvac.Client``; built from ``url``, ``token`` and ``namespace`` when omitted.
    """

    name = "vault-transit"

    def __init__(
        self,
        key_name: str,
        *,
        client: Any = None,
        url: str | None = None,
        token: str | None = None,
        namespace: str | None = None,
        mount_point: str = "transit",
    ) -> None:
        if not isinstance(key_name, str) or not key_name or "/" in key_name:
            raise KeyManagementError("Vault transit key_name must be a non-empty name without '/'")
        try:
            import hvac  # type: ignore[import-untyped]
        except ImportError:  # pragma: no cover - depends on the environment
            raise KeyManagementError("VaultTransitMasterKey needs hvac: pip install hvac") from None
        # requests' errors (connection refused, timeouts) are OSErrors
        self._errors: tuple[type[Exception], ...] = (hvac.exceptions.VaultError, OSError)
        self._client = client if client is not None else hvac.Client(url=url, token=token, namespace=namespace)
        self._key_name = key_name
        self._mount = mount_point

    def __repr__(self) -> str:
        return f"VaultTransitMasterKey(key_id={self.key_id!r})"

    @property
    def key_id(self) -> str:
        return f"{self._mount}/{self._key_name}"

    def _call(self, operation: str, **kwargs: Any) -> str:
        method = getattr(self._client.secrets.transit, f"{operation}_data")
        try:
            response = method(name=self._key_name, mount_point=self._mount, **kwargs)
            value = response["data"]["plaintext" if operation == "decrypt" else "ciphertext"]
        except self._errors as exc:
            raise KeyManagementError(f"Vault transit {operation} failed: {type(exc).__name__}") from None
        except (KeyError, TypeError):
            raise KeyManagementError(f"Vault transit {operation} returned an unexpected response") from None
        if not isinstance(value, str):
            raise KeyManagementError(f"Vault transit {operation} returned an unexpected response")
        return value

    def wrap(self, key: bytes, *, context: str) -> bytes:
        return self._call("encrypt", plaintext=_b64(key), associated_data=_b64(context.encode())).encode("ascii")

    def unwrap(self, wrapped: bytes, *, context: str) -> bytes:
        try:
            ciphertext = wrapped.decode("ascii")
        except UnicodeDecodeError:
            raise KeyManagementError("wrapped key is not a Vault transit ciphertext") from None
        plaintext = self._call("decrypt", ciphertext=ciphertext, associated_data=_b64(context.encode()))
        try:
            return base64.b64decode(plaintext, validate=True)
        except binascii.Error:
            raise KeyManagementError("Vault transit decrypt returned an unexpected response") from None
