from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coatcheck.entities import ENTITY_TYPES, Sensitivity
from coatcheck.errors import InputError
from coatcheck.scan import masked_example, scan_paths

from .conftest import CARD, EMAIL, IP, RAW_VALUES, SSN


def _file(report, name: str):  # type: ignore[no-untyped-def]
    return next(f for f in report.files if Path(f.path).name == name)


@pytest.mark.parametrize(
    ("name", "fmt", "field", "entity", "count", "affected", "records"),
    [
        ("events.jsonl", "jsonl", "user.email", "EMAIL_ADDRESS", 2, 2, 3),
        ("events.jsonl", "jsonl", "note", "US_SSN", 1, 1, 2),
        ("events.jsonl", "jsonl", "messages[*].content", "CREDIT_CARD", 1, 1, 1),
        ("dump.json", "json", "user.email", "EMAIL_ADDRESS", 2, 2, 3),
        ("people.csv", "csv", "email", "EMAIL_ADDRESS", 2, 2, 2),
        ("people.csv", "csv", "notes", "IP_ADDRESS", 1, 1, 2),
        ("people.tsv", "tsv", "email", "EMAIL_ADDRESS", 1, 1, 1),
        ("app.log", "text", "text", "EMAIL_ADDRESS", 1, 2, 3),
        ("app.log.gz", "text", "text", "US_SSN", 1, 2, 3),
        ("t.parquet", "parquet", "email", "EMAIL_ADDRESS", 2, 2, 2),
    ],
)
def test_counts_per_file_and_field(
    corpus: Path, detector, name: str, fmt: str, field: str, entity: str, count: int, affected: int, records: int
) -> None:
    report = scan_paths([corpus], detector=detector)
    found = _file(report, name)
    assert found.format == fmt
    stats = found.fields[field]
    assert stats.types[entity].count == count
    assert stats.affected == affected
    assert stats.records == records
    assert found.complete
    assert not found.issues


def test_summary_carries_class_method_and_masked_examples(corpus: Path, detector) -> None:
    report = scan_paths([corpus], detector=detector, destination="dashboard")
    assert report.classes["US_SSN"] is Sensitivity.REGULATED
    assert report.methods["EMAIL_ADDRESS"] == "mask"
    data = report.as_dict()
    email = data["summary"]["types"]["EMAIL_ADDRESS"]
    assert email["example"].endswith("@example.com") or email["example"].endswith("@example.org")
    assert "*" in email["example"]
    assert data["summary"]["files"] == 7
    assert _file(report, "app.log.gz").compressed


def test_no_raw_value_reaches_any_report(corpus: Path, detector) -> None:
    from coatcheck.scan.html import render_html

    report = scan_paths([corpus], detector=detector)
    outputs = json.dumps(report.as_dict()) + render_html(report)
    for value in RAW_VALUES:
        assert value not in outputs


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(ENTITY_TYPES)), st.text(alphabet="abcdefghijk0123456789", min_size=2, max_size=30))
def test_masked_example_never_shows_the_value(entity_type: str, value: str) -> None:
    masked = masked_example(entity_type, value)
    assert masked != value
    assert len(masked) <= 64


def test_bad_input_is_reported_with_file_and_line(tmp_path: Path, detector) -> None:
    (tmp_path / "bad.jsonl").write_text(f'{{"a": "{EMAIL}"}}\n{{oops\n{{"b": 1}}\n', encoding="utf-8")
    (tmp_path / "ragged.csv").write_text("a,b\n1,2\n3\n4,5\n", encoding="utf-8")
    (tmp_path / "mixed.log").write_bytes(b"ok line\ncaf\xe9 " + SSN.encode() + b"\n")
    (tmp_path / "cut.log.gz").write_bytes(gzip.compress(("line\n" * 5000).encode())[:-20])
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    report = scan_paths([tmp_path, tmp_path / "missing.csv"], detector=detector)
    issues = {(Path(i.path).name, i.line, i.kind) for i in report.issues}
    assert ("bad.jsonl", 2, "json") in issues
    assert ("ragged.csv", 3, "ragged") in issues
    assert ("mixed.log", 2, "encoding") in issues
    assert any(name == "cut.log.gz" and kind == "truncated" for name, _, kind in issues)
    assert ("blob.bin", None, "binary") in issues
    assert report.missing == [str(tmp_path / "missing.csv")]
    assert _file(report, "bad.jsonl").records_read == 2
    assert not _file(report, "cut.log.gz").complete
    assert _file(report, "mixed.log").types["US_SSN"].count == 1  # still scanned, decoded as Windows-1252
    assert all(SSN not in str(i) and EMAIL not in str(i) for i in report.issues)


def test_on_error_stop_raises_at_the_first_problem(tmp_path: Path, detector) -> None:
    (tmp_path / "bad.jsonl").write_text(f'{{"a": "{EMAIL}"}}\n{{"secret": "{SSN}"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:2: not valid JSON") as caught:
        scan_paths([tmp_path], detector=detector, on_error="stop")
    assert SSN not in str(caught.value)


def test_sampling_is_bounded_and_reproducible(tmp_path: Path, detector) -> None:
    lines = [json.dumps({"n": i, "email": f"user{i}@example.com" if i % 2 else "none"}) for i in range(500)]
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = scan_paths([tmp_path], detector=detector, sample=50, seed=3).files[0]
    again = scan_paths([tmp_path], detector=detector, sample=50, seed=3).files[0]
    assert (first.records_read, first.records_scanned) == (500, 50)
    assert first.as_dict()["fields"] == again.as_dict()["fields"]
    rated = scan_paths([tmp_path], detector=detector, sample_rate=0.2, seed=1).files[0]
    assert 50 < rated.records_scanned < 150
    assert rated.records_read == 500


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sample": 0},
        {"sample_rate": 1.5},
        {"sample": 5, "sample_rate": 0.5},
        {"on_error": "ignore"},
        {"destination": "x"},
    ],
)
def test_bad_options_are_input_errors(tmp_path: Path, detector, kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        scan_paths([tmp_path], detector=detector, **kwargs)


def test_progress_reports_every_byte(corpus: Path, detector) -> None:
    seen: list[int] = []
    report = scan_paths([corpus], detector=detector, on_progress=seen.append)
    assert sum(seen) == sum(f.size for f in report.files)


def test_values_in_ints_and_nested_lists_are_found(tmp_path: Path, detector) -> None:
    record = {"rows": [[{"ip": IP}], [{"card": CARD}]], "phone": 4155550132}
    (tmp_path / "n.json").write_text(json.dumps(record), encoding="utf-8")
    report = scan_paths([tmp_path], detector=detector)
    fields = report.files[0].fields
    assert fields["rows[*][*].ip"].types["IP_ADDRESS"].count == 1
    assert fields["rows[*][*].card"].types["CREDIT_CARD"].count == 1
    assert "phone" in fields
