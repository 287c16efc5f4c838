"""The Anthropic SDK through the real gateway: /v1/messages, streamed and not, tools included."""

from __future__ import annotations

import json

import pytest

NAME, EMAIL, PHONE = "Sarah Chen", "sarah.chen@example.com", "(415) 555-0132"
NAME2, EMAIL2 = "Bob Stone", "ops.lead@acme-corp.com"


def request(client, **kwargs):
    return client.messages.create(
        model="claude",
        max_tokens=64,
        system=[{"type": "text", "text": f"You assist {NAME2} <{EMAIL2}>."}],
        messages=[
            {"role": "user", "content": f"I'm {NAME}; mail {EMAIL} or call {PHONE}."},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Let me check."},
                {"type": "tool_use", "id": "toolu_0", "name": "lookup", "input": {"email": EMAIL, "n": 2}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_0", "content": f"{NAME} is a customer of {NAME2}"},
            ]},
        ],
        tools=[{"name": "send", "description": f"Send as {EMAIL2}",
                "input_schema": {"type": "object", "properties": {"to": {"type": "string"}}}}],
        metadata={"user_id": EMAIL},
        stop_sequences=[f"Bye {NAME}"],
        **kwargs,
    )  # fmt: skip


def test_messages_every_field_protected_and_restored(gateway, upstream, shapes):
    reply = shapes.anthropic_json("Hello [PERSON_2], I'll write EMAIL_2.", {"to": "[EMAIL_1]", "n": 1})
    upstream.reset(lambda rec: shapes.Reply(reply))
    message = request(shapes.anthropic_client(gateway, "key-t02"))
    sent = upstream.requests[-1]
    shapes.assert_clean(sent.text, [NAME, EMAIL, PHONE, NAME2, EMAIL2])
    body = sent.json
    assert sent.headers["x-api-key"] == "up-t02"
    assert body["messages"][1]["content"][1] == {
        "type": "tool_use", "id": "toolu_0", "name": "lookup", "input": {"email": "[EMAIL_2]", "n": 2},
    }  # fmt: skip
    assert body["tools"][0]["name"] == "send"
    assert message.content[0].text == f"Hello {NAME}, I'll write {EMAIL}."
    assert message.content[1].input == {"to": EMAIL2, "n": 1}


def test_messages_stream_text_and_tool_json_split_everywhere(gateway, upstream, shapes):
    text = "Bonjour [PERSON_2] ✓ — j'écris à EMAIL_2 et **[email_1]**."
    tool = json.dumps({"to": "[EMAIL_2]", "who": "[PERSON_1]"})
    chunks = shapes.anthropic_sse(
        [text[i : i + 2] for i in range(0, len(text), 2)], [tool[i : i + 3] for i in range(0, len(tool), 3)]
    )
    upstream.reset(lambda rec: shapes.Reply(chunks=shapes.split_bytes(chunks, 11), delay=0.0005))
    client = shapes.anthropic_client(gateway, "key-t03")
    texts, partial = [], []
    with client.messages.stream(
        model="claude", max_tokens=64, system=f"Helping {NAME2}",
        messages=[{"role": "user", "content": f"I'm {NAME}, {EMAIL}; boss {EMAIL2}"}],
    ) as stream:  # fmt: skip
        for event in stream:
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                texts.append(event.delta.text)
            if event.type == "content_block_delta" and event.delta.type == "input_json_delta":
                partial.append(event.delta.partial_json)
        final = stream.get_final_message()
    shapes.assert_clean(upstream.requests[-1].text, [NAME, EMAIL, NAME2, EMAIL2])
    expected = f"Bonjour {NAME} ✓ — j'écris à {EMAIL2} et **{EMAIL}**."  # system first: Bob is PERSON_1
    assert "".join(texts) == expected == final.content[0].text
    assert json.loads("".join(partial)) == {"to": EMAIL2, "who": NAME2} == final.content[1].input


def test_messages_block_uses_the_anthropic_error_shape(gateway, upstream, shapes):
    import anthropic

    client = shapes.anthropic_client(gateway, "key-strict")
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(model="c", max_tokens=5, messages=[{"role": "user", "content": "SSN 536-22-8817"}])
    assert info.value.status_code == 400
    assert info.value.body["error"]["type"] == "pii_policy_violation"
    assert info.value.body["error"]["entity_types"] == ["US_SSN"]
    assert "536-22-8817" not in str(info.value.body)
    shapes.SENT.add("536-22-8817")
    assert upstream.requests == []
