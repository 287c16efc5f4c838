"""A recording mock of the OpenAI and Anthropic HTTP APIs: it echoes the last user text back, whole or as a
stream of 3-character pieces (so placeholders arrive split), and keeps every request body it received."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

PIECE = 3


def _last_text(messages: Any) -> str:
    for message in reversed(messages or []):
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            texts = [p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
            if texts:
                return " ".join(texts)
    return ""


def _pieces(text: str) -> list[str]:
    return [text[i : i + PIECE] for i in range(0, len(text), PIECE)]


def _sse(events: Iterator[tuple[str | None, dict[str, Any] | str]]) -> StreamingResponse:
    def body() -> Iterator[bytes]:
        for name, data in events:
            head = f"event: {name}\n" if name else ""
            payload = data if isinstance(data, str) else json.dumps(data)
            yield f"{head}data: {payload}\n\n".encode()

    return StreamingResponse(body(), media_type="text/event-stream")


class MockLLM:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/responses", self.responses, methods=["POST"]),
                Route("/v1/messages", self.messages, methods=["POST"]),
                Route("/v1/embeddings", self.embeddings, methods=["POST"]),
            ]
        )

    def received(self) -> str:
        return json.dumps(self.requests, ensure_ascii=False)

    async def _body(self, request: Request) -> dict[str, Any]:
        body = await request.json()
        self.requests.append(body)
        return dict(body)

    async def chat(self, request: Request) -> Response:
        body = await self._body(request)
        reply = "Echo: " + _last_text(body.get("messages"))
        tool = bool(body.get("tools"))
        base = {"id": "c1", "object": "chat.completion", "created": 0, "model": body.get("model", "m")}
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": reply}
            if tool:
                message["tool_calls"] = [
                    {
                        "id": "t1",
                        "type": "function",
                        "function": {"name": "send", "arguments": json.dumps({"to": reply})},
                    }
                ]
            return JSONResponse({**base, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})

        def events() -> Iterator[tuple[str | None, dict[str, Any] | str]]:
            chunk = {**base, "object": "chat.completion.chunk"}
            for piece in _pieces(reply):
                yield None, {**chunk, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            if tool:
                args = json.dumps({"to": reply})
                for i, piece in enumerate(_pieces(args)):
                    call = {"index": 0, "function": {"arguments": piece}}
                    if i == 0:
                        call.update({"id": "t1", "type": "function", "function": {"name": "send", "arguments": piece}})
                    delta = {"tool_calls": [call]}
                    yield None, {**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            yield None, {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            yield None, "[DONE]"

        return _sse(events())

    async def responses(self, request: Request) -> Response:
        body = await self._body(request)
        value = body.get("input")
        reply = "Echo: " + (value if isinstance(value, str) else _last_text(value))
        item = {
            "type": "message",
            "id": "m1",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": reply, "annotations": []}],
        }
        response = {
            "id": "r1",
            "object": "response",
            "created_at": 0,
            "model": body.get("model", "m"),
            "status": "completed",
            "output": [item],
            "parallel_tool_calls": False,
            "tool_choice": "auto",
            "tools": [],
        }
        if not body.get("stream"):
            return JSONResponse(response)

        def events() -> Iterator[tuple[str | None, dict[str, Any] | str]]:
            seq = iter(range(1000))
            yield "response.created", {"type": "response.created", "sequence_number": next(seq),
                                       "response": {**response, "status": "in_progress", "output": []}}  # fmt: skip
            where = {"item_id": "m1", "output_index": 0, "content_index": 0, "logprobs": []}
            for piece in _pieces(reply):
                yield "response.output_text.delta", {"type": "response.output_text.delta",
                                                     "sequence_number": next(seq), "delta": piece, **where}  # fmt: skip
            yield "response.output_text.done", {"type": "response.output_text.done", "sequence_number": next(seq),
                                                 "text": reply, **where}  # fmt: skip
            yield "response.completed", {"type": "response.completed", "sequence_number": next(seq),
                                         "response": response}  # fmt: skip

        return _sse(events())

    async def messages(self, request: Request) -> Response:
        body = await self._body(request)
        reply = "Echo: " + _last_text(body.get("messages"))
        message = {
            "id": "msg1",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "m"),
            "content": [{"type": "text", "text": reply}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
        if not body.get("stream"):
            return JSONResponse(message)

        def events() -> Iterator[tuple[str | None, dict[str, Any] | str]]:
            yield "message_start", {"type": "message_start", "message": {**message, "content": [], "stop_reason": None}}
            yield "content_block_start", {"type": "content_block_start", "index": 0,
                                          "content_block": {"type": "text", "text": ""}}  # fmt: skip
            for piece in _pieces(reply):
                yield "content_block_delta", {"type": "content_block_delta", "index": 0,
                                              "delta": {"type": "text_delta", "text": piece}}  # fmt: skip
            yield "content_block_stop", {"type": "content_block_stop", "index": 0}
            delta = {"stop_reason": "end_turn", "stop_sequence": None}
            yield "message_delta", {"type": "message_delta", "delta": delta, "usage": {"output_tokens": 1}}
            yield "message_stop", {"type": "message_stop"}

        return _sse(events())

    async def embeddings(self, request: Request) -> Response:
        body = await self._body(request)
        value = body.get("input")
        texts = value if isinstance(value, list) else [value]
        data = [{"object": "embedding", "index": i, "embedding": [0.0, 0.5]} for i in range(len(texts))]
        usage = {"prompt_tokens": 1, "total_tokens": 1}
        return JSONResponse({"object": "list", "data": data, "model": "m", "usage": usage})
