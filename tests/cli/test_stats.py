"""`coatcheck stats`: DP answers from files, the budget persisted between runs, refusals, audit events."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from coatcheck.audit import AuditLog, SQLiteAuditSink
from coatcheck.cli import app
from coatcheck.keys import Keyring

SECRET = "sarah.chen@example.com"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Keyring.open(tmp_path / ".coatcheck" / "keyring.json")  # what `coatcheck keys init` leaves behind
    pd.DataFrame(
        {
            "email": [SECRET, "bob@example.org", "eve@example.net", "dan@example.com"] * 25,
            "age": [34, 51, 29, 62] * 25,
            "dept": ["ops", "ops", "hr", "sales"] * 25,
        }
    ).to_csv(tmp_path / "staff.csv", index=False)
    return tmp_path


def stats(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["stats", *args])


def test_a_query_is_answered_charged_and_audited(workdir: Path) -> None:
    result = stats("staff.csv", "-q", "mean", "-c", "age", "--bounds", "0,120", "-e", "5", "--budget", "6", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["statistic"] == "mean"
    assert out["epsilon"] == 5.0
    assert out["estimates"][0]["value"] == pytest.approx(44, abs=10)
    assert out["budget"]["epsilon_remaining"] == 1.0
    with AuditLog.for_keyring(
        SQLiteAuditSink(workdir / ".coatcheck" / "audit.db"), Keyring.open(workdir / ".coatcheck" / "keyring.json")
    ) as log:
        events = log.query(action="dp_query")
    assert len(events) == 1
    assert events[0].request_id == f"dp.mean:{out['query_id']}:eps:5.0"
    assert SECRET not in result.stdout + result.stderr


def test_the_budget_persists_between_runs_and_refuses_with_exit_3(workdir: Path) -> None:
    first = stats("staff.csv", "-q", "count", "-e", "0.6", "--budget", "1", "--tenant", "acme")
    assert first.exit_code == 0, first.stderr
    assert "epsilon spent 0.6 of 1, remaining 0.4" in first.stdout
    refused = stats("staff.csv", "-q", "count", "-e", "0.5", "--tenant", "acme")
    assert refused.exit_code == 3
    assert "privacy budget exhausted" in refused.stderr
    assert "remaining 0.4; nothing was spent" in refused.stderr
    other_tenant = stats("staff.csv", "-q", "count", "-e", "0.5", "--budget", "1", "--tenant", "globex")
    assert other_tenant.exit_code == 0, other_tenant.stderr
    last = stats("staff.csv", "-q", "count", "-e", "0.4", "--tenant", "acme", "--json")
    assert json.loads(last.stdout)["budget"]["epsilon_remaining"] == 0.0


def test_grouped_histogram_and_quantiles(workdir: Path) -> None:
    grouped = stats(
        "staff.csv", "-q", "count", "--by", "dept", "--keys", "ops,hr,legal", "-e", "50", "--budget", "100", "--json"
    )
    assert grouped.exit_code == 0, grouped.stderr
    counts = {e["group"]: e["value"] for e in json.loads(grouped.stdout)["estimates"]}
    assert counts == pytest.approx({"ops": 50, "hr": 25, "legal": 0}, abs=1)
    hist = stats("staff.csv", "-q", "histogram", "-c", "age", "--bounds", "0,80", "--bins", "2", "-e", "20")
    assert hist.exit_code == 0, hist.stderr
    assert "[0, 40)" in hist.stdout
    assert "[40, 80]" in hist.stdout
    quant = stats("staff.csv", "-q", "quantile", "-c", "age", "--bounds=-10,100", "--quantiles", "0.5", "-e", "20")
    assert quant.exit_code == 0, quant.stderr
    assert "q0.5" in quant.stdout


def test_parquet_input_and_no_audit(workdir: Path) -> None:
    pd.read_csv(workdir / "staff.csv").to_parquet(workdir / "staff.parquet")
    result = stats(
        "staff.parquet",
        "-q",
        "sum",
        "-c",
        "age",
        "--bounds",
        "0,100",
        "-e",
        "1",
        "--budget",
        "1",
        "--no-audit",
        "--ledger",
        f"sqlite:///{workdir / 'other.db'}",
    )
    assert result.exit_code == 0, result.stderr
    assert (workdir / "other.db").exists()
    assert not (workdir / ".coatcheck" / "audit.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-q", "sum", "-c", "age", "-e", "1"], "sum of column 'age' needs bounds"),
        (["-q", "sum", "-c", "email", "--bounds", "0,1", "-e", "1"], "column 'email' has dtype"),
        (["-q", "count", "-e", "0"], "epsilon must be > 0"),
        (["-q", "count", "-e", "-1"], "epsilon must be > 0"),
        (["-q", "count", "-c", "salary", "-e", "1"], "unknown column 'salary'"),
        (["-q", "mean", "-c", "age", "--bounds", "5", "-e", "1"], "--bounds must be 2 comma-separated numbers"),
        (["-q", "median", "-c", "age", "-e", "1"], "--query must be one of count | sum"),
        (["-q", "count", "-e", "1", "--budget", "x"], "--budget must be comma-separated numbers"),
        (["-q", "count", "--by", "dept", "-e", "1"], "needs declared public keys"),
    ],
)
def test_bad_input_exits_2_naming_the_parameter(workdir: Path, args: list[str], message: str) -> None:
    result = stats("staff.csv", *args, "--budget", "10") if "--budget" not in args else stats("staff.csv", *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert SECRET not in result.stderr


def test_missing_keyring_points_to_keys_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"age": [1, 2, 3]}).to_csv("t.csv", index=False)
    result = stats("t.csv", "-q", "count", "-e", "1", "--budget", "1")
    assert result.exit_code == 2
    assert "coatcheck keys init" in result.stderr
    assert "--no-audit" in result.stderr


def test_empty_table(workdir: Path) -> None:
    (workdir / "empty.csv").write_text("age\n")
    result = stats("empty.csv", "-q", "count", "-e", "1", "--budget", "1")
    assert result.exit_code == 2
    assert "the table is empty" in result.stderr
