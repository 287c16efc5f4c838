"""SQLite backend: the embedded default. WAL mode, one transaction per write, safe across processes."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coatcheck.errors import InputError, VaultError
from coatcheck.vault._base import Cipher, Clock, Row, Scope, Vault, conflict_message

__all__ = ["SQLiteVault"]

_TABLE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_CHUNK = 500  # bound variables per IN (...) query
# Statement templates; {t} is the table name, checked against _TABLE_RE. Values are always bound parameters.
_SQL = {
    "create": "CREATE TABLE IF NOT EXISTS {t} (k BLOB PRIMARY KEY, t BLOB NOT NULL, s BLOB, f BLOB NOT NULL, "
    "v TEXT NOT NULL, e REAL) WITHOUT ROWID",
    "index_ts": "CREATE INDEX IF NOT EXISTS {t}_ts ON {t} (t, s)",
    "index_e": "CREATE INDEX IF NOT EXISTS {t}_e ON {t} (e) WHERE e IS NOT NULL",
    "put": "INSERT INTO {t} (k, t, s, f, v, e) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (k) DO UPDATE SET "
    "f = excluded.f, v = excluded.v, e = excluded.e "
    "WHERE {t}.f = excluded.f OR ({t}.e IS NOT NULL AND {t}.e <= ?)",
    "get": "SELECT v FROM {t} WHERE k = ? AND (e IS NULL OR e > ?)",
    "get_many": "SELECT k, v FROM {t} WHERE k IN ({marks}) AND (e IS NULL OR e > ?)",
    "count_where": "SELECT count(*) FROM {t} WHERE {where} AND (e IS NULL OR e > ?)",
    "delete_where": "DELETE FROM {t} WHERE {where}",
    "purge": "DELETE FROM {t} WHERE e IS NOT NULL AND e <= ?",
    "count": "SELECT count(*) FROM {t} WHERE (e IS NULL OR e > ?)",
    "count_tenant": "SELECT count(*) FROM {t} WHERE t = ? AND (e IS NULL OR e > ?)",
}


class SQLiteVault(Vault):
    """A vault in one SQLite file (or ``":memory:"``).

    Writers take the database lock up front (``BEGIN IMMEDIATE``) and wait up to ``busy_timeout`` seconds for
    another process, so concurrent writers queue instead of failing. The file is created owner-only.

    Args:
        path: database file, or ``":memory:"`` for a private in-process store.
        cipher: the keyring.
        table: table name, for sharing a database with other data.
        busy_timeout: seconds to wait for another process's write lock.
        durable: ``synchronous=FULL``, so a committed write survives power loss. The default (``NORMAL``) may
            lose the last commits on power loss, never half of one; an application crash loses nothing.
        clock: injectable time source for expiry.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        cipher: Cipher,
        *,
        table: str = "coatcheck_vault",
        busy_timeout: float = 30.0,
        durable: bool = False,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(cipher, clock=clock)
        if not _TABLE_RE.fullmatch(table):
            raise InputError("SQLite vault table name must match [A-Za-z_][A-Za-z0-9_]{0,62}")
        self._path = os.fspath(path)
        self._table = table
        self._lock = threading.RLock()
        memory = self._path == ":memory:"
        try:
            if not memory:
                _create_private(Path(self._path))
            self._conn = sqlite3.connect(
                self._path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if not memory:
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            with self._tx() as conn:
                for name in ("create", "index_ts", "index_e"):
                    conn.execute(self._sql(name))
        except (sqlite3.Error, OSError) as exc:
            raise VaultError(f"cannot open SQLite vault at {self._path}: {self._describe(exc)}") from exc
        self._sql_put, self._sql_get = self._sql("put"), self._sql("get")

    def __repr__(self) -> str:
        return f"SQLiteVault(path={self._path!r}, table={self._table!r})"

    def _sql(self, name: str, **parts: str) -> str:
        return _SQL[name].format(t=self._table, **parts)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _backend_errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error,)

    def _describe(self, exc: BaseException) -> str:
        return f"{type(exc).__name__}: {exc}"  # SQLite messages never quote bound parameters

    def _write(self, scope: Scope, rows: Iterator[Row], n: int, ttl: float | None, now: float) -> None:
        params = ((r.key, r.tenant, r.session, r.fingerprint, r.ciphertext, r.expires, now) for r in rows)
        with self._tx() as conn:
            before = conn.total_changes
            conn.executemany(self._sql_put, params)
            written = conn.total_changes - before
            if written != n:
                raise VaultError(conflict_message(n - written, n))

    def _read(self, scope: Scope, keys: list[bytes], now: float) -> dict[bytes, str]:
        with self._lock:
            if len(keys) == 1:
                row = self._conn.execute(self._sql_get, (keys[0], now)).fetchone()
                return {} if row is None else {keys[0]: row[0]}
            found: dict[bytes, str] = {}
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i : i + _CHUNK]
                sql = self._sql("get_many", marks=",".join("?" * len(chunk)))
                found.update(self._conn.execute(sql, (*chunk, now)).fetchall())
            return found

    def _delete_where(self, where: str, params: tuple[object, ...], now: float) -> int:
        with self._tx() as conn:
            live = conn.execute(self._sql("count_where", where=where), (*params, now)).fetchone()[0]
            conn.execute(self._sql("delete_where", where=where), params)
            return int(live)

    def _delete_keys(self, scope: Scope, keys: list[bytes], now: float) -> int:
        return sum(self._delete_where("k = ?", (key,), now) for key in keys)

    def _delete_session(self, scope: Scope, now: float) -> int:
        return self._delete_where("t = ? AND s = ?", (scope.tenant_tag, scope.session_tag), now)

    def _delete_tenant(self, scope: Scope, now: float) -> int:
        return self._delete_where("t = ?", (scope.tenant_tag,), now)

    def _purge(self, now: float) -> int:
        with self._tx() as conn:
            return int(conn.execute(self._sql("purge"), (now,)).rowcount)

    def _count(self, tenant_tag: bytes | None, now: float) -> int:
        with self._lock:
            if tenant_tag is None:
                row = self._conn.execute(self._sql("count"), (now,)).fetchone()
            else:
                row = self._conn.execute(self._sql("count_tenant"), (tenant_tag, now)).fetchone()
            return int(row[0])


def _create_private(path: Path) -> None:
    """Create the database file owner-only (0600) if it does not exist yet."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)
