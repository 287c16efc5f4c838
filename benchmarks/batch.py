"""Batch protection side by side with Presidio's batch analyzer + anonymizer, and coatcheck's memory at scale.

    python benchmarks/batch.py [--records 2000] [--sizes-mb 100,1000] [--jobs 2] [--out benchmarks/RESULTS_batch.md]

1. Throughput: the same synthetic JSONL (``--records`` records: names, emails, phones, SSNs, cards, free text)
   through Presidio (``BatchAnalyzerEngine.analyze_dict`` + ``BatchAnonymizerEngine.anonymize_dict``, default
   recognizers, spaCy en_core_web_sm, one process) and through ``coatcheck.batch.protect_file`` with the fast and
   accurate profiles (one process, then ``--jobs``). Presidio's time excludes loading its model; coatcheck's
   includes everything ``protect_file`` does (start-up, reading, writing the output file).
2. Memory: synthetic JSONL of about ``--sizes-mb`` megabytes each, written to /tmp and deleted afterwards,
   protected with the fast profile and ``--jobs`` processes; peak RSS of the main process and of the largest
   worker, from ``getrusage``.

Every measurement runs in a fresh child process, so peak RSS belongs to that run alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FIRST = ["Sarah", "John", "Maria", "Wei", "Fatima", "Carlos", "Emily", "Ahmed", "Olga", "James"]
LAST = ["Chen", "Doe", "Garcia", "Zhang", "Khan", "Lopez", "Brown", "Ali", "Ivanova", "Smith"]
NOTES = [
    "Customer {name} called from {phone} about the invoice; follow up by email at {email}.",
    "Refund approved for {name}. Card on file {card}, SSN {ssn} verified by the agent.",
    "Shipping address updated, {name} prefers contact via {email}. No other changes requested.",
    "Ticket closed: the issue was a cache timeout on the checkout page, nothing personal here.",
    "{name} asked to delete the account; confirmation sent to {email} and {phone}.",
]
CARDS = ["4532 0151 1283 0366", "4111 1111 1111 1111", "5500 0000 0000 0004"]
SSNS = ["536-22-8817", "412-58-3196", "623-41-7789"]
_PRESIDIO_BATCH = 256


def _record(rng: random.Random, i: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{first} {last}"
    email = f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.com"
    phone = f"+1 415-555-{rng.randint(0, 9999):04d}"
    note = rng.choice(NOTES).format(name=name, email=email, phone=phone, card=rng.choice(CARDS), ssn=rng.choice(SSNS))
    return {"id": i, "customer": name, "contact": email, "note": note, "status": rng.choice(["open", "closed"])}


def make_jsonl(path: Path, *, records: int | None = None, megabytes: int | None = None, seed: int = 1) -> int:
    """Write synthetic records; returns how many."""
    rng = random.Random(seed)
    limit = (megabytes or 0) << 20
    count = size = 0
    with path.open("w", encoding="utf-8") as handle:
        while (records is not None and count < records) or (megabytes is not None and size < limit):
            line = json.dumps(_record(rng, count)) + "\n"
            handle.write(line)
            size += len(line)
            count += 1
    return count


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


# -- children ------------------------------------------------------------------------------------------------


def child_presidio(src: Path, dst: Path) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).parent))
    from presidio_anonymizer import BatchAnonymizerEngine

    from detect_vs_presidio import _presidio_analyzer

    loaded = time.perf_counter()
    batch, _ = _presidio_analyzer()
    anonymizer = BatchAnonymizerEngine()
    load_s = time.perf_counter() - loaded
    records = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    with dst.open("w", encoding="utf-8") as out:
        for at in range(0, len(records), _PRESIDIO_BATCH):  # column-wise, so spaCy runs batched (its best case)
            rows = records[at : at + _PRESIDIO_BATCH]
            columns = {key: [str(row[key]) for row in rows] for key in rows[0]}
            anonymized = anonymizer.anonymize_dict(batch.analyze_dict(columns, language="en"))
            for i in range(len(rows)):
                out.write(json.dumps({key: anonymized[key][i] for key in columns}) + "\n")
    seconds = time.perf_counter() - started
    rss = _rss_mb(resource.RUSAGE_SELF)
    return {"records": len(records), "seconds": seconds, "load_seconds": load_s, "rss_mb": rss}


def child_coatcheck(src: Path, dst: Path, profile: str, jobs: int) -> dict[str, Any]:
    from coatcheck.batch import protect_file

    started = time.perf_counter()
    result = protect_file(src, dst, profile=profile, jobs=jobs, default="redact", resume=False)
    seconds = time.perf_counter() - started
    return {
        "records": result.records,
        "seconds": seconds,
        "rss_mb": _rss_mb(resource.RUSAGE_SELF),
        "worker_rss_mb": _rss_mb(resource.RUSAGE_CHILDREN),
        "bytes": src.stat().st_size,
    }


def _child(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False, timeout=6 * 3600
    )
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


# -- report --------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--sizes-mb", default="100,1000")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-presidio", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, src, dst, *rest = args.child
        if kind == "presidio":
            print(json.dumps(child_presidio(Path(src), Path(dst))))
        else:
            print(json.dumps(child_coatcheck(Path(src), Path(dst), rest[0], int(rest[1]))))
        return

    lines: list[str] = ["# Batch protection benchmark", ""]
    with tempfile.TemporaryDirectory(prefix="coatcheck-bench-", dir="/tmp") as tmp:
        folder = Path(tmp)
        src = folder / "sample.jsonl"
        n = make_jsonl(src, records=args.records)
        runs: dict[str, dict[str, Any]] = {}
        if not args.skip_presidio:
            runs["presidio (1 process)"] = _child("presidio", str(src), str(folder / "p.jsonl"))
        for profile in ("fast", "accurate"):
            runs[f"coatcheck {profile} (1 process)"] = _child("ours", str(src), str(folder / "o.jsonl"), profile, "1")
            runs[f"coatcheck {profile} ({args.jobs} processes)"] = _child(
                "ours", str(src), str(folder / "o.jsonl"), profile, str(args.jobs)
            )
        base = runs.get("presidio (1 process)")
        lines += [
            f"## Throughput: {n:,} records ({src.stat().st_size / 1e6:.1f} MB JSONL), {os.cpu_count()} cores",
            "",
            "| system | records/s | vs Presidio | seconds | peak RSS (MB, main / worker) |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, run in runs.items():
            rate = run["records"] / run["seconds"]
            ratio = f"{rate / (base['records'] / base['seconds']):.1f}x" if base else "-"
            rss = f"{run['rss_mb']:.0f}" + (f" / {run['worker_rss_mb']:.0f}" if run.get("worker_rss_mb") else "")
            lines.append(f"| {name} | {rate:,.0f} | {ratio} | {run['seconds']:.1f} | {rss} |")
        if base:
            lines.append(f"\nPresidio model load (excluded above): {base['load_seconds']:.1f} s.")
        src.unlink()
        lines += [
            "",
            f"## Memory: fast profile, {args.jobs} processes",
            "",
            "| input | records | records/s | MB/s | peak RSS main (MB) | peak RSS largest worker (MB) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for size in (int(s) for s in args.sizes_mb.split(",") if s):
            big = folder / f"big-{size}.jsonl"
            make_jsonl(big, megabytes=size, seed=size)
            run = _child("ours", str(big), str(folder / "big.out.jsonl"), "fast", str(args.jobs))
            big.unlink()
            (folder / "big.out.jsonl").unlink(missing_ok=True)
            lines.append(
                f"| {run['bytes'] / 1e6:,.0f} MB | {run['records']:,} | {run['records'] / run['seconds']:,.0f} | "
                f"{run['bytes'] / 1e6 / run['seconds']:.2f} | {run['rss_mb']:.0f} | {run['worker_rss_mb']:.0f} |"
            )
            print("\n".join(lines[-1:]), flush=True)
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out is not None:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
