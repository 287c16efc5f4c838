"""Gateway configuration: where the model lives, the limits, and which API key belongs to which tenant."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coatcheck.errors import InputError

__all__ = ["GatewayConfig", "TenantConfig", "hash_api_key", "load_tenants"]

_HASH_PREFIX = "sha256:"


def hash_api_key(key: str) -> str:
    """The stored form of a client API key (``sha256:<hex>``): API keys are random, so a plain digest is enough."""
    return _HASH_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class TenantConfig:
    """One tenant of the gateway.

    Attributes:
        name: the tenant's name in the policy (``None``: the base policy).
        key_hashes: `hash_api_key` of every API key that identifies this tenant.
        upstream_key: the credential sent upstream for this tenant (server-side; never from the client).
        passthrough: forward the client's own key upstream (when no ``upstream_key`` is configured).
    """

    name: str | None
    key_hashes: tuple[str, ...] = ()
    upstream_key: str | None = field(default=None, repr=False)
    passthrough: bool = False

    @property
    def label(self) -> str:
        """The tenant's name for logs, metrics and audit."""
        return self.name or "default"


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """Everything `create_app` needs.

    Attributes:
        upstream: base URL of an OpenAI-compatible API (``https://api.openai.com``); None serves the built-in
            demo model.
        anthropic_upstream: base URL for ``/v1/messages`` (default: ``upstream``).
        policy: a `coatcheck.policy.Policy` (default: `Policy.default()`).
        tenants: the tenants and their keys; empty means one open tenant (the base policy) that passes the
            client's own key through.
        keys: key material for keyed methods (surrogates for embeddings); default an ephemeral keyring.
        audit: an `AuditLog`; when set, every request is audited before anything goes upstream.
        max_body_bytes, max_depth: request limits (413 and 400 above them).
        inline_detect_chars: requests with more text than this are scanned off the event loop.
        timeouts: connect, read, write and pool timeouts of the upstream client, in seconds.
        max_connections: size of the upstream connection pool.
    """

    upstream: str | None = None
    anthropic_upstream: str | None = None
    policy: Any = None
    tenants: tuple[TenantConfig, ...] = ()
    keys: Any = None
    audit: Any = None
    max_body_bytes: int = 4 * 1024 * 1024
    max_depth: int = 64
    inline_detect_chars: int = 4096
    timeouts: tuple[float, float, float, float] = (10.0, 300.0, 30.0, 30.0)
    max_connections: int = 512
    demo_delay: float = 0.02

    def tenant_for(self, key: str | None) -> TenantConfig | None:
        """The tenant a client key belongs to; the open tenant when none are configured; else None."""
        if not self.tenants:
            return TenantConfig(None, passthrough=True)
        if not key:
            return None
        digest = hash_api_key(key)
        for tenant in self.tenants:
            if any(hmac.compare_digest(digest, known) for known in tenant.key_hashes):
                return tenant
        return None


def _tenant(row: Any, where: str) -> TenantConfig:
    if not isinstance(row, Mapping):
        raise InputError(f"{where}: a tenant is a mapping with name, keys, upstream_key_env, passthrough")
    unknown = set(row) - {"name", "keys", "upstream_key_env", "passthrough"}
    if unknown:
        raise InputError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    keys = row.get("keys", [])
    if not isinstance(keys, Sequence) or isinstance(keys, str) or not keys:
        raise InputError(f"{where}.keys: a non-empty list of 'sha256:<hex>' key hashes")
    for index, key in enumerate(keys):
        if not (isinstance(key, str) and key.startswith(_HASH_PREFIX) and len(key) == len(_HASH_PREFIX) + 64):
            raise InputError(f"{where}.keys[{index}]: expected 'sha256:<64 hex>' (coatcheck serve --hash-key)")
    upstream_key = None
    env = row.get("upstream_key_env")
    if env is not None:
        if not isinstance(env, str) or env not in os.environ:
            raise InputError(f"{where}.upstream_key_env: environment variable {env!r} is not set")
        upstream_key = os.environ[env]
    name = row.get("name")
    if name is not None and not isinstance(name, str):
        raise InputError(f"{where}.name: a string")
    return TenantConfig(name, tuple(keys), upstream_key, bool(row.get("passthrough", False)))


def load_tenants(path: str | os.PathLike[str]) -> tuple[TenantConfig, ...]:
    """Read a tenants file (YAML or JSON): ``tenants: [{name, keys: [sha256:...], upstream_key_env, passthrough}]``.

    Keys are stored hashed; upstream credentials are read from the environment, never from the file.
    """
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
        data = json.loads(text) if source.endswith(".json") else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise InputError(f"{source}: cannot read the tenants file ({type(exc).__name__})") from None
    rows = data.get("tenants") if isinstance(data, Mapping) else None
    if not isinstance(rows, list):
        raise InputError(f"{source}: expected a mapping with a 'tenants' list")
    return tuple(_tenant(row, f"{source}: tenants[{i}]") for i, row in enumerate(rows))
