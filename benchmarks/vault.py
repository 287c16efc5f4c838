"""Speed of the keys, audit and vault layers: ``python benchmarks/vault.py``.

Each section is a function returning table rows (what, result, target); ``main`` runs every section in
``SECTIONS`` and prints one Markdown table. Add a section by appending a function to ``SECTIONS``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from coatcheck.audit import AuditLog, JsonLinesAuditSink, SQLiteAuditSink
from coatcheck.keys import Keyring

Row = tuple[str, str, str]
VALUE = bytes(range(64))


def _pairs_per_second(keyring: Keyring, n: int, *, deterministic: bool = False) -> float:
    keyring.decrypt(keyring.encrypt(VALUE, tenant="acme", field="f"), tenant="acme", field="f")  # warm caches
    start = time.perf_counter()
    for _ in range(n):
        token = keyring.encrypt(VALUE, tenant="acme", field="f", deterministic=deterministic)
        keyring.decrypt(token, tenant="acme", field="f")
    return n / (time.perf_counter() - start)


def _pair_rows(label: str, rate: float) -> list[Row]:
    return [
        (f"{label}: encrypt+decrypt pairs/s", f"{rate:,.0f}", ""),
        (f"{label}: us per pair", f"{1e6 / rate:.1f}", "< 20"),
    ]


def bench_crypto(n: int = 20_000) -> list[Row]:
    """Encrypt+decrypt of a 64-byte value (AES-256-GCM, and AES-256-SIV), in memory and with a keyring file."""
    rows = _pair_rows("keys, ephemeral, AES-GCM", _pairs_per_second(Keyring.ephemeral(), n))
    rows += _pair_rows("keys, ephemeral, AES-SIV", _pairs_per_second(Keyring.ephemeral(), n, deterministic=True))
    with tempfile.TemporaryDirectory() as tmp:
        rows += _pair_rows("keys, keyring file, AES-GCM", _pairs_per_second(Keyring.open(Path(tmp) / "k.json"), n))
    keyring = Keyring.ephemeral()
    keyring.derive("acme", "hmac")
    start = time.perf_counter()
    for _ in range(n):
        keyring.derive("acme", "hmac")
    rows.append(("keys: derive (cached) us per call", f"{(time.perf_counter() - start) / n * 1e6:.2f}", ""))
    return rows


def _events_per_second(log: AuditLog, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        log.record(action="protect", tenant="acme", actor="svc", request_id=f"r{i}",
                   entity_counts={"EMAIL_ADDRESS": 2, "PERSON": 1}, pii_redacted=True)  # fmt: skip
    rate = n / (time.perf_counter() - start)
    if not log.verify().ok:
        raise SystemExit("audit chain did not verify after the benchmark")
    return rate


def bench_audit(n: int = 2_000) -> list[Row]:
    """Audit events per second with HMAC chaining on, per sink."""
    keyring = Keyring.ephemeral()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, sink, count in (
            ("SQLite (WAL, synchronous=NORMAL, default)", SQLiteAuditSink(Path(tmp) / "a.db"), n),
            ("SQLite (WAL, synchronous=FULL, durable=True)", SQLiteAuditSink(Path(tmp) / "b.db", durable=True), n // 4),
            ("JSON lines file (fsync per event)", JsonLinesAuditSink(Path(tmp) / "c.jsonl"), n // 4),
            ("JSON lines file (no fsync)", JsonLinesAuditSink(Path(tmp) / "d.jsonl", fsync=False), n),
        ):
            with AuditLog.for_keyring(sink, keyring) as log:
                rows.append((f"audit events/s, chained, {label}", f"{_events_per_second(log, count):,.0f}", ""))
    return rows


SECTIONS: list[Callable[[], list[Row]]] = [bench_crypto, bench_audit]


def main() -> None:
    rows = [row for section in SECTIONS for row in section()]
    print("| measure | result | target |")
    print("| --- | ---: | --- |")
    for what, result, target in rows:
        print(f"| {what} | {result} | {target} |")


if __name__ == "__main__":
    main()
