"""Streams through the real gateway: adversarial chunking, spoofing, failures, isolation under concurrency."""

from __future__ import annotations

import asyncio
import json
import random
import threading

import httpx
import pytest

NAME, EMAIL, PHONE = "Sarah Chen", "sarah.chen@example.com", "(415) 555-0132"


def chat_text(client, content: str) -> str:
    stream = client.chat.completions.create(model="m", stream=True, messages=[{"role": "user", "content": content}])
    return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


def test_every_split_offset_of_a_placeholder_through_the_server(gateway, upstream, shapes):
    client = shapes.openai_client(gateway, "key-t06")
    placeholder = "[EMAIL_1]"
    for k in range(len(placeholder) + 1):
        pieces = ["Écris à " + placeholder[:k], placeholder[k:] + " 😀."]
        upstream.reset(lambda rec, p=pieces: shapes.Reply(chunks=shapes.chat_sse(p), delay=0.002))
        assert chat_text(client, f"mail {EMAIL}") == f"Écris à {EMAIL} 😀.", k
    shapes.assert_clean(upstream.requests[-1].text, [EMAIL])


def test_one_byte_chunks_split_every_event_and_utf8_character(gateway, upstream, shapes):
    reply = "Ça va [PERSON_1]? Écrivez à **[email_1]** ou PHONE_1 — merci 🙏 [EMAIL_7]"
    chunks = shapes.split_bytes(shapes.chat_sse([reply[i : i + 5] for i in range(0, len(reply), 5)]), 1)
    upstream.reset(lambda rec: shapes.Reply(chunks=chunks, delay=0.0002))
    out = chat_text(shapes.openai_client(gateway, "key-t07"), f"I'm {NAME}, {EMAIL}, {PHONE}")
    assert out == f"Ça va {NAME}? Écrivez à **{EMAIL}** ou {PHONE} — merci 🙏 [EMAIL_7]"
    shapes.assert_clean(upstream.requests[-1].text, [NAME, EMAIL, PHONE])


def test_spoofed_placeholders_are_never_restored(gateway, upstream, shapes):
    def echo(rec):
        said = rec.json["messages"][0]["content"]
        return shapes.Reply(shapes.chat_json(f"{said} | [EMAIL_1] [EMAIL_2] [EMAIL_3] [PERSON_1]"))

    upstream.reset(echo)
    client = shapes.openai_client(gateway, "key-t08")
    answer = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": f"I typed [EMAIL_1] and email_2; mine is {EMAIL}"}]
    )
    sent = upstream.requests[-1].json["messages"][0]["content"]
    assert sent == "I typed [EMAIL_1] and email_2; mine is [EMAIL_3]"
    text = answer.choices[0].message.content
    assert text == f"I typed [EMAIL_1] and email_2; mine is {EMAIL} | [EMAIL_1] [EMAIL_2] {EMAIL} [PERSON_1]"
    shapes.SENT.add(EMAIL)


