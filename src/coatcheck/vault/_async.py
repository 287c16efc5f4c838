"""`AsyncVault`: the same vault for async code, each call run in a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Self

from coatcheck.vault._base import Vault

__all__ = ["AsyncVault"]


class AsyncVault:
    """Awaitable twin of a `Vault`, sharing all its logic.

    The backends do short blocking I/O; running each call in a thread keeps the event loop (the gateway's)
    free without a second implementation of every backend. The wrapped vault is thread-safe.
    """

    def __init__(self, vault: Vault) -> None:
        self.sync = vault

    def __repr__(self) -> str:
        return f"AsyncVault({self.sync!r})"

    async def put(
        self, tenant: str, token: str, value: str, *, session: str | None = None, ttl: float | None = None
    ) -> None:
        """See `Vault.put`."""
        await asyncio.to_thread(self.sync.put, tenant, token, value, session=session, ttl=ttl)

    async def put_many(
        self, tenant: str, items: Mapping[str, str], *, session: str | None = None, ttl: float | None = None
    ) -> None:
        """See `Vault.put_many`."""
        await asyncio.to_thread(self.sync.put_many, tenant, items, session=session, ttl=ttl)

    async def get(self, tenant: str, token: str, *, session: str | None = None) -> str:
        """See `Vault.get`."""
        return await asyncio.to_thread(self.sync.get, tenant, token, session=session)

    async def get_many(
        self, tenant: str, tokens: Iterable[str], *, session: str | None = None, strict: bool = True
    ) -> dict[str, str]:
        """See `Vault.get_many`."""
        batch = list(tokens)
        return await asyncio.to_thread(self.sync.get_many, tenant, batch, session=session, strict=strict)

    async def delete(self, tenant: str, token: str | None = None, *, session: str | None = None) -> int:
        """See `Vault.delete`."""
        return await asyncio.to_thread(self.sync.delete, tenant, token, session=session)

    async def purge_expired(self) -> int:
        """See `Vault.purge_expired`."""
        return await asyncio.to_thread(self.sync.purge_expired)

    async def count(self, tenant: str | None = None) -> int:
        """See `Vault.count`."""
        return await asyncio.to_thread(self.sync.count, tenant)

    async def aclose(self) -> None:
        """Close the wrapped vault."""
        await asyncio.to_thread(self.sync.close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
