"""The privacy-budget ledger: how much epsilon (and delta) each tenant's dataset may still spend.

It lives in the vault's database (the same SQLite file or PostgreSQL database, tables of its own). Amounts are
stored as exact integers (pico-epsilon, atto-delta), so ten queries of 0.1 fit a budget of 1.0 exactly, and
spending is one conditional ``UPDATE`` inside a transaction: concurrent queries, from any number of threads or
processes, can never together spend more than the budget, and a refused query spends nothing.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from coatcheck.errors import BudgetExhausted, InputError, VaultError

__all__ = ["BudgetLedger", "BudgetStatus", "PostgresLedger", "SQLiteLedger", "open_ledger"]

_EPS_UNIT, _DELTA_UNIT = 10**12, 10**18
_MAX_EPSILON = 1e6
_PREFIX_RE = re.compile(r"[a-z_][a-z0-9_]{0,40}")
_NAME_MAX = 256
_SQL = {
    "budget": "CREATE TABLE IF NOT EXISTS {b} (tenant TEXT NOT NULL, dataset TEXT NOT NULL, eu BIGINT NOT NULL, "
    "du BIGINT NOT NULL, se BIGINT NOT NULL DEFAULT 0, sd BIGINT NOT NULL DEFAULT 0, "
    "queries BIGINT NOT NULL DEFAULT 0, created DOUBLE PRECISION NOT NULL, updated DOUBLE PRECISION, "
    "PRIMARY KEY (tenant, dataset))",
    "spend": "CREATE TABLE IF NOT EXISTS {s} (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, dataset TEXT NOT NULL, "
    "statistic TEXT NOT NULL, eu BIGINT NOT NULL, du BIGINT NOT NULL, at DOUBLE PRECISION NOT NULL)",
    "risk": "CREATE TABLE IF NOT EXISTS {r} (tenant TEXT NOT NULL, dataset TEXT NOT NULL, "
    "at DOUBLE PRECISION NOT NULL, body TEXT NOT NULL, PRIMARY KEY (tenant, dataset))",
    "insert_budget": "INSERT INTO {b} (tenant, dataset, eu, du, created) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (tenant, dataset) DO NOTHING",
    "replace_budget": "UPDATE {b} SET eu = ?, du = ?, updated = ? WHERE tenant = ? AND dataset = ?",
    "charge": "UPDATE {b} SET se = se + ?, sd = sd + ?, queries = queries + 1, updated = ? "
    "WHERE tenant = ? AND dataset = ? AND se + ? <= eu AND sd + ? <= du",
    "record": "INSERT INTO {s} (id, tenant, dataset, statistic, eu, du, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    "status": "SELECT tenant, dataset, eu, du, se, sd, queries, updated FROM {b} WHERE tenant = ? AND dataset = ?",
    "all": "SELECT tenant, dataset, eu, du, se, sd, queries, updated FROM {b} ORDER BY tenant, dataset",
    "save_risk": "INSERT INTO {r} (tenant, dataset, at, body) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, dataset) "
    "DO UPDATE SET at = excluded.at, body = excluded.body",
    "risks": "SELECT tenant, dataset, at, body FROM {r} ORDER BY at DESC",
}


def _units(value: float, unit: int, *, up: bool) -> int:
    """Exact integer amount; spending rounds up and budgets round down, so rounding never favours spending."""
    scaled = Decimal(repr(float(value))) * unit
    return int(scaled.to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR))


def _check_amounts(epsilon: float, delta: float, what: str) -> None:
    for name, value in (("epsilon", epsilon), ("delta", delta)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InputError(f"{what} {name} must be a finite number")
    if not 0 < epsilon <= _MAX_EPSILON:
        raise InputError(f"{what} epsilon must be > 0 and <= {_MAX_EPSILON:g}")
    if not 0 <= delta < 1:
        raise InputError(f"{what} delta must be >= 0 and < 1")


def _check_name(value: object, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > _NAME_MAX or not value.isprintable():
        raise InputError(f"{name} must be non-empty printable text of at most {_NAME_MAX} characters")
    return value


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """A dataset's budget and what has been spent of it (amounts exact to 1e-12 epsilon, 1e-18 delta)."""

    tenant: str
    dataset: str
    epsilon: float
    delta: float
    epsilon_spent: float
    delta_spent: float
    epsilon_remaining: float
    delta_remaining: float
    queries: int
    updated: float | None

    @classmethod
    def _from_row(cls, row: tuple[Any, ...]) -> BudgetStatus:
        tenant, dataset, eu, du, se, sd, queries, updated = row
        return cls(
            tenant,
            dataset,
            eu / _EPS_UNIT,
            du / _DELTA_UNIT,
            se / _EPS_UNIT,
            sd / _DELTA_UNIT,
            (eu - se) / _EPS_UNIT,
            (du - sd) / _DELTA_UNIT,
            int(queries),
            updated,
        )

    def __str__(self) -> str:
        text = f"epsilon spent {self.epsilon_spent:g} of {self.epsilon:g}, remaining {self.epsilon_remaining:g}"
        if self.delta or self.delta_spent:
            text += f"; delta spent {self.delta_spent:g} of {self.delta:g}"
        return text

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (for the console and ``--json``)."""
        return {
            "tenant": self.tenant,
            "dataset": self.dataset,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "epsilon_spent": self.epsilon_spent,
            "delta_spent": self.delta_spent,
            "epsilon_remaining": self.epsilon_remaining,
            "delta_remaining": self.delta_remaining,
            "queries": self.queries,
            "updated": self.updated,
        }


class BudgetLedger(ABC):
    """Budgets per (tenant, dataset), spent atomically; also keeps the last risk report of each dataset.

    Subclasses give a transaction (``_tx``) and the parameter style; the SQL is shared.
    """

    _marker = "?"

    def __init__(self, prefix: str, qualify: str = "") -> None:
        if not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix):
            raise InputError("ledger table prefix must match [a-z_][a-z0-9_]{0,40}")
        names = {"b": "budget", "s": "spend", "r": "risk"}
        self._tables = {key: f"{qualify}{prefix}_{name}" for key, name in names.items()}
        self._lock = threading.RLock()

    def __enter__(self) -> BudgetLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _tx(self) -> AbstractContextManager[Any]:
        """A transaction that holds the write lock from its start; yields an object with ``execute``."""

    @abstractmethod
    def _errors(self) -> tuple[type[BaseException], ...]: ...

    def _sql(self, name: str) -> str:
        return _SQL[name].format(**self._tables).replace("?", self._marker)

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        try:
            yield
        except self._errors() as exc:
            raise VaultError(f"privacy-budget ledger: cannot {doing} ({type(exc).__name__})") from exc

    def _create(self) -> None:
        with self._guard("create its tables"), self._tx() as db:
            for name in ("budget", "spend", "risk"):
                db.execute(self._sql(name))

    def set_budget(
        self, tenant: str, dataset: str, epsilon: float, delta: float = 0.0, *, replace: bool = False
    ) -> BudgetStatus:
        """Give a dataset its budget. Setting the same budget again is a no-op; a different one needs ``replace``.

        Raises:
            InputError: bad amounts or names, or a different budget already set (without ``replace``).
        """
        _check_name(tenant, "tenant")
        _check_name(dataset, "dataset")
        _check_amounts(epsilon, delta, "budget")
        eu, du = _units(epsilon, _EPS_UNIT, up=False), _units(delta, _DELTA_UNIT, up=False)
        with self._guard("set a budget"), self._tx() as db:
            db.execute(self._sql("insert_budget"), (tenant, dataset, eu, du, time.time()))
            row = db.execute(self._sql("status"), (tenant, dataset)).fetchone()
            if (row[2], row[3]) != (eu, du):
                if not replace:
                    current = BudgetStatus._from_row(row)
                    raise InputError(
                        f"dataset {dataset!r} of tenant {tenant!r} already has a budget of epsilon="
                        f"{current.epsilon:g}, delta={current.delta:g}; changing it needs replace=True"
                    )
                db.execute(self._sql("replace_budget"), (eu, du, time.time(), tenant, dataset))
                row = db.execute(self._sql("status"), (tenant, dataset)).fetchone()
        return BudgetStatus._from_row(row)

    def spend(
        self,
        tenant: str,
        dataset: str,
        epsilon: float,
        delta: float = 0.0,
        *,
        statistic: str = "query",
        query_id: str | None = None,
    ) -> BudgetStatus:
        """Charge one query, all or nothing; returns the status after the charge.

        Raises:
            BudgetExhausted: the query would overspend; nothing was charged. The message says spent/remaining.
            InputError: no budget was ever set for this dataset, or bad amounts.
        """
        _check_name(tenant, "tenant")
        _check_name(dataset, "dataset")
        _check_amounts(epsilon, delta, "query")
        eu, du = _units(epsilon, _EPS_UNIT, up=True), _units(delta, _DELTA_UNIT, up=True)
        qid = query_id or uuid.uuid4().hex
        with self._guard("charge a query"), self._tx() as db:
            now = time.time()
            charged = db.execute(self._sql("charge"), (eu, du, now, tenant, dataset, eu, du)).rowcount == 1
            if charged:
                db.execute(self._sql("record"), (qid, tenant, dataset, statistic, eu, du, now))
            row = db.execute(self._sql("status"), (tenant, dataset)).fetchone()
        if row is None:
            raise InputError(f"no privacy budget is set for dataset {dataset!r} of tenant {tenant!r}; set one first")
        status = BudgetStatus._from_row(row)
        if not charged:
            asked = f"epsilon={epsilon:g}" + (f", delta={delta:g}" if delta else "")
            raise BudgetExhausted(
                f"privacy budget exhausted for dataset {dataset!r} of tenant {tenant!r}: this query needs {asked}; "
                f"{status}; nothing was spent"
            )
        return status

    def status(self, tenant: str, dataset: str) -> BudgetStatus | None:
        """The dataset's budget and spending, or None when no budget is set."""
        with self._guard("read a budget"), self._tx() as db:
            row = db.execute(self._sql("status"), (tenant, dataset)).fetchone()
        return None if row is None else BudgetStatus._from_row(row)

    def statuses(self, tenant: str | None = None) -> list[BudgetStatus]:
        """Every budget (of one tenant, or all), sorted by tenant and dataset."""
        with self._guard("read budgets"), self._tx() as db:
            rows = db.execute(self._sql("all")).fetchall()
        return [BudgetStatus._from_row(r) for r in rows if tenant is None or r[0] == tenant]

    def save_risk_report(self, tenant: str, dataset: str, summary: Mapping[str, Any]) -> None:
        """Keep the latest risk report summary of a dataset (numbers and column names only, never values)."""
        _check_name(tenant, "tenant")
        _check_name(dataset, "dataset")
        body = json.dumps(dict(summary), sort_keys=True)
        with self._guard("save a risk report"), self._tx() as db:
            db.execute(self._sql("save_risk"), (tenant, dataset, time.time(), body))

    def risk_reports(self, tenant: str | None = None) -> list[dict[str, Any]]:
        """Saved risk report summaries, newest first, each with tenant, dataset and ``at`` (unix time)."""
        with self._guard("read risk reports"), self._tx() as db:
            rows = db.execute(self._sql("risks")).fetchall()
        return [
            {"tenant": t, "dataset": d, "at": at, **json.loads(body)}
            for t, d, at, body in rows
            if tenant is None or t == tenant
        ]


