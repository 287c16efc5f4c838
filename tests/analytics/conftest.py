"""Analytics fixtures: ledgers on SQLite and on the real local PostgreSQL (a schema of its own, dropped after)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from coatcheck.analytics import BudgetLedger, PostgresLedger, SQLiteLedger

PG_URL = os.environ.get("COATCHECK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    schema = f"cc_dp_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(PG_URL, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL} ({exc}); the ledger tests need the real server")
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield schema
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def ledger_spec(request: pytest.FixtureRequest, tmp_path: Path, pg_schema: str) -> dict[str, str]:
    """How to open one fresh ledger (also handed to child processes): a SQLite file or a PostgreSQL prefix."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        return {"url": f"sqlite:///{tmp_path / 'vault.db'}", "prefix": "coatcheck_dp"}
    return {"url": PG_URL, "schema": pg_schema, "prefix": f"t{uuid.uuid4().hex[:10]}"}


@pytest.fixture
def open_spec() -> Iterator[Callable[[dict[str, str]], BudgetLedger]]:
    opened: list[BudgetLedger] = []

    def make(spec: dict[str, str]) -> BudgetLedger:
        ledger: BudgetLedger
        if spec["url"].startswith("sqlite:"):
            ledger = SQLiteLedger(spec["url"].removeprefix("sqlite:///"), prefix=spec["prefix"])
        else:
            ledger = PostgresLedger(spec["url"], schema=spec["schema"], prefix=spec["prefix"])
        opened.append(ledger)
        return ledger

    yield make
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(ledger_spec: dict[str, str], open_spec: Callable[[dict[str, str]], BudgetLedger]) -> BudgetLedger:
    return open_spec(ledger_spec)
