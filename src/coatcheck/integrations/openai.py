"""Wrap the official ``openai`` client (sync or async) so the model never sees personal data.

    client = coatcheck.integrations.openai.wrap(OpenAI(), guard=Guard())
    reply = client.chat.completions.create(model="gpt-4o", messages=[...])   # same call, same result types

``chat.completions.create`` and ``responses.create`` redact every message text (and ``instructions``) before
the request and restore this call's placeholders in the answer, streamed or not; tool-call arguments are
restored as JSON. ``embeddings.create`` protects its input for the ``embeddings`` destination. Everything else
passes through to the real client unchanged.
"""

from __future__ import annotations

from typing import Any

from coatcheck.integrations._messages import redact_fields, redact_messages
from coatcheck.integrations._streams import AsyncRestoredStream, RestoredStream, StreamRestorers
from coatcheck.integrations.guard import Guard, GuardSession

__all__ = ["wrap"]


class _Proxy:
    """Delegates every attribute to ``target`` except those in ``overrides``."""

    def __init__(self, target: Any, overrides: dict[str, Any]) -> None:
        self._target = target
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._target, name)

    def __repr__(self) -> str:
        return f"coatcheck-guarded {self._target!r}"


def wrap(client: Any, guard: Guard | None = None, *, tenant: str | None = None) -> Any:
    """A guarded view of an ``OpenAI`` or ``AsyncOpenAI`` client with the same interface."""
    guard = guard or Guard()
    is_async = type(client).__name__.startswith("Async")
    chat = _Chat(client, guard, tenant, is_async)
    responses = _Responses(client, guard, tenant, is_async)
    embeddings = _Embeddings(client, guard, tenant, is_async)
    return _Proxy(
        client,
        {
            "chat": _Proxy(client.chat, {"completions": _Proxy(client.chat.completions, {"create": chat.create})}),
            "responses": _Proxy(client.responses, {"create": responses.create}),
            "embeddings": _Proxy(client.embeddings, {"create": embeddings.create}),
        },
    )


# -- chat completions ------------------------------------------------------------------------------------------


def _restore_completion(session: GuardSession, completion: Any) -> Any:
    for choice in getattr(completion, "choices", None) or ():
        message = choice.message
        if isinstance(message.content, str):
            message.content = session.restore(message.content)
        for call in getattr(message, "tool_calls", None) or ():
            function = getattr(call, "function", None)
            if function is not None and isinstance(function.arguments, str):
                function.arguments = session.restore(function.arguments, json_string=True)
    return completion


class _ChunkRestorer:
    """Restores chat completion chunks in place: message text and tool-call arguments, per choice."""

    def __init__(self, session: GuardSession) -> None:
        self.restorers = StreamRestorers(session)
        self._last_call: dict[tuple[int, int], Any] = {}

    def __call__(self, chunk: Any) -> list[Any]:
        restorers = self.restorers
        for choice in getattr(chunk, "choices", None) or ():
            delta = choice.delta
            if isinstance(getattr(delta, "content", None), str):
                delta.content = restorers.feed(("content", choice.index), delta.content)
            for call in getattr(delta, "tool_calls", None) or ():
                function = getattr(call, "function", None)
                if function is not None and isinstance(function.arguments, str):
                    self._last_call[(choice.index, call.index)] = call
                    key = ("tool", choice.index, call.index)
                    function.arguments = restorers.feed(key, function.arguments, json_string=True)
            if choice.finish_reason is not None:
                tail = restorers.flush(("content", choice.index))
                if tail:
                    delta.content = (delta.content or "") + tail
                for key in restorers.keys(("tool", choice.index)):
                    rest = restorers.flush(key)
                    if rest:
                        extra = self._last_call[(choice.index, key[2])].model_copy(deep=True)
                        extra.id = None
                        extra.function.arguments = rest
                        delta.tool_calls = [*(delta.tool_calls or []), extra]
        return [chunk]


