"""Wrap the official ``anthropic`` client (sync or async) so the model never sees personal data.

    client = coatcheck.integrations.anthropic.wrap(Anthropic(), guard=Guard())
    message = client.messages.create(model="claude-...", max_tokens=512, messages=[...])

``messages.create`` redacts ``system`` and every message text (tool results included) and restores this call's
placeholders in text blocks and tool inputs, streamed (``stream=True``) or not. The rest of the client passes
through unchanged.
"""

from __future__ import annotations

from typing import Any

from coatcheck.integrations._messages import redact_fields, redact_messages
from coatcheck.integrations._streams import AsyncRestoredStream, RestoredStream, StreamRestorers
from coatcheck.integrations.guard import Guard, GuardSession
from coatcheck.integrations.openai import _Proxy

__all__ = ["wrap"]


def wrap(client: Any, guard: Guard | None = None, *, tenant: str | None = None) -> Any:
    """A guarded view of an ``Anthropic`` or ``AsyncAnthropic`` client with the same interface."""
    messages = _Messages(client, guard or Guard(), tenant, type(client).__name__.startswith("Async"))
    return _Proxy(client, {"messages": _Proxy(client.messages, {"create": messages.create})})


def _restore_value(session: GuardSession, value: Any) -> Any:
    if isinstance(value, str):
        return session.restore(value)
    if isinstance(value, dict):
        return {k: _restore_value(session, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_value(session, v) for v in value]
    return value


def _restore_message(session: GuardSession, message: Any) -> Any:
    for block in getattr(message, "content", None) or ():
        if getattr(block, "type", "") == "text" and isinstance(block.text, str):
            block.text = session.restore(block.text)
        elif getattr(block, "type", "") == "tool_use":
            block.input = _restore_value(session, block.input)
    return message


class _EventRestorer:
    """Restores stream events; text held back at the end of a block goes out as one more delta before its stop."""

    def __init__(self, session: GuardSession) -> None:
        self.restorers = StreamRestorers(session)
        self._last: dict[int, Any] = {}

    def __call__(self, event: Any) -> list[Any]:
        kind = getattr(event, "type", "")
        out = []
        if kind == "content_block_delta":
            delta = event.delta
            if getattr(delta, "type", "") == "text_delta":
                self._last[event.index] = event
                delta.text = self.restorers.feed(("text", event.index), delta.text)
            elif getattr(delta, "type", "") == "input_json_delta":
                self._last[event.index] = event
                delta.partial_json = self.restorers.feed(("json", event.index), delta.partial_json, json_string=True)
        elif kind == "content_block_stop":
            for channel, field in (("text", "text"), ("json", "partial_json")):
                tail = self.restorers.flush((channel, event.index))
                last = self._last.get(event.index)
                if tail and last is not None:
                    extra = last.model_copy(deep=True)
                    setattr(extra.delta, field, tail)
                    out.append(extra)
        elif kind == "message_start" and getattr(event, "message", None) is not None:
            _restore_message(self.restorers.session, event.message)
        out.append(event)
        return out


class _Messages:
    def __init__(self, client: Any, guard: Guard, tenant: str | None, is_async: bool) -> None:
        self._create = client.messages.create
        self._guard, self._tenant = guard, tenant
        self.create = self._acreate if is_async else self._screate

    def _prepare(self, kwargs: dict[str, Any]) -> tuple[GuardSession, dict[str, Any]]:
        session = self._guard.session(self._tenant)
        kwargs = redact_fields(session, kwargs, ("system",))
        if "messages" in kwargs:
            kwargs["messages"] = redact_messages(session, kwargs["messages"])
        return session, kwargs

    def _screate(self, **kwargs: Any) -> Any:
        session, kwargs = self._prepare(kwargs)
        result = self._create(**kwargs)
        if kwargs.get("stream"):
            return RestoredStream(result, _EventRestorer(session))
        return _restore_message(session, result)

    async def _acreate(self, **kwargs: Any) -> Any:
        session, kwargs = self._prepare(kwargs)
        result = await self._create(**kwargs)
        if kwargs.get("stream"):
            return AsyncRestoredStream(result, _EventRestorer(session))
        return _restore_message(session, result)
