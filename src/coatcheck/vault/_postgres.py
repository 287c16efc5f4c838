"""PostgreSQL backend (psycopg 3): one connection, one transaction per write, batched upserts."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from coatcheck.errors import InputError, VaultError
from coatcheck.vault._base import Cipher, Clock, Row, Scope, Vault, batched, conflict_message, redact_url

__all__ = ["PostgresVault"]

_TABLE_RE = re.compile(r"[a-z_][a-z0-9_]{0,50}")
_BATCH = 1000


class PostgresVault(Vault):
    """A vault in a PostgreSQL table, created on first use.

    Each write is one transaction of ``INSERT ... SELECT FROM unnest(...) ON CONFLICT`` statements (1,000 rows
    per statement), so several processes and machines can write at once. Expiry compares against the injected
    clock, not the server's, so every backend agrees on what "expired" means. A broken connection is
    reopened on the next call. A connection pool is not needed for the vault's short statements.

    Args:
        url: a libpq URL or connection string (``postgresql://user@host:5432/db``).
        cipher: the keyring.
        table: table name (lowercase); its indexes are named after it.
        connect_timeout: seconds.
        clock: injectable time source for expiry.
    """

    def __init__(
        self,
        url: str,
        cipher: Cipher,
        *,
        table: str = "coatcheck_vault",
        connect_timeout: float = 10.0,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(cipher, clock=clock)
        if not _TABLE_RE.fullmatch(table):
            raise InputError("PostgreSQL vault table name must match [a-z_][a-z0-9_]{0,50}")
        self._url = url
        self._table = table
        self._timeout = connect_timeout
        self._lock = threading.RLock()
        self._closed = False
        ident = sql.Identifier(table)
        live = sql.SQL("(e IS NULL OR e > %(now)s)")
        self._sql_put = sql.SQL(
            "INSERT INTO {t} (k, t, s, f, v, e) "
            "SELECT u.k, %(t)s::bytea, %(s)s::bytea, u.f, u.v, %(e)s::float8 "
            "FROM unnest(%(k)s::bytea[], %(f)s::bytea[], %(v)s::text[]) AS u(k, f, v) "
            "ON CONFLICT (k) DO UPDATE SET f = excluded.f, v = excluded.v, e = excluded.e "
            "WHERE {t}.f = excluded.f OR ({t}.e IS NOT NULL AND {t}.e <= %(now)s)"
        ).format(t=ident)
        self._sql_get = sql.SQL("SELECT v FROM {t} WHERE k = %(k)s AND {live}").format(t=ident, live=live)
        self._sql_get_many = sql.SQL("SELECT k, v FROM {t} WHERE k = ANY(%(k)s::bytea[]) AND {live}").format(
            t=ident, live=live
        )
        self._ident, self._live_sql = ident, live
        try:
            self._conn = self._connect()
        except psycopg.Error as exc:
            raise VaultError(
                f"cannot connect to PostgreSQL at {redact_url(url)}: {self._describe(exc)}"
            ) from exc

    def __repr__(self) -> str:
        return f"PostgresVault(url={redact_url(self._url)!r}, table={self._table!r})"

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._conn.close()

    def _connect(self) -> psycopg.Connection[Any]:
        conn = psycopg.connect(self._url, autocommit=True, connect_timeout=max(1, int(self._timeout)))
        lock_id = int.from_bytes(hashlib.sha256(self._table.encode()).digest()[:8], "big", signed=True)
        t = self._ident
        with conn.transaction():
            # Serializes concurrent first use: CREATE ... IF NOT EXISTS races on the catalog otherwise.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_id,))
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {t} (k bytea PRIMARY KEY, t bytea NOT NULL, s bytea, "
                    "f bytea NOT NULL, v text NOT NULL, e double precision)"
                ).format(t=t)
            )
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (t, s)").format(
                    i=sql.Identifier(f"{self._table}_ts"), t=t
                )
            )
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (e) WHERE e IS NOT NULL").format(
                    i=sql.Identifier(f"{self._table}_e"), t=t
                )
            )
        return conn

    def _db(self) -> psycopg.Connection[Any]:
        if self._conn.broken and not self._closed:
            self._conn = self._connect()
        return self._conn

    def _backend_errors(self) -> tuple[type[BaseException], ...]:
        return (psycopg.Error,)

    def _describe(self, exc: BaseException) -> str:
        # The primary message only: DETAIL lines may quote row contents.
        diag = getattr(exc, "diag", None)
        primary = getattr(diag, "message_primary", None) or next(iter(str(exc).splitlines()), "")
        state = getattr(exc, "sqlstate", None)
        return f"{type(exc).__name__}{f' [{state}]' if state else ''}: {primary}"

    def _write(self, scope: Scope, rows: Iterator[Row], n: int, ttl: float | None, now: float) -> None:
        with self._lock:
            conn = self._db()
            written = 0
            with conn.transaction(), conn.cursor() as cur:
                for chunk in batched(rows, _BATCH):
                    params = {
                        "t": scope.tenant_tag,
                        "s": scope.session_tag,
                        "e": chunk[0].expires,
                        "now": now,
                        "k": [r.key for r in chunk],
                        "f": [r.fingerprint for r in chunk],
                        "v": [r.ciphertext for r in chunk],
                    }
                    cur.execute(self._sql_put, params)
                    written += cur.rowcount
                if written != n:
                    raise VaultError(conflict_message(n - written, n))

    def _read(self, scope: Scope, keys: list[bytes], now: float) -> dict[bytes, str]:
        with self._lock:
            conn = self._db()
            if len(keys) == 1:
                row = conn.execute(self._sql_get, {"k": keys[0], "now": now}).fetchone()
                return {} if row is None else {keys[0]: row[0]}
            rows = conn.execute(self._sql_get_many, {"k": keys, "now": now}).fetchall()
            return {bytes(k): v for k, v in rows}

    def _delete_where(self, where: sql.Composable, params: dict[str, object], now: float) -> int:
        query = sql.SQL("DELETE FROM {t} WHERE {w} RETURNING {live}").format(
            t=self._ident, w=where, live=self._live_sql
        )
        with self._lock:
            rows = self._db().execute(query, {**params, "now": now}).fetchall()
        return sum(1 for (live,) in rows if live)

    def _delete_keys(self, scope: Scope, keys: list[bytes], now: float) -> int:
        return self._delete_where(sql.SQL("k = ANY(%(k)s::bytea[])"), {"k": keys}, now)

    def _delete_session(self, scope: Scope, now: float) -> int:
        where = sql.SQL("t = %(t)s AND s = %(s)s")
        return self._delete_where(where, {"t": scope.tenant_tag, "s": scope.session_tag}, now)

    def _delete_tenant(self, scope: Scope, now: float) -> int:
        return self._delete_where(sql.SQL("t = %(t)s"), {"t": scope.tenant_tag}, now)

    def _purge(self, now: float) -> int:
        query = sql.SQL("DELETE FROM {t} WHERE e IS NOT NULL AND e <= %(now)s").format(t=self._ident)
        with self._lock:
            return self._db().execute(query, {"now": now}).rowcount

    def _count(self, tenant_tag: bytes | None, now: float) -> int:
        where: sql.Composable = self._live_sql
        if tenant_tag is not None:
            where = sql.SQL("t = %(t)s AND {live}").format(live=self._live_sql)
        query = sql.SQL("SELECT count(*) FROM {t} WHERE {w}").format(t=self._ident, w=where)
        with self._lock:
            row = self._db().execute(query, {"t": tenant_tag, "now": now}).fetchone()
        return int(row[0]) if row else 0

