"""The OpenAI SDK through the real gateway: every field protected upstream, every answer restored."""

from __future__ import annotations

import json

import pytest

NAME, EMAIL, PHONE = "Sarah Chen", "sarah.chen@example.com", "(415) 555-0132"
EMAIL2, NAME2, CARD, IP = "ops.lead@acme-corp.com", "Bob Stone", "4532 0151 1283 0366", "203.0.113.42"
ALL = [NAME, EMAIL, PHONE, EMAIL2, NAME2, CARD, IP]


def test_chat_every_field_is_protected_and_the_answer_restored(gateway, upstream, shapes):
    def script(rec):
        body = rec.json
        said = body["messages"][1]["content"][0]["text"]
        args = json.dumps({"to": "[EMAIL_2]", "cc": "EMAIL_3", "name": "**[PERSON_1]**"})
        call = {"id": "call_9", "type": "function", "function": {"name": "send", "arguments": args}}
        return shapes.Reply(shapes.chat_json(f"echo: {said}", [call]))

    upstream.reset(script)
    client = shapes.openai_client(gateway)
    tool_args = json.dumps({"to": EMAIL2, "card": CARD})
    answer = client.chat.completions.create(
        model="m",
        messages=[
            {"role": "system", "content": f"You help {NAME2} ({EMAIL2})."},
            {"role": "user", "name": NAME, "content": [
                {"type": "text", "text": f"I'm {NAME}, mail {EMAIL} or call {PHONE}."},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 400}},
            ]},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": tool_args}},
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": f"found {NAME2} at {IP}"},
        ],
        tools=[{"type": "function", "function": {
            "name": "send",
            "description": f"Send mail; default recipient {EMAIL2}",
            "parameters": {"type": "object", "properties": {
                "to": {"type": "string", "description": f"for example {EMAIL}", "enum": [EMAIL, EMAIL2]},
            }, "required": ["to"]},
        }}],
        response_format={"type": "json_schema", "json_schema": {
            "name": "reply", "schema": {"type": "object", "description": f"about {NAME}"},
        }},
        user=EMAIL,
        metadata={"customer": NAME2, "contact": PHONE},
        stop=[EMAIL],
        temperature=0.2,
    )  # fmt: skip
    sent = upstream.requests[-1]
    shapes.assert_clean(sent.text, ALL)
    body = sent.json
    assert body["model"] == "m"
    assert body["temperature"] == 0.2
    assert body["messages"][1]["name"] == "[PERSON_1]"
    assert body["messages"][1]["content"][1]["image_url"]["url"].startswith("data:image/png;base64,AAAA")
    assert json.loads(body["messages"][2]["tool_calls"][0]["function"]["arguments"]) == {
        "to": "[EMAIL_1]",
        "card": "[CARD_1]",
    }
    assert body["tools"][0]["function"]["name"] == "send"
    assert body["tools"][0]["function"]["parameters"]["required"] == ["to"]
    assert sent.headers["authorization"] == "Bearer up-t00"
    message = answer.choices[0].message
    assert message.content == f"echo: I'm {NAME}, mail {EMAIL} or call {PHONE}."
    assert json.loads(message.tool_calls[0].function.arguments) == {"to": EMAIL, "cc": "EMAIL_3", "name": f"**{NAME}**"}


def test_chat_stream_restores_text_and_tool_arguments_split_inside_bytes(gateway, upstream, shapes):
    said = "Merci [PERSON_1] — écrivez à [EMAIL_1] 😀 ou EMAIL_1."
    args = json.dumps({"to": "[EMAIL_1]", "who": "[PERSON_1]"})
    chunks = shapes.chat_sse(
        [said[i : i + 3] for i in range(0, len(said), 3)], [args[i : i + 4] for i in range(0, len(args), 4)]
    )
    upstream.reset(lambda rec: shapes.Reply(chunks=shapes.split_bytes(chunks, 7), delay=0.0005))
    client = shapes.openai_client(gateway, "key-t01")
    text, arguments = [], []
    stream = client.chat.completions.create(
        model="m", stream=True, messages=[{"role": "user", "content": f"Je suis {NAME}, {EMAIL}"}]
    )
    for chunk in stream:
        for choice in chunk.choices:
            text.append(choice.delta.content or "")
            for call in choice.delta.tool_calls or []:
                arguments.append(call.function.arguments or "")
    shapes.assert_clean(upstream.requests[-1].text, [NAME, EMAIL])
    assert "".join(text) == f"Merci {NAME} — écrivez à {EMAIL} 😀 ou {EMAIL}."
    assert json.loads("".join(arguments)) == {"to": EMAIL, "who": NAME}


def test_completions_prompt_arrays_suffix_and_stream(gateway, upstream, shapes):
    upstream.reset(lambda rec: shapes.Reply(shapes.completions_json("to [EMAIL_1] and [EMAIL_2]")))
    client = shapes.openai_client(gateway)
    result = client.completions.create(model="m", prompt=[f"Mail {EMAIL}", f"and {EMAIL2}"], suffix=f"-- {NAME}")
    body = upstream.requests[-1].json
    shapes.assert_clean(upstream.requests[-1].text, [EMAIL, EMAIL2, NAME])
    assert body["prompt"] == ["Mail [EMAIL_1]", "and [EMAIL_2]"]
    assert result.choices[0].text == f"to {EMAIL} and {EMAIL2}"

    pieces = ["to [EM", "AIL_2", "] ok"]
    upstream.reset(lambda rec: shapes.Reply(chunks=shapes.completions_sse(pieces)))
    stream = client.completions.create(model="m", prompt=[f"Mail {EMAIL}", f"and {EMAIL2}"], stream=True)
    assert "".join(c.choices[0].text for c in stream if c.choices) == f"to {EMAIL2} ok"


