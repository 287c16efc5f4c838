from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coatcheck.batch import ProtectSpec, protect_file
from coatcheck.batch.checkpoint import checkpoint_path, partial_path
from coatcheck.errors import InputError, ProtectError

from .conftest import EMAILS, METHODS, NAMES, SSNS


def _lines(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_two_processes_give_the_single_process_output(jsonl: Path, tmp_path: Path, key_file: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    opts = {"methods": METHODS, "key_file": key_file, "chunk_records": 9}
    protect_file(jsonl, one, jobs=1, **opts)
    result = protect_file(jsonl, two, jobs=2, **opts)
    assert result.jobs == 2
    assert one.read_bytes() == two.read_bytes()
    text = two.read_text(encoding="utf-8")
    for value in (*EMAILS, *SSNS, *NAMES):
        assert value not in text
    # keyed consistency across chunks and processes: one email, one hash
    original = _lines(jsonl)
    tokens: dict[str, set[str]] = {}
    for before, after in zip(original, _lines(two), strict=True):
        tokens.setdefault(before["email"], set()).add(after["email"])
        assert after["id"] == before["id"]
    assert all(len(found) == 1 for found in tokens.values())
    assert len({next(iter(found)) for found in tokens.values()}) == len(tokens)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=1, max_value=25), st.integers(min_value=200, max_value=5000))
def test_chunking_never_changes_the_output(
    jsonl: Path, tmp_path: Path, key_file: Path, records: int, size: int
) -> None:
    spec = ProtectSpec(methods=METHODS, key_file=str(key_file))
    reference = tmp_path / "ref.jsonl"
    if not reference.exists():
        protect_file(jsonl, reference, spec=spec, jobs=1, chunk_records=1000)
    out = tmp_path / "out.jsonl"
    protect_file(jsonl, out, spec=spec, jobs=1, chunk_records=records, chunk_bytes=size, resume=False)
    assert out.read_bytes() == reference.read_bytes()


def test_csv_keeps_header_quoting_and_line_ends(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(b'name,notes\r\nA,"two\r\nlines to sarah.chen@example.com"\r\nB,plain\r\n')
    out = tmp_path / "out.csv"
    result = protect_file(src, out, jobs=1, default="mask")
    data = out.read_bytes()
    assert data.startswith(b"name,notes\r\n")
    assert data.count(b"\r\n") == 4
    assert b"sarah.chen@" not in data
    assert b"@example.com" in data
    assert result.records == 2


def test_text_lines_keep_their_endings(tmp_path: Path) -> None:
    src = tmp_path / "app.log"
    src.write_bytes(b"mail sarah.chen@example.com\r\n\r\nno newline at the end 536-22-8817")
    out = tmp_path / "out.log"
    protect_file(src, out, jobs=1)
    assert out.read_bytes() == b"mail [EMAIL_1]\r\n\r\nno newline at the end [SSN_1]"


def test_untouched_jsonl_lines_are_copied_verbatim(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"a":   1, "b": "nothing here"}\n{"c": "sarah.chen@example.com"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    protect_file(src, out, jobs=1)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '{"a":   1, "b": "nothing here"}'
    assert json.loads(lines[1]) == {"c": "[EMAIL_1]"}


def test_bad_json_line_names_file_and_line_and_leaves_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"a": "sarah.chen@example.com"}\n{"b": "536-22-8817"\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError, match=r"in\.jsonl:2: not valid JSON") as caught:
        protect_file(src, out, jobs=1)
    assert "536-22-8817" not in str(caught.value)
    assert not out.exists()
    assert not partial_path(out).exists()
    assert not checkpoint_path(out).exists()


def test_ragged_csv_row_is_an_input_error(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"in\.csv:3: expected 2 fields, found 1"):
        protect_file(src, tmp_path / "out.csv", jobs=1)


def test_unmatched_field_path_is_a_protect_error(jsonl: Path, tmp_path: Path) -> None:
    with pytest.raises(ProtectError, match="nope"):
        protect_file(jsonl, tmp_path / "out.jsonl", jobs=1, fields={"nope": "redact"})


def test_field_policy_applies_to_named_fields_only(jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    protect_file(jsonl, out, jobs=1, fields={"email": "redact"})
    for before, after in zip(_lines(jsonl), _lines(out), strict=True):
        assert after["text"] == before["text"]
        assert after["email"] != before["email"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("same", "must not be the input"), ("doc.json", "cannot be streamed")],
)
def test_refused_jobs(tmp_path: Path, name: str, message: str) -> None:
    src = tmp_path / ("doc.json" if name == "doc.json" else "in.jsonl")
    src.write_text("{}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        protect_file(src, src if name == "same" else tmp_path / "out.jsonl", jobs=1)


def test_worker_startup_failure_is_reported(jsonl: Path, tmp_path: Path) -> None:
    from coatcheck.errors import KeyManagementError

    with pytest.raises(KeyManagementError, match="no keyring"):
        protect_file(jsonl, tmp_path / "o.jsonl", jobs=2, methods=METHODS, key_file=tmp_path / "missing.json")