def test_two_conversations_whose_placeholders_the_upstream_swaps(gateway, upstream, shapes):
    first, second = "alice.w@example.com", "bob.k@example.org"
    barrier = threading.Barrier(2, timeout=10)
    bodies: dict[str, str] = {}

    async def swap(rec):
        said = rec.json["messages"][0]["content"]
        bodies["a" if "owner A" in said else "b"] = said
        await asyncio.to_thread(barrier.wait)
        other = bodies["b" if "owner A" in said else "a"]
        return shapes.Reply(shapes.chat_json(other + " [EMAIL_2] [PHONE_1]"))

    upstream.reset(swap)
    results: dict[str, str] = {}

    def ask(label: str, key: str, content: str) -> None:
        answer = shapes.openai_client(gateway, key).chat.completions.create(
            model="m", messages=[{"role": "user", "content": content}]
        )
        results[label] = answer.choices[0].message.content

    threads = [
        threading.Thread(target=ask, args=("a", "key-t09", f"owner A: {first}")),
        threading.Thread(target=ask, args=("b", "key-t10", f"owner B: {second} and {PHONE}")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    shapes.assert_clean("".join(r.text for r in upstream.requests), [first, second, PHONE])
    assert second not in results["a"]
    assert PHONE not in results["a"]
    assert first not in results["b"]
    assert results["a"] == f"owner B: {first} and [PHONE_1] [EMAIL_2] [PHONE_1]"
    assert results["b"] == f"owner A: {second} [EMAIL_2] {PHONE}"


def test_upstream_disconnect_mid_stream_ends_with_an_error_event_and_no_held_text(gateway, upstream, shapes):
    import openai

    chunks = shapes.chat_sse(["well hello ", "[PERSON_1] and ", "[EMA", "IL_1] more"])
    upstream.reset(lambda rec: shapes.Reply(chunks=chunks, cut_after=4, delay=0.002))
    received: list[str] = []
    client = shapes.openai_client(gateway, "key-t11")
    stream = client.chat.completions.create(
        model="m", stream=True, messages=[{"role": "user", "content": f"I'm {NAME}, {EMAIL}"}]
    )

    def read() -> None:
        for chunk in stream:
            received.extend(c.delta.content or "" for c in chunk.choices)

    with pytest.raises(openai.APIError) as info:
        read()
    assert "upstream" in str(info.value.message)
    text = "".join(received)
    assert text == f"well hello {NAME} and "
    assert "[EMA" not in text
    assert EMAIL not in text


def test_upstream_invalid_utf8_in_a_stream_is_an_error_event(gateway, upstream, shapes):
    chunks = [*shapes.chat_sse(["ok "])[:2], b'data: {"choices": [{"index": 0, "delta": {"content": "\xff\xfe"}}]}\n\n']
    upstream.reset(lambda rec: shapes.Reply(chunks=chunks))
    response = httpx.post(
        f"{gateway}/v1/chat/completions",
        headers={"authorization": "Bearer key-t11"},
        json={"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 200
    last = [line for line in response.text.splitlines() if line.startswith("data:")][-1]
    assert json.loads(last[5:])["error"]["type"] == "upstream_error"


def test_new_personal_data_in_a_streamed_answer_is_redacted_even_when_split(gateway, upstream, shapes):
    leaked = "new.person@example.net"
    reply = f"Sure [PERSON_1], also write to {leaked} or call 212-555-0199 today."
    pieces = [reply[i : i + 3] for i in range(0, len(reply), 3)]
    upstream.reset(lambda rec: shapes.Reply(chunks=shapes.chat_sse(pieces)))
    out = chat_text(shapes.openai_client(gateway, "key-t12"), f"I'm {NAME}")
    assert out == f"Sure {NAME}, also write to [EMAIL] or call [PHONE] today."
    upstream.reset(lambda rec: shapes.Reply(chunks=shapes.chat_sse(pieces)))
    assert leaked in chat_text(shapes.openai_client(gateway, "key-quiet"), f"I'm {NAME}")


def test_response_rule_block_ends_the_stream_with_a_policy_error(gateway, upstream, shapes):
    import openai

    upstream.reset(lambda rec: shapes.Reply(chunks=shapes.chat_sse(["your SSN is ", "536-22-", "8817 ok"])))
    with pytest.raises(openai.APIError) as info:
        chat_text(shapes.openai_client(gateway, "key-guarded"), "hello")
    assert info.value.body["type"] == "pii_policy_violation"
    assert "536-22-8817" not in json.dumps(info.value.body)


def test_200_concurrent_streams_across_20_tenants_never_cross(gateway, upstream, shapes):
    import openai

    recent: list[str] = []
    lock = threading.Lock()

    def crossed(rec):
        said = rec.json["messages"][-1]["content"]
        with lock:
            other = recent[-1] if recent else said
            recent.append(said)
        reply = f"{other} / mine: [EMAIL_1] [PHONE_1] / [EMAIL_2]"
        rng = random.Random(said)
        cuts = sorted(rng.sample(range(1, len(reply)), 12))
        pieces = [reply[a:b] for a, b in zip([0, *cuts], [*cuts, len(reply)], strict=True)]
        return shapes.Reply(chunks=shapes.chat_sse(pieces), delay=0.001)

    upstream.reset(crossed)
    values = {(t, n): (f"user{n}.{t}@example.com", f"(415) 555-{1000 + 20 * n + int(t[1:]):04d}")
              for t in shapes.TENANTS for n in range(10)}  # fmt: skip

    async def run() -> dict[tuple[str, int], str]:
        clients = {t: openai.AsyncOpenAI(base_url=f"{gateway}/v1", api_key=f"key-{t}", max_retries=0, timeout=60)
                   for t in shapes.TENANTS}  # fmt: skip

        async def one(tenant: str, n: int) -> tuple[tuple[str, int], str]:
            email, phone = values[(tenant, n)]
            stream = await clients[tenant].chat.completions.create(
                model="m", stream=True, messages=[{"role": "user", "content": f"reach {email} or {phone}"}]
            )
            parts = [c.choices[0].delta.content or "" async for c in stream if c.choices]
            return (tenant, n), "".join(parts)

        try:
            return dict(await asyncio.gather(*(one(t, n) for t, n in values)))
        finally:
            for client in clients.values():
                await client.close()

    results = asyncio.run(asyncio.wait_for(run(), 60))
    assert len(results) == 200
    assert len(upstream.requests) == 200
    everything = [v for pair in values.values() for v in pair]
    shapes.assert_clean("".join(r.text for r in upstream.requests), everything)
    for key, text in results.items():
        email, phone = values[key]
        assert text.endswith(f" / mine: {email} {phone} / [EMAIL_2]")
        others = [v for k, pair in values.items() if k != key for v in pair]
        assert not [v for v in others if v in text]
        assert f"reach {email} or {phone}" in text  # the other request's placeholders became this one's values
