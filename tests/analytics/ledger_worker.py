"""A child process that races others to spend one dataset's budget (run as a script; loaded by path in tests).

Prints ``{"spent": n, "refused": m}`` as JSON.
"""

from __future__ import annotations

import json
import sys
import time

from coatcheck.analytics import PostgresLedger, SQLiteLedger
from coatcheck.errors import BudgetExhausted


def main(job: dict[str, object]) -> None:
    url, prefix = str(job["url"]), str(job["prefix"])
    if url.startswith("sqlite:"):
        ledger = SQLiteLedger(url.removeprefix("sqlite:///"), prefix=prefix)
    else:
        ledger = PostgresLedger(url, schema=str(job["schema"]), prefix=prefix)
    time.sleep(max(float(job["start_at"]) - time.time(), 0))  # type: ignore[arg-type]
    spent = refused = 0
    for _ in range(int(job["attempts"])):  # type: ignore[call-overload]
        try:
            ledger.spend("acme", "people", float(job["epsilon"]), statistic="count")  # type: ignore[arg-type]
            spent += 1
        except BudgetExhausted:
            refused += 1
    ledger.close()
    print(json.dumps({"spent": spent, "refused": refused}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
