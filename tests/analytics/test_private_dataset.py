"""PrivateDataset: validate, charge, audit, release; refusals spend nothing and are audited; no values leak."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from coatcheck.analytics import BudgetLedger, PrivateDataset, analytics_summary, read_table, write_table
from coatcheck.audit import AuditLog, SQLiteAuditSink
from coatcheck.errors import BudgetExhausted, InputError
from coatcheck.keys import Keyring

SECRET = "sarah.chen@example.com"


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {"email": [SECRET, "bob@example.org", "eve@example.net"] * 20, "age": [34, 51, 29] * 20, "dept": ["ops"] * 60}
    )


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog.for_keyring(SQLiteAuditSink(tmp_path / "audit.db"), Keyring.ephemeral(bytes(range(32))))


def test_queries_are_charged_and_audited_with_their_epsilon(
    table: pd.DataFrame, ledger: BudgetLedger, audit: AuditLog
) -> None:
    data = PrivateDataset(table, ledger=ledger, tenant="acme", dataset="staff", budget=1.0, audit=audit, actor="ana")
    first = data.count(epsilon=0.25)
    second = data.mean("age", epsilon=0.5, bounds=(0, 120))
    assert data.status.epsilon_spent == 0.75
    with pytest.raises(BudgetExhausted, match=r"needs epsilon=0\.5; epsilon spent 0\.75 of 1, remaining 0\.25"):
        data.sum("age", epsilon=0.5, bounds=(0, 120))
    assert data.status.epsilon_spent == 0.75  # refused: nothing spent
    with pytest.raises(InputError, match="needs bounds"):
        data.sum("age", epsilon=0.1)  # invalid: refused before charging, and not audited
    assert data.status.queries == 2
    events = audit.query(tenant="acme", action="dp_query")
    assert [(e.decision, e.reason, e.actor) for e in events] == [
        ("allow", None, "ana"),
        ("allow", None, "ana"),
        ("block", "budget_exhausted", "ana"),
    ]
    assert events[0].request_id == f"dp.count:{first.query_id}:eps:0.25"
    assert events[1].request_id == f"dp.mean:{second.query_id}:eps:0.5"
    assert events[2].request_id is not None
    assert events[2].request_id.endswith(":eps:0.5")
    assert audit.verify().ok
    stored = json.dumps([e.as_dict() for e in events])
    assert SECRET not in stored
    assert "example" not in stored


def test_partition_selection_charges_its_delta(table: pd.DataFrame, ledger: BudgetLedger) -> None:
    data = PrivateDataset(table, ledger=ledger, tenant="acme", dataset="staff", budget=(1.0, 1e-5))
    result = data.count(epsilon=0.5, by="dept", delta=1e-6)
    assert [e.group for e in result.estimates] == ["ops"]
    assert (data.status.delta_spent, data.status.epsilon_spent) == (1e-6, 0.5)


def test_a_budget_is_needed_once(table: pd.DataFrame, ledger: BudgetLedger) -> None:
    with pytest.raises(InputError, match="no privacy budget is set for dataset 'staff'"):
        PrivateDataset(table, ledger=ledger, tenant="acme", dataset="staff")
    PrivateDataset(table, ledger=ledger, tenant="acme", dataset="staff", budget=2.0)
    again = PrivateDataset(table, ledger=ledger, tenant="acme", dataset="staff")  # the stored budget applies
    assert again.status.epsilon == 2.0
    with pytest.raises(InputError, match="already has a budget"):
        PrivateDataset(table, ledger=ledger, tenant="acme", dataset="staff", budget=5.0)


def test_an_unauditable_tenant_is_refused_up_front(table: pd.DataFrame, ledger: BudgetLedger, audit: AuditLog) -> None:
    with pytest.raises(InputError, match="tenant must be an identifier"):
        PrivateDataset(table, ledger=ledger, tenant="acme corp", dataset="staff", budget=1.0, audit=audit)
    assert ledger.status("acme corp", "staff") is None


def test_repr_and_errors_hold_no_values(table: pd.DataFrame, ledger: BudgetLedger) -> None:
    data = PrivateDataset(table, ledger=ledger, tenant="acme", dataset="staff", budget=1.0)
    messages = [repr(data)]
    for call in (
        lambda: data.sum("email", epsilon=0.1, bounds=(0, 1)),
        lambda: data.histogram("email", epsilon=0.1),
        lambda: data.count("nope", epsilon=0.1),
    ):
        with pytest.raises(InputError) as caught:
            call()
        messages.append(str(caught.value))
    assert not any(SECRET in m for m in messages)


def test_console_summary_is_plain_json(table: pd.DataFrame, ledger: BudgetLedger) -> None:
    data = PrivateDataset(table, ledger=ledger, tenant="acme", dataset="staff", budget=1.0)
    data.count(epsilon=0.1)
    ledger.save_risk_report("acme", "staff.csv", {"k": 5, "smallest_class": 2, "records_at_risk": 3})
    summary = json.loads(json.dumps(analytics_summary(ledger, tenant="acme")))
    assert summary["budgets"][0] | {"updated": None} == {
        "tenant": "acme",
        "dataset": "staff",
        "epsilon": 1.0,
        "delta": 0.0,
        "epsilon_spent": 0.1,
        "delta_spent": 0.0,
        "epsilon_remaining": 0.9,
        "delta_remaining": 0.0,
        "queries": 1,
        "updated": None,
    }
    assert summary["last_risk_report"]["smallest_class"] == 2
    assert summary["last_risk_report"]["dataset"] == "staff.csv"
    assert analytics_summary(ledger, tenant="globex") == {"budgets": [], "risk_reports": [], "last_risk_report": None}


@pytest.mark.parametrize("name", ["t.csv", "t.tsv", "t.jsonl", "t.parquet", "t.csv.gz"])
def test_tables_round_trip_atomically(tmp_path: Path, name: str) -> None:
    frame = pd.DataFrame({"zip": ["02139", "10001"], "age": ["7", "42"]})
    write_table(frame, tmp_path / name)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temp file left behind
    back = read_table(tmp_path / name, as_text=True)
    assert back.to_dict("list") == {"zip": ["02139", "10001"], "age": ["7", "42"]}


def test_unreadable_tables_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown table format"):
        read_table(tmp_path / "t.xlsx")
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    bad = tmp_path / "bad.parquet"
    bad.write_text(f"not parquet {SECRET}")
    with pytest.raises(InputError, match=r"bad\.parquet: cannot read as parquet") as caught:
        read_table(bad)
    assert SECRET not in str(caught.value)
