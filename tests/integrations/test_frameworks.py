"""LangChain and LiteLLM against the local recording mock; and the guard's own session API and decorator."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from openai import OpenAI

from coatcheck.integrations.guard import Guard
from coatcheck.keys import Keyring

from .conftest import fast_detector, serve
from .mock_llm import MockLLM

EMAIL = "sarah.chen@example.com"
SSN = "536-22-8817"
PROMPT = f"Write to {EMAIL} about SSN {SSN}."
RAW = (EMAIL, SSN, "sarah.chen")


@pytest.fixture(scope="module")
def mock() -> Iterator[tuple[MockLLM, str]]:
    server = MockLLM()
    with serve(server.app) as base:
        yield server, base


@pytest.fixture
def recorder(mock: tuple[MockLLM, str]) -> MockLLM:
    mock[0].requests.clear()
    return mock[0]


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard(detector=fast_detector(), keys=Keyring.ephemeral(b"k" * 32))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _clean(text: str) -> None:
    for value in RAW:
        assert value not in text


def test_session_redact_restore_and_stream(guard: Guard) -> None:
    with guard.session() as s:
        sent = s.redact(PROMPT)
        _clean(sent)
        answer = f"Sure, I wrote to {sent.split()[2]}."
        whole = s.restore(answer)
        pieces = list(s.restore_stream(answer[i : i + 2] for i in range(0, len(answer), 2)))
    assert EMAIL in whole
    assert "".join(pieces) == whole


def test_decorator_sync_and_async(guard: Guard) -> None:
    seen: list[str] = []

    @guard.protect
    def ask(prompt: str) -> str:
        seen.append(prompt)
        return f"echo {prompt}"

    assert ask(PROMPT) == f"echo {PROMPT}"
    _clean(seen[0])

    @guard.protect
    async def aask(prompt: str) -> str:
        seen.append(prompt)
        return f"echo {prompt}"

    import asyncio

    assert asyncio.run(aask(prompt=PROMPT)) == f"echo {PROMPT}"
    _clean(seen[1])


def test_embeddings_helper_is_consistent_across_calls(guard: Guard) -> None:
    from coatcheck.integrations.embeddings import embed, protect_for_embedding

    first = protect_for_embedding([f"Sarah Chen wrote from {EMAIL}"], guard)[0]
    second = protect_for_embedding([f"Sarah Chen wrote from {EMAIL}"], guard)[0]
    assert first == second
    _clean(first)
    assert embed(["a", "b"], lambda texts: [len(t) for t in texts], guard) == [1, 1]


def _model(base: str):  # type: ignore[no-untyped-def]
    from langchain_core.runnables import RunnableGenerator, RunnableLambda

    client = OpenAI(api_key="test", base_url=f"{base}/v1", max_retries=0)

    def to_openai(messages):  # type: ignore[no-untyped-def]
        return [{"role": "user", "content": m.content if hasattr(m, "content") else m} for m in messages]

    def call(messages):  # type: ignore[no-untyped-def]
        reply = client.chat.completions.create(model="m", messages=to_openai(messages))
        return reply.choices[0].message.content

    def stream(inputs):  # type: ignore[no-untyped-def]
        for messages in inputs:
            chunks = client.chat.completions.create(model="m", messages=to_openai(messages), stream=True)
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

    return RunnableLambda(call), RunnableGenerator(stream)


def test_langchain_runnable_invoke_and_stream(mock, guard: Guard, recorder: MockLLM) -> None:  # type: ignore[no-untyped-def]
    from langchain_core.messages import HumanMessage

    from coatcheck.integrations.langchain import guarded

    plain, streaming = _model(mock[1])
    assert guarded(plain, guard).invoke([HumanMessage(PROMPT)]) == f"Echo: {PROMPT}"
    assert "".join(guarded(streaming, guard).stream([HumanMessage(PROMPT)])) == f"Echo: {PROMPT}"
    _clean(recorder.received())
    assert "[EMAIL_1]" in recorder.received()


@pytest.mark.anyio
@pytest.mark.filterwarnings("ignore:Item.*ReadOnly. qualifier:UserWarning")  # pydantic on litellm's own TypedDicts
async def test_litellm_guardrail_hooks_with_a_real_completion(mock, guard: Guard, recorder: MockLLM) -> None:  # type: ignore[no-untyped-def]
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network at import
    litellm = pytest.importorskip("litellm")
    from coatcheck.integrations.litellm import CoatcheckGuardrail

    rail = CoatcheckGuardrail(guard)
    base = f"{mock[1]}/v1"
    data = {"model": "openai/m", "messages": [{"role": "user", "content": PROMPT}], "litellm_call_id": "c1"}
    data = await rail.async_pre_call_hook(None, None, data, "completion")
    response = await litellm.acompletion(model="openai/m", messages=data["messages"], api_base=base, api_key="x")
    restored = await rail.async_post_call_success_hook(data, None, response)
    assert restored.choices[0].message.content == f"Echo: {PROMPT}"

    data = {"model": "openai/m", "messages": [{"role": "user", "content": PROMPT}], "litellm_call_id": "c2"}
    data = await rail.async_pre_call_hook(None, None, data, "completion")
    stream = await litellm.acompletion(
        model="openai/m", messages=data["messages"], api_base=base, api_key="x", stream=True
    )
    text = ""
    async for chunk in rail.async_post_call_streaming_iterator_hook(None, stream, data):
        text += chunk.choices[0].delta.content or "" if chunk.choices else ""
    assert text == f"Echo: {PROMPT}"
    _clean(recorder.received())
