from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from coatcheck.audit import AuditLog, SQLiteAuditSink
from coatcheck.console import ConsoleConfig, MetricsStore, hash_token
from coatcheck.console._dashboard import dashboard_data
from coatcheck.console._metrics import percentiles
from coatcheck.errors import InputError
from coatcheck.gateway import GatewayConfig, create_app
from coatcheck.keys import Keyring

from .conftest import LOCAL, REVIEW_REF, TOKENS

NOW = 1_800_000_000.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_metrics_store_validates() -> None:
    store = MetricsStore()
    for bad in (
        {"decision": "maybe"},
        {"mode": "loud"},
        {"entity_counts": {"NOT_A_TYPE": 1}},
        {"entity_counts": {"PERSON": -1}},
        {"latency": -0.5},
    ):
        args = {"tenant": "t", "decision": "allow", **bad}
        with pytest.raises(InputError):
            store.record(**args)
    assert len(store) == 0


def test_metrics_store_is_bounded() -> None:
    store = MetricsStore(max_samples=3)
    for _ in range(5):
        store.record("t", "allow")
    assert len(store) == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=60))
def test_percentiles_are_ordered_samples(values: list[float]) -> None:
    p = percentiles(values)
    assert p["p50"] <= p["p90"] <= p["p99"] <= max(values)
    assert all(v in values for v in p.values())


def test_percentiles_known_answer() -> None:
    assert percentiles(range(1, 101)) == {"p50": 50, "p90": 90, "p99": 99}
    assert percentiles([]) == {}


def test_dashboard_from_metrics() -> None:
    clock = Clock(NOW - 300)
    store = MetricsStore(clock=clock)
    store.record("acme", "allow", {"EMAIL_ADDRESS": 2}, 0.010)
    clock.now = NOW - 30
    store.record("acme", "block", {"US_SSN": 1}, 0.020)
    store.record("globex", "review", {"PERSON": 1}, 0.030, mode="observe")
    clock.now = NOW - 7200  # outside the window
    store.record("old", "allow", {"PERSON": 5}, 9.0)
    data = dashboard_data(store, now=NOW, minutes=10, bucket_seconds=60)
    totals = data["totals"]
    assert data["source"] == "metrics"
    assert totals["requests"] == 3
    assert totals["entities"] == 4
    assert totals["decisions"] == {"allow": 1, "review": 1, "block": 1}
    assert totals["by_type"] == {"EMAIL_ADDRESS": 2, "US_SSN": 1, "PERSON": 1}
    assert totals["by_tenant"]["acme"] == {"requests": 2, "entities": 3, "block": 1, "review": 0}
    assert totals["observe"] == {"requests": 1, "would_redact": 1, "by_type": {"PERSON": 1}}
    series = data["series"]
    assert len(data["window"]["buckets"]) == 10
    assert series["decisions"]["allow"][5] == 1  # 300 s into a 10-minute window
    assert series["decisions"]["block"][9] == 1
    assert series["entities_by_type"]["EMAIL_ADDRESS"][5] == 2
    assert series["entities_by_tenant"]["acme"][5] == 2
    assert series["entities_by_tenant"]["acme"][9] == 1
    assert series["entities_by_tenant"]["globex"][9] == 1
    assert sum(series["requests"]) == 3
    latency = data["latency"]
    assert (latency["count"], latency["p50"], latency["max"]) == (3, 20.0, 30.0)
    assert latency["p90_series"][9] == 30.0
    assert latency["p90_series"][0] is None  # no requests: a gap, not a zero


def test_top_series_fold_the_rest_into_other() -> None:
    store = MetricsStore(clock=Clock(NOW - 10))
    for i, name in enumerate(
        ["PERSON", "EMAIL_ADDRESS", "US_SSN", "ZIP_CODE", "IP_ADDRESS", "URL", "AGE", "VIN"]
    ):
        store.record("t", "allow", {name: 10 - i})
    by_type = dashboard_data(store, now=NOW, minutes=1, bucket_seconds=60)["series"]["entities_by_type"]
    assert list(by_type) == ["PERSON", "EMAIL_ADDRESS", "US_SSN", "ZIP_CODE", "IP_ADDRESS", "URL", "other"]
    assert by_type["other"] == [4 + 3]


