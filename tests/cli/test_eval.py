"""`coatcheck eval`: the command scores exactly what the library scores, and rejects bad files clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coatcheck.cli import app
from coatcheck.detect.engine import Detector
from coatcheck.detect.evaluate import evaluate, load_dataset

runner = CliRunner()

TEXT = "Please email jane.doe@example.com or call 415-555-0132 about the refund."
RECORDS = [
    {
        "full_text": TEXT,
        "spans": [
            {
                "entity_type": "EMAIL_ADDRESS",
                "start_position": 13,
                "end_position": 33,
                "entity_value": "jane.doe@example.com",
            },
            {"entity_type": "PHONE_NUMBER", "start_position": 42, "end_position": 54, "entity_value": "415-555-0132"},
        ],
    },
    {"full_text": "Order #A-7731 shipped on 2024-03-12; version 2.3.1.", "spans": []},
    {
        "full_text": "Wire it to IBAN DE89 3704 0044 0532 0130 00 today.",
        "spans": [{"entity_type": "IBAN_CODE", "start_position": 16, "end_position": 43}],
    },
]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "three.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    return path


def test_json_output_equals_the_library_report(dataset: Path) -> None:
    result = runner.invoke(app, ["eval", str(dataset), "--profile", "fast", "--format", "json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    expected = evaluate(load_dataset(dataset), Detector("fast").detect_batch).as_dict()
    assert shown["profile"] == "fast"
    assert {k: shown[k] for k in expected} == expected
    assert shown["records"] == 3
    assert shown["pii_free_records"] == 1
    assert set(shown["per_type"]) == {"EMAIL_ADDRESS", "IBAN_CODE", "PHONE_NUMBER"}


def test_table_output_names_types_and_false_alarms(dataset: Path) -> None:
    result = runner.invoke(app, ["eval", str(dataset), "--profile", "fast", "--errors", "2"])
    assert result.exit_code == 0, result.output
    for expected in ("EMAIL_ADDRESS", "IBAN_CODE", "PHONE_NUMBER", "overall", "PII-free records flagged", "IoU"):
        assert expected in result.stdout
    # Error listings show values by shape only.
    assert "jane.doe" not in result.stdout
    assert "0532 0130" not in result.stdout


def test_bad_dataset_exits_2_naming_file_and_record(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            [
                RECORDS[1],
                {
                    "full_text": TEXT,
                    "spans": [
                        {
                            "entity_type": "EMAIL_ADDRESS",
                            "start_position": 13,
                            "end_position": 33,
                            "entity_value": "someone@else.org",
                        }
                    ],
                },
            ]
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["eval", str(path), "--profile", "fast"])
    assert result.exit_code == 2
    assert "bad.json, record 1, span 0 (EMAIL_ADDRESS)" in result.stderr
    assert "someone@else.org" not in result.output
    assert "jane.doe" not in result.output


def test_unknown_format_is_rejected(dataset: Path) -> None:
    result = runner.invoke(app, ["eval", str(dataset), "--format", "xml"])
    assert result.exit_code == 2
    assert "unknown format" in result.stderr
