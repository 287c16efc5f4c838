from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from coatcheck.detect.engine import Detector

EMAIL = "sarah.chen@example.com"
EMAIL2 = "bob.lee@example.org"
SSN = "536-22-8817"
CARD = "4532 0151 1283 0366"
IP = "203.0.113.42"
RAW_VALUES = (EMAIL, EMAIL2, SSN, CARD, IP, "sarah.chen", "bob.lee", "0151 1283")


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector("fast")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """One folder with every supported format, and the values above in known fields."""
    root = tmp_path / "data"
    root.mkdir()
    records = [
        {"id": 1, "user": {"email": EMAIL}, "note": f"my SSN is {SSN}"},
        {"id": 2, "user": {"email": EMAIL2}, "note": "nothing to see"},
        {"id": 3, "user": {"email": "none"}, "messages": [{"content": f"card {CARD}"}, {"content": "ok"}]},
    ]
    (root / "events.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (root / "dump.json").write_text(json.dumps(records), encoding="utf-8")
    (root / "people.csv").write_text(
        f'name,email,notes\nA,{EMAIL},"multi\nline note from {IP}"\nB,{EMAIL2},fine\nC,,\n', encoding="utf-8"
    )
    (root / "people.tsv").write_text(f"email\tnotes\n{EMAIL}\tx\n", encoding="utf-8")
    log = f"INFO login {EMAIL} from {IP}\nDEBUG nothing here\nWARN ssn={SSN}\n"
    (root / "app.log").write_text(log, encoding="utf-8")
    (root / "app.log.gz").write_bytes(gzip.compress(log.encode()))
    pq.write_table(
        pa.table({"id": [1, 2, 3], "email": [EMAIL, None, EMAIL2], "count": [1.5, 2.5, 3.5]}), root / "t.parquet"
    )
    return root
