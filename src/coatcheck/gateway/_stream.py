"""Rewriting streamed answers event by event: every text delta goes through a `StreamRestorer`.

One rewriter per stream and API shape (OpenAI chat, completions and responses; Anthropic messages). Each text
channel (a choice's content, a tool call's arguments, a content block) has its own restorer; what a restorer
holds back is released into the event that ends its channel, so the output is valid SSE at every moment and
the text the client assembles equals the restored whole. After a failure nothing held is released: the client
gets an error event instead.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any, ClassVar

from coatcheck.errors import UpstreamError
from coatcheck.gateway._fields import restore_body
from coatcheck.gateway._sse import SSEEvent
from coatcheck.session import Session, StreamRestorer

__all__ = ["StreamRewriter", "rewriter_for"]

_IDS = ("item_id", "output_index", "content_index", "summary_index")


def _load(event: SSEEvent) -> dict[str, Any]:
    try:
        data = json.loads(event.data)
    except ValueError:
        raise UpstreamError("the upstream stream sent an event that is not JSON") from None
    if not isinstance(data, dict):
        raise UpstreamError("the upstream stream sent an event that is not a JSON object")
    return data


def _dump(data: dict[str, Any], name: str | None) -> SSEEvent:
    return SSEEvent(json.dumps(data, ensure_ascii=False, separators=(",", ":")), name)


class StreamRewriter:
    """Base: a restorer per channel, the terminal-event flag, and the error event of this API shape."""

    def __init__(self, session: Session, json_content: bool = False) -> None:
        self.session = session
        self.json_content = json_content
        self.done = False
        self._restorers: dict[Hashable, StreamRestorer] = {}

    def feed(self, key: Hashable, text: str, json_string: bool = False) -> str:
        restorer = self._restorers.get(key)
        if restorer is None:
            restorer = self._restorers[key] = self.session.restore_stream(json_string=json_string)
        return restorer.feed(text)

    def tail(self, key: Hashable) -> str:
        restorer = self._restorers.pop(key, None)
        return restorer.flush() if restorer is not None else ""

    def restore_obj(self, data: dict[str, Any]) -> dict[str, Any]:
        restored: dict[str, Any] = restore_body(
            data, lambda text, js: self.session.restore(text, json_string=js), self.json_content
        )
        return restored

    def events(self, event: SSEEvent) -> list[SSEEvent]:
        raise NotImplementedError

    def error_event(self, kind: str, message: str) -> SSEEvent:
        return SSEEvent(json.dumps({"error": {"type": kind, "message": message, "code": kind, "param": None}}))


class _ChatRewriter(StreamRewriter):
    """OpenAI chat completions: ``choices[].delta`` content, refusal and tool-call arguments."""

    text_fields: tuple[str, ...] = ("content", "refusal")

    def __init__(self, session: Session, json_content: bool = False) -> None:
        super().__init__(session, json_content)
        self._envelope: dict[str, Any] = {}
        self._open: set[int] = set()

    def events(self, event: SSEEvent) -> list[SSEEvent]:
        if event.data.strip() == "[DONE]":
            self.done = True
            return [*self._close_all(), event]
        data = _load(event)
        if "error" in data:
            self.done = True
            return [event]
        self._envelope = {k: data[k] for k in ("id", "object", "created", "model") if k in data}
        choices = [c for c in data.get("choices") or [] if isinstance(c, dict)]
        carried = [self._text_of(c) for c in choices]
        for choice in choices:
            self._choice(choice)
        if choices and data.get("usage") is None and all(carried) and all(map(self._held, choices)):
            return []  # every character of this event is held back for now: nothing to send yet
        return [_dump(data, event.event)]

    @staticmethod
    def _text_of(choice: dict[str, Any]) -> str:
        delta = choice.get("delta")
        return str(delta.get("content") or "") if isinstance(delta, dict) else ""

    @staticmethod
    def _held(choice: dict[str, Any]) -> bool:
        return (
            choice.get("delta") == {"content": ""}
            and choice.get("finish_reason") is None
            and not choice.get("logprobs")
        )

    def _choice(self, choice: dict[str, Any]) -> None:
        index = choice.get("index", 0)
        self._open.add(index)
        delta = choice.get("delta")
        if isinstance(delta, dict):
            for name in self.text_fields:
                if isinstance(delta.get(name), str):
                    delta[name] = self.feed((index, name), delta[name], self.json_content and name == "content")
            for call in delta.get("tool_calls") or []:
                function = call.get("function") if isinstance(call, dict) else None
                if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                    key = (index, "tool", call.get("index", 0))
                    function["arguments"] = self.feed(key, function["arguments"], True)
        if choice.get("finish_reason") is not None:
            if not isinstance(delta, dict):
                delta = choice["delta"] = {}
            self._merge(delta, self._tails(index))
            self._open.discard(index)

    def _tails(self, index: int) -> dict[str, Any]:
        tails: dict[str, Any] = {}
        for key in [k for k in self._restorers if isinstance(k, tuple) and k[0] == index]:
            text = self.tail(key)
            if text and key[1] == "tool":
                tails.setdefault("tool_calls", []).append({"index": key[2], "function": {"arguments": text}})
            elif text:
                tails[key[1]] = text
        return tails

    @staticmethod
    def _merge(delta: dict[str, Any], tails: dict[str, Any]) -> None:
        for name, text in tails.items():
            if name != "tool_calls":
                delta[name] = (delta.get(name) or "") + text
        calls = delta.get("tool_calls")
        for extra in tails.get("tool_calls", []):
            same = [c for c in calls or [] if isinstance(c, dict) and c.get("index") == extra["index"]]
            if same:
                function = same[0].setdefault("function", {})
                function["arguments"] = (function.get("arguments") or "") + extra["function"]["arguments"]
            else:
                calls = delta["tool_calls"] = [*(calls or []), extra]

    def _close_all(self) -> list[SSEEvent]:
        out = []
        for index in sorted(self._open):
            tails = self._tails(index)
            if tails:
                out.append(_dump({**self._envelope, "choices": [self._synthetic(index, tails)]}, None))
        self._open.clear()
        return out

    def _synthetic(self, index: int, tails: dict[str, Any]) -> dict[str, Any]:
        delta: dict[str, Any] = {}
        self._merge(delta, tails)
        return {"index": index, "delta": delta, "finish_reason": None}


class _CompletionsRewriter(_ChatRewriter):
    """OpenAI legacy completions: ``choices[].text``."""

    @staticmethod
    def _text_of(choice: dict[str, Any]) -> str:
        return str(choice.get("text") or "")

    @staticmethod
    def _held(choice: dict[str, Any]) -> bool:
        return choice.get("text") == "" and choice.get("finish_reason") is None and not choice.get("logprobs")

    def _choice(self, choice: dict[str, Any]) -> None:
        index = choice.get("index", 0)
        self._open.add(index)
        if isinstance(choice.get("text"), str):
            choice["text"] = self.feed((index, "text"), choice["text"])
        if choice.get("finish_reason") is not None:
            choice["text"] = (choice.get("text") or "") + self.tail((index, "text"))
            self._open.discard(index)

    def _synthetic(self, index: int, tails: dict[str, Any]) -> dict[str, Any]:
        return {"index": index, "text": tails.get("text", ""), "finish_reason": None, "logprobs": None}


class _ResponsesRewriter(StreamRewriter):
    """OpenAI responses: ``*.delta`` events stream, ``*.done`` events release the tail and carry the whole."""

    _TERMINAL = frozenset({"response.completed", "response.failed", "response.incomplete", "error"})

    def events(self, event: SSEEvent) -> list[SSEEvent]:
        data = _load(event)
        kind = str(data.get("type") or event.event or "")
        if kind in self._TERMINAL:
            self.done = True
        if kind == "error":
            return [event]
        base, _, phase = kind.rpartition(".")
        key = (
            base,
            data.get("item_id"),
            data.get("output_index"),
            data.get("content_index"),
            data.get("summary_index"),
        )
        json_string = "arguments" in base or (self.json_content and base == "response.output_text")
        if phase == "delta" and isinstance(data.get("delta"), str):
            carried = data["delta"]
            data["delta"] = self.feed(key, carried, json_string)
            return [_dump(data, event.event)] if data["delta"] or not carried else []
        out = []
        if phase == "done":
            tail = self.tail(key)
            if tail:
                ids: dict[str, Any] = {k: data[k] for k in _IDS if k in data}
                synthetic: dict[str, Any] = {"type": f"{base}.delta", **ids, "delta": tail}
                if "sequence_number" in data:
                    synthetic["sequence_number"] = data["sequence_number"]
                out.append(_dump(synthetic, f"{base}.delta" if event.event else None))
        out.append(_dump(self.restore_obj(data), event.event))
        return out

    def error_event(self, kind: str, message: str) -> SSEEvent:
        error = {"type": kind, "message": message, "code": kind, "param": None}
        return SSEEvent(json.dumps({"type": "error", "code": kind, "message": message, "error": error}), "error")


class _AnthropicRewriter(StreamRewriter):
    """Anthropic messages: text, thinking and tool-input JSON deltas per content block."""

    _FIELDS: ClassVar[dict[str, str]] = {
        "text_delta": "text",
        "input_json_delta": "partial_json",
        "thinking_delta": "thinking",
    }

    def events(self, event: SSEEvent) -> list[SSEEvent]:
        data = _load(event)
        kind = str(data.get("type") or event.event or "")
        if kind == "error":
            self.done = True
            return [event]
        if kind == "content_block_delta":
            delta = data.get("delta")
            if isinstance(delta, dict):
                name = self._FIELDS.get(str(delta.get("type")))
                if name is not None and isinstance(delta.get(name), str):
                    key = (data.get("index", 0), name, delta["type"])
                    carried = delta[name]
                    delta[name] = self.feed(key, carried, name == "partial_json")
                    if carried and not delta[name]:
                        return []
                elif name is None:
                    self.restore_obj(delta)
            return [_dump(data, event.event)]
        out: list[SSEEvent] = []
        if kind == "content_block_stop":
            out = self._tails(data.get("index", 0))
        elif kind == "message_stop":
            self.done = True
            out = self._tails(None)
        return [*out, _dump(self.restore_obj(data), event.event)]

    def _tails(self, index: Any) -> list[SSEEvent]:
        out = []
        for key in [k for k in self._restorers if isinstance(k, tuple) and (index is None or k[0] == index)]:
            text = self.tail(key)
            if text:
                delta = {"type": key[2], key[1]: text}
                out.append(
                    _dump({"type": "content_block_delta", "index": key[0], "delta": delta}, "content_block_delta")
                )
        return out

    def error_event(self, kind: str, message: str) -> SSEEvent:
        return SSEEvent(json.dumps({"type": "error", "error": {"type": kind, "message": message}}), "error")


_REWRITERS: dict[str, type[StreamRewriter]] = {
    "chat": _ChatRewriter,
    "completions": _CompletionsRewriter,
    "responses": _ResponsesRewriter,
    "anthropic": _AnthropicRewriter,
}


def rewriter_for(kind: str, session: Session, json_content: bool = False) -> StreamRewriter:
    """The rewriter of one stream of API shape ``kind``."""
    return _REWRITERS[kind](session, json_content)
