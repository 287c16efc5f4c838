"""Raw values pass through a realistic protect/decrypt flow; none of them reaches the audit trail or the logs."""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

import pytest

from coatcheck.audit import AuditLog, JsonLinesAuditSink, SQLiteAuditSink
from coatcheck.errors import InputError, InvalidToken
from coatcheck.keys import Keyring

VALUES = {
    "PERSON": "Sarah Chen",
    "EMAIL_ADDRESS": "sarah.chen@example.com",
    "US_SSN": "536-22-8817",
    "PHONE_NUMBER": "+1 415-555-0132",
    "CREDIT_CARD": "4532 0151 1283 0366",
}
TEXT = (
    f"Patient {VALUES['PERSON']} ({VALUES['EMAIL_ADDRESS']}, SSN {VALUES['US_SSN']}) called from "
    f"{VALUES['PHONE_NUMBER']} and paid with {VALUES['CREDIT_CARD']}."
)


def _forms(value: str) -> set[str]:
    digits = re.sub(r"\D", "", value)
    first = value.split()[0]
    return {value, value.lower()} | ({first} if first.isalpha() else set()) | ({digits} if len(digits) >= 8 else set())


def test_no_raw_value_reaches_events_files_or_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    keyring = Keyring.open(tmp_path / "keyring.json")
    db = tmp_path / "audit.db"
    siem = tmp_path / "siem.jsonl"
    logs = [AuditLog.for_keyring(SQLiteAuditSink(db), keyring), AuditLog.for_keyring(JsonLinesAuditSink(siem), keyring)]
    errors: list[str] = []

    for request in range(3):
        found = [(etype, TEXT.index(value), value) for etype, value in VALUES.items()]
        tokens = {
            etype: keyring.encrypt(value.encode(), tenant="acme", field=etype, subject="patient-17")
            for etype, _, value in found
        }
        for log in logs:
            log.record(
                action="protect", tenant="acme", actor="svc-gateway", request_id=f"req-{request}",
                entity_counts=Counter(etype for etype, _, _ in found), pii_redacted=True, payload=TEXT,
            )  # fmt: skip
            log.record(
                action="policy_observe", tenant="acme", entity_counts={"US_SSN": 1}, pii_redacted=False,
                mode="observe", decision="block", reason="observe_only", payload=TEXT,
            )  # fmt: skip
        for etype, token in tokens.items():
            assert keyring.decrypt(token, tenant="acme", field=etype, subject="patient-17") == VALUES[etype].encode()
            for log in logs:
                log.record(action="decrypt", tenant="acme", actor="alice", purpose="fraud_review",
                           entity_counts={etype: 1}, pii_detected=True)  # fmt: skip
        try:
            keyring.decrypt(tokens["US_SSN"], tenant="acme", field="PERSON")
        except InvalidToken as exc:
            errors.append(str(exc))
            for log in logs:
                log.record(action="decrypt", tenant="acme", actor="alice", decision="block", reason="invalid_token")
        for bad in ({"entity_counts": {VALUES["PERSON"]: 1}}, {"actor": VALUES["EMAIL_ADDRESS"] + " x"},
                    {"request_id": VALUES["US_SSN"] + " "}, {"purpose": VALUES["PERSON"]}):  # fmt: skip
            with pytest.raises(InputError) as info:
                logs[0].record(action="protect", tenant="acme", **bad)  # type: ignore[arg-type]
            errors.append(str(info.value))

    keyring.destroy("acme", subject="patient-17")
    for log in logs:
        log.record(action="key_destroy", tenant="acme", reason="subject_erasure")
        assert log.verify().ok

    stored = [repr(log.query()) for log in logs]
    files = [p.read_bytes().decode("latin-1") for p in tmp_path.rglob("*") if p.is_file()]
    haystacks = [*stored, *files, caplog.text, *errors]
    assert len(logs[0].query()) == 3 * (2 + len(VALUES) + 1) + 1
    for value in VALUES.values():
        for form in _forms(value):
            for hay in haystacks:
                assert form not in hay, f"a raw {form!r} leaked"
