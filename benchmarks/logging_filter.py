"""Cost of `coatcheck.integrations.logging.install()` per log call, for typical ~200-byte lines.

    python benchmarks/logging_filter.py [--calls 5000]

Each line is logged through a real handler and formatter into memory, without and with masking; the difference
is the masking cost. Three kinds of line: one that passes the pre-check untouched (no digit, ``@`` or key-like
token), one with numbers but nothing personal, one with an email, an IP address and a card number.
"""

from __future__ import annotations

import argparse
import io
import logging
import time

import coatcheck.integrations.logging as cc_logging

LINES = {
    "no digits (pre-check skips)": "request handled for the items endpoint; cache warm, upstream healthy, response "
    "served from the edge without revalidation, nothing unusual to report for this worker process today at all",
    "numbers, nothing personal": "GET /api/v1/items?page=2&size=50 took 35 ms status 200 bytes 18234 trace "
    "af31b2c4-77aa-4f1e-9b0c-1d2e3f405162 region us-east-1 worker 7 retries 0 cache hit ratio 0.93 build 2024.11",
    "email, IP and card": "payment declined for sarah.chen@example.com from 203.0.113.42 using card 4532 0151 1283 "
    "0366; reason insufficient funds; order 88412 will be retried in 30 minutes by the billing worker",
}


def _per_call(logger: logging.Logger, line: str, calls: int) -> float:
    for _ in range(50):
        logger.info(line)
    started = time.perf_counter()
    for _ in range(calls):
        logger.info(line)
    return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("bench")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    print("| line | bytes | plain logging (µs) | with install() (µs) | masking cost (µs) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, line in LINES.items():
        plain = _per_call(logger, line, args.calls)
        with cc_logging.install():
            masked = _per_call(logger, line, args.calls)
        print(f"| {name} | {len(line)} | {plain:.1f} | {masked:.1f} | {masked - plain:.1f} |")


if __name__ == "__main__":
    main()