class SQLiteLedger(BudgetLedger):
    """The ledger in a SQLite file (normally the vault's). Each write is a ``BEGIN IMMEDIATE`` transaction."""

    def __init__(self, path: str | os.PathLike[str], *, prefix: str = "coatcheck_dp", busy_timeout: float = 30.0):
        super().__init__(prefix)
        self._path = os.fspath(path)
        try:
            if self._path != ":memory:":
                _create_private(Path(self._path))
            self._conn = sqlite3.connect(
                self._path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if self._path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
        except (sqlite3.Error, OSError) as exc:
            raise VaultError(f"privacy-budget ledger: cannot open SQLite file {self._path} ({exc})") from exc
        self._create()

    def __repr__(self) -> str:
        return f"SQLiteLedger(path={self._path!r})"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error,)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")


class PostgresLedger(BudgetLedger):
    """The ledger in PostgreSQL (the vault's database). The conditional UPDATE takes the budget row's lock."""

    _marker = "%s"

    def __init__(
        self, url: str, *, prefix: str = "coatcheck_dp", schema: str | None = None, connect_timeout: float = 10.0
    ) -> None:
        import psycopg

        if schema is not None and not _PREFIX_RE.fullmatch(schema):
            raise InputError("ledger schema must match [a-z_][a-z0-9_]{0,40}")
        super().__init__(prefix, f"{schema}." if schema else "")
        self._psycopg = psycopg
        self._url, self._timeout = url, max(int(connect_timeout), 1)
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=self._timeout)
        except psycopg.Error as exc:
            raise VaultError(f"privacy-budget ledger: cannot connect to PostgreSQL ({type(exc).__name__})") from exc
        with self._guard("create its tables"), self._lock, self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(hashtext('coatcheck_dp_ledger'))")
            for name in ("budget", "spend", "risk"):
                self._conn.execute(self._sql(name))

    def __repr__(self) -> str:
        return f"PostgresLedger(table={self._tables['b']!r})"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _errors(self) -> tuple[type[BaseException], ...]:
        return (self._psycopg.Error,)

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._lock:
            if self._conn.broken:  # the server restarted or the network dropped: reconnect once, then fail
                self._conn = self._psycopg.connect(self._url, autocommit=True, connect_timeout=self._timeout)
            with self._conn.transaction():
                yield self._conn


