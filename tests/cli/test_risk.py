"""`coatcheck risk`: the report, exit codes, --apply writing a k-anonymous copy atomically, saved summaries."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from coatcheck.analytics import analytics_summary, open_ledger
from coatcheck.cli import app

ROWS = [
    ("02139", "1980-01-02", "F", "flu"),
    ("02139", "1980-03-04", "F", "cold"),
    ("02138", "1981-05-06", "M", "flu"),
    ("02141", "1980-07-08", "M", "cold"),
    ("02142", "1985-09-10", "F", "asthma"),
    ("10001", "1990-11-12", "M", "flu"),
    ("10002", "1990-01-02", "M", "cold"),
    ("10003", "1991-03-04", "F", "flu"),
    ("10003", "1991-03-04", "F", "cold"),
]


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    pd.DataFrame(ROWS, columns=["zip", "dob", "sex", "diagnosis"]).to_csv(path, index=False)
    return path


def risk(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["risk", *args])


def test_report_as_json_and_exit_1_when_not_k_anonymous(people: Path) -> None:
    result = risk(str(people), "--qi", "zip,dob,sex", "--sensitive", "diagnosis", "--k", "2", "--json", "--rows")
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    # Only the two 10003/1991-03-04/F rows share a class.
    assert (report["classes"], report["smallest_class"], report["records_at_risk"]) == (8, 1, 7)
    assert report["at_risk_rows"] == [0, 1, 2, 3, 4, 5, 6]
    assert report["l_diversity"] == 1
    assert report["kinds"]["zip"] == "ZIP_CODE"
    assert {tuple(m["method"] for m in s["methods"]) for s in report["suggestions"]} >= {("ZIP3",), ("year",)}
    for value in ("02139", "1980-01-02", "asthma"):
        assert value not in result.stdout


def test_human_report(people: Path) -> None:
    result = risk(str(people), "--qi", "zip,sex", "--k", "1")
    assert result.exit_code == 0, result.stderr
    assert "meets k=1" in result.stdout
    assert "suggestions" in result.stdout


def test_apply_writes_a_k_anonymous_copy(people: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "people.parquet"
    result = risk(str(people), "--qi", "zip,dob,sex", "--k", "3", "--apply", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "information loss" in result.stdout
    assert "records suppressed: 0" in result.stdout
    assert [p.name for p in out.parent.iterdir()] == ["people.parquet"]  # written via a temp file + replace
    again = risk(str(out), "--qi", "zip,dob,sex", "--k", "3", "--json")
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["smallest_class"] >= 3
    assert pd.read_parquet(out)["diagnosis"].tolist() == [r[3] for r in ROWS]


def test_apply_with_suppression_and_forced_kinds(people: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = risk(
        str(people),
        "--qi",
        "zip:ZIP_CODE,sex",
        "--k",
        "2",
        "--apply",
        "-o",
        str(out),
        "--max-suppression",
        "0.2",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    applied = json.loads(result.stdout)["applied"]
    assert applied["reached_k"] >= 2
    assert applied["rows_out"] == len(pd.read_csv(out, dtype=str)) == len(ROWS) - applied["records_suppressed"]


def test_saved_summary_reaches_the_console(people: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vault.db'}"
    result = risk(str(people), "--qi", "zip,sex", "--k", "2", "--ledger", url, "--tenant", "acme")
    assert result.exit_code == 1
    with open_ledger(url) as ledger:
        summary = analytics_summary(ledger, "acme")
    assert summary["last_risk_report"]["dataset"] == "people.csv"
    assert summary["last_risk_report"]["k"] == 2
    assert "at_risk_rows" not in summary["last_risk_report"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--qi", "zip,postcode"], "unknown column 'postcode'"),
        (["--qi", "zip", "--sensitive", "illness"], "sensitive: unknown column 'illness'"),
        (["--qi", "zip", "--apply"], "--apply needs --output"),
        (["--qi", "zip", "-o", "x.csv"], "--output is only written with --apply"),
        (["--qi", "zip", "--k", "0"], "k must be an integer >= 1"),
        (["--qi", "zip:POSTCODE"], "kind must be one of"),
        (["--qi", "zip,", "--k", "2"], "--qi must be comma-separated column names"),
    ],
)
def test_bad_input_exits_2(people: Path, args: list[str], message: str) -> None:
    result = risk(str(people), *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr


def test_missing_file(tmp_path: Path) -> None:
    result = risk(str(tmp_path / "nope.csv"), "--qi", "zip")
    assert result.exit_code == 2
    assert "no such file" in result.stderr
