"""The review queue and the tenant allow/deny lists it feeds, in one SQLite file.

A queued item holds masked context and a keyed hash of the value, never the value. A reviewer's verdict puts the
hash on the tenant's allow list (false positive) or deny list (confirmed), so the same value is recognized again
by hash alone.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from coatcheck.errors import CoatcheckError, InputError

__all__ = ["VERDICTS", "NewItem", "ReviewItem", "ReviewStore", "Verdict"]

Verdict = Literal["correct", "false_positive"]
VERDICTS: dict[str, str] = {"correct": "deny", "false_positive": "allow"}  # verdict -> the list it feeds
MAX_PENDING = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL NOT NULL, tenant TEXT NOT NULL, entity_type TEXT NOT NULL,
    score REAL NOT NULL, recognizer TEXT NOT NULL, before TEXT NOT NULL, item TEXT NOT NULL, after TEXT NOT NULL,
    value_hash TEXT NOT NULL, source TEXT NOT NULL, request_id TEXT, status TEXT NOT NULL DEFAULT 'pending',
    reviewer TEXT, decided REAL
);
CREATE INDEX IF NOT EXISTS review_items_status ON review_items (status, id);
CREATE TABLE IF NOT EXISTS review_lists (
    tenant TEXT NOT NULL, entity_type TEXT NOT NULL, value_hash TEXT NOT NULL, kind TEXT NOT NULL,
    added_by TEXT NOT NULL, added REAL NOT NULL, PRIMARY KEY (tenant, entity_type, value_hash)
);
"""
_COLUMNS = (
    "id", "created", "tenant", "entity_type", "score", "recognizer", "before", "item", "after", "value_hash",
    "source", "request_id", "status", "reviewer", "decided",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class NewItem:
    """What the queue stores for one uncertain detection: masked context and a keyed hash, nothing else."""

    tenant: str
    entity_type: str
    score: float
    recognizer: str
    before: str
    item: str
    after: str
    value_hash: str
    source: str = "gateway"
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A stored item with its review status (``pending``, ``correct`` or ``false_positive``)."""

    id: int
    created: float
    tenant: str
    entity_type: str
    score: float
    recognizer: str
    before: str
    item: str
    after: str
    value_hash: str
    source: str
    request_id: str | None
    status: str
    reviewer: str | None
    decided: float | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON the console shows (the hash is shortened: it identifies, it need not be read)."""
        out = asdict(self)
        out["value_hash"] = self.value_hash[:12]
        return out


class ReviewStore:
    """The queue and lists of one console; opened on first use, thread-safe.

    Args:
        path: the SQLite file (its folder is created), or ``":memory:"``.
        clock: seconds since the epoch (for tests).
    """

    def __init__(self, path: str | Path, clock: Callable[[], float] | None = None) -> None:
        self.path = str(path)
        self._clock = clock or time.time
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"ReviewStore({self.path!r})"

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                if self.path != ":memory:":
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
            except (sqlite3.Error, OSError) as exc:
                raise CoatcheckError(
                    f"review store {self.path} cannot be opened ({type(exc).__name__})"
                ) from None
            self._conn = conn
        return self._conn

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db().execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise CoatcheckError(f"review store {self.path} failed ({type(exc).__name__})") from None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- the queue --------------------------------------------------------------------------------------

    def enqueue(self, item: NewItem) -> int | None:
        """Queue an item; None when its value is already decided, already pending, or the queue is full."""
        if self.list_kind(item.tenant, item.entity_type, item.value_hash) is not None:
            return None
        with self._lock:
            db = self._db()
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    pending = db.execute(
                        "SELECT COUNT(*), SUM(tenant = ? AND entity_type = ? AND value_hash = ?) FROM review_items"
                        " WHERE status = 'pending'",
                        (item.tenant, item.entity_type, item.value_hash),
                    ).fetchone()
                    if pending[0] >= MAX_PENDING or (pending[1] or 0) > 0:
                        db.execute("ROLLBACK")
                        return None
                    cursor = db.execute(
                        "INSERT INTO review_items (created, tenant, entity_type, score, recognizer, before, item,"
                        " after, value_hash, source, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (self._clock(), item.tenant, item.entity_type, float(item.score), item.recognizer,
                         item.before, item.item, item.after, item.value_hash, item.source, item.request_id),
                    )  # fmt: skip
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise CoatcheckError(
                    f"review store {self.path} cannot write ({type(exc).__name__})"
                ) from None
        return cursor.lastrowid

    def items(
        self, status: str | None = "pending", tenant: str | None = None, limit: int = 200
    ) -> list[ReviewItem]:
        """Items, oldest pending first (decided ones newest first)."""
        where, params = [], []
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if tenant is not None:
            where.append("tenant = ?")
            params.append(tenant)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        order = "id" if status == "pending" else "id DESC"
        rows = self._run(
            f"SELECT {', '.join(_COLUMNS)} FROM review_items{clause} ORDER BY {order} LIMIT ?",  # noqa: S608 - fixed parts
            (*params, int(limit)),
        )
        return [ReviewItem(*row) for row in rows]

    def get(self, item_id: int) -> ReviewItem:
        rows = self._run(f"SELECT {', '.join(_COLUMNS)} FROM review_items WHERE id = ?", (item_id,))  # noqa: S608
        if not rows:
            raise InputError(f"review item {item_id} does not exist")
        return ReviewItem(*rows[0])

    def decide(self, item_id: int, verdict: str, reviewer: str) -> ReviewItem:
        """Record a verdict and put the value's hash on the tenant's allow or deny list.

        Raises:
            InputError: unknown item or verdict, or an item that was already decided.
        """
        if verdict not in VERDICTS:
            raise InputError(f"verdict must be one of {', '.join(VERDICTS)}")
        item = self.get(item_id)
        if item.status != "pending":
            raise InputError(f"review item {item_id} was already decided")
        now = self._clock()
        with self._lock:
            db = self._db()
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.execute(
                        "UPDATE review_items SET status = ?, reviewer = ?, decided = ?"
                        " WHERE id = ? AND status = 'pending'",
                        (verdict, reviewer, now, item_id),
                    )
                    db.execute(
                        "INSERT OR REPLACE INTO review_lists VALUES (?, ?, ?, ?, ?, ?)",
                        (item.tenant, item.entity_type, item.value_hash, VERDICTS[verdict], reviewer, now),
                    )
                    # Other pending items of the same value are settled by the same verdict.
                    db.execute(
                        "UPDATE review_items SET status = ?, reviewer = ?, decided = ? WHERE status = 'pending'"
                        " AND tenant = ? AND entity_type = ? AND value_hash = ?",
                        (verdict, reviewer, now, item.tenant, item.entity_type, item.value_hash),
                    )
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise CoatcheckError(
                    f"review store {self.path} cannot write ({type(exc).__name__})"
                ) from None
        return self.get(item_id)

    # -- lists and statistics ---------------------------------------------------------------------------

    def list_kind(self, tenant: str, entity_type: str, digest: str) -> str | None:
        """``allow``, ``deny`` or None for one value hash of a tenant."""
        rows = self._run(
            "SELECT kind FROM review_lists WHERE tenant = ? AND entity_type = ? AND value_hash = ?",
            (tenant, entity_type, digest),
        )
        return str(rows[0][0]) if rows else None

    def stats(self) -> dict[str, Any]:
        """Pending count, verdicts by entity type (false positives show where to tune) and list sizes."""
        by_type: dict[str, dict[str, int]] = {}
        for entity_type, status, count in self._run(
            "SELECT entity_type, status, COUNT(*) FROM review_items GROUP BY entity_type, status"
        ):
            row = by_type.setdefault(entity_type, {"pending": 0, "correct": 0, "false_positive": 0})
            row[status] = count
        lists: dict[str, dict[str, int]] = {}
        for tenant, kind, count in self._run(
            "SELECT tenant, kind, COUNT(*) FROM review_lists GROUP BY tenant, kind"
        ):
            lists.setdefault(tenant, {"allow": 0, "deny": 0})[kind] = count
        ranked = dict(sorted(by_type.items(), key=lambda kv: (-kv[1]["false_positive"], kv[0])))
        return {"pending": sum(r["pending"] for r in by_type.values()), "by_type": ranked, "lists": lists}