def _create_private(path: Path) -> None:
    """Create the database file owner-only if it does not exist yet (it may hold the vault too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def open_ledger(url: str, **options: Any) -> BudgetLedger:
    """Open the ledger in the vault database ``url`` names: ``sqlite:///rel.db``, ``sqlite:////abs.db``,
    ``sqlite://`` (in memory) or ``postgresql://...``. ``options`` go to the backend (``prefix=``, ``schema=``).

    Raises:
        InputError: an unsupported URL (a Redis vault has no SQL database: give the ledger a SQLite file).
        VaultError: the database cannot be opened.
    """
    if not isinstance(url, str) or "://" not in url:
        raise InputError("ledger URL must look like sqlite:///path.db or postgresql://user@host/db")
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme == "sqlite":
        if rest in ("", "/", "/:memory:"):
            return SQLiteLedger(":memory:", **options)
        if not rest.startswith("/") or "?" in rest:
            raise InputError("SQLite ledger URL must look like sqlite:///relative.db or sqlite:////absolute.db")
        return SQLiteLedger(unquote(rest[1:]), **options)
    if scheme in ("postgresql", "postgres"):
        return PostgresLedger(url, **options)
    raise InputError(f"unsupported ledger URL scheme {scheme!r}: use sqlite:/// or postgresql:// (not Redis)")
