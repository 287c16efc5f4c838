"""Streaming restore for SDK streams: one restorer per text channel, and stream wrappers that keep the SDK's
interface (iteration, context manager, ``close``, other attributes delegated)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Hashable, Iterator
from typing import Any

from coatcheck.integrations.guard import GuardSession
from coatcheck.session import StreamRestorer

__all__ = ["AsyncRestoredStream", "Process", "RestoredStream", "StreamRestorers"]

Process = Callable[[Any], list[Any]]


class StreamRestorers:
    """Independent streaming restorers keyed by channel (choice and content index, tool call, ...)."""

    def __init__(self, session: GuardSession) -> None:
        self.session = session
        self._restorers: dict[Hashable, StreamRestorer] = {}

    def feed(self, key: Hashable, text: str, *, json_string: bool = False) -> str:
        restorer = self._restorers.get(key)
        if restorer is None:
            restorer = self._restorers[key] = self.session.session.restore_stream(json_string=json_string)
        return restorer.feed(text)

    def flush(self, key: Hashable) -> str:
        restorer = self._restorers.pop(key, None)
        return restorer.flush() if restorer is not None else ""

    def keys(self, prefix: tuple[Any, ...]) -> list[Any]:
        return [k for k in self._restorers if isinstance(k, tuple) and k[: len(prefix)] == prefix]


class RestoredStream:
    """Wraps a sync SDK stream; ``process(item)`` returns the items to hand out in its place."""

    def __init__(self, stream: Any, process: Process) -> None:
        self._stream = stream
        self._process = process
        self._items = self._generate()

    def _generate(self) -> Iterator[Any]:
        for item in self._stream:
            yield from self._process(item)

    def __iter__(self) -> Iterator[Any]:
        return self._items

    def __next__(self) -> Any:
        return next(self._items)

    def __enter__(self) -> RestoredStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class AsyncRestoredStream:
    """Wraps an async SDK stream; ``process(item)`` returns the items to hand out in its place."""

    def __init__(self, stream: Any, process: Process) -> None:
        self._stream = stream
        self._process = process
        self._items = self._generate()

    async def _generate(self) -> AsyncIterator[Any]:
        async for item in self._stream:
            for out in self._process(item):
                yield out

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._items

    async def __anext__(self) -> Any:
        return await self._items.__anext__()

    async def __aenter__(self) -> AsyncRestoredStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            await close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
