"""What a policy may name: protection methods and validators, looked up in their real registries.

The policy refers to operators and validators by name only; this module is the one place that turns a name into
the real object, so a policy is checked against exactly what the library will run.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from coatcheck.protect.base import Operator
from coatcheck.protect.registry import OPERATORS

__all__ = [
    "builtin_recognizer_names",
    "did_you_mean",
    "method_names",
    "operator",
    "validator",
    "validator_names",
]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a close choice exists, else empty."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def method_names() -> tuple[str, ...]:
    """The protection methods a policy may use, sorted."""
    return tuple(sorted(OPERATORS))


def operator(name: str) -> Operator[Any]:
    """The operator called ``name`` (checked against `method_names` when the policy loaded)."""
    return OPERATORS[name]


@lru_cache(maxsize=1)
def _validators() -> Mapping[str, Callable[[str], bool]]:
    module = importlib.import_module("coatcheck.detect.validators")
    registry = getattr(module, "VALIDATORS", None)
    if isinstance(registry, Mapping):
        return dict(registry)
    # Only the `str -> bool` checks; helpers such as shannon_entropy return numbers.
    return {
        name: fn
        for name in getattr(module, "__all__", ())
        if callable(fn := getattr(module, name, None))
        and getattr(fn, "__annotations__", {}).get("return") in ("bool", bool)
    }


def validator_names() -> tuple[str, ...]:
    """The validators a custom recognizer may name, sorted."""
    return tuple(sorted(_validators()))


def validator(name: str) -> Callable[[str], bool]:
    """The validator function called ``name`` (checked when the policy loaded)."""
    return _validators()[name]


@lru_cache(maxsize=1)
def builtin_recognizer_names() -> frozenset[str]:
    """Names of the built-in recognizers: a policy's own recognizers must use other names."""
    try:
        module = importlib.import_module("coatcheck.detect.recognizers")
    except ModuleNotFoundError as exc:
        if exc.name == "coatcheck.detect.recognizers":
            return frozenset()
        raise
    return frozenset(row.name for row in getattr(module, "BUILTIN_RECOGNIZERS", ()))
