from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from coatcheck.keys import Keyring

NAMES = ["Sarah Chen", "John Doe", "Maria Garcia", "Michael Brown"]
EMAILS = ["sarah.chen@example.com", "john.doe@example.org", "maria@example.net", "mb@example.com"]
SSNS = ["536-22-8817", "412-58-3196", "623-41-7789"]
METHODS = {"PERSON": "surrogate", "EMAIL_ADDRESS": "hash", "US_SSN": "mask"}


def make_records(n: int, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        email = rng.choice(EMAILS)
        out.append(
            {
                "id": i,
                "email": email,
                "text": f"{rng.choice(NAMES)} wrote from {email} about SSN {rng.choice(SSNS)}; ticket {i}",
                "tags": ["a", "b"] if i % 3 else [],
            }
        )
    return out


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.json"
    Keyring.open(path)
    return path


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in make_records(60)), encoding="utf-8")
    return path
