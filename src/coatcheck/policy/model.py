"""The policy file as a pydantic model: strict types, unknown keys rejected, every check done once at load.

One YAML document, reviewed like code, says what is sensitive, what each destination may see, how sure the
detector must be and who may get originals back. The same object drives the library, CLI, batch and gateway.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, ClassVar

import re2
from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler, PrivateAttr, ValidationError, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import PolicyError
from coatcheck.policy import _registry
from coatcheck.policy._fields import check_path
from coatcheck.policy._types import (
    NAME_KEYS,
    SELECTOR_KEYS,
    TYPE_KEYS,
    AccessAction,
    ClassName,
    DestinationName,
    Duration,
    EntityTypeName,
    MethodName,
    Mode,
    Name,
    OptionalDuration,
    Profile,
    ResponseAction,
    Score,
    Selector,
    fail,
)
from coatcheck.protect.registry import MethodSpec as ProtectMethodSpec

__all__ = [
    "CustomRecognizer",
    "Decisions",
    "Destination",
    "Detection",
    "FieldRule",
    "Grant",
    "MethodRule",
    "Policy",
    "Response",
    "Retention",
    "Review",
    "Tenant",
]

_EXAMPLE = re.compile(r"«([^»]*)»")


class _Section(BaseModel):
    """Strict, frozen, closed: an unknown key is an error that lists the allowed ones."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    _kind: ClassVar[str] = "section"

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict):
            raise fail(f"expected a mapping with fields {cls._allowed()}, got {_kind_of(data)}")
        allowed = set(cls.model_fields)
        for key in data:
            if key not in allowed:
                hint = _registry.did_you_mean(str(key), allowed)
                raise fail(f"unknown field {key!r}{hint}; allowed here: {cls._allowed()}", (key,))
        return data

    @classmethod
    def _allowed(cls) -> str:
        return ", ".join(cls.model_fields)


def _kind_of(data: object) -> str:
    names = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return "nothing" if data is None else names.get(type(data), type(data).__name__)


class MethodRule(_Section):
    """A protection method with its parameters, written inline as in `coatcheck.protect`.

    In YAML either a bare name (``mask``) or a mapping (``{method: mask, visible: 4}``); the parameters are
    validated once, here, by the operator's own parameter model.
    """

    method: MethodName
    params: dict[str, Any] = Field(default_factory=dict)
    _spec: ProtectMethodSpec | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _inline(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"method": data}
        if isinstance(data, dict) and "method" in data and set(data) != {"method", "params"}:
            params = {k: v for k, v in data.items() if k != "method"}
            return {"method": data["method"], "params": params}
        return data

    @model_validator(mode="after")
    def _configure(self) -> MethodRule:
        operator = _registry.operator(self.method)
        try:
            params = operator.params.model_validate(self.params)
        except ValidationError as exc:
            error = exc.errors(include_url=False, include_input=False)[0]
            name = ".".join(str(p) for p in error["loc"])
            allowed = ", ".join(operator.params.model_fields) or "none"
            raise fail(
                f"{self.method}: parameter {name!r}: {error['msg']}; parameters of {self.method}: {allowed}",
                tuple(str(p) for p in error["loc"][:1]),
            ) from None
        self._spec = ProtectMethodSpec(operator, params)
        return self

    @property
    def spec(self) -> ProtectMethodSpec:
        """The configured operator, ready for `coatcheck.protect.protect_text`."""
        if self._spec is None:  # pragma: no cover - set by validation
            raise PolicyError("method rule was not validated")
        return self._spec

    def supports(self, entity_type: str) -> bool:
        """Whether the operator can protect values of ``entity_type`` (generalize handles only some)."""
        types = self.spec.operator.types
        return types is None or entity_type in types

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        forms: list[JsonSchemaValue] = [{"enum": list(_registry.method_names())}]
        for name in _registry.method_names():
            params = _registry.operator(name).params.model_json_schema()
            properties = {"method": {"const": name}, **params.get("properties", {})}
            forms.append(
                {"type": "object", "properties": properties, "required": ["method"], "additionalProperties": False}
            )
        return {"anyOf": forms}

    def __str__(self) -> str:
        if not self.params:
            return self.method
        return f"{self.method}({', '.join(f'{k}={v!r}' for k, v in sorted(self.params.items()))})"


