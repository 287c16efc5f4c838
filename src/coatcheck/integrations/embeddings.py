"""Protect texts before they are embedded: consistent stand-ins keep the meaning, never the person.

A vector store keeps what it is given for ever, so texts are protected for the ``embeddings`` destination:
with the default policy, personal values become keyed surrogates (the same person is the same stand-in in
every document, so similar documents stay similar) and identifiers and secrets become ``[TYPE]``. Keyed
methods need the guard's keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from coatcheck.integrations.guard import Guard

__all__ = ["embed", "protect_for_embedding"]

V = TypeVar("V")


def protect_for_embedding(texts: Sequence[str], guard: Guard | None = None, *, tenant: str | None = None) -> list[str]:
    """The texts as the ``embeddings`` destination of the guard's policy says they may be stored."""
    guard = guard or Guard()
    return guard.session(tenant, destination="embeddings").redact_many(list(texts))


def embed(
    texts: Sequence[str],
    embed_fn: Callable[[list[str]], Sequence[V]],
    guard: Guard | None = None,
    *,
    tenant: str | None = None,
) -> list[V]:
    """``embed_fn`` (any embedding call: an SDK, a local model) applied to the protected texts."""
    return list(embed_fn(protect_for_embedding(texts, guard, tenant=tenant)))
