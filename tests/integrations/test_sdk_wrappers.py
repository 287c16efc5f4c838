"""The real openai and anthropic clients against a local recording mock: the mock never sees a raw value, the
caller gets the original values back, streamed or not, sync or async."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from anthropic import Anthropic, AsyncAnthropic
from openai import AsyncOpenAI, OpenAI

from coatcheck.integrations import anthropic as cc_anthropic
from coatcheck.integrations import openai as cc_openai
from coatcheck.integrations.guard import Guard
from coatcheck.keys import Keyring

from .conftest import fast_detector, serve
from .mock_llm import MockLLM

EMAIL = "sarah.chen@example.com"
SSN = "536-22-8817"
PHONE = "+1 415-555-0132"
PROMPT = f"Write to {EMAIL} about SSN {SSN}, or call {PHONE}."
RAW = (EMAIL, SSN, "415-555-0132", "sarah.chen")


@pytest.fixture(scope="module")
def mock() -> Iterator[tuple[MockLLM, str]]:
    server = MockLLM()
    with serve(server.app) as base:
        yield server, base


@pytest.fixture
def recorder(mock: tuple[MockLLM, str]) -> MockLLM:
    mock[0].requests.clear()
    return mock[0]


@pytest.fixture
def base(mock: tuple[MockLLM, str]) -> str:
    return mock[1]


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard(detector=fast_detector(), keys=Keyring.ephemeral(b"k" * 32))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _clean(recorder: MockLLM) -> None:
    sent = recorder.received()
    assert recorder.requests, "the mock received nothing"
    for value in RAW:
        assert value not in sent
    assert "[EMAIL_1]" in sent


def _openai(base: str, guard: Guard) -> OpenAI:
    return cc_openai.wrap(OpenAI(api_key="test", base_url=f"{base}/v1", max_retries=0), guard)  # type: ignore[no-any-return]


MESSAGES = [
    {"role": "system", "content": f"The user is {EMAIL}."},
    {"role": "user", "content": [{"type": "text", "text": PROMPT}]},
]


def test_openai_chat(base: str, guard: Guard, recorder: MockLLM) -> None:
    reply = _openai(base, guard).chat.completions.create(model="m", messages=MESSAGES)
    _clean(recorder)
    assert reply.choices[0].message.content == f"Echo: {PROMPT}"
    assert recorder.requests[0]["messages"][0]["content"] == "The user is [EMAIL_1]."  # numbered across messages


def test_openai_chat_stream_restores_split_placeholders(base: str, guard: Guard, recorder: MockLLM) -> None:
    stream = _openai(base, guard).chat.completions.create(model="m", messages=MESSAGES, stream=True)
    with stream:
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    _clean(recorder)
    assert text == f"Echo: {PROMPT}"


@pytest.mark.parametrize("stream", [False, True])
def test_openai_tool_call_arguments_are_restored_as_json(
    base: str, guard: Guard, recorder: MockLLM, stream: bool
) -> None:
    tools = [{"type": "function", "function": {"name": "send", "parameters": {"type": "object"}}}]
    client = _openai(base, guard)
    result = client.chat.completions.create(model="m", messages=MESSAGES, tools=tools, stream=stream)
    if stream:
        args = "".join(
            call.function.arguments or ""
            for chunk in result
            for choice in chunk.choices
            for call in choice.delta.tool_calls or ()
        )
    else:
        args = result.choices[0].message.tool_calls[0].function.arguments
    _clean(recorder)
    assert json.loads(args) == {"to": f"Echo: {PROMPT}"}


@pytest.mark.parametrize("stream", [False, True])
def test_openai_responses(base: str, guard: Guard, recorder: MockLLM, stream: bool) -> None:
    client = _openai(base, guard)
    result = client.responses.create(model="m", instructions=f"User: {EMAIL}", input=PROMPT, stream=stream)
    if stream:
        events = list(result)
        deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
        done = next(e.text for e in events if e.type == "response.output_text.done")
        final = next(e.response for e in events if e.type == "response.completed")
        assert deltas == done == final.output_text == f"Echo: {PROMPT}"
    else:
        assert result.output_text == f"Echo: {PROMPT}"
    _clean(recorder)


@pytest.mark.anyio
async def test_openai_async_chat_and_stream(base: str, guard: Guard, recorder: MockLLM) -> None:
    async with AsyncOpenAI(api_key="test", base_url=f"{base}/v1", max_retries=0) as raw:
        client = cc_openai.wrap(raw, guard)
        reply = await client.chat.completions.create(model="m", messages=MESSAGES)
        assert reply.choices[0].message.content == f"Echo: {PROMPT}"
        stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        async with stream:
            text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
    assert text == f"Echo: {PROMPT}"
    _clean(recorder)


def test_openai_embeddings_get_consistent_stand_ins(base: str, guard: Guard, recorder: MockLLM) -> None:
    client = _openai(base, guard)
    result = client.embeddings.create(model="m", input=[PROMPT, f"again {EMAIL}"])
    assert len(result.data) == 2
    sent = recorder.requests[0]["input"]
    for value in RAW:
        assert value not in json.dumps(sent)
    assert sent[0] != PROMPT


def _anthropic(base: str, guard: Guard):  # type: ignore[no-untyped-def]
    return cc_anthropic.wrap(Anthropic(api_key="test", base_url=base, max_retries=0), guard)


def test_anthropic_messages(base: str, guard: Guard, recorder: MockLLM) -> None:
    message = _anthropic(base, guard).messages.create(
        model="m", max_tokens=64, system=f"User: {EMAIL}", messages=[{"role": "user", "content": PROMPT}]
    )
    _clean(recorder)
    assert message.content[0].text == f"Echo: {PROMPT}"


def test_anthropic_stream(base: str, guard: Guard, recorder: MockLLM) -> None:
    stream = _anthropic(base, guard).messages.create(
        model="m", max_tokens=64, messages=[{"role": "user", "content": PROMPT}], stream=True
    )
    text = "".join(e.delta.text for e in stream if e.type == "content_block_delta")
    _clean(recorder)
    assert text == f"Echo: {PROMPT}"


@pytest.mark.anyio
async def test_anthropic_async_stream(base: str, guard: Guard, recorder: MockLLM) -> None:
    async with AsyncAnthropic(api_key="test", base_url=base, max_retries=0) as raw:
        client = cc_anthropic.wrap(raw, guard)
        stream = await client.messages.create(
            model="m", max_tokens=64, messages=[{"role": "user", "content": PROMPT}], stream=True
        )
        async with stream:
            text = "".join([e.delta.text async for e in stream if e.type == "content_block_delta"])
    _clean(recorder)
    assert text == f"Echo: {PROMPT}"
