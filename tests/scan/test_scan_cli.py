from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from coatcheck.cli import app

from .conftest import RAW_VALUES


def test_scan_writes_json_and_offline_html(corpus: Path, tmp_path: Path) -> None:
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    result = CliRunner().invoke(app, ["scan", str(corpus), "--json", str(out_json), "--html", str(out_html)])
    assert result.exit_code == 0, result.output
    assert "EMAIL_ADDRESS" in result.stdout
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert data["summary"]["types"]["US_SSN"]["class"] == "regulated"
    assert data["summary"]["types"]["US_SSN"]["method"]
    html = out_html.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert html.count("<svg") >= 3
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing to fetch: opens offline
    assert "<script" not in html
    for text in (result.stdout, html, out_json.read_text(encoding="utf-8")):
        for value in RAW_VALUES:
            assert value not in text


def test_fail_on_class_gives_exit_code_1(corpus: Path) -> None:
    assert CliRunner().invoke(app, ["scan", str(corpus), "-q", "--fail-on", "regulated"]).exit_code == 1
    clean = corpus / "clean.txt"
    clean.write_text("nothing personal here\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["scan", str(clean), "-q", "--fail-on", "personal"]).exit_code == 0


def test_stop_on_error_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text('{"a": 1}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--on-error", "stop"])
    assert result.exit_code == 2
    assert "x.jsonl:2" in result.stderr


def test_html_escapes_hostile_field_names(tmp_path: Path) -> None:
    (tmp_path / "h.jsonl").write_text(
        json.dumps({"<script>alert(1)</script>": "mail sarah.chen@example.com"}) + "\n", encoding="utf-8"
    )
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["scan", str(tmp_path / "h.jsonl"), "-q", "--html", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