def test_completions_token_ids_are_refused_unscanned(gateway, upstream, shapes):
    import openai

    client = shapes.openai_client(gateway)
    with pytest.raises(openai.BadRequestError) as info:
        client.completions.create(model="m", prompt=[[101, 2023, 102]])
    assert "token ids" in info.value.message
    assert upstream.requests == []


def test_responses_every_field_and_stream(gateway, upstream, shapes):
    args = json.dumps({"to": "[EMAIL_2]"})  # numbered in walk order: instructions, tools, text, input...
    upstream.reset(lambda rec: shapes.Reply(shapes.responses_json("hi [PERSON_2] and [PERSON_1]", args)))
    client = shapes.openai_client(gateway)
    result = client.responses.create(
        model="m",
        instructions=f"Assist {NAME2}.",
        input=[
            {"role": "user", "content": [{"type": "input_text", "text": f"I'm {NAME}, {EMAIL}"}]},
            {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": json.dumps({"q": PHONE})},
            {"type": "function_call_output", "call_id": "c1", "output": f"{NAME2} {EMAIL2}"},
        ],
        tools=[{"type": "function", "name": "send", "description": f"cc {EMAIL2}", "parameters": {"type": "object"}}],
        text={"format": {"type": "json_schema", "name": "r", "schema": {"type": "object", "title": NAME}}},
        metadata={"who": NAME},
        user=EMAIL,
    )
    sent = upstream.requests[-1]
    shapes.assert_clean(sent.text, [NAME, NAME2, EMAIL, EMAIL2, PHONE])
    assert json.loads(sent.json["input"][1]["arguments"]) == {"q": "[PHONE_1]"}
    assert sent.json["instructions"] == "Assist [PERSON_1]."
    assert result.output[0].content[0].text == f"hi {NAME} and {NAME2}"
    assert json.loads(result.output[1].arguments) == {"to": EMAIL}

    upstream.reset(
        lambda rec: shapes.Reply(
            chunks=shapes.split_bytes(shapes.responses_sse(["Hi [PER", "SON_1], ", "EMAIL_1!"]), 5)
        )
    )
    deltas, done = [], None
    for event in client.responses.create(model="m", input=f"I'm {NAME}, {EMAIL}", stream=True):
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        if event.type == "response.completed":
            done = event.response.output[0].content[0].text
    assert "".join(deltas) == done == f"Hi {NAME}, {EMAIL}!"


def test_responses_stateful_fields_are_refused(gateway, upstream, shapes):
    import openai

    with pytest.raises(openai.BadRequestError) as info:
        shapes.openai_client(gateway).responses.create(model="m", input="hi", previous_response_id="resp_0")
    assert "previous_response_id" in info.value.message
    assert upstream.requests == []


def test_embeddings_input_protected_and_answer_untouched(gateway, upstream, shapes):
    vector = {"object": "embedding", "index": 0, "embedding": [0.25, -0.5]}
    reply = {"object": "list", "data": [vector, {**vector, "index": 1}], "model": "m", "usage": {}}
    upstream.reset(lambda rec: shapes.Reply(reply))
    client = shapes.openai_client(gateway)
    result = client.embeddings.create(
        model="m", input=[f"{NAME} {EMAIL}", f"SSN of {NAME2}"], encoding_format="float", user=EMAIL2
    )
    sent = upstream.requests[-1]
    shapes.assert_clean(sent.text, [NAME, EMAIL, NAME2, EMAIL2])
    assert [d.embedding for d in result.data] == [[0.25, -0.5], [0.25, -0.5]]


def test_models_pass_through_with_the_tenant_credential(gateway, upstream, shapes):
    listing = {"object": "list", "data": [{"id": "m1", "object": "model", "created": 0, "owned_by": "x"}]}
    upstream.reset(lambda rec: shapes.Reply(listing))
    assert [m.id for m in shapes.openai_client(gateway, "key-t05").models.list()] == ["m1"]
    assert upstream.requests[-1].headers["authorization"] == "Bearer up-t05"


def test_passthrough_tenant_forwards_the_clients_own_key(gateway, upstream, shapes):
    upstream.reset(lambda rec: shapes.Reply(shapes.chat_json("ok")))
    client = shapes.openai_client(gateway, "sk-client-own", default_headers={"x-coatcheck-key": "key-pass"})
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hello"}])
    assert upstream.requests[-1].headers["authorization"] == "Bearer sk-client-own"


def test_unknown_key_is_refused(gateway, upstream, shapes):
    import openai

    with pytest.raises(openai.AuthenticationError):
        shapes.openai_client(gateway, "key-nobody").chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )
    assert upstream.requests == []
