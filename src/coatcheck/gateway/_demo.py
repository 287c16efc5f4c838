"""The built-in demo model: a tiny local assistant behind an httpx transport, so `coatcheck serve` works on a
fresh machine with no API key and the redact -> model -> restore round trip is visible.

It answers by using the details it was sent ("Thanks [PERSON_1], I'll email [EMAIL_1] ..."), which it only
ever sees as placeholders; the client gets its real values back. It speaks OpenAI chat, completions, responses,
embeddings and models, and Anthropic messages, streamed word by word or not.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import struct
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpx

from coatcheck.protect.placeholders import PLACEHOLDER_PATTERN

__all__ = ["DemoTransport", "demo_reply"]

logger = logging.getLogger("coatcheck.gateway.demo")
logger.addHandler(logging.NullHandler())

MODEL = "coatcheck-demo"
_PHRASES = {
    "EMAIL": "I'll email {} with the details",
    "PHONE": "I can call {} if anything is unclear",
    "ADDRESS": "the parcel goes to {}",
    "CARD": "the card {} stays out of this conversation",
}


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content)
    return ""


def demo_reply(text: str) -> str:
    """What the demo model says to ``text``: it restates and uses the placeholders it was given."""
    seen: dict[str, list[str]] = {}
    for match in PLACEHOLDER_PATTERN.finditer(text):
        bucket = seen.setdefault(match.group(1), [])
        if match.group(0) not in bucket:
            bucket.append(match.group(0))
    logger.info(
        "demo model answered",
        extra={"fields": {"placeholders_seen": sorted(p for found in seen.values() for p in found)}},
    )
    people = seen.pop("PERSON", [])
    opening = f"Thanks {people[0]}!" if people else "Thanks for your message!"
    actions = [_PHRASES[alias].format(found[0]) for alias, found in seen.items() if alias in _PHRASES]
    noted = [
        f"{alias.lower().replace('_', ' ')} {', '.join(found)}"
        for alias, found in seen.items()
        if alias not in _PHRASES
    ]
    sentences = [opening]
    if actions:
        joined = " and ".join(actions)
        sentences.append(joined[:1].upper() + joined[1:] + ".")
    if noted:
        sentences.append("I have noted your " + "; ".join(noted) + ".")
    count = sum(len(v) for v in seen.values()) + len(people)
    if count:
        sentences.append(f"(Demo model: your details reached me as {count} placeholder(s), never in clear.)")
    else:
        sentences.append("(Demo model: I found no personal details to protect in your message.)")
    return " ".join(sentences)


def _last_user_text(messages: Any) -> str:
    if not isinstance(messages, list):
        return _text_of(messages)
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return _text_of(message.get("content"))
    return ""


def _vector(text: str, dims: int) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest() * (dims // 32 + 1)
    return [(b - 128) / 128 for b in digest[:dims]]


def _words(text: str) -> list[str]:
    words = text.split(" ")
    return [w + " " for w in words[:-1]] + words[-1:]


class DemoTransport(httpx.AsyncBaseTransport):
    """Answers the gateway's upstream requests in process (``delay`` seconds between streamed words)."""

    def __init__(self, delay: float = 0.02) -> None:
        self.delay = delay

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/models"):
            return _json(
                {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "demo"}]}
            )
        body = json.loads(await request.aread())
        if path.endswith("/embeddings"):
            return _json(_embeddings(body))
        if path.endswith("/messages"):
            text = demo_reply(_last_user_text(body.get("messages")))
            return self._answer(body, text, _anthropic, _anthropic_stream)
        if path.endswith("/responses"):
            text = demo_reply(_last_user_text(body.get("input")))
            return self._answer(body, text, _responses, _responses_stream)
        if path.endswith("/completions") and "chat" not in path:
            prompt = body.get("prompt")
            text = demo_reply(prompt if isinstance(prompt, str) else " ".join(map(str, prompt or [])))
            return self._answer(body, text, _completion, _completion_stream)
        text = demo_reply(_last_user_text(body.get("messages")))
        return self._answer(body, text, _chat, _chat_stream)

    def _answer(self, body: dict[str, Any], text: str, whole: Any, stream: Any) -> httpx.Response:
        if not body.get("stream"):
            return _json(whole(text))
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_Events(stream(_words(text)), self.delay)
        )


