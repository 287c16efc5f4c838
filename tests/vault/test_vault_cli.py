"""`coatcheck vault count | purge | delete` on a SQLite vault."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coatcheck.cli import app
from coatcheck.keys import Keyring
from coatcheck.vault import SQLiteVault

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, keyring_file: Path) -> tuple[str, Path]:
    db = tmp_path / "v.db"
    ring = Keyring.open(keyring_file, create=False)
    with SQLiteVault(db, ring) as vault:
        vault.put_many("acme", {"[A]": "alice@example.com", "[B]": "bob@example.com"})
        vault.put_many("acme", {"[C]": "carol@example.com"}, session="conv-1")
        vault.put("globex", "[A]", "dave@example.com")
    with SQLiteVault(db, ring, clock=lambda: time.time() - 3600) as past:
        past.put("acme", "[OLD]", "expired@example.com", ttl=60)  # expired an hour ago
    return f"sqlite:///{db}", keyring_file


def _run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["vault", *args], input=input)
    return result.exit_code, result.output


def test_count_purge_delete(store: tuple[str, Path]) -> None:
    url, ring = store
    assert _run("count", url, "--keyring", str(ring)) == (0, "4\n")
    assert _run("count", url, "--keyring", str(ring), "--tenant", "acme") == (0, "3\n")
    assert _run("purge", url, "--keyring", str(ring)) == (0, "purged 1 expired entries\n")
    assert _run("delete", url, "--keyring", str(ring), "--tenant", "acme", "--session", "conv-1") == (
        0,
        "deleted 1 entries\n",
    )
    code, out = _run("delete", url, "--keyring", str(ring), "--tenant", "acme", input="n\n")
    assert code == 1
    assert "Aborted" in out
    assert _run("delete", url, "--keyring", str(ring), "--tenant", "acme", "--yes") == (0, "deleted 2 entries\n")
    assert _run("count", url, "--keyring", str(ring)) == (0, "1\n")


def test_errors_exit_2_without_values(store: tuple[str, Path], tmp_path: Path) -> None:
    url, ring = store
    code, out = _run("count", url, "--keyring", str(tmp_path / "missing.json"))
    assert code == 2
    assert "no keyring" in out
    code, out = _run("count", "mysql://x/y", "--keyring", str(ring))
    assert code == 2
    assert "unsupported vault URL scheme" in out
    assert "alice" not in out
