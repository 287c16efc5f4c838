"""A LangChain Runnable that puts a guard around any model or chain: inputs redacted, outputs restored.

    safe = guarded(ChatOpenAI(...), Guard())        # or: prompt | guarded(model) | parser
    safe.invoke("Email sarah@example.com ...")       # the model sees [EMAIL_1]; the caller gets the address

``invoke``, ``ainvoke``, ``stream`` and ``astream`` are supported (streams restore placeholders split across
chunks). Inputs may be a string, a prompt value, a list of messages or a dict of string variables; outputs a
string, a message or message chunks. (A callback handler cannot change inputs, hence a Runnable.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import Runnable, RunnableConfig

from coatcheck.integrations.guard import Guard, GuardSession
from coatcheck.session import StreamRestorer

__all__ = ["GuardedRunnable", "guarded"]


def _redact(session: GuardSession, value: Any) -> Any:
    if isinstance(value, str):
        return session.redact(value)
    if isinstance(value, PromptValue):
        return [_redact(session, m) for m in value.to_messages()]
    if isinstance(value, BaseMessage):
        return value.model_copy(update={"content": _redact_content(session, value.content)})
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        return (value[0], session.redact(value[1]))
    if isinstance(value, list):
        return [_redact(session, v) for v in value]
    if isinstance(value, dict):
        return {k: _redact(session, v) for k, v in value.items()}
    return value


def _redact_content(session: GuardSession, content: Any) -> Any:
    if isinstance(content, str):
        return session.redact(content)
    if isinstance(content, list):
        return [
            {**part, "text": session.redact(part["text"])}
            if isinstance(part, dict) and isinstance(part.get("text"), str)
            else _redact_content(session, part)
            for part in content
        ]
    return content


def _restore(session: GuardSession, value: Any) -> Any:
    if isinstance(value, str):
        return session.restore(value)
    if isinstance(value, BaseMessage) and isinstance(value.content, str):
        return value.model_copy(update={"content": session.restore(value.content)})
    if isinstance(value, dict):
        return {k: _restore(session, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(session, v) for v in value]
    return value


class _ChunkText:
    """Restores the text of streamed chunks (strings or message chunks) and emits the held tail at the end."""

    def __init__(self, session: GuardSession) -> None:
        self._restorer: StreamRestorer = session.session.restore_stream()
        self._last: Any = None

    def feed(self, chunk: Any) -> Any:
        if isinstance(chunk, str):
            self._last = ""
            return self._restorer.feed(chunk)
        if isinstance(chunk, BaseMessage) and isinstance(chunk.content, str):
            self._last = chunk
            return chunk.model_copy(update={"content": self._restorer.feed(chunk.content)})
        return chunk

    def tail(self) -> Any:
        rest = self._restorer.flush()
        if not rest or self._last is None:
            return None
        if isinstance(self._last, str):
            return rest
        return self._last.model_copy(update={"content": rest, "id": getattr(self._last, "id", None)})


class GuardedRunnable(Runnable[Any, Any]):
    """Wraps ``inner`` so it only ever sees redacted input, and its output is restored for the caller."""

    def __init__(self, inner: Runnable[Any, Any], guard: Guard | None = None, *, tenant: str | None = None) -> None:
        self.inner = inner
        self.guard = guard or Guard()
        self.tenant = tenant

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        session = self.guard.session(self.tenant)
        return _restore(session, self.inner.invoke(_redact(session, input), config, **kwargs))

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        session = self.guard.session(self.tenant)
        return _restore(session, await self.inner.ainvoke(_redact(session, input), config, **kwargs))

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        session = self.guard.session(self.tenant)
        redacted = _redact(session, input)
        text = _ChunkText(session)  # after redacting: a restorer knows the placeholders minted so far
        for chunk in self.inner.stream(redacted, config, **kwargs):
            yield text.feed(chunk)
        tail = text.tail()
        if tail is not None:
            yield tail

    async def astream(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        session = self.guard.session(self.tenant)
        redacted = _redact(session, input)
        text = _ChunkText(session)
        async for chunk in self.inner.astream(redacted, config, **kwargs):
            yield text.feed(chunk)
        tail = text.tail()
        if tail is not None:
            yield tail


def guarded(inner: Runnable[Any, Any], guard: Guard | None = None, *, tenant: str | None = None) -> GuardedRunnable:
    """`GuardedRunnable` around ``inner``."""
    return GuardedRunnable(inner, guard, tenant=tenant)
