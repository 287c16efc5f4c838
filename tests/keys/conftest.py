from __future__ import annotations

from pathlib import Path

import pytest

from coatcheck.keys import Keyring


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.ephemeral()


@pytest.fixture
def keyring_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "keyring.json"
