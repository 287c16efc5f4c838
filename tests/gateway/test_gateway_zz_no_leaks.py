"""Runs last in this folder: logs, tracebacks, /metrics and the audit log never hold a value sent through."""

from __future__ import annotations

import json

import httpx
import pytest

VALUES = ["Zoë Müller", "zoe.mueller@example.com", "(212) 555-0147", "4532 0151 1283 0366", "536-22-8817"]


def test_no_raw_value_in_logs_metrics_or_audit(gateway, upstream, shapes, logs, audit_path):
    import openai

    name, email, phone, card, ssn = VALUES
    text = f"I'm {name}, {email}, {phone}, card {card}"
    upstream.reset(lambda rec: shapes.Reply(chunks=shapes.chat_sse(["ok [PERSON_1] ", "[EMAIL_1]"])))
    client = shapes.openai_client(gateway, "key-t14")
    list(client.chat.completions.create(model="m", stream=True, messages=[{"role": "user", "content": text}]))
    upstream.reset(lambda rec: shapes.Reply(chunks=shapes.chat_sse(["[PHONE_1] [CARD_1]"]), cut_after=2))
    with pytest.raises(openai.APIError):
        list(client.chat.completions.create(model="m", stream=True, messages=[{"role": "user", "content": text}]))
    with pytest.raises(openai.BadRequestError):
        shapes.openai_client(gateway, "key-strict").chat.completions.create(
            model="m", messages=[{"role": "user", "content": f"{text}, SSN {ssn}"}]
        )
    httpx.post(f"{gateway}/v1/chat/completions", content=f'{{"x": "{email}"'.encode(), headers={"x-api-key": "key-t14"})
    shapes.SENT.update(VALUES)

    captured = "\n".join(logs.lines)
    for line in logs.lines:
        json.loads(line)  # every log line is one JSON object
    assert '"event": "request"' in captured
    assert "EMAIL_ADDRESS" in captured
    assert logs.tracebacks  # the scripted upstream failures were logged with their tracebacks
    surfaces = {
        "logs": captured,
        "tracebacks": "\n".join(logs.tracebacks),
        "metrics": httpx.get(f"{gateway}/metrics").text,
        "audit": audit_path.read_text(),
    }
    assert len(shapes.SENT) >= len(VALUES)
    for where, content in surfaces.items():
        leaked = sorted(v for v in shapes.SENT if v in content)
        assert not leaked, f"{len(leaked)} raw value(s) found in {where}"
