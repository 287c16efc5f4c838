"""The effective policy of one tenant: every section merged and expanded, ready for the hot path.

Resolution happens once, when the policy loads; what is left here are lookups: the method per destination and
type, the decision for a set of entities, whether a role may get an original back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from coatcheck.entities import Sensitivity
from coatcheck.errors import PolicyError, PolicyViolation
from coatcheck.policy.model import MethodRule

if TYPE_CHECKING:
    from coatcheck.detect.engine import Detector
    from coatcheck.detect.types import Entity
    from coatcheck.policy.model import CustomRecognizer, FieldRule, Grant, Policy, Response, Review
    from coatcheck.protect.base import KeyMaterial, VaultLike
    from coatcheck.protect.protector import Protector
    from coatcheck.protect.registry import MethodSpec as ProtectMethodSpec
    from coatcheck.protect.registry import MethodTable

__all__ = ["Decision", "DestinationRules", "EffectivePolicy", "effective_policy", "selects"]

Action = Literal["allow", "block", "review"]


def selects(selectors: Iterable[str], entity_type: str, sensitivity: Sensitivity) -> str | None:
    """The first selector that names ``entity_type`` or its class, or None."""
    for selector in selectors:
        if selector == entity_type or selector == str(sensitivity):
            return selector
    return None


@dataclass(frozen=True, slots=True)
class DestinationRules:
    """The method rules of one destination, most derived tenant first, then the fallback default.

    A type takes the first layer that names it or its class; explicit rules of a tenant thus win over its
    parent's, and the default only covers what no layer names.
    """

    layers: tuple[Mapping[str, MethodRule], ...]
    default: MethodRule

    def resolve(self, entity_type: str, sensitivity: Sensitivity) -> tuple[MethodRule, int, str]:
        """The method, the layer index it came from (-1: default) and the selector that chose it.

        A class rule whose operator cannot handle the type (generalize on a name) does not apply to it; a
        default that cannot handle it gives redact, as `coatcheck.protect.MethodTable` does.
        """
        for index, layer in enumerate(self.layers):
            for key in (entity_type, str(sensitivity)):
                rule = layer.get(key)
                if rule is not None and rule.supports(entity_type):
                    return rule, index, key
        if self.default.supports(entity_type):
            return self.default, -1, "default"
        return redact(), -1, "default"


@lru_cache(maxsize=1)
def redact() -> MethodRule:
    """The fallback method: a numbered placeholder."""
    return MethodRule.model_validate("redact")


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy decided for one text or record.

    Attributes:
        action: ``block`` wins over ``review``, which wins over ``allow``.
        entity_types: the types behind the action (for ``allow``: every type found), sorted.
        reasons: one line per cause, naming types, classes, scores and rules; never values.
        observe: the policy is in observe mode, so the action is reported but not applied.
    """

    action: Action
    entity_types: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    observe: bool = False

    def raise_if_blocked(self) -> None:
        """Raise `PolicyViolation` for an enforced block; do nothing otherwise."""
        if self.action == "block" and not self.observe:
            raise PolicyViolation("; ".join(self.reasons) or "blocked by policy", self.entity_types)


