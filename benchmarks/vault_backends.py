"""Vault backends at scale: bulk fill, then single put/get latency (p50, p99) per backend.

    .venv/bin/python benchmarks/vault_backends.py                      # 1,000,000 entries, all backends
    .venv/bin/python benchmarks/vault_backends.py --entries 100000 --backends sqlite

Fills through ``put_many`` in batches (SQLite executemany, PostgreSQL unnest batches, Redis Lua scripts), so
the fill rate is the vault's own bulk path with encryption included. Latency is measured on single-entry calls
(each ``put`` is one transaction) for random tokens. Target: SQLite get p50 under 0.2 ms at 1M entries.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import redis

from coatcheck.keys import Keyring
from coatcheck.vault import PostgresVault, RedisVault, SQLiteVault, Vault

TENANT = "bench"
FILL_BATCH = 10_000
SQLITE_TARGET_GET_P50_MS = 0.2


def _token(i: int) -> str:
    return f"[EMAIL_ADDRESS_{i}]"


def _value(i: int) -> str:
    return f"user.{i}@example.com"


def _quantiles(samples_ns: list[int]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples_ns, n=100, method="inclusive")
    return cuts[49] / 1e6, cuts[98] / 1e6


def _open(backend: str, ring: Keyring, workdir: Path, pg_url: str, redis_url: str) -> tuple[Vault, Any]:
    """The vault and a cleanup function."""
    if backend == "sqlite":
        path = workdir / f"vault-{uuid.uuid4().hex[:8]}.db"
        sq = SQLiteVault(path, ring)
        return sq, lambda: [p.unlink() for p in workdir.glob(f"{path.name}*")]
    if backend == "postgres":
        table = f"vault_bench_{uuid.uuid4().hex[:8]}"
        pg = PostgresVault(pg_url, ring, table=table)

        def drop() -> None:
            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute(f"DROP TABLE IF EXISTS {table}")

        return pg, drop
    prefix = f"ccbench:{uuid.uuid4().hex[:8]}:"
    rd = RedisVault(redis_url, ring, prefix=prefix)

    def unlink() -> None:
        client = redis.Redis.from_url(redis_url)
        batch: list[bytes] = []
        for key in client.scan_iter(match=f"{prefix}*", count=10_000):
            batch.append(key)
            if len(batch) >= 10_000:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        client.close()

    return rd, unlink


def bench_vault_backends(
    entries: int = 1_000_000,
    samples: int = 10_000,
    backends: tuple[str, ...] = ("sqlite", "postgres", "redis"),
    pg_url: str = "postgresql://postgres@127.0.0.1:5432/test",
    redis_url: str = "redis://127.0.0.1:6379/0",
    workdir: Path | None = None,
    seed: int = 7,
) -> list[dict[str, Any]]:
    """Fill each backend with ``entries`` mappings, then time ``samples`` single gets and puts.

    Returns one result row per backend (fill rate, get/put p50/p99 in ms) and prints them as it goes.
    """
    ring = Keyring.ephemeral()
    rng = random.Random(seed)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="coatcheck-vault-bench-", dir=workdir) as tmp:
        for backend in backends:
            vault, cleanup = _open(backend, ring, Path(tmp), pg_url, redis_url)
            try:
                results.append(_bench_one(backend, vault, entries, samples, rng))
            finally:
                vault.close()
                cleanup()
    return results


def _bench_one(backend: str, vault: Vault, entries: int, samples: int, rng: random.Random) -> dict[str, Any]:
    start = time.perf_counter()
    for lo in range(0, entries, FILL_BATCH):
        vault.put_many(TENANT, {_token(i): _value(i) for i in range(lo, min(lo + FILL_BATCH, entries))})
        if (lo // FILL_BATCH) % 20 == 19:
            done = lo + FILL_BATCH
            print(f"  {backend}: {done:,} / {entries:,} filled ({time.perf_counter() - start:.0f} s)", flush=True)
    fill_s = time.perf_counter() - start
    if vault.count(TENANT) != entries:
        raise SystemExit(f"{backend}: expected {entries} entries after the fill, found {vault.count(TENANT)}")

    picks = [rng.randrange(entries) for _ in range(samples)]
    for i in picks[:500]:  # warm up connections, prepared statements, caches
        vault.get(TENANT, _token(i))
    gets: list[int] = []
    for i in picks:
        t0 = time.perf_counter_ns()
        value = vault.get(TENANT, _token(i))
        gets.append(time.perf_counter_ns() - t0)
        if value != _value(i):
            raise SystemExit(f"{backend}: wrong value for entry {i}")
    puts: list[int] = []
    for j in range(samples):
        i = entries + j
        t0 = time.perf_counter_ns()
        vault.put(TENANT, _token(i), _value(i))
        puts.append(time.perf_counter_ns() - t0)
    get_p50, get_p99 = _quantiles(gets)
    put_p50, put_p99 = _quantiles(puts)
    row = {
        "backend": backend,
        "entries": entries,
        "fill_s": round(fill_s, 1),
        "fill_per_s": round(entries / fill_s),
        "get_p50_ms": round(get_p50, 4),
        "get_p99_ms": round(get_p99, 4),
        "put_p50_ms": round(put_p50, 4),
        "put_p99_ms": round(put_p99, 4),
    }
    print(
        f"{backend:>8}: {entries:,} entries filled in {fill_s:.1f} s ({row['fill_per_s']:,}/s); "
        f"get p50 {get_p50:.3f} ms p99 {get_p99:.3f} ms; put p50 {put_p50:.3f} ms p99 {put_p99:.3f} ms",
        flush=True,
    )
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000, help="stored entries before timing")
    parser.add_argument("--samples", type=int, default=10_000, help="timed gets and puts per backend")
    parser.add_argument("--backends", default="sqlite,postgres,redis", help="comma-separated")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--workdir", type=Path, default=None, help="where the SQLite file goes (default: temp)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    backends = tuple(b.strip() for b in args.backends.split(",") if b.strip())
    unknown = set(backends) - {"sqlite", "postgres", "redis"}
    if unknown or args.entries < 1 or args.samples < 2:
        parser.error(f"bad arguments (unknown backends: {sorted(unknown)})")
    results = bench_vault_backends(
        args.entries, args.samples, backends, args.pg_url, args.redis_url, args.workdir
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    sqlite = next((r for r in results if r["backend"] == "sqlite"), None)
    if sqlite is not None:
        ok = sqlite["get_p50_ms"] < SQLITE_TARGET_GET_P50_MS
        print(f"SQLite get p50 target (< {SQLITE_TARGET_GET_P50_MS} ms): {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