def _check_supported(methods: dict[str, MethodRule], at: tuple[str, ...]) -> None:
    for key, rule in methods.items():
        if key in ENTITY_TYPES and not rule.supports(key):
            types = ", ".join(sorted(rule.spec.operator.types or ()))
            raise fail(f"method {rule.method!r} cannot protect {key}; it supports only {types}", (*at, key))


class CustomRecognizer(_Section):
    """A recognizer declared as data; its pattern compiles in RE2 and its examples are checked at load."""

    name: Name
    entity: EntityTypeName
    pattern: str = Field(min_length=1)
    score: Score
    validator: str | None = None
    context: list[str] = Field(default_factory=list)
    negative_context: list[str] = Field(default_factory=list)
    context_boost: Score = 0.35
    window: int = Field(default=48, ge=1, le=1000)
    examples: list[str] = Field(default_factory=list, repr=False)
    counterexamples: list[str] = Field(default_factory=list, repr=False)
    case_insensitive: bool = False

    @model_validator(mode="after")
    def _check(self) -> CustomRecognizer:
        if self.name in _registry.builtin_recognizer_names():
            raise fail(f"recognizer name {self.name!r} is taken by a built-in recognizer", ("name",))
        regex = self.compiled()
        check = None
        if self.validator is not None:
            names = _registry.validator_names()
            if self.validator not in names:
                hint = _registry.did_you_mean(self.validator, names)
                raise fail(
                    f"unknown validator {self.validator!r}{hint}; validators: {', '.join(names) or '(none)'}",
                    ("validator",),
                )
            check = _registry.validator(self.validator)
        group = int(regex.groupindex.get("value", 0))
        for index, example in enumerate(self.examples):
            marked = _EXAMPLE.search(example)
            if marked is None:
                raise fail("an example must mark the expected value between « and »", ("examples", index))
            text = _EXAMPLE.sub(lambda m: m.group(1), example)
            start = marked.start()
            span = (start, start + len(marked.group(1)))
            if not any(m.span(group) == span for m in regex.finditer(text)):
                raise fail(
                    f"recognizer {self.name!r}: the pattern does not match the marked value", ("examples", index)
                )
            if check is not None and not check(marked.group(1)):
                raise fail(f"recognizer {self.name!r}: the validator rejects the marked value", ("examples", index))
        for index, text in enumerate(self.counterexamples):
            if any(check is None or check(m.group(group)) for m in regex.finditer(text)):
                raise fail(f"recognizer {self.name!r}: a counterexample matches", ("counterexamples", index))
        return self

    def compiled(self) -> Any:
        """The RE2 program (the detector compiles its own copy; this one checks the syntax)."""
        options = re2.Options()
        options.log_errors = False
        options.case_sensitive = not self.case_insensitive
        try:
            return re2.compile(self.pattern, options)
        except re2.error as exc:
            reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
            raise fail(f"pattern does not compile in RE2: {reason}", ("pattern",)) from None


class Detection(_Section):
    """How sure the detector must be, and what it must never or always report."""

    profile: Profile | None = None
    min_score: Score | None = None
    thresholds: dict[Selector, Score] = Field(default_factory=dict, json_schema_extra=SELECTOR_KEYS)
    allow: list[str] = Field(default_factory=list, repr=False)
    deny: dict[str, EntityTypeName] = Field(default_factory=dict, repr=False)
    recognizers: list[CustomRecognizer] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> Detection:
        seen: set[str] = set()
        for index, row in enumerate(self.recognizers):
            if row.name in seen:
                raise fail(f"recognizer name {row.name!r} is used twice", ("recognizers", index, "name"))
            seen.add(row.name)
        return self


class Destination(_Section):
    """The method per entity type or class for one destination; ``default`` covers the rest (redact)."""

    default: MethodRule | None = None
    methods: dict[Selector, MethodRule] = Field(default_factory=dict, json_schema_extra=SELECTOR_KEYS)

    @model_validator(mode="after")
    def _supported(self) -> Destination:
        _check_supported(self.methods, ("methods",))
        return self


class FieldRule(_Section):
    """A rule for one field path of structured data (``patient.ssn``, ``contacts[].email``, ``*.notes``).

    ``entity`` declares the whole value to be that type (no detection); ``scan: false`` leaves the field as
    is; ``destinations`` overrides the method per destination for this field.
    """

    path: str
    entity: EntityTypeName | None = None
    scan: bool = True
    destinations: dict[DestinationName, MethodRule] = Field(default_factory=dict, json_schema_extra=NAME_KEYS)

    @model_validator(mode="after")
    def _check_path(self) -> FieldRule:
        problem = check_path(self.path)
        if problem is not None:
            raise fail(problem, ("path",))
        if self.entity is not None:
            for name, rule in self.destinations.items():
                if not rule.supports(self.entity):
                    raise fail(f"method {rule.method!r} cannot protect {self.entity}", ("destinations", name))
        return self


