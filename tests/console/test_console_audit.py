from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from coatcheck.console import ConsoleConfig, create_console_app

from .conftest import LOCAL, REVIEW_REF, log_in

VALUES = ("Sarah Chen", "sarah.chen@example.com", "536-22-8817", "94103", REVIEW_REF)
TEXT = f"Hi, this is {VALUES[0]}, mail {VALUES[1]}, ssn {VALUES[2]}, zip {VALUES[3]}, chart {VALUES[4]}"


def seed(audit) -> None:
    audit.record(action="protect", tenant="acme", entity_counts={"PERSON": 1}, request_id="r1")
    audit.record(
        action="block", tenant="globex", entity_counts={"US_SSN": 1}, decision="block", reason="policy_block"
    )
    audit.record(
        action="reidentify", tenant="acme", actor="bob", purpose="fraud_review", entity_counts={"PERSON": 1}
    )


def test_events_filters_and_verify(make_session, config) -> None:
    seed(config.audit)
    session = make_session("vic")
    everything = session.get("/api/audit").json()
    assert everything["configured"] is True
    assert [e["sequence"] for e in everything["events"]] == [3, 2, 1]  # newest first
    assert "reidentify" in everything["actions"]
    acme = session.get("/api/audit?tenant=acme").json()["events"]
    assert {e["tenant"] for e in acme} == {"acme"}
    assert len(acme) == 2
    blocks = session.get("/api/audit?action=block").json()["events"]
    assert [e["reason"] for e in blocks] == ["policy_block"]
    assert session.get("/api/audit?since=2999-01-01T00:00:00Z").json()["events"] == []
    assert session.get("/api/audit?limit=1").json() | {"events": None} == {
        "configured": True, "events": None, "actions": everything["actions"], "total": 3,
    }  # fmt: skip
    assert session.get("/api/audit?action=nope").status_code == 400
    assert session.get("/api/audit?since=yesterday").status_code == 400
    report = session.get("/api/audit/verify").json()
    assert (report["ok"], report["events"]) == (True, 3)


def test_verify_reports_tampering(make_session, config, tmp_path: Path) -> None:
    seed(config.audit)
    db = sqlite3.connect(tmp_path / "audit.db")
    db.execute("UPDATE audit_events SET tenant = 'other' WHERE sequence = 2")
    db.commit()
    db.close()
    report = make_session("vic").get("/api/audit/verify").json()
    assert (report["ok"], report["first_bad"], report["problem"]) == (False, 2, "edited")
    assert report["summary"] == "audit chain broken at event 2: edited"


def test_export_is_jsonl_and_audited(make_session, config) -> None:
    seed(config.audit)
    admin = make_session("alice")
    response = admin.client.post("/audit/export", data={"csrf_token": admin.csrf, "tenant": "acme"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.headers["content-disposition"].startswith('attachment; filename="coatcheck-audit-')
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [row["sequence"] for row in lines] == [1, 3]
    assert all(row["mac"] for row in lines)
    (export,) = config.audit.query(action="audit_export")
    assert (export.actor, export.tenant) == ("console:alice", "acme")
    no_csrf = admin.client.post("/audit/export", data={"tenant": "acme"})
    assert no_csrf.status_code == 403


def test_without_an_audit_log(config: ConsoleConfig) -> None:
    with TestClient(
        create_console_app(replace(config, audit=None)), base_url="http://127.0.0.1", client=LOCAL
    ) as c:
        csrf = log_in(c, "alice")
        assert c.get("/api/audit").json()["configured"] is False
        assert c.get("/api/audit/verify").json() == {"configured": False}
        assert "No audit log is configured" in c.get("/audit").text
        assert (
            c.post("/api/playground", json={"input": TEXT}, headers={"x-csrf-token": csrf}).status_code == 200
        )
        assert c.get("/api/dashboard").json()["source"] == "metrics"


def test_a_failing_audit_log_stops_the_action(make_session, config) -> None:
    session = make_session("rita")
    item = session.console.enqueue_review(tenant=None, text=TEXT, entity=_entity(TEXT, VALUES[3], "ZIP_CODE"))
    config.audit.close()  # the sink can no longer write
    response = session.post(f"/api/review/{item}", {"verdict": "correct"})
    assert response.status_code == 503
    assert response.json()["error"]["kind"] == "audit"
    assert session.console.reviews.get(item).status == "pending"


def _entity(text: str, value: str, kind: str):
    from coatcheck.detect.types import Entity

    start = text.index(value)
    return Entity(kind, start, start + len(value), 0.6, "test", value)


def test_no_value_outside_the_playground(make_session, config, caplog: pytest.LogCaptureFixture) -> None:
    """Feed values in through every door, then read every page and API: only the playground echoes them."""
    caplog.set_level(logging.DEBUG)
    seed(config.audit)
    admin = make_session("alice")
    console = admin.console
    console.record_request("acme", "review", {"PERSON": 1, "ZIP_CODE": 1}, 0.01)
    for value, kind in zip(VALUES[:4], ("PERSON", "EMAIL_ADDRESS", "US_SSN", "ZIP_CODE"), strict=True):
        console.enqueue_review(tenant="acme", text=TEXT, entity=_entity(TEXT, value, kind))
    echoed = admin.post("/api/playground", {"input": TEXT}).text
    assert VALUES[0] in echoed  # the user's own text comes back to them, as the playground should
    assert admin.post("/api/playground/queue", {"input": TEXT}).json() == {"queued": 1, "in_band": 1}
    item = admin.get("/api/review").json()["items"][0]["id"]
    admin.post(f"/api/review/{item}", {"verdict": "false_positive"})
    seen = []
    for path in ("/playground", "/dashboard", "/review", "/audit", "/api/dashboard", "/api/review?status=all",
                 "/api/audit", "/api/audit/verify", "/api/policy", "/api/me"):  # fmt: skip
        response = admin.get(path)
        assert response.status_code == 200, path
        seen.append(response.text)
    seen.append(admin.client.post("/audit/export", data={"csrf_token": admin.csrf}).text)
    seen.append(caplog.text)
    blob = "\n".join(seen)
    for value in VALUES:
        assert value not in blob
        assert value.lower() not in blob.lower()
