"""Helpers the vault tests share with the child processes they start.

Run as a script (``python vault_worker.py '<json>'``) it is such a child; the tests load it by path, because
pytest's importlib mode puts no test folder on ``sys.path``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coatcheck.keys import Keyring
from coatcheck.vault import PostgresVault, RedisVault, SQLiteVault, Vault

CRASH_EXIT = 17


class FakeClock:
    """Time that moves only when a test says so."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class FailingCipher:
    """A keyring that fails (``mode="raise"``) or kills its process (``mode="exit"``) at the n-th encryption.

    The vault encrypts rows lazily inside its write transaction, so this injects a failure between row writes.
    """

    def __init__(self, inner: Keyring, after: int, mode: str = "raise") -> None:
        self.inner, self.after, self.mode, self.calls = inner, after, mode, 0

    def encrypt(self, plaintext: bytes, *, tenant: str, field: str, subject: str | None = None) -> str:
        self.calls += 1
        if self.calls > self.after:
            if self.mode == "exit":
                os._exit(CRASH_EXIT)
            raise RuntimeError("injected failure")
        return self.inner.encrypt(plaintext, tenant=tenant, field=field, subject=subject)

    def decrypt(self, token: str, *, tenant: str, field: str, subject: str | None = None) -> bytes:
        return self.inner.decrypt(token, tenant=tenant, field=field, subject=subject)

    def derive(self, tenant: str, purpose: str) -> bytes:
        return self.inner.derive(tenant, purpose)


def make_vault(spec: dict[str, Any], cipher: Any, *, clock: Callable[[], float] | None = None) -> Vault:
    """Open the backend ``spec`` describes (a plain dict, so child processes can do the same)."""
    kwargs: dict[str, Any] = {} if clock is None else {"clock": clock}
    if spec["backend"] == "sqlite":
        return SQLiteVault(spec["path"], cipher, **kwargs)
    if spec["backend"] == "postgres":
        return PostgresVault(spec["url"], cipher, table=spec["table"], **kwargs)
    return RedisVault(spec["url"], cipher, prefix=spec["prefix"], **kwargs)


def entry(worker: int, i: int) -> tuple[str, str]:
    return f"[EMAIL_ADDRESS_{worker}_{i}]", f"user{worker}.{i}@example.com"


def write_entries(spec: dict[str, Any], keyring_path: str, worker: int, n: int) -> None:
    """Child process: ``n`` single puts, then batches of 10, plus tokens every worker writes with the same value."""
    ring = Keyring.open(Path(keyring_path), create=False)
    with make_vault(spec, ring) as vault:
        half = n // 2
        for i in range(half):
            vault.put("acme", *entry(worker, i))
        for start in range(half, n, 10):
            vault.put_many("acme", dict(entry(worker, i) for i in range(start, min(start + 10, n))))
        for i in range(20):
            vault.put("acme", f"[SHARED_{i}]", f"shared value {i}")


def crash_mid_write(spec: dict[str, Any], keyring_path: str, n: int, after: int) -> None:
    """Child process: dies (os._exit) in the middle of a put_many of ``n`` entries."""
    ring = Keyring.open(Path(keyring_path), create=False)
    vault = make_vault(spec, FailingCipher(ring, after, mode="exit"))
    vault.put_many("acme", dict(entry(0, i) for i in range(n)))


if __name__ == "__main__":
    job = json.loads(sys.argv[1])
    if job["task"] == "write":
        time.sleep(max(0.0, job["start_at"] - time.time()))
        write_entries(job["spec"], job["keyring"], job["worker"], job["n"])
    else:
        crash_mid_write(job["spec"], job["keyring"], job["n"], job["after"])
