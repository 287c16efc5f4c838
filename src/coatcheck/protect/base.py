"""The shapes every operator shares: parameters, the per-value scope and the operator record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from coatcheck.detect.types import Entity

if TYPE_CHECKING:
    from coatcheck.protect.context import ProtectContext

__all__ = ["Document", "KeyMaterial", "Operator", "Params", "Scope", "VaultLike"]


class KeyMaterial(Protocol):
    """What keyed methods need from a keyring (`coatcheck.keys.Keyring` satisfies it)."""

    def derive(self, tenant: str, purpose: str) -> bytes: ...

    def encrypt(
        self,
        plaintext: bytes,
        *,
        tenant: str,
        field: str,
        subject: str | None = None,
        deterministic: bool = False,
    ) -> str: ...

    def decrypt(self, token: str, *, tenant: str, field: str, subject: str | None = None) -> bytes: ...


class VaultLike(Protocol):
    """What tokenize needs to make its tokens reversible (`coatcheck.vault.Vault` satisfies it)."""

    def put(
        self, tenant: str, token: str, value: str, *, session: str | None = None, ttl: float | None = None
    ) -> None: ...

    def get(self, tenant: str, token: str, *, session: str | None = None) -> str: ...


class Params(BaseModel):
    """Base of every operator's parameters: frozen, unknown keys rejected, checked once at configuration."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


P = TypeVar("P", bound=Params)


@dataclass(slots=True)
class Document:
    """One text being protected, with its (resolved, sorted) entities; shared by all operators on it."""

    text: str = _field(repr=False)
    entities: Sequence[Entity] = _field(repr=False)
    field: str | None = None
    _real: frozenset[str] | None = _field(default=None, repr=False)

    def value(self, entity: Entity) -> str:
        """The original text of an entity."""
        return self.text[entity.start : entity.end]

    @property
    def real_values(self) -> frozenset[str]:
        """Case-folded original values of every entity here: a stand-in must equal none of them."""
        if self._real is None:
            self._real = frozenset(self.value(e).casefold() for e in self.entities)
        return self._real


@dataclass(slots=True)
class Scope:
    """What an operator sees for one value: its entity, its document and the session context."""

    entity: Entity
    doc: Document
    ctx: ProtectContext

    @property
    def type(self) -> str:
        return self.entity.type

    @property
    def field(self) -> str:
        """The field the value is bound to (encryption AD): the record field, else the entity type."""
        return self.doc.field or self.entity.type


OperatorFn = Callable[[str, Scope, Any], str]
PrepareFn = Callable[[Document, "ProtectContext", Any], None]


@dataclass(frozen=True, slots=True)
class Operator(Generic[P]):
    """One protection method: a plain function plus its parameter model.

    Attributes:
        name: the method name used in policies and on the command line.
        params: the frozen pydantic model its parameters are validated into.
        fn: ``fn(value, scope, params) -> replacement``.
        keyed: needs key material (hash, encrypt, tokenize, surrogate).
        types: the entity types it supports (None: all).
        prepare: called once per document before any value is replaced (surrogate links names there).
        mapped: its outputs go in `ProtectedText.mapping` (redact, tokenize).
    """

    name: str
    params: type[P]
    fn: OperatorFn
    keyed: bool = False
    types: frozenset[str] | None = None
    prepare: PrepareFn | None = None
    mapped: bool = False