class _Chat:
    def __init__(self, client: Any, guard: Guard, tenant: str | None, is_async: bool) -> None:
        self._create = client.chat.completions.create
        self._guard, self._tenant = guard, tenant
        self.create = self._acreate if is_async else self._screate

    def _prepare(self, kwargs: dict[str, Any]) -> tuple[GuardSession, dict[str, Any]]:
        session = self._guard.session(self._tenant)
        if "messages" in kwargs:
            kwargs = {**kwargs, "messages": redact_messages(session, kwargs["messages"])}
        return session, kwargs

    def _screate(self, **kwargs: Any) -> Any:
        session, kwargs = self._prepare(kwargs)
        result = self._create(**kwargs)
        if kwargs.get("stream"):
            return RestoredStream(result, _ChunkRestorer(session))
        return _restore_completion(session, result)

    async def _acreate(self, **kwargs: Any) -> Any:
        session, kwargs = self._prepare(kwargs)
        result = await self._create(**kwargs)
        if kwargs.get("stream"):
            return AsyncRestoredStream(result, _ChunkRestorer(session))
        return _restore_completion(session, result)


# -- responses -------------------------------------------------------------------------------------------------


def _restore_response(session: GuardSession, response: Any) -> Any:
    for item in getattr(response, "output", None) or ():
        for part in getattr(item, "content", None) or ():
            if isinstance(getattr(part, "text", None), str):
                part.text = session.restore(part.text)
        if isinstance(getattr(item, "arguments", None), str):
            item.arguments = session.restore(item.arguments, json_string=True)
    return response


class _EventRestorer:
    """Restores Responses API stream events; the text held back at the end of a part is sent as one more delta
    event just before the part's ``done`` event."""

    def __init__(self, session: GuardSession) -> None:
        self.restorers = StreamRestorers(session)
        self._last_delta: dict[tuple[Any, ...], Any] = {}

    def __call__(self, event: Any) -> list[Any]:
        kind = getattr(event, "type", "")
        session = self.restorers.session
        out = []
        if kind == "response.output_text.delta":
            key = ("text", event.output_index, event.content_index)
            self._last_delta[key] = event
            event.delta = self.restorers.feed(key, event.delta)
        elif kind == "response.output_text.done":
            key = ("text", event.output_index, event.content_index)
            tail = self.restorers.flush(key)
            if tail and key in self._last_delta:
                out.append(self._last_delta[key].model_copy(update={"delta": tail}))
            event.text = session.restore(event.text)
        elif kind in ("response.completed", "response.incomplete") and getattr(event, "response", None):
            _restore_response(session, event.response)
        out.append(event)
        return out


class _Responses:
    def __init__(self, client: Any, guard: Guard, tenant: str | None, is_async: bool) -> None:
        self._create = client.responses.create
        self._guard, self._tenant = guard, tenant
        self.create = self._acreate if is_async else self._screate

    def _prepare(self, kwargs: dict[str, Any]) -> tuple[GuardSession, dict[str, Any]]:
        session = self._guard.session(self._tenant)
        return session, redact_fields(session, kwargs, ("instructions", "input"))

    def _screate(self, **kwargs: Any) -> Any:
        session, kwargs = self._prepare(kwargs)
        result = self._create(**kwargs)
        if kwargs.get("stream"):
            return RestoredStream(result, _EventRestorer(session))
        return _restore_response(session, result)

    async def _acreate(self, **kwargs: Any) -> Any:
        session, kwargs = self._prepare(kwargs)
        result = await self._create(**kwargs)
        if kwargs.get("stream"):
            return AsyncRestoredStream(result, _EventRestorer(session))
        return _restore_response(session, result)


# -- embeddings ------------------------------------------------------------------------------------------------


class _Embeddings:
    def __init__(self, client: Any, guard: Guard, tenant: str | None, is_async: bool) -> None:
        self._create = client.embeddings.create
        self._guard, self._tenant = guard, tenant
        self.create = self._acreate if is_async else self._screate

    def _prepare(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        from coatcheck.integrations.embeddings import protect_for_embedding

        value = kwargs.get("input")
        if isinstance(value, str):
            kwargs = {**kwargs, "input": protect_for_embedding([value], self._guard, tenant=self._tenant)[0]}
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            kwargs = {**kwargs, "input": protect_for_embedding(value, self._guard, tenant=self._tenant)}
        return kwargs

    def _screate(self, **kwargs: Any) -> Any:
        return self._create(**self._prepare(kwargs))

    async def _acreate(self, **kwargs: Any) -> Any:
        return await self._create(**self._prepare(kwargs))