def test_dashboard_from_audit(tmp_path: Path) -> None:
    keys = Keyring.ephemeral(b"d" * 32)
    times = iter([datetime.fromtimestamp(NOW - 120 + i, UTC) for i in range(10)])
    audit = AuditLog.for_keyring(SQLiteAuditSink(tmp_path / "a.db"), keys, clock=lambda: next(times))
    audit.record(action="protect", tenant="acme", entity_counts={"PERSON": 2}, decision="allow")
    audit.record(action="policy_observe", tenant="acme", entity_counts={"EMAIL_ADDRESS": 1}, mode="observe")
    audit.record(action="block", tenant="globex", entity_counts={"US_SSN": 1}, decision="block")
    audit.record(
        action="reidentify", tenant="acme", actor="bob", purpose="fraud_review", entity_counts={"PERSON": 1}
    )
    audit.record(action="detect", tenant="acme", actor="console:vic", entity_counts={"PERSON": 9})
    data = dashboard_data(MetricsStore(), audit=audit, now=NOW, minutes=5, bucket_seconds=60)
    assert data["source"] == "audit"
    assert data["totals"]["requests"] == 3  # console actions and re-identification are not traffic
    assert data["totals"]["by_type"] == {"PERSON": 2, "EMAIL_ADDRESS": 1, "US_SSN": 1}
    assert data["totals"]["observe"]["would_redact"] == 1
    (reid,) = data["reidentify"]
    assert (reid["actor"], reid["purpose"], reid["types"]) == ("bob", "fraud_review", {"PERSON": 1})
    audit.close()


def test_dashboard_api(make_session) -> None:
    session = make_session("vic")
    session.console.record_request("acme", "review", {"PHONE_NUMBER": 1}, 0.004)
    data = session.get("/api/dashboard?minutes=15&bucket=15").json()
    assert data["source"] == "audit"  # an audit log is configured: traffic comes from it
    assert data["latency"]["count"] == 1
    assert len(data["window"]["buckets"]) == 60
    assert session.get("/api/dashboard?minutes=1440&bucket=5").status_code == 400
    assert session.get("/api/dashboard?minutes=abc").status_code == 400


def gateway_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = "\n".join(
        f"    - {{name: {name}, role: {role}, token: '{hash_token(TOKENS[name])}'}}"
        for name, role in (("alice", "admin"), ("vic", "viewer"))
    )
    path = tmp_path / "console.yaml"
    path.write_text(f"console:\n  state_dir: {tmp_path / 'state'}\n  users:\n{users}\n")
    monkeypatch.setenv("COATCHECK_CONSOLE_CONFIG", str(path))


def test_gateway_feeds_the_dashboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy) -> None:
    """The console mounted in the gateway counts each proxied request, with types and counts only."""
    gateway_env(tmp_path, monkeypatch)
    app = create_app(GatewayConfig(policy=policy, demo_delay=0))
    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as client:
        log_in_mounted(client)
        before = client.get("/console/api/dashboard").json()["totals"]["requests"]
        for content in (
            "Hi, this is Sarah Chen, sarah.chen@example.com",
            f"chart {REVIEW_REF}",
            "nothing at all",
        ):
            answer = client.post(
                "/v1/chat/completions",
                json={"model": "m", "messages": [{"role": "user", "content": content}]},
                headers={"authorization": "Bearer k"},
            )
            assert answer.status_code == 200
        data = client.get("/console/api/dashboard").json()
        queued = client.get("/console/api/review").json()["items"]
    # the review-band request reached the review queue, as masked context only
    assert [item["entity_type"] for item in queued] == ["MEDICAL_RECORD_NUMBER"]
    assert REVIEW_REF not in json.dumps(queued)
    assert data["source"] == "metrics"
    assert data["totals"]["requests"] == before + 3
    assert data["totals"]["decisions"] == {"allow": 2, "review": 1, "block": 0}
    assert data["totals"]["by_type"] == {"PERSON": 1, "EMAIL_ADDRESS": 1, "MEDICAL_RECORD_NUMBER": 1}
    assert data["latency"]["count"] == 3
    text = json.dumps(data)
    assert "Sarah" not in text
    assert REVIEW_REF not in text


def log_in_mounted(client: TestClient) -> None:
    page = client.get("/console/login")
    assert page.status_code == 200
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(
        "/console/login", data={"token": TOKENS["alice"], "csrf_token": csrf}, follow_redirects=False
    )
    assert done.headers["location"].endswith("/console/playground")


def test_gateway_console_is_off_for_remote_clients(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy
) -> None:
    gateway_env(tmp_path, monkeypatch)
    app = create_app(GatewayConfig(policy=policy))
    with TestClient(app, base_url="http://10.0.0.7", client=("10.9.9.9", 4000)) as client:
        assert client.get("/console/login").status_code == 404
        assert client.get("/console/api/dashboard").status_code == 404
        assert client.get("/healthz").status_code == 200


def test_attach_wires_a_gateway_that_asks_for_it(policy) -> None:
    from starlette.applications import Starlette

    from coatcheck.console import attach_console

    class Host:
        console = None
        config = None

    host = Host()
    console = attach_console(Starlette(), host, ConsoleConfig(policy=policy))
    assert host.console is console
    assert attach_console(Starlette(), object(), ConsoleConfig(policy=policy)).policy is policy