class Review(_Section):
    """Send for human review when a detection's score lies in ``[low, high)``."""

    low: Score
    high: Score
    targets: list[Selector] = Field(default_factory=list)

    @model_validator(mode="after")
    def _order(self) -> Review:
        if not self.low < self.high:
            raise fail(
                f"review thresholds in the wrong order: low ({self.low:g}) must be below high ({self.high:g})",
                ("low",),
            )
        return self


class Decisions(_Section):
    """Block when listed types or classes are present; review uncertain detections; allow otherwise."""

    block: list[Selector] = Field(default_factory=list)
    review: Review | None = None


class Response(_Section):
    """What to do with data of ``targets`` in a model's output that was not in the request."""

    action: ResponseAction = "redact"
    targets: list[Selector] = Field(default_factory=lambda: ["personal", "sensitive", "regulated"])


class Retention(_Section):
    """How long vault entries live: request-scoped (a conversation) and persistent (``never`` = no expiry)."""

    request: Duration = 3600
    persistent: OptionalDuration = 90 * 86400


class Grant(_Section):
    """Who (``role``) may ``decrypt`` or ``reidentify`` which ``targets``, for which ``purposes``."""

    role: Name
    may: list[AccessAction] = Field(min_length=1)
    targets: list[Selector] = Field(min_length=1)
    purposes: list[Name] = Field(min_length=1)


class Tenant(_Section):
    """Overrides for one tenant, applied over its parent (``extends``) or the base policy.

    Thresholds, allow/deny lists and classification merge key by key; recognizers, field rules and block
    targets add up; destinations merge per selector and may only be stricter (never clear text where the
    parent protects); mode, review, response, retention and access replace the parent's.
    """

    name: Name
    extends: Name | None = None
    mode: Mode | None = None
    detection: Detection | None = None
    classification: dict[EntityTypeName, ClassName] = Field(default_factory=dict, json_schema_extra=TYPE_KEYS)
    destinations: dict[DestinationName, Destination] = Field(default_factory=dict, json_schema_extra=NAME_KEYS)
    fields: list[FieldRule] = Field(default_factory=list)
    decisions: Decisions | None = None
    response: Response | None = None
    retention: Retention | None = None
    access: list[Grant] | None = None


class Policy(_Section):
    """A whole policy: the base sections plus tenants.

    Build one with `coatcheck.policy.load_policy` (which names file and line in errors), `Policy.default()`,
    or `Policy.model_validate(mapping)`. Then ask `effective_policy(policy, tenant)` for the merged view.
    """

    version: int = 1
    description: str = ""
    mode: Mode = "enforce"
    detection: Detection = Field(default_factory=Detection)
    classification: dict[EntityTypeName, ClassName] = Field(default_factory=dict, json_schema_extra=TYPE_KEYS)
    destinations: dict[DestinationName, Destination] = Field(default_factory=dict, json_schema_extra=NAME_KEYS)
    fields: list[FieldRule] = Field(default_factory=list)
    decisions: Decisions = Field(default_factory=Decisions)
    response: Response = Field(default_factory=Response)
    retention: Retention = Field(default_factory=Retention)
    access: list[Grant] = Field(default_factory=list)
    tenants: list[Tenant] = Field(default_factory=list)

    _resolved: dict[str | None, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _resolve_tenants(self) -> Policy:
        from coatcheck.policy._resolve import resolve_all

        if self.version != 1:
            raise fail(f"unsupported policy version {self.version}; this coatcheck reads version 1", ("version",))
        self._resolved.update(resolve_all(self))
        return self

    @classmethod
    def default(cls) -> Policy:
        """The safe policy used when no file is given.

        Enforce mode; credentials and government or financial identifiers never reach the model, logs or
        embeddings in clear; personal data is tokenized for the model and masked for people.
        """
        return _default_policy()

    def tenant_names(self) -> tuple[str, ...]:
        """The tenants this policy defines, in file order."""
        return tuple(t.name for t in self.tenants)


@lru_cache(maxsize=1)
def _default_policy() -> Policy:
    from coatcheck.policy._defaults import DEFAULT_POLICY

    return Policy.model_validate(DEFAULT_POLICY)  # frozen, so one shared instance is safe
