from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from coatcheck.cli import app
from coatcheck.keys import Keyring

EMAIL = "sarah.chen@example.com"
CARD = "4532 0151 1283 0366"
TEXT = f"Contact {EMAIL} about the card {CARD}.\n\nAlso write to bob.lee@example.org please.\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.json"
    Keyring.open(path)
    return path


def invoke(runner: CliRunner, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["protect", *args], input=stdin)


def test_text_from_stdin_is_redacted_with_a_summary(runner: CliRunner) -> None:
    result = invoke(runner, "-", stdin=TEXT)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Contact [EMAIL_1] about the card [CARD_1].\n\nAlso write to [EMAIL_2] please.\n"
    assert "2 records" in result.stderr
    assert "EMAIL_ADDRESS 2" in result.stderr
    assert "CREDIT_CARD 1" in result.stderr


def test_jsonl_file_keeps_records_and_unknown_fields(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [{"id": 1, "text": f"mail {EMAIL}", "n": None}, {"id": 2, "text": "nothing here", "tags": ["a"]}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = invoke(runner, str(src), "-o", str(out), "--method", "mask", "-q")
    assert result.exit_code == 0, result.stderr
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert got == [{"id": 1, "text": "mail s****@example.com", "n": None}, rows[1]]
    assert result.stderr == ""


def test_csv_file_with_field_policy(runner: CliRunner, tmp_path: Path, key_file: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(f"id,email,ssn,comment\n1,{EMAIL},536-22-8817,fine\n2,bob.lee@example.org,123-45-6789,ok\n")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"email": "mask", "ssn": {"method": "hash", "prefix": "h_"}}))
    out = tmp_path / "out.csv"
    result = invoke(runner, str(src), "-o", str(out), "--fields", str(policy), "--key-file", str(key_file))
    assert result.exit_code == 0, result.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["id", "email", "ssn", "comment"]
    assert rows[1][:2] == ["1", "s****@example.com"]
    assert rows[1][2].startswith("h_")
    assert rows[1][3] == "fine"
    assert rows[2][1] == "b****@example.org"


def test_parquet_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"id": [1, 2], "note": [f"mail {EMAIL}", "none"]}), src)
    result = invoke(runner, str(src), "-o", str(out), "--method", "mask")
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out)
    assert table.column("note").to_pylist() == ["mail s****@example.com", "none"]
    assert table.column("id").to_pylist() == [1, 2]
    assert table.schema.field("id").type == pa.int64()


def test_views_write_one_file_each(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": f"mail {EMAIL}"}) + "\n")
    out = tmp_path / "out.jsonl"
    result = invoke(runner, str(src), "-o", str(out), "--views", "dash=mask,llm=redact")
    assert result.exit_code == 0, result.stderr
    assert json.loads((tmp_path / "out.dash.jsonl").read_text()) == {"text": "mail s****@example.com"}
    assert json.loads((tmp_path / "out.llm.jsonl").read_text()) == {"text": "mail [EMAIL_1]"}
    assert not out.exists()


def test_same_key_same_output_across_processes(tmp_path: Path, key_file: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(TEXT + "Dr. Sarah Chen called from +1 415-555-0132.\n", encoding="utf-8")
    outputs = []
    for i in range(2):
        out = tmp_path / f"out{i}.txt"
        args = ["anonymize", str(src), "-o", str(out), "--key-file", str(key_file)]
        code = "from coatcheck.cli import main; main()"
        subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert EMAIL.encode() not in outputs[0]
    assert b"0366" not in outputs[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "blur"], "unknown method 'blur'; known methods: mask"),
        (["--method", "hash"], "--key-file"),
        (["--type", "EMAIL=mask"], "unknown entity type 'EMAIL'"),
        (["--type", "EMAIL_ADDRESS"], "expected NAME=METHOD"),
        (["--profile", "turbo"], "unknown profile"),
        (["--format", "xml"], "unknown format 'xml'"),
    ],
)
def test_bad_options(runner: CliRunner, args: list[str], message: str) -> None:
    result = invoke(runner, *args, "-", stdin=TEXT)
    assert result.exit_code == 2
    assert message in result.stderr
    assert EMAIL not in result.stderr + result.stdout


def test_malformed_json_line_names_file_and_line_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": f"mail {EMAIL}"}) + "\n" + '{"text": "' + EMAIL + '"\n')
    out = tmp_path / "out.jsonl"
    result = invoke(runner, str(src), "-o", str(out))
    assert result.exit_code == 2
    assert f"{src}:2: not valid JSON" in result.stderr
    assert EMAIL not in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_csv_with_a_short_row_names_the_line(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(f"a,b\n{EMAIL},x\nonly-one\n")
    result = invoke(runner, str(src), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 2
    assert f"{src}:3: expected 2 fields, found 1" in result.stderr


def test_policy_path_matching_nothing(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "x"}) + "\n")
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"user.email": "mask"}))
    result = invoke(runner, str(src), "-o", str(tmp_path / "o.jsonl"), "--fields", str(policy))
    assert result.exit_code == 2
    assert "'user.email' matched nothing" in result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_missing_key_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["anonymize", "-", "--key-file", str(tmp_path / "nope.json")], input=TEXT)
    assert result.exit_code == 2
    assert "no keyring" in result.stderr
