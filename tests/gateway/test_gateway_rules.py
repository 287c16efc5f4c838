"""Decisions, modes, limits and failures: what the gateway refuses never reaches the upstream."""

from __future__ import annotations

import dataclasses
import json
import threading

import httpx
import pytest

from coatcheck.audit import AuditLog, JsonLinesAuditSink
from coatcheck.errors import DetectorError
from coatcheck.gateway import GatewayConfig, create_app

SSN, EMAIL = "536-22-8817", "sarah.chen@example.com"


def post(gateway: str, path: str, content: bytes, key: str = "key-t13", **headers: str) -> httpx.Response:
    return httpx.post(
        f"{gateway}{path}",
        content=content,
        headers={"authorization": f"Bearer {key}", "content-type": "application/json", **headers},
        timeout=30,
    )


def chat(content: str) -> bytes:
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": content}]}).encode()


def test_block_is_a_400_with_entity_types_and_no_upstream_call(gateway, upstream, shapes, audit_path):
    import openai

    client = shapes.openai_client(gateway, "key-strict")
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": f"my SSN is {SSN}"}])
    shapes.SENT.add(SSN)
    error = info.value.body
    assert error["type"] == "pii_policy_violation"
    assert error["entity_types"] == ["US_SSN"]
    assert SSN not in json.dumps(error)
    assert upstream.requests == []
    events = [json.loads(line) for line in audit_path.read_text().splitlines()]
    assert any(
        e["action"] == "block" and e["tenant"] == "strict" and e["entity_counts"] == {"US_SSN": 1} for e in events
    )


def test_observe_forwards_unchanged_and_audits_what_it_found(gateway, upstream, shapes, audit_path):
    raw = chat(f"mail {EMAIL}, SSN {SSN}")
    upstream.reset(lambda rec: shapes.Reply(shapes.chat_json(f"I saw {EMAIL}")))
    response = post(gateway, "/v1/chat/completions", raw, key="key-watch")
    assert response.status_code == 200
    assert upstream.requests[-1].body == raw
    assert response.json()["choices"][0]["message"]["content"] == f"I saw {EMAIL}"
    events = [json.loads(line) for line in audit_path.read_text().splitlines()]
    observed = [e for e in events if e["tenant"] == "watch"]
    assert observed[-1]["action"] == "policy_observe"
    assert observed[-1]["entity_counts"] == {"EMAIL_ADDRESS": 1, "US_SSN": 1}
    assert EMAIL not in audit_path.read_text()
    assert SSN not in audit_path.read_text()


