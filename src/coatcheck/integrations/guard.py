"""`Guard`: the one object SDK integrations share: a policy, a detector and keys, handing out sessions.

A session protects the texts of one model call and restores the answer, whole or streamed::

    guard = Guard()                               # default policy, accurate detector
    with guard.session(tenant="acme") as s:
        answer = call_model(s.redact(prompt))
        print(s.restore(answer))

    @guard.protect
    def ask(prompt: str) -> str: ...             # the model sees placeholders, the caller gets real values
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from coatcheck.session import Session

if TYPE_CHECKING:
    from coatcheck.policy.effective import EffectivePolicy
    from coatcheck.policy.model import Policy
    from coatcheck.protect.base import KeyMaterial
    from coatcheck.protect.protector import DetectorLike

__all__ = ["Guard", "GuardSession"]

P = ParamSpec("P")
T = TypeVar("T")


class GuardSession:
    """One model call: `redact` what goes out, `restore` what comes back (placeholders this session minted)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __repr__(self) -> str:
        return f"GuardSession({self.session!r})"

    def __enter__(self) -> GuardSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def redact(self, text: str) -> str:
        """The text with personal data replaced as the policy says (placeholders for a model)."""
        return self.session.redact(text)

    def redact_many(self, texts: Sequence[str]) -> list[str]:
        """Several texts of one request, numbered consistently in order (one detection batch)."""
        return self.session.redact_batch(list(texts))

    def restore(self, text: str, *, json_string: bool = False) -> str:
        """The model's answer with this session's placeholders turned back into the original values."""
        return self.session.restore(text, json_string=json_string)

    def restore_stream(self, chunks: Iterable[str], *, json_string: bool = False) -> Iterator[str]:
        """`restore` over a stream of text chunks; a placeholder split across chunks is still restored."""
        restorer = self.session.restore_stream(json_string=json_string)
        for chunk in chunks:
            out = restorer.feed(chunk)
            if out:
                yield out
        tail = restorer.flush()
        if tail:
            yield tail

    async def arestore_stream(self, chunks: AsyncIterable[str], *, json_string: bool = False) -> AsyncIterator[str]:
        """`restore_stream` for an async stream."""
        restorer = self.session.restore_stream(json_string=json_string)
        async for chunk in chunks:
            out = restorer.feed(chunk)
            if out:
                yield out
        tail = restorer.flush()
        if tail:
            yield tail


class Guard:
    """Policy, detector and keys for the SDK integrations; cheap to share, thread-safe.

    Args:
        policy: a `Policy`, a policy file, or None for `Policy.default()`.
        destination: the policy destination whose methods apply (``llm``; ``embeddings`` for vectors).
        detector: overrides the policy's detector (e.g. a fast-profile `Detector`).
        keys: key material for keyed methods (surrogate stand-ins for embeddings, hash, encrypt).
    """

    def __init__(
        self,
        policy: Policy | str | os.PathLike[str] | None = None,
        *,
        destination: str = "llm",
        detector: DetectorLike | None = None,
        keys: KeyMaterial | None = None,
    ) -> None:
        from coatcheck.policy import Policy, load_policy

        if policy is None:
            policy = Policy.default()
        elif not isinstance(policy, Policy):
            policy = load_policy(policy)
        self.policy = policy
        self.destination = destination
        self.keys = keys
        self._detector = detector

    def __repr__(self) -> str:
        return f"Guard(destination={self.destination!r})"

    def effective(self, tenant: str | None = None) -> EffectivePolicy:
        from coatcheck.policy import effective_policy

        return effective_policy(self.policy, tenant)

    def session(self, tenant: str | None = None, *, destination: str | None = None) -> GuardSession:
        """A new session for one call (``tenant`` picks the policy's tenant section and keys)."""
        effective = self.effective(tenant)
        where = destination or self.destination
        if self._detector is None:
            return GuardSession(Session.for_policy(effective, destination=where, keys=self.keys))
        return GuardSession(
            Session(
                self._detector,
                tenant=effective.tenant or "default",
                methods=effective.method_table(where),
                response=effective.response_action,
                keys=self.keys,
            )
        )

    @overload
    def protect(self, fn: Callable[P, Awaitable[str]]) -> Callable[P, Awaitable[str]]: ...

    @overload
    def protect(self, fn: Callable[P, str]) -> Callable[P, str]: ...

    def protect(self, fn: Callable[P, Any]) -> Callable[P, Any]:
        """Decorate ``fn(prompt, ...) -> str`` (sync or async): it receives the redacted prompt, its caller gets
        the restored answer. A ``tenant=`` keyword, when the function does not take one, picks the tenant."""
        takes_tenant = "tenant" in inspect.signature(fn).parameters

        def split(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[GuardSession, tuple[Any, ...]]:
            tenant = kwargs.get("tenant") if takes_tenant else kwargs.pop("tenant", None)
            session = self.session(tenant)
            if args and isinstance(args[0], str):
                return session, (session.redact(args[0]), *args[1:])
            if isinstance(kwargs.get("prompt"), str):
                kwargs["prompt"] = session.redact(kwargs["prompt"])
            return session, args

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
                session, new_args = split(args, kwargs)
                return session.restore(await fn(*new_args, **kwargs))

            return async_wrapper

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
            session, new_args = split(args, kwargs)
            return session.restore(fn(*new_args, **kwargs))

        return wrapper
