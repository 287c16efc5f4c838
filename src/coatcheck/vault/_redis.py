"""Redis backend (redis-py): entries expire by Redis TTL, multi-entry writes are one Lua script."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from typing import Any

import redis

from coatcheck.errors import InputError, VaultError
from coatcheck.vault._base import TAG_BYTES, Cipher, Clock, Row, Scope, Vault, conflict_message, redact_url

__all__ = ["RedisVault"]

_PREFIX_RE = re.compile(r"[A-Za-z0-9_.:-]{0,64}")
_SCAN_BATCH = 1000

# KEYS: n entry keys, then the session's index set (optional). ARGV: n, ttl in ms (0: none), n values.
# A value is fingerprint (TAG_BYTES) + ciphertext. Every key is checked before anything is written: Redis does
# not roll back a script that fails half-way, so the checks must come first.
_PUT = """
local n, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local bad = 0
for i = 1, n do
  local old = redis.call('GETRANGE', KEYS[i], 0, FP_END)
  if old ~= '' and old ~= string.sub(ARGV[2 + i], 1, FP_LEN) then bad = bad + 1 end
end
if bad > 0 then return bad end
for i = 1, n do
  if ttl > 0 then redis.call('SET', KEYS[i], ARGV[2 + i], 'PX', ttl)
  else redis.call('SET', KEYS[i], ARGV[2 + i]) end
end
if #KEYS > n then
  local set = KEYS[n + 1]
  local existed = redis.call('EXISTS', set)
  for i = 1, n, 1000 do redis.call('SADD', set, unpack(KEYS, i, math.min(i + 999, n))) end
  if ttl == 0 then redis.call('PERSIST', set)
  else
    local left = redis.call('PTTL', set)
    if existed == 0 or (left >= 0 and left < ttl) then redis.call('PEXPIRE', set, ttl) end
  end
end
return 0
""".replace("FP_END", str(TAG_BYTES - 1)).replace("FP_LEN", str(TAG_BYTES))

# KEYS: the session's index set. Deletes its members and itself; returns how many entries existed.
_DROP_SESSION = """
local members = redis.call('SMEMBERS', KEYS[1])
local n = 0
for i = 1, #members, 1000 do
  n = n + redis.call('DEL', unpack(members, i, math.min(i + 999, #members)))
end
redis.call('DEL', KEYS[1])
return n
"""


class RedisVault(Vault):
    """A vault in Redis under a key prefix.

    Keys look like ``<prefix>{<tenant tag>}:e:<entry key>``: the hash tag keeps a tenant's keys in one cluster
    slot so its scripts stay atomic. Expiry is Redis's own (``PX``), so the injected clock does not apply and
    ``purge_expired`` has nothing to do. Each session keeps an index set so it can be deleted without a scan;
    deleting a whole tenant, and counting, scan the prefix.

    Args:
        url: ``redis://[:password@]host:port/db`` or ``rediss://...``.
        cipher: the keyring.
        prefix: key prefix, from ``[A-Za-z0-9_.:-]``.
        client: an existing client to use instead of ``url`` (it must not decode responses).
        clock: accepted for symmetry with the other backends; Redis uses server time.
    """

    def __init__(
        self,
        url: str,
        cipher: Cipher,
        *,
        prefix: str = "coatcheck:vault:",
        client: redis.Redis | None = None,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(cipher, clock=clock)
        if not _PREFIX_RE.fullmatch(prefix):
            raise InputError("Redis vault prefix must be up to 64 characters from [A-Za-z0-9_.:-]")
        self._url = url
        self._prefix = prefix
        try:
            self._redis: redis.Redis = client if client is not None else redis.Redis.from_url(url)
            self._redis.ping()
        except (redis.RedisError, ValueError) as exc:
            raise VaultError(f"cannot connect to Redis at {redact_url(url)}: {self._describe(exc)}") from exc
        self._put = self._redis.register_script(_PUT)
        self._drop_session = self._redis.register_script(_DROP_SESSION)

    def __repr__(self) -> str:
        return f"RedisVault(url={redact_url(self._url)!r}, prefix={self._prefix!r})"

    def close(self) -> None:
        self._redis.close()

    def _backend_errors(self) -> tuple[type[BaseException], ...]:
        return (redis.RedisError,)

    def _describe(self, exc: BaseException) -> str:
        return f"{type(exc).__name__}: {exc}"  # server and client messages name commands and hosts, not data

    def _tenant(self, tag: bytes) -> str:
        return f"{self._prefix}{{{tag.hex()}}}"

    def _entry(self, tenant_tag: bytes, key: bytes) -> str:
        return f"{self._prefix}{{{tenant_tag.hex()}}}:e:{key.hex()}"

    def _session_set(self, tenant_tag: bytes, session_tag: bytes) -> str:
        return f"{self._tenant(tenant_tag)}:s:{session_tag.hex()}"

    def _write(self, scope: Scope, rows: Iterator[Row], n: int, ttl: float | None, now: float) -> None:
        keys: list[str] = []
        values: list[bytes] = []
        for row in rows:
            keys.append(self._entry(row.tenant, row.key))
            values.append(row.fingerprint + row.ciphertext.encode("utf-8"))
        if scope.session_tag is not None:
            keys.append(self._session_set(scope.tenant_tag, scope.session_tag))
        ttl_ms = 0 if ttl is None else max(1, math.ceil(ttl * 1000))
        bad = int(self._put(keys=keys, args=[n, ttl_ms, *values]))
        if bad:
            raise VaultError(conflict_message(bad, n))

    def _read(self, scope: Scope, keys: list[bytes], now: float) -> dict[bytes, str]:
        names = [self._entry(scope.tenant_tag, k) for k in keys]
        raw = [self._redis.get(names[0])] if len(names) == 1 else self._redis.mget(names)
        return {k: v[TAG_BYTES:].decode("utf-8") for k, v in zip(keys, raw, strict=True) if isinstance(v, bytes)}

    def _scan(self, pattern: str) -> Iterator[list[Any]]:
        batch: list[Any] = []
        for key in self._redis.scan_iter(match=pattern, count=_SCAN_BATCH):
            batch.append(key)
            if len(batch) >= _SCAN_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def _delete_keys(self, scope: Scope, keys: list[bytes], now: float) -> int:
        return int(self._redis.delete(*(self._entry(scope.tenant_tag, k) for k in keys)))

    def _delete_session(self, scope: Scope, now: float) -> int:
        if scope.session_tag is None:
            return 0
        return int(self._drop_session(keys=[self._session_set(scope.tenant_tag, scope.session_tag)]))

    def _delete_tenant(self, scope: Scope, now: float) -> int:
        base = self._tenant(scope.tenant_tag)
        removed = sum(int(self._redis.delete(*batch)) for batch in self._scan(f"{base}:e:*"))
        for batch in self._scan(f"{base}:s:*"):
            self._redis.delete(*batch)
        return removed

    def _purge(self, now: float) -> int:
        return 0

    def _count(self, tenant_tag: bytes | None, now: float) -> int:
        base = f"{self._prefix}{{*}}" if tenant_tag is None else self._tenant(tenant_tag)
        return sum(len(batch) for batch in self._scan(f"{base}:e:*"))
