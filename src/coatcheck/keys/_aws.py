"""AWS KMS as the master-key provider: data keys are wrapped by a KMS key that never leaves AWS."""

from __future__ import annotations

from typing import Any

from coatcheck.errors import KeyManagementError

__all__ = ["AwsKmsMasterKey"]


class AwsKmsMasterKey:
    """Wrap data keys with ``kms:Encrypt``/``kms:Decrypt``; the wrap context is the KMS encryption context.

    The encryption context is logged by CloudTrail, so it names only tenant, key kind, key id and version.

    Args:
        key_id: KMS key id, ARN or alias (recorded in the keyring; use the same spelling every time).
        client: a boto3 KMS client; built from ``region_name``/``endpoint_url`` when omitted.
    """

    name = "aws-kms"

    def __init__(
        self,
        key_id: str,
        *,
        client: Any = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        if not isinstance(key_id, str) or not key_id:
            raise KeyManagementError("AWS KMS key_id must be a non-empty string")
        try:
            from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]
        except ImportError:  # pragma: no cover - depends on the environment
            raise KeyManagementError("AwsKmsMasterKey needs boto3: pip install boto3") from None
        self._errors: tuple[type[Exception], ...] = (BotoCoreError, ClientError)
        if client is None:
            import boto3  # type: ignore[import-untyped]

            client = boto3.client("kms", region_name=region_name, endpoint_url=endpoint_url)
        self._client = client
        self._key_id = key_id

    def __repr__(self) -> str:
        return f"AwsKmsMasterKey(key_id={self._key_id!r})"

    @property
    def key_id(self) -> str:
        return self._key_id

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._client, operation)(**kwargs)
        except self._errors as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            raise KeyManagementError(f"AWS KMS {operation} failed: {code}") from None
        return response

    def wrap(self, key: bytes, *, context: str) -> bytes:
        response = self._call("encrypt", KeyId=self._key_id, Plaintext=key, EncryptionContext={"coatcheck": context})
        return bytes(response["CiphertextBlob"])

    def unwrap(self, wrapped: bytes, *, context: str) -> bytes:
        response = self._call(
            "decrypt", KeyId=self._key_id, CiphertextBlob=wrapped, EncryptionContext={"coatcheck": context}
        )
        return bytes(response["Plaintext"])