class _Events(httpx.AsyncByteStream):
    def __init__(self, events: Iterable[tuple[str | None, Any]], delay: float) -> None:
        self._events = events
        self._delay = delay

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for name, data in self._events:
            head = f"event: {name}\n" if name else ""
            payload = data if isinstance(data, str) else json.dumps(data)
            yield f"{head}data: {payload}\n\n".encode()
            if self._delay:
                await asyncio.sleep(self._delay)


def _json(data: Any) -> httpx.Response:
    return httpx.Response(200, json=data)


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    inputs = body.get("input")
    texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
    dims = int(body.get("dimensions") or 8)
    data = []
    for index, text in enumerate(texts):
        vector = _vector(str(text), dims)
        embedding: Any = vector
        if body.get("encoding_format") == "base64":
            embedding = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    return {"object": "list", "data": data, "model": MODEL, "usage": {"prompt_tokens": 0, "total_tokens": 0}}


def _usage() -> dict[str, int]:
    return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


def _chat(text: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": text, "refusal": None}
    choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
    return {
        "id": "chatcmpl-demo",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [choice],
        "usage": _usage(),
    }


def _chat_stream(words: list[str]) -> Iterable[tuple[str | None, Any]]:
    base = {"id": "chatcmpl-demo", "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL}
    yield (
        None,
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]},
    )
    for word in words:
        yield None, {**base, "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}
    yield None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    yield None, "[DONE]"


def _completion(text: str) -> dict[str, Any]:
    choice = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
    return {
        "id": "cmpl-demo",
        "object": "text_completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [choice],
        "usage": _usage(),
    }


def _completion_stream(words: list[str]) -> Iterable[tuple[str | None, Any]]:
    base = {"id": "cmpl-demo", "object": "text_completion", "created": int(time.time()), "model": MODEL}
    for word in words:
        yield None, {**base, "choices": [{"index": 0, "text": word, "finish_reason": None, "logprobs": None}]}
    yield None, {**base, "choices": [{"index": 0, "text": "", "finish_reason": "stop", "logprobs": None}]}
    yield None, "[DONE]"


def _responses(text: str) -> dict[str, Any]:
    part = {"type": "output_text", "text": text, "annotations": []}
    item = {"id": "msg_demo", "type": "message", "role": "assistant", "status": "completed", "content": [part]}
    return {
        "id": "resp_demo",
        "object": "response",
        "created_at": int(time.time()),
        "model": MODEL,
        "status": "completed",
        "output": [item],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
    }


def _responses_stream(words: list[str]) -> Iterable[tuple[str | None, Any]]:
    whole = _responses("".join(words))
    ids = {"item_id": "msg_demo", "output_index": 0, "content_index": 0}
    yield "response.created", {"type": "response.created", "response": {**whole, "status": "in_progress", "output": []}}
    for word in words:
        yield "response.output_text.delta", {"type": "response.output_text.delta", **ids, "delta": word}
    yield "response.output_text.done", {"type": "response.output_text.done", **ids, "text": "".join(words)}
    yield "response.completed", {"type": "response.completed", "response": whole}


def _anthropic(text: str) -> dict[str, Any]:
    return {
        "id": "msg_demo",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 0, "output_tokens": 0},
    }


def _anthropic_stream(words: list[str]) -> Iterable[tuple[str | None, Any]]:
    start = {**_anthropic(""), "content": [], "stop_reason": None}
    yield "message_start", {"type": "message_start", "message": start}
    yield (
        "content_block_start",
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    )
    for word in words:
        delta = {"type": "text_delta", "text": word}
        yield "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}
    yield "content_block_stop", {"type": "content_block_stop", "index": 0}
    yield (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": len(words)},
        },
    )
    yield "message_stop", {"type": "message_stop"}
