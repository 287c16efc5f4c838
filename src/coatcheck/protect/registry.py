"""The operator registry and method configuration: validated once, applied many times."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import ProtectError
from coatcheck.protect.base import Operator, Params, Scope
from coatcheck.protect.basic import DROP, KEEP, REDACT
from coatcheck.protect.generalize import GENERALIZE
from coatcheck.protect.keyed import ENCRYPT, HASH, TOKENIZE
from coatcheck.protect.mask import MASK
from coatcheck.protect.surrogate import SURROGATE

__all__ = ["OPERATORS", "MethodSpec", "MethodTable", "MethodsLike", "SpecLike", "configure_method", "configure_methods"]

OPERATORS: dict[str, Operator[Any]] = {
    op.name: op for op in (MASK, REDACT, HASH, ENCRYPT, TOKENIZE, SURROGATE, GENERALIZE, DROP, KEEP)
}


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """A method with its validated parameters, ready to apply."""

    operator: Operator[Any]
    params: Params

    @property
    def name(self) -> str:
        return self.operator.name

    def apply(self, value: str, scope: Scope) -> str:
        """The replacement of ``value``."""
        return self.operator.fn(value, scope, self.params)


SpecLike = str | Mapping[str, Any] | MethodSpec
MethodsLike = Mapping[str, SpecLike]


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_input=False):
        parts.append(f"{'.'.join(str(p) for p in err['loc']) or 'parameters'}: {err['msg']}")
    return "; ".join(parts)


def configure_method(spec: SpecLike, *, where: str = "method") -> MethodSpec:
    """Validate a method given as ``"mask"``, ``{"method": "mask", "char": "#"}`` or a `MethodSpec`.

    Raises:
        ProtectError: unknown method (the message lists the known ones) or bad parameters (says which).
    """
    if isinstance(spec, MethodSpec):
        return spec
    if isinstance(spec, str):
        name, options = spec, {}
    elif isinstance(spec, Mapping):
        options = dict(spec)
        name = options.pop("method", None)
        if not isinstance(name, str):
            raise ProtectError(f"{where}: a method mapping needs a 'method' name; known: {', '.join(OPERATORS)}")
    else:
        raise ProtectError(f"{where}: a method is a name or a mapping, not {type(spec).__name__}")
    operator = OPERATORS.get(name)
    if operator is None:
        raise ProtectError(f"{where}: unknown method {name!r}; known methods: {', '.join(OPERATORS)}")
    try:
        params = operator.params.model_validate(options)
    except ValidationError as exc:
        raise ProtectError(f"{where}: bad parameters for {name}: {_describe(exc)}") from None
    return MethodSpec(operator, params)


@dataclass(frozen=True, slots=True)
class MethodTable:
    """Which method protects which entity type, with a default for the rest."""

    default: MethodSpec
    by_type: Mapping[str, MethodSpec] = field(default_factory=dict)

    def for_type(self, entity_type: str) -> MethodSpec:
        """The method for ``entity_type``; a default that does not support the type falls back to redact."""
        spec = self.by_type.get(entity_type)
        if spec is not None:
            return spec
        types = self.default.operator.types
        if types is not None and entity_type not in types:
            return _REDACT
        return self.default

    @property
    def keyed(self) -> bool:
        """Whether any method here needs key material."""
        return self.default.operator.keyed or any(s.operator.keyed for s in self.by_type.values())

    def specs(self) -> list[MethodSpec]:
        """Every configured method (default first)."""
        return [self.default, *self.by_type.values()]


_REDACT = MethodSpec(REDACT, REDACT.params())


def configure_methods(methods: MethodsLike | MethodTable | None = None, default: SpecLike = "redact") -> MethodTable:
    """Build a `MethodTable` from ``{"EMAIL_ADDRESS": "mask", ...}`` (a ``"default"`` key overrides ``default``).

    Raises:
        ProtectError: unknown entity type or method, bad parameters, or a method that cannot handle a type
            it was assigned (generalize on a person name).
    """
    if isinstance(methods, MethodTable):
        return methods
    raw = dict(methods or {})
    default_spec = configure_method(raw.pop("default", default), where="default")
    by_type: dict[str, MethodSpec] = {}
    for entity_type, spec in raw.items():
        if entity_type not in ENTITY_TYPES:
            raise ProtectError(f"unknown entity type {entity_type!r}; known types: {', '.join(sorted(ENTITY_TYPES))}")
        configured = configure_method(spec, where=entity_type)
        types = configured.operator.types
        if types is not None and entity_type not in types:
            raise ProtectError(f"{entity_type}: method {configured.name} supports only {', '.join(sorted(types))}")
        by_type[entity_type] = configured
    return MethodTable(default_spec, by_type)