@dataclass(frozen=True, eq=False)
class EffectivePolicy:
    """One tenant's merged policy. Build it with `effective_policy`; treat it as read-only."""

    tenant: str | None
    lineage: tuple[str, ...]
    mode: str
    profile: str
    min_score: float | None
    thresholds: Mapping[str, float]
    allow: tuple[str, ...] = field(repr=False)
    deny: Mapping[str, str] = field(repr=False)
    recognizers: tuple[CustomRecognizer, ...]
    classification: Mapping[str, Sensitivity]
    destination_rules: Mapping[str, DestinationRules]
    destinations: Mapping[str, Mapping[str, MethodRule]]
    fields: tuple[FieldRule, ...]
    block: tuple[str, ...]
    review: Review | None
    response: Response
    retention_request: int
    retention_persistent: int | None
    access: tuple[Grant, ...]
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _detector_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __repr__(self) -> str:
        return f"EffectivePolicy(tenant={self.tenant!r}, lineage={self.lineage!r}, mode={self.mode!r})"

    @property
    def is_observe(self) -> bool:
        """True when the policy only detects, audits and reports, and changes nothing."""
        return self.mode == "observe"

    def sensitivity(self, entity_type: str) -> Sensitivity:
        """The class of a type under this policy; unknown types count as regulated (fail closed)."""
        return self.classification.get(entity_type, Sensitivity.REGULATED)

    def threshold_for(self, entity_type: str) -> float:
        """The minimum score a detection of ``entity_type`` needs under this policy."""
        from coatcheck.detect.engine import DEFAULT_THRESHOLD

        default = self.min_score if self.min_score is not None else DEFAULT_THRESHOLD
        return self.thresholds.get(entity_type, default)

    def detector(self) -> Detector:
        """The detector this policy configures, built once and shared (it is thread-safe)."""
        with self._detector_lock:  # loading a model can take seconds: other lookups need not wait
            detector = self._cache.get("detector")
            if detector is None:
                detector = self._cache["detector"] = self._build_detector()
        return detector

    def _build_detector(self) -> Detector:
        from coatcheck.detect.engine import DEFAULT_THRESHOLD, Detector
        from coatcheck.detect.types import Recognizer
        from coatcheck.policy._registry import validator

        rows = [
            Recognizer(
                name=r.name,
                entity=r.entity,
                pattern=r.pattern,
                score=r.score,
                validator=validator(r.validator) if r.validator else None,
                context=tuple(w.lower() for w in r.context),
                negative_context=tuple(w.lower() for w in r.negative_context),
                context_boost=r.context_boost,
                window=r.window,
                examples=tuple(r.examples),
                counterexamples=tuple(r.counterexamples),
                case_insensitive=r.case_insensitive,
            )
            for r in self.recognizers
        ]
        return Detector(
            self.profile,  # type: ignore[arg-type]  # checked at load: fast | accurate
            thresholds=self.thresholds,
            default_threshold=self.min_score if self.min_score is not None else DEFAULT_THRESHOLD,
            allow=self.allow,
            deny=self.deny,
            recognizers=rows,
        )

    def decide(self, entities: Iterable[Entity]) -> Decision:
        """Block, review or allow, from the detected entities (already above their thresholds)."""
        found = list(entities)
        blocked: dict[str, str] = {}
        reviewed: dict[str, str] = {}
        for entity in found:
            sensitivity = self.sensitivity(entity.type)
            rule = selects(self.block, entity.type, sensitivity)
            if rule is not None:
                blocked.setdefault(entity.type, f"{entity.type} ({sensitivity}) is blocked by decisions.block: {rule}")
                continue
            review = self.review
            if review is None or not review.low <= entity.score < review.high:
                continue
            if review.targets and selects(review.targets, entity.type, sensitivity) is None:
                continue
            reviewed.setdefault(
                entity.type,
                f"{entity.type} score {entity.score:.2f} lies in the review band [{review.low:g}, {review.high:g})",
            )
        if blocked:
            return Decision(
                "block", tuple(sorted(blocked)), tuple(blocked[t] for t in sorted(blocked)), self.is_observe
            )
        if reviewed:
            return Decision(
                "review", tuple(sorted(reviewed)), tuple(reviewed[t] for t in sorted(reviewed)), self.is_observe
            )
        types = tuple(sorted({e.type for e in found}))
        reason = "no block or review rule matched" if types else "nothing detected"
        return Decision("allow", types, (reason,), self.is_observe)

    def destination_names(self) -> tuple[str, ...]:
        """Every destination of this policy: the built-in ones first, then user-defined ones."""
        return tuple(self.destinations)

    def rules_for(self, destination: str) -> Mapping[str, MethodRule]:
        """The method rule (name and parameters, as declared) for every entity type, for one destination."""
        try:
            return self.destinations[destination]
        except KeyError:
            raise PolicyError(
                f"unknown destination {destination!r}; destinations: {', '.join(self.destinations)}"
            ) from None

    def methods_for(self, destination: str) -> Mapping[str, ProtectMethodSpec]:
        """The configured operator for every entity type, for one destination (ready to apply)."""
        rules = self.rules_for(destination)
        with self._lock:
            key = f"methods:{destination}"
            methods = self._cache.get(key)
            if methods is None:
                methods = self._cache[key] = MappingProxyType({name: rule.spec for name, rule in rules.items()})
        return methods

    def method_table(self, destination: str) -> MethodTable:
        """The `coatcheck.protect.MethodTable` of a destination, for `protect_text`; built once and shared.

        Types outside the taxonomy get the method of the regulated class (fail closed).
        """
        methods = self.methods_for(destination)
        with self._lock:
            key = f"table:{destination}"
            table = self._cache.get(key)
            if table is None:
                from coatcheck.protect.registry import MethodTable

                fallback = self.destination_rules[destination].resolve("", Sensitivity.REGULATED)[0]
                table = self._cache[key] = MethodTable(fallback.spec, dict(methods))
        return table

    def protector(
        self,
        destination: str,
        *,
        keyring: KeyMaterial | None = None,
        vault: VaultLike | None = None,
        session: str | None = None,
        persistent: bool = False,
    ) -> Protector:
        """A `coatcheck.protect.Protector` for one destination: this policy's detector and methods, its tenant,
        and vault entries that live as long as the policy's retention says (request-scoped unless persistent).

        Raises:
            MissingKeyError: the destination uses a keyed method (hash, encrypt, tokenize, surrogate) and no
                keyring was given.
        """
        from coatcheck.protect.context import ProtectContext
        from coatcheck.protect.protector import Protector

        tenant = self.tenant or "default"
        ttl = self.retention_persistent if persistent else self.retention_request
        context = ProtectContext(keys=keyring, tenant=tenant, vault=vault, session=session, ttl=ttl)
        return Protector(
            keyring,
            tenant,
            self.method_table(destination),
            detector=self.detector(),
            profile=self.profile,  # type: ignore[arg-type]  # checked at load: fast | accurate
            session=session,
            context=context,
        )

    def method_for(self, destination: str, entity_type: str) -> MethodRule:
        """The method for one type; a type outside the taxonomy gets the most protective class's method."""
        rule = self.rules_for(destination).get(entity_type)
        if rule is None:
            rule = self.destination_rules[destination].resolve(entity_type, Sensitivity.REGULATED)[0]
        return rule

    def field_rule(self, path: Iterable[str | int]) -> FieldRule | None:
        """The last rule whose path matches a record field (``("patients", 0, "ssn")``), or None."""
        from coatcheck.policy._fields import match_field

        parts = tuple(path)
        match = None
        for rule in self.fields:
            if match_field(rule.path, parts):
                match = rule
        return match

    def response_action(self, entity_type: str) -> str:
        """What to do when a model's output holds ``entity_type`` that the request did not contain."""
        if selects(self.response.targets, entity_type, self.sensitivity(entity_type)) is None:
            return "allow"
        return self.response.action

    def can_reidentify(self, role: str, entity_type: str, purpose: str) -> bool:
        """May ``role`` get originals of ``entity_type`` back (detokenize, resolve surrogates) for ``purpose``?"""
        return self._granted("reidentify", role, entity_type, purpose)

    def can_decrypt(self, role: str, entity_type: str, purpose: str) -> bool:
        """May ``role`` decrypt values of ``entity_type`` for ``purpose``?"""
        return self._granted("decrypt", role, entity_type, purpose)

    def _granted(self, action: str, role: str, entity_type: str, purpose: str) -> bool:
        sensitivity = self.sensitivity(entity_type)
        return any(
            grant.role == role
            and action in grant.may
            and purpose in grant.purposes
            and selects(grant.targets, entity_type, sensitivity) is not None
            for grant in self.access
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view for review and `policy check` (allow/deny values are counted, not shown)."""
        return {
            "tenant": self.tenant,
            "lineage": list(self.lineage),
            "mode": self.mode,
            "detection": {
                "profile": self.profile,
                "min_score": self.min_score,
                "thresholds": dict(sorted(self.thresholds.items())),
                "allow_values": len(self.allow),
                "deny_values": len(self.deny),
                "recognizers": [f"{r.name} -> {r.entity}" for r in self.recognizers],
            },
            "classification": {t: str(s) for t, s in self.classification.items()},
            "destinations": {d: {t: str(m) for t, m in ms.items()} for d, ms in self.destinations.items()},
            "fields": [r.model_dump(exclude_defaults=True) for r in self.fields],
            "decisions": {
                "block": list(self.block),
                "review": self.review.model_dump() if self.review else None,
            },
            "response": self.response.model_dump(),
            "retention": {"request": self.retention_request, "persistent": self.retention_persistent},
            "access": [g.model_dump() for g in self.access],
        }


def effective_policy(policy: Policy, tenant: str | None = None) -> EffectivePolicy:
    """The merged policy for ``tenant`` (None: the base policy).

    Raises:
        PolicyError: the tenant is not defined in this policy.
    """
    resolved: Mapping[str | None, EffectivePolicy] = policy._resolved
    try:
        return resolved[tenant]
    except KeyError:
        names = ", ".join(policy.tenant_names()) or "(none)"
        raise PolicyError(f"unknown tenant {tenant!r}; tenants in this policy: {names}") from None
