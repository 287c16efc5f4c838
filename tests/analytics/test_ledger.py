"""The privacy-budget ledger: exact amounts, all-or-nothing charges, persistence, races between threads and
processes on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from coatcheck.analytics import BudgetLedger, open_ledger
from coatcheck.errors import BudgetExhausted, InputError, VaultError
from coatcheck.keys import Keyring
from coatcheck.vault import SQLiteVault

WORKER = Path(__file__).with_name("ledger_worker.py")
both = pytest.mark.parametrize("ledger_spec", ["sqlite", "postgres"], indirect=True)


@both
def test_ten_tenths_fit_a_budget_of_one_exactly(ledger: BudgetLedger) -> None:
    ledger.set_budget("acme", "people", 1.0)
    for i in range(10):
        status = ledger.spend("acme", "people", 0.1, statistic="count")
        assert status.queries == i + 1
    assert status.epsilon_spent == 1.0
    assert status.epsilon_remaining == 0.0  # exact integers: no 0.9999999999999999 left over
    with pytest.raises(BudgetExhausted, match=r"spent 1 of 1, remaining 0; nothing was spent"):
        ledger.spend("acme", "people", 1e-12)


@both
def test_a_refused_query_spends_nothing(ledger: BudgetLedger) -> None:
    ledger.set_budget("acme", "people", 1.0, 1e-6)
    ledger.spend("acme", "people", 0.7)
    before = ledger.status("acme", "people")
    with pytest.raises(BudgetExhausted) as caught:
        ledger.spend("acme", "people", 0.5)
    assert "needs epsilon=0.5" in str(caught.value)
    assert "spent 0.7 of 1, remaining 0.3" in str(caught.value)
    with pytest.raises(BudgetExhausted, match="delta"):
        ledger.spend("acme", "people", 0.1, 2e-6)  # epsilon fits, delta does not
    assert ledger.status("acme", "people") == before
    assert ledger.spend("acme", "people", 0.3, 1e-6).epsilon_remaining == 0.0


@both
def test_budgets_are_per_tenant_and_dataset(ledger: BudgetLedger) -> None:
    ledger.set_budget("acme", "people", 0.5)
    ledger.set_budget("acme", "visits", 0.5)
    ledger.set_budget("globex", "people", 0.5)
    ledger.spend("acme", "people", 0.5)
    with pytest.raises(BudgetExhausted):
        ledger.spend("acme", "people", 0.1)
    assert ledger.spend("acme", "visits", 0.5).epsilon_remaining == 0
    assert ledger.spend("globex", "people", 0.5).epsilon_remaining == 0
    assert [(s.tenant, s.dataset) for s in ledger.statuses()] == [
        ("acme", "people"),
        ("acme", "visits"),
        ("globex", "people"),
    ]
    assert [s.dataset for s in ledger.statuses("globex")] == ["people"]


@both
def test_a_budget_is_not_changed_by_accident(ledger: BudgetLedger) -> None:
    ledger.set_budget("acme", "people", 1.0)
    ledger.set_budget("acme", "people", 1.0)  # the same again is fine
    with pytest.raises(InputError, match="already has a budget of epsilon=1"):
        ledger.set_budget("acme", "people", 2.0)
    ledger.spend("acme", "people", 0.4)
    status = ledger.set_budget("acme", "people", 2.0, replace=True)
    assert (status.epsilon, status.epsilon_spent, status.epsilon_remaining) == (2.0, 0.4, 1.6)


@both
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lg: lg.spend("acme", "nothing", 0.1), "no privacy budget is set for dataset 'nothing'"),
        (lambda lg: lg.set_budget("acme", "people", 0), "budget epsilon must be > 0"),
        (lambda lg: lg.set_budget("acme", "people", float("inf")), "budget epsilon must be a finite number"),
        (lambda lg: lg.set_budget("acme", "people", 1.0, 1.0), "budget delta must be >= 0 and < 1"),
        (lambda lg: lg.spend("acme", "people", -0.1), "query epsilon must be > 0"),
        (lambda lg: lg.spend("", "people", 0.1), "tenant must be non-empty"),
        (lambda lg: lg.set_budget("acme", "a\nb", 1.0), "dataset must be non-empty printable"),
    ],
)
def test_bad_amounts_and_names_are_refused(
    ledger: BudgetLedger, call: Callable[[BudgetLedger], object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        call(ledger)


@both
def test_racing_threads_never_overspend(
    ledger_spec: dict[str, str], open_spec: Callable[[dict[str, str]], BudgetLedger]
) -> None:
    open_spec(ledger_spec).set_budget("acme", "people", 1.0)
    amounts = [0.3, 0.2, 0.1, 0.25]
    outcomes: list[tuple[float, bool]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(amounts) * 2)

    def race(amount: float) -> None:
        own = open_spec(ledger_spec)  # one connection per thread, as separate clients would have
        barrier.wait()
        for _ in range(6):
            try:
                own.spend("acme", "people", amount)
                ok = True
            except BudgetExhausted:
                ok = False
            with lock:
                outcomes.append((amount, ok))

    threads = [threading.Thread(target=race, args=(a,)) for a in amounts * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    status = open_spec(ledger_spec).status("acme", "people")
    assert status is not None
    granted = [a for a, ok in outcomes if ok]
    assert status.queries == len(granted)
    assert status.epsilon_spent == pytest.approx(sum(granted), abs=1e-9)  # refused ones spent nothing
    assert status.epsilon_spent <= 1.0
    assert status.epsilon_remaining < min(amounts)  # it only stopped because nothing else fitted


# Processes only on SQLite: there the file lock is what serializes them; PostgreSQL sees the threads' separate
# connections exactly as it would see separate processes.
def test_racing_processes_never_overspend(
    ledger_spec: dict[str, str], open_spec: Callable[[dict[str, str]], BudgetLedger]
) -> None:
    open_spec(ledger_spec).set_budget("acme", "people", 1.0)
    job = {**ledger_spec, "epsilon": 0.1, "attempts": 6, "start_at": time.time() + 1.0}
    procs = [
        subprocess.Popen([sys.executable, str(WORKER), json.dumps(job)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
        results.append(json.loads(out))
    assert sum(r["spent"] for r in results) == 10  # 18 attempts of 0.1 at a budget of 1.0
    assert sum(r["refused"] for r in results) == 8
    status = open_spec(ledger_spec).status("acme", "people")
    assert status is not None
    assert (status.epsilon_spent, status.queries) == (1.0, 10)


@both
def test_the_ledger_persists(ledger_spec: dict[str, str], open_spec: Callable[[dict[str, str]], BudgetLedger]) -> None:
    first = open_spec(ledger_spec)
    first.set_budget("acme", "people", 1.0)
    first.spend("acme", "people", 0.25)
    first.close()
    status = open_spec(ledger_spec).status("acme", "people")
    assert status is not None
    assert (status.epsilon_spent, status.queries) == (0.25, 1)


@both
def test_risk_reports_keep_the_latest_per_dataset(ledger: BudgetLedger) -> None:
    ledger.save_risk_report("acme", "people", {"k": 5, "smallest_class": 1})
    ledger.save_risk_report("acme", "visits", {"k": 3, "smallest_class": 4})
    ledger.save_risk_report("acme", "people", {"k": 5, "smallest_class": 7})
    reports = ledger.risk_reports("acme")
    assert [(r["dataset"], r["smallest_class"]) for r in reports] == [("people", 7), ("visits", 4)]
    assert ledger.risk_reports("globex") == []


def test_the_ledger_shares_the_vault_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "vault.db"
    vault = SQLiteVault(path, Keyring.ephemeral(bytes(32)))
    vault.put("acme", "[EMAIL_1]", "a@example.com")
    with open_ledger(f"sqlite:///{path}") as ledger:
        ledger.set_budget("acme", "people", 1.0)
        ledger.spend("acme", "people", 0.5)
    assert vault.get("acme", "[EMAIL_1]") == "a@example.com"
    vault.close()
    assert (path.stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize(
    ("url", "error", "message"),
    [
        ("redis://localhost:6379/0", InputError, "not Redis"),
        ("vault.db", InputError, "must look like"),
        ("sqlite:relative.db", InputError, "must look like"),
        ("postgresql://postgres@127.0.0.1:1/none", VaultError, "cannot connect"),
    ],
)
def test_bad_ledger_urls(url: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        open_ledger(url, connect_timeout=1) if url.startswith("postgresql") else open_ledger(url)
