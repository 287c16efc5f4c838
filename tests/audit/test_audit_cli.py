"""`coatcheck keys ...`, `coatcheck decrypt` and `coatcheck audit ...` through typer's CliRunner."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from coatcheck.cli import audit as audit_cli
from coatcheck.cli import keys as keys_cli
from coatcheck.keys import Keyring

app = typer.Typer()
keys_cli.register(app)
audit_cli.register(app)
EMAIL = "sarah.chen@example.com"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("USER", "ops-bot")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, code: int = 0):  # type: ignore[no-untyped-def]
        result = runner.invoke(app, list(args), input=input)
        assert result.exit_code == code, (result.output, result.stderr)
        return result

    return invoke


def _token(value: str = EMAIL, tenant: str = "acme") -> str:
    return Keyring.open(".coatcheck/keyring.json", create=False).encrypt(
        value.encode(), tenant=tenant, field="EMAIL_ADDRESS"
    )


def test_keys_lifecycle_is_audited(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run("keys", "init", "--tenant", "acme", "--tenant", "globex").output
    assert "acme: created at version 1" in out
    assert "globex: created at version 1" in out
    assert (tmp_path / ".coatcheck/keyring.json").stat().st_mode & 0o777 == 0o600
    old = _token()
    assert "acme: version 2 is primary" in run("keys", "rotate", "acme").output
    new = run("keys", "rewrap", "--tenant", "acme", "--field", "EMAIL_ADDRESS", input=old + "\n").output.strip()
    assert new.startswith("cc1:")
    assert new.split(":")[2] == "2"
    assert EMAIL not in new
    run("keys", "retire", "acme", "--below", "2")
    listing = run("keys", "list").output
    assert "retired" in listing
    assert "primary" in listing
    run("keys", "destroy", "globex", input="n\n", code=1)  # confirmation refused: nothing destroyed
    run("keys", "destroy", "globex", "--yes")
    shown = run("audit", "show").output
    for action in ("key_init", "key_rotate", "key_rewrap", "key_retire", "key_destroy"):
        assert action in shown
    assert "ops-bot" in shown
    assert "audit chain ok: 6 events" in run("audit", "verify").output


def test_decrypt_prints_the_value_only_after_auditing_it(run) -> None:  # type: ignore[no-untyped-def]
    run("keys", "init", "--tenant", "acme")
    token = _token()
    args = ["--tenant", "acme", "--field", "EMAIL_ADDRESS", "--actor", "alice", "--purpose", "fraud_review"]
    assert run("decrypt", token, *args).output == EMAIL + "\n"
    failed = run("decrypt", token[:-2], *args, code=2)
    assert "error: invalid token" in failed.stderr
    run("decrypt", token, *args[:-1], "Sarah Chen", code=2)  # free text as purpose is refused
    events = [json.loads(line) for line in run("audit", "export", "--action", "decrypt").output.splitlines()]
    assert [(e["decision"], e["reason"], e["purpose"]) for e in events] == [
        ("allow", None, "fraud_review"),
        ("block", "invalid_token", "fraud_review"),
    ]
    assert events[0]["entity_counts"] == {"EMAIL_ADDRESS": 1}
    assert events[1]["entity_counts"] == {}


def test_decrypt_fails_closed_when_the_audit_sink_cannot_write(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("keys", "init", "--tenant", "acme")
    token = _token()
    (tmp_path / "not-a-dir").write_text("")
    result = run("decrypt", token, "--tenant", "acme", "--field", "EMAIL_ADDRESS", "--actor", "alice",
                 "--purpose", "support", "--db", str(tmp_path / "not-a-dir" / "audit.db"), code=2)  # fmt: skip
    assert EMAIL not in result.output
    assert "error: audit database" in result.stderr


def test_audit_filters_export_and_tamper_detection(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("keys", "init", "--tenant", "acme", "--tenant", "globex")
    run("keys", "rotate", "acme")
    out = run("audit", "show", "--tenant", "acme").output
    assert "2 events" in out
    assert "globex" not in out
    assert "0 events" in run("audit", "show", "--since", "2999-01-01").output
    assert "3 events" in run("audit", "show", "--until", "2999-01-01T00:00+02:00").output
    assert "invalid" not in run("audit", "show", "--since", "yesterday", code=2).output
    run("audit", "export", "-o", "copy/audit.jsonl", "--tenant", "acme")
    copy = tmp_path / "copy/audit.jsonl"
    assert [json.loads(x)["action"] for x in copy.read_text().splitlines()] == ["key_init", "key_rotate"]
    run("audit", "export", "-o", "full.jsonl")
    assert "audit chain ok: 3 events" in run("audit", "verify", "--jsonl", "full.jsonl").output

    with sqlite3.connect(tmp_path / ".coatcheck/audit.db") as conn:
        conn.execute("UPDATE audit_events SET tenant = 'initech' WHERE sequence = 2")
    result = run("audit", "verify", code=1)
    assert "audit chain broken at event 2: edited" in result.output


def test_audit_commands_need_existing_stores(run) -> None:  # type: ignore[no-untyped-def]
    assert "no keyring at" in run("audit", "verify", code=2).stderr
    run("keys", "init")
    assert "cannot be opened" in run("audit", "verify", "--db", "missing.db", code=2).stderr
    assert "no audit log at" in run("audit", "verify", "--jsonl", "missing.jsonl", code=2).stderr
    assert "--master must be" in run("keys", "list", "--master", "nonsense", code=2).stderr


def test_the_installed_command_has_both_groups(tmp_path: Path) -> None:
    env_cmd = [sys.executable, "-c", "from coatcheck.cli import main; main()"]
    init = subprocess.run([*env_cmd, "keys", "init", "--tenant", "acme"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert init.returncode == 0, init.stderr
    verify = subprocess.run([*env_cmd, "audit", "verify"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0
    assert "audit chain ok: 1 events" in verify.stdout