DEEP = b'{"model": "m", "messages": [{"role": "user", "content": "x", "metadata": ' + b"[" * 40 + b"]" * 40 + b"}]}"


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b'{"model": "m", "messages": [', 400, "invalid JSON"),
        (b'{"model": "m", "model": "n", "messages": []}', 400, "duplicate key 'model'"),
        (DEEP, 400, "nesting deeper than 32"),
        (b'{"model": "m", "messages": [{"role": "user", "content": "caf\xe9"}]}', 400, "not valid UTF-8"),
        (b'{"model": "m", "messages": [{"role": "user", "content": "\\ud800"}]}', 400, "surrogate"),
        (b'{"model": "m", "messages": [], "temperature": NaN}', 400, "NaN"),
        (b'["not", "an", "object"]', 400, "must be a JSON object"),
        (b'{"model": "m", "messages": [], "secret_field": "x"}', 400, "unknown field 'secret_field'"),
        (b'{"model": "m", "messages": [{"role": "user", "content": "' + b"a" * 300_000 + b'"}]}', 413, "limit"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_no_upstream_call(gateway, upstream, body, status, fragment):
    response = post(gateway, "/v1/chat/completions", body)
    assert response.status_code == status
    assert fragment in response.json()["error"]["message"]
    assert upstream.requests == []


def test_unknown_paths_and_methods_are_refused(gateway, upstream):
    assert post(gateway, "/v1/assistants", b"{}").status_code == 404
    assert httpx.get(f"{gateway}/v1/chat/completions").status_code == 404
    response = post(gateway, "/v1/../admin", b"{}")
    assert response.status_code == 404
    assert "supported" in response.json()["error"]["message"]
    assert upstream.requests == []


def test_upstream_errors_are_passed_through_and_counted(gateway, upstream, shapes):
    upstream.reset(lambda rec: shapes.Reply({"error": {"message": "rate limited", "type": "rate_limit"}}, status=429))
    response = post(gateway, "/v1/chat/completions", chat("hello"))
    assert response.status_code == 429
    assert response.json()["error"]["type"] == "rate_limit"
    assert 'coatcheck_upstream_errors_total{kind="status_4xx"}' in httpx.get(f"{gateway}/metrics").text


def test_detector_failure_fails_closed(gateway_server, upstream, monkeypatch):
    gw = gateway_server.app.state.gateway

    class Broken:
        def detect_batch(self, texts):
            raise DetectorError("a detector failed (RuntimeError); the text was not scanned")

    monkeypatch.setattr(gw, "detector_for", lambda tenant: Broken())
    response = post(gateway_server.url, "/v1/chat/completions", chat(f"mail {EMAIL}"))
    assert response.status_code == 503
    assert response.json()["error"]["type"] == "coatcheck_unavailable"
    assert "nothing was sent upstream" in response.json()["error"]["message"]
    assert upstream.requests == []


def test_audit_failure_fails_closed(gateway_server, upstream, monkeypatch, tmp_path):
    gw = gateway_server.app.state.gateway
    sink = JsonLinesAuditSink(tmp_path / "a.jsonl")
    sink.close()
    broken = AuditLog(sink, bytes(32))
    monkeypatch.setattr(gw, "config", dataclasses.replace(gw.config, audit=broken))
    response = post(gateway_server.url, "/v1/chat/completions", chat(f"mail {EMAIL}"))
    assert response.status_code == 503
    assert "AuditError" in response.json()["error"]["message"]
    assert upstream.requests == []


def test_health_readiness_and_metrics(gateway):
    assert httpx.get(f"{gateway}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{gateway}/readyz").status_code == 200
    text = httpx.get(f"{gateway}/metrics").text
    for name in (
        'coatcheck_requests_total{endpoint="/v1/chat/completions",status="200"}',
        'coatcheck_entities_total{direction="request",type="EMAIL_ADDRESS"}',
        'coatcheck_decisions_total{action="block",mode="enforce"}',
        "coatcheck_request_seconds_bucket",
        "coatcheck_protect_seconds_bucket",
        "coatcheck_upstream_seconds_bucket",
    ):
        assert name in text


def test_demo_model_round_trip_and_graceful_shutdown(shapes):
    from coatcheck.gateway._demo import demo_reply

    config = GatewayConfig(policy=shapes.test_policy(), demo_delay=0.03)
    server = shapes.start_server(create_app(config), grace=10)
    try:
        client = shapes.openai_client(server.url)
        answer = client.chat.completions.create(
            model="demo", messages=[{"role": "user", "content": f"I'm Sarah Chen, mail {EMAIL} or call (415) 555-0132"}]
        )
        text = answer.choices[0].message.content
        assert text.startswith("Thanks Sarah Chen!")
        assert EMAIL in text
        assert "(415) 555-0132" in text
        assert "placeholder" in demo_reply("hi [EMAIL_1]")

        received: list[str] = []

        def consume() -> None:
            stream = client.chat.completions.create(
                model="demo", stream=True, messages=[{"role": "user", "content": f"mail {EMAIL}"}]
            )
            received.extend(c.choices[0].delta.content or "" for c in stream if c.choices)

        reader = threading.Thread(target=consume)
        reader.start()
        while not received:
            threading.Event().wait(0.01)
        server.server.should_exit = True  # shutdown starts while the stream is in flight
        reader.join(20)
        assert EMAIL in "".join(received)
        assert "".join(received).endswith("never in clear.)")
    finally:
        server.stop()
