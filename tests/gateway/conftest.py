"""Gateway fixtures: the real gateway on uvicorn in front of a recording mock upstream, both on 127.0.0.1.

The mock upstream records exactly what it received and answers with what the running test scripted (JSON or
SSE byte chunks, optionally cut off mid-stream). Every raw value a test sends is noted in ``SENT`` so the last
test can scan the captured logs and /metrics for all of them.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from coatcheck.audit import AuditLog, JsonLinesAuditSink
from coatcheck.gateway import GatewayConfig, TenantConfig, create_app, hash_api_key
from coatcheck.gateway._observe import JsonFormatter
from coatcheck.keys import Keyring
from coatcheck.policy import Policy
from coatcheck.policy._defaults import DEFAULT_POLICY

SENT: set[str] = set()  # every raw value sent through the gateway in this session
TENANTS = [f"t{i:02d}" for i in range(20)]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Reply:
    """A scripted answer: a JSON body, or SSE chunks (bytes) sent with ``delay`` between them."""

    body: Any = None
    chunks: list[bytes] | None = None
    status: int = 200
    delay: float = 0.0
    cut_after: int | None = None  # drop the connection after this many chunks


class MockUpstream:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: Callable[[Recorded], Reply] = lambda rec: Reply({"ok": True})
        self.lock = threading.Lock()

    def reset(self, script: Callable[[Recorded], Reply] | None = None) -> None:
        with self.lock:
            self.requests.clear()
        self.script = script or (lambda rec: Reply({"ok": True}))

    async def handle(self, request: Request) -> Response:
        rec = Recorded(request.url.path, dict(request.headers), await request.body())
        with self.lock:
            self.requests.append(rec)
        reply = self.script(rec)
        if asyncio.iscoroutine(reply):
            reply = await reply
        if reply.chunks is None:
            return JSONResponse(reply.body, status_code=reply.status)
        return StreamingResponse(self._stream(reply), status_code=reply.status, media_type="text/event-stream")

    @staticmethod
    async def _stream(reply: Reply):
        for index, chunk in enumerate(reply.chunks or []):
            if reply.cut_after is not None and index >= reply.cut_after:
                raise ConnectionAbortedError("scripted upstream failure")
            yield chunk
            await asyncio.sleep(reply.delay)


@dataclass
class Server:
    url: str
    server: uvicorn.Server
    thread: threading.Thread
    app: Any = field(default=None)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def start_server(app: Any, grace: int = 5) -> Server:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=grace, backlog=1024
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    return Server(f"http://127.0.0.1:{port}", server, thread, app)


def test_policy() -> Policy:
    data = copy.deepcopy(DEFAULT_POLICY)
    data["detection"] = {"profile": "fast"}
    data["tenants"] = [
        *({"name": name} for name in TENANTS),
        {"name": "watch", "mode": "observe"},
        {"name": "strict", "decisions": {"block": ["US_SSN"]}},
        {"name": "quiet", "response": {"action": "allow"}},
        {"name": "guarded", "response": {"action": "block"}},
    ]
    return Policy.model_validate(data)


def tenant_configs() -> tuple[TenantConfig, ...]:
    rows = [TenantConfig(None, (hash_api_key("key-base"),), upstream_key="up-base")]
    rows += [TenantConfig(t, (hash_api_key(f"key-{t}"),), upstream_key=f"up-{t}") for t in TENANTS]
    rows += [TenantConfig(t, (hash_api_key(f"key-{t}"),), upstream_key=f"up-{t}") for t in ("watch", "strict")]
    rows += [TenantConfig(t, (hash_api_key(f"key-{t}"),), upstream_key=f"up-{t}") for t in ("quiet", "guarded")]
    rows.append(TenantConfig(None, (hash_api_key("key-pass"),), passthrough=True))
    return tuple(rows)


class LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []
        self.tracebacks: list[str] = []
        self._plain = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        if record.exc_info:
            self.tracebacks.append(self._plain.formatException(record.exc_info))


@pytest.fixture(scope="session")
def logs() -> Iterator[LogCapture]:
    capture = LogCapture()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(capture)
    root.setLevel(logging.INFO)
    yield capture
    root.removeHandler(capture)
    root.setLevel(previous)


@pytest.fixture(scope="session")
def upstream_server(logs: LogCapture) -> Iterator[tuple[MockUpstream, Server]]:
    mock = MockUpstream()
    app = Starlette(routes=[Route("/{path:path}", mock.handle, methods=["GET", "POST"])])
    server = start_server(app)
    yield mock, server
    server.stop()


@pytest.fixture(scope="session")
def audit_path(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("gateway") / "audit.jsonl"


@pytest.fixture(scope="session")
def gateway_server(upstream_server, audit_path, logs: LogCapture) -> Iterator[Server]:
    _, mock_server = upstream_server
    keys = Keyring.ephemeral(bytes(range(32)))
    config = GatewayConfig(
        upstream=mock_server.url,
        policy=test_policy(),
        tenants=tenant_configs(),
        keys=keys,
        audit=AuditLog.for_keyring(JsonLinesAuditSink(audit_path, fsync=False), keys),
        max_body_bytes=256 * 1024,
        max_depth=32,
    )
    server = start_server(create_app(config))
    yield server
    server.stop()


@pytest.fixture
def upstream(upstream_server) -> Iterator[MockUpstream]:
    mock, _ = upstream_server
    mock.reset()
    yield mock
    mock.reset()


@pytest.fixture
def gateway(gateway_server: Server) -> str:
    return gateway_server.url


# -- scripted answers in each API's shape -------------------------------------------------------------------


def sse(events: list[tuple[str | None, Any]]) -> list[bytes]:
    out = []
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        out.append(f"{head}data: {payload}\n\n".encode())
    return out


def split_bytes(chunks: list[bytes], size: int) -> list[bytes]:
    """The same stream re-cut every ``size`` bytes (cuts fall inside events and UTF-8 characters)."""
    data = b"".join(chunks)
    return [data[i : i + size] for i in range(0, len(data), size)]


def chat_json(content: str | None = None, tool_calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if tool_calls:
        message["tool_calls"] = tool_calls
    finish = "tool_calls" if tool_calls else "stop"
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }  # fmt: skip


def chat_sse(pieces: list[str], tool_pieces: list[str] | None = None) -> list[bytes]:
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m"}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    events: list[tuple[str | None, Any]] = [(None, chunk({"role": "assistant", "content": ""}))]
    events += [(None, chunk({"content": p})) for p in pieces]
    if tool_pieces:
        first = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "send", "arguments": ""}}
        events.append((None, chunk({"tool_calls": [first]})))
        events += [(None, chunk({"tool_calls": [{"index": 0, "function": {"arguments": p}}]})) for p in tool_pieces]
    events.append((None, chunk({}, "tool_calls" if tool_pieces else "stop")))
    events.append((None, "[DONE]"))
    return sse(events)


def anthropic_json(text: str, tool_input: dict[str, Any] | None = None) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    if tool_input is not None:
        content.append({"type": "tool_use", "id": "toolu_1", "name": "send", "input": tool_input})
    return {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "content": content,
        "stop_reason": "end_turn", "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1},
    }  # fmt: skip


def anthropic_sse(pieces: list[str], json_pieces: list[str] | None = None) -> list[bytes]:
    start = {**anthropic_json(""), "content": [], "stop_reason": None}
    events: list[tuple[str | None, Any]] = [("message_start", {"type": "message_start", "message": start})]
    block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    events.append(("content_block_start", block))
    for piece in pieces:
        delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
        events.append(("content_block_delta", delta))
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    if json_pieces:
        tool = {"type": "tool_use", "id": "toolu_1", "name": "send", "input": {}}
        events.append(("content_block_start", {"type": "content_block_start", "index": 1, "content_block": tool}))
        for piece in json_pieces:
            delta = {"type": "input_json_delta", "partial_json": piece}
            events.append(("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": delta}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": 1}))
    stop = {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {}}
    events += [("message_delta", stop), ("message_stop", {"type": "message_stop"})]
    return sse(events)


def responses_json(text: str, arguments: str | None = None) -> dict[str, Any]:
    output: list[dict[str, Any]] = [
        {
            "id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}],
        }
    ]  # fmt: skip
    if arguments is not None:
        output.append(
            {"id": "fc_1", "type": "function_call", "call_id": "call_1", "name": "send", "arguments": arguments,
             "status": "completed"}
        )  # fmt: skip
    return {
        "id": "resp_1", "object": "response", "created_at": 1, "model": "m", "status": "completed",
        "output": output, "parallel_tool_calls": True, "tool_choice": "auto", "tools": [],
    }  # fmt: skip


def responses_sse(pieces: list[str]) -> list[bytes]:
    whole = responses_json("".join(pieces))
    ids = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    events: list[tuple[str | None, Any]] = [
        ("response.created", {"type": "response.created", "response": {**whole, "status": "in_progress", "output": []}})
    ]
    events += [
        ("response.output_text.delta", {"type": "response.output_text.delta", **ids, "delta": p}) for p in pieces
    ]
    events.append(("response.output_text.done", {"type": "response.output_text.done", **ids, "text": "".join(pieces)}))
    events.append(("response.completed", {"type": "response.completed", "response": whole}))
    return sse(events)


def completions_json(text: str) -> dict[str, Any]:
    return {
        "id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}],
    }  # fmt: skip


def completions_sse(pieces: list[str]) -> list[bytes]:
    base = {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m"}
    events: list[tuple[str | None, Any]] = [
        (None, {**base, "choices": [{"index": 0, "text": p, "finish_reason": None, "logprobs": None}]}) for p in pieces
    ]
    events.append((None, {**base, "choices": [{"index": 0, "text": "", "finish_reason": "stop", "logprobs": None}]}))
    events.append((None, "[DONE]"))
    return sse(events)


@pytest.fixture(scope="session")
def shapes() -> Any:
    """This module: the reply builders, ``Reply`` and ``SENT``, for the test modules."""
    import sys

    return sys.modules[__name__]


_CLIENTS: list[Any] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _CLIENTS:
        _CLIENTS.pop().close()


def openai_client(base: str, key: str = "key-t00", **kwargs: Any) -> Any:
    """An OpenAI SDK client on the gateway (closed after the test)."""
    import openai

    client = openai.OpenAI(base_url=f"{base}/v1", api_key=key, max_retries=0, timeout=30, **kwargs)
    _CLIENTS.append(client)
    return client


def anthropic_client(base: str, key: str = "key-t00") -> Any:
    """An Anthropic SDK client on the gateway (closed after the test)."""
    import anthropic

    client = anthropic.Anthropic(base_url=base, api_key=key, max_retries=0, timeout=30)
    _CLIENTS.append(client)
    return client


def assert_clean(text: str, values: list[str]) -> None:
    """None of ``values`` appears in ``text`` (what the upstream received); notes them as sent."""
    SENT.update(values)
    leaked = [v for v in values if v in text]
    assert not leaked, f"{len(leaked)} raw value(s) reached the upstream"
