"""Vault fixtures: one harness per backend, against the real local servers.

PostgreSQL and Redis are required: when one is not reachable the tests FAIL with the command that starts it.
Each test gets its own table (PostgreSQL) or key prefix (Redis) and removes it afterwards.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from coatcheck.keys import Keyring
from coatcheck.vault import Vault

PG_URL = os.environ.get("COATCHECK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("COATCHECK_TEST_REDIS", "redis://127.0.0.1:6379/0")
BACKENDS = ("sqlite", "postgres", "redis")

_PG_HELP = (
    "PostgreSQL is not reachable at {url} ({err}). The vault tests need the real server: start it with\n"
    "    pg_ctlcluster --skip-systemctl-redirect 15 main start\n"
    "(trust auth, database `test`, user `postgres`), or point COATCHECK_TEST_PG at another server."
)
_REDIS_HELP = (
    "Redis is not reachable at {url} ({err}). The vault tests need the real server: start it with\n"
    '    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n'
    "or point COATCHECK_TEST_REDIS at another server."
)

WORKER_PATH = Path(__file__).with_name("vault_worker.py")


def _load_worker() -> Any:
    spec = importlib.util.spec_from_file_location("coatcheck_tests_vault_worker", WORKER_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


worker_module = _load_worker()
FakeClock = worker_module.FakeClock
make_vault = worker_module.make_vault


@pytest.fixture(scope="session")
def worker() -> Any:
    """The helper module shared with child processes (FailingCipher, make_vault, entry, ...)."""
    return worker_module


@pytest.fixture(scope="session")
def pg_url() -> str:
    try:
        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        pytest.fail(_PG_HELP.format(url=PG_URL, err=type(exc).__name__), pytrace=False)
    return PG_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        pytest.fail(_REDIS_HELP.format(url=REDIS_URL, err=type(exc).__name__), pytrace=False)
    return REDIS_URL


@pytest.fixture(scope="session")
def keyring_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A keyring file shared with child processes; tenant keys are created here, before any child runs."""
    path = tmp_path_factory.mktemp("vault-keys") / "keyring.json"
    ring = Keyring.open(path)
    for tenant in ("acme", "globex", "initech"):
        ring.derive(tenant, "vault-index")
        ring.encrypt(b"warm-up", tenant=tenant, field="vault")
    return path


@pytest.fixture(scope="session")
def keyring(keyring_file: Path) -> Keyring:
    return Keyring.open(keyring_file)


@dataclass
class Harness:
    """One backend under test: how to open it, move its time, and look at what it stores."""

    name: str
    spec: dict[str, Any]
    keyring: Keyring
    clock: FakeClock | None
    dump: Callable[[], bytes]
    swap_values: Callable[[], None]
    vaults: list[Vault] = field(default_factory=list)

    def open(self, cipher: Any = None) -> Vault:
        vault = make_vault(self.spec, cipher or self.keyring, clock=self.clock)
        self.vaults.append(vault)
        return vault

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass: on the fake clock, or for real (Redis expires by server time)."""
        if self.clock is not None:
            self.clock.now += seconds
        else:
            time.sleep(seconds)


def _sqlite(tmp_path: Path, ring: Keyring) -> Iterator[Harness]:
    path = tmp_path / "vault.db"

    def dump() -> bytes:
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT k, t, s, f, v, e FROM coatcheck_vault").fetchall()
        conn.close()
        files = b"".join(p.read_bytes() for p in tmp_path.glob("vault.db*"))
        return repr(rows).encode() + files

    def swap() -> None:
        conn = sqlite3.connect(path)
        (k1, v1), (k2, v2) = conn.execute("SELECT k, v FROM coatcheck_vault").fetchall()
        with conn:
            conn.execute("UPDATE coatcheck_vault SET v = ? WHERE k = ?", (v2, k1))
            conn.execute("UPDATE coatcheck_vault SET v = ? WHERE k = ?", (v1, k2))
        conn.close()

    yield Harness("sqlite", {"backend": "sqlite", "path": str(path)}, ring, FakeClock(), dump, swap)


def _postgres(url: str, ring: Keyring) -> Iterator[Harness]:
    table = f"vault_test_{uuid.uuid4().hex[:12]}"
    conn = psycopg.connect(url, autocommit=True)

    def dump() -> bytes:
        rows = conn.execute(f"SELECT k, t, s, f, v, e FROM {table}").fetchall()  # noqa: S608 - test table
        return repr(rows).encode()

    def swap() -> None:
        (k1, v1), (k2, v2) = conn.execute(f"SELECT k, v FROM {table}").fetchall()  # noqa: S608 - test table
        with conn.transaction():
            conn.execute(f"UPDATE {table} SET v = %s WHERE k = %s", (v2, k1))  # noqa: S608 - test table
            conn.execute(f"UPDATE {table} SET v = %s WHERE k = %s", (v1, k2))  # noqa: S608 - test table

    try:
        yield Harness("postgres", {"backend": "postgres", "url": url, "table": table}, ring, FakeClock(), dump, swap)
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.close()


def _redis(url: str, ring: Keyring) -> Iterator[Harness]:
    prefix = f"cctest:{uuid.uuid4().hex[:12]}:"
    client = redis.Redis.from_url(url)

    def dump() -> bytes:
        out = []
        for key in client.scan_iter(match=f"{prefix}*"):
            kind = client.type(key)
            value = client.get(key) if kind == b"string" else sorted(client.smembers(key))
            out.append((key, value))
        return repr(out).encode()

    def swap() -> None:
        k1, k2 = [k for k in client.scan_iter(match=f"{prefix}*:e:*")]
        v1, v2 = client.get(k1), client.get(k2)
        assert v1 is not None
        assert v2 is not None
        client.set(k1, v1[:16] + v2[16:])  # keep each row's fingerprint, swap only the ciphertexts
        client.set(k2, v2[:16] + v1[16:])

    try:
        yield Harness("redis", {"backend": "redis", "url": url, "prefix": prefix}, ring, None, dump, swap)
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(params=BACKENDS)
def harness(request: pytest.FixtureRequest, tmp_path: Path, keyring: Keyring) -> Iterator[Harness]:
    name = request.param
    if name == "sqlite":
        gen = _sqlite(tmp_path, keyring)
    elif name == "postgres":
        gen = _postgres(request.getfixturevalue("pg_url"), keyring)
    else:
        gen = _redis(request.getfixturevalue("redis_url"), keyring)
    h = next(gen)
    try:
        yield h
    finally:
        for vault in h.vaults:
            vault.close()
        gen.close()


@pytest.fixture
def vault(harness: Harness) -> Vault:
    return harness.open()
