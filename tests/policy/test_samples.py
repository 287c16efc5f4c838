"""Sample files: text lines, JSON texts and JSON records, each with its line and optional tenant."""

from __future__ import annotations

from pathlib import Path

import pytest

from coatcheck.errors import InputError
from coatcheck.policy.samples import Sample, iter_samples, read_samples


def test_lines_become_samples() -> None:
    lines = [
        "plain text with an email a@example.com\n",
        "\n",
        '{"text": "a JSON text", "tenant": "acme", "id": 7}\n',
        '{"record": {"text": "not a sample text"}, "tenant": "acme"}\n',
        '{"name": "Dana", "email": "d@example.com"}\n',
        '[{"ssn": "536-22-8817"}]\r\n',
    ]
    samples = list(iter_samples(lines))
    assert [(s.line, s.tenant, s.id, s.label) for s in samples] == [
        (1, None, None, "line 1"),
        (3, "acme", "7", "7"),
        (4, "acme", None, "line 4"),
        (5, None, None, "line 5"),
        (6, None, None, "line 6"),
    ]
    assert samples[0].data == "plain text with an email a@example.com"
    assert samples[1].data == "a JSON text"
    assert samples[2].data == {"text": "not a sample text"}
    assert samples[3].data == {"name": "Dana", "email": "d@example.com"}
    assert samples[4].data == [{"ssn": "536-22-8817"}]


def test_sample_repr_hides_its_content() -> None:
    assert "536-22-8817" not in repr(Sample(1, "SSN 536-22-8817"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "unterminated', r"^s\.jsonl, line 1: invalid JSON \(Unterminated string"),
        ('{"text": 42}', r"^s\.jsonl, line 1: 'text' must be a string$"),
        ('{"text": "x", "tenant": 3}', r"^s\.jsonl, line 1: 'tenant' must be a string$"),
    ],
)
def test_bad_lines_name_the_line(line: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        list(iter_samples([line], "s.jsonl"))


def test_read_samples_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("one\ntwo\n", encoding="utf-8")
    assert [s.data for s in read_samples(path)] == ["one", "two"]
    with pytest.raises(InputError, match="cannot read the samples"):
        read_samples(tmp_path / "missing.txt")
    path.write_bytes(b"\xff\xfe bad")
    with pytest.raises(InputError, match="not UTF-8"):
        read_samples(path)
