"""`coatcheck detect`: JSON lines or plain lines in, one JSON line of entities out; bad lines named by number."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from coatcheck.cli import app

runner = CliRunner()


def test_json_and_plain_lines_each_get_one_output_line() -> None:
    stdin = '{"text": "mail sarah.chen@example.com"}\nno personal data here\n'
    result = runner.invoke(app, ["detect", "--profile", "fast"], input=stdin)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    [email] = lines[0]["entities"]
    assert (email["type"], email["start"], email["end"]) == ("EMAIL_ADDRESS", 5, 27)
    assert 0.5 <= email["score"] <= 1.0
    assert set(email) == {"type", "start", "end", "score"}
    assert lines[1] == {"entities": []}
    assert "sarah" not in json.dumps(lines)  # types and offsets only, never the value


def test_a_broken_json_line_is_named_and_exits_2_without_the_value() -> None:
    stdin = '{"text": "ok"}\n{"text": "jane@example.com"\n'
    result = runner.invoke(app, ["detect", "--profile", "fast"], input=stdin)
    assert result.exit_code == 2
    assert "line 2: invalid JSON" in result.output
    assert "jane" not in result.output


def test_unknown_profile_is_a_clear_error() -> None:
    result = runner.invoke(app, ["detect", "--profile", "turbo"], input="x\n")
    assert result.exit_code == 2
    assert "unknown profile 'turbo'" in result.output
