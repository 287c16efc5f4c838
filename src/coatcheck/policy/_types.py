"""Validated scalar types of the policy model, each with an error that says what is allowed.

A *selector* names either one entity type (UPPER_SNAKE, from `coatcheck.entities`) or a whole sensitivity
class (lowercase), so rules can target ``regulated`` instead of listing every regulated type.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from coatcheck.entities import ENTITY_TYPES, Sensitivity
from coatcheck.policy._registry import did_you_mean, method_names

__all__ = [
    "BUILTIN_DESTINATIONS",
    "CLASS_NAMES",
    "NAME_KEYS",
    "SELECTOR_KEYS",
    "TYPE_KEYS",
    "AccessAction",
    "ClassName",
    "DestinationName",
    "Duration",
    "EntityTypeName",
    "MethodName",
    "Mode",
    "Name",
    "OptionalDuration",
    "Profile",
    "ResponseAction",
    "Score",
    "Selector",
    "fail",
]

CLASS_NAMES: tuple[str, ...] = tuple(str(s) for s in Sensitivity)
BUILTIN_DESTINATIONS: tuple[str, ...] = ("llm", "logs", "dashboard", "compliance", "training", "embeddings")
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_DURATION = re.compile(r"(\d+)\s*([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def fail(message: str, at: tuple[str | int, ...] = ()) -> PydanticCustomError:
    """A validation error with a literal message; ``at`` extends the location below the failing object."""
    return PydanticCustomError("policy", "{message}", {"message": message, "at": at})


def _type_list() -> str:
    return ", ".join(sorted(ENTITY_TYPES))


def _check_type(value: str) -> str:
    if value not in ENTITY_TYPES:
        hint = did_you_mean(value, ENTITY_TYPES)
        raise fail(f"unknown entity type {value!r}{hint}; known types: {_type_list()}")
    return value


def _check_class(value: str) -> str:
    if value not in CLASS_NAMES:
        hint = did_you_mean(value, CLASS_NAMES)
        raise fail(f"unknown class {value!r}{hint}; classes: {', '.join(CLASS_NAMES)}")
    return value


def _check_selector(value: str) -> str:
    if value in ENTITY_TYPES or value in CLASS_NAMES:
        return value
    if value.isupper():
        return _check_type(value)
    if value.islower():
        return _check_class(value)
    raise fail(f"{value!r} is neither an entity type (UPPER_SNAKE, e.g. US_SSN) nor a class ({', '.join(CLASS_NAMES)})")


def _check_score(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise fail(f"score {value!r} is out of range; scores and thresholds lie between 0 and 1")
    return value


def _check_method(value: str) -> str:
    names = method_names()
    if value not in names:
        raise fail(f"unknown method {value!r}{did_you_mean(value, names)}; methods: {', '.join(names)}")
    return value


def _check_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise fail(f"invalid name {value!r}; use lowercase letters, digits, '_' or '-', starting with a letter")
    return value


def _choice(*allowed: str) -> Any:
    def check(value: str) -> str:
        if value not in allowed:
            raise fail(f"{value!r} is not allowed; choose one of: {', '.join(allowed)}")
        return value

    return AfterValidator(check)


def _parse_duration(value: object) -> object:
    if isinstance(value, bool):
        raise fail("a duration is a number of seconds or a string such as 30s, 15m, 12h, 90d")
    if isinstance(value, str):
        match = _DURATION.fullmatch(value.strip())
        if match is None:
            raise fail(f"invalid duration {value!r}; write a number of seconds or e.g. 30s, 15m, 12h, 90d")
        value = int(match.group(1)) * _UNITS[match.group(2)]
    if isinstance(value, int) and value <= 0:
        raise fail("a duration must be positive")
    return value


def _parse_optional_duration(value: object) -> object:
    return None if value == "never" else _parse_duration(value)


_DURATION_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^\d+\s*[smhd]$"}]
}

EntityTypeName = Annotated[str, AfterValidator(_check_type), WithJsonSchema({"enum": sorted(ENTITY_TYPES)})]
ClassName = Annotated[str, AfterValidator(_check_class), WithJsonSchema({"enum": list(CLASS_NAMES)})]
Selector = Annotated[
    str,
    AfterValidator(_check_selector),
    WithJsonSchema({"enum": [*sorted(ENTITY_TYPES), *CLASS_NAMES]}),
]
Score = Annotated[float, AfterValidator(_check_score), WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1})]
MethodName = Annotated[str, AfterValidator(_check_method), WithJsonSchema({"enum": list(method_names())})]
Name = Annotated[str, AfterValidator(_check_name), WithJsonSchema({"type": "string", "pattern": f"^{_NAME.pattern}$"})]
DestinationName = Name
Mode = Annotated[str, _choice("enforce", "observe"), WithJsonSchema({"enum": ["enforce", "observe"]})]
Profile = Annotated[str, _choice("fast", "accurate"), WithJsonSchema({"enum": ["fast", "accurate"]})]
ResponseAction = Annotated[
    str, _choice("redact", "mask", "block", "allow"), WithJsonSchema({"enum": ["redact", "mask", "block", "allow"]})
]
AccessAction = Annotated[str, _choice("decrypt", "reidentify"), WithJsonSchema({"enum": ["decrypt", "reidentify"]})]
# JSON Schema of mapping keys, for editors (pydantic does not derive them from annotated key types).
SELECTOR_KEYS: dict[str, Any] = {"propertyNames": {"enum": [*sorted(ENTITY_TYPES), *CLASS_NAMES]}}
TYPE_KEYS: dict[str, Any] = {"propertyNames": {"enum": sorted(ENTITY_TYPES)}}
NAME_KEYS: dict[str, Any] = {"propertyNames": {"pattern": f"^{_NAME.pattern}$"}}
Duration = Annotated[int, BeforeValidator(_parse_duration), WithJsonSchema(_DURATION_SCHEMA)]
OptionalDuration = Annotated[
    int | None,
    BeforeValidator(_parse_optional_duration),
    WithJsonSchema({"anyOf": [*_DURATION_SCHEMA["anyOf"], {"const": "never"}]}),
]
