"""Merge the base policy and its tenants into one `EffectivePolicy` each, checking what needs the whole file.

Runs once, inside `Policy` validation, so a duplicate tenant, an inheritance cycle or a tenant that would loosen
its parent fails at load with the location of the offending entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from coatcheck.entities import ENTITY_TYPES, Sensitivity
from coatcheck.policy._types import BUILTIN_DESTINATIONS, fail
from coatcheck.policy.effective import DestinationRules, EffectivePolicy, redact

if TYPE_CHECKING:
    from coatcheck.policy._yaml import Path
    from coatcheck.policy.model import (
        CustomRecognizer,
        Destination,
        FieldRule,
        Grant,
        MethodRule,
        Policy,
        Response,
        Retention,
        Review,
        Tenant,
    )

__all__ = ["resolve_all"]


@lru_cache(maxsize=1)
def _builtin_destinations() -> dict[str, Destination]:
    from coatcheck.policy._defaults import DEFAULT_POLICY
    from coatcheck.policy.model import Destination

    specs = DEFAULT_POLICY["destinations"]
    return {name: Destination.model_validate(specs[name]) for name in BUILTIN_DESTINATIONS}


def _rules(destination: Destination, parent: DestinationRules | None = None) -> DestinationRules:
    layers = (destination.methods,) if destination.methods else ()
    if parent is None:
        return DestinationRules(layers, destination.default or redact())
    return DestinationRules((*layers, *parent.layers), destination.default or parent.default)


@dataclass
class _State:
    """The policy while it is being merged; copied before each tenant is applied."""

    label: str
    lineage: tuple[str, ...]
    mode: str
    profile: str
    min_score: float | None
    thresholds: dict[str, float]
    allow: list[str]
    deny: dict[str, str]
    recognizers: list[CustomRecognizer]
    classification: dict[str, Sensitivity]
    destinations: dict[str, DestinationRules]
    fields: dict[str, FieldRule]
    block: list[str]
    review: Review | None
    response: Response
    retention: Retention
    access: list[Grant]
    _expanded: dict[str, dict[str, MethodRule]] = field(default_factory=dict)

    @property
    def who(self) -> str:
        return "the base policy" if len(self.lineage) == 1 else f"tenant {self.label!r}"

    def copy(self, label: str) -> _State:
        return replace(
            self,
            label=label,
            lineage=(*self.lineage, label),
            thresholds=dict(self.thresholds),
            allow=list(self.allow),
            deny=dict(self.deny),
            recognizers=list(self.recognizers),
            classification=dict(self.classification),
            destinations=dict(self.destinations),
            fields=dict(self.fields),
            block=list(self.block),
            access=list(self.access),
            _expanded={},
        )

    def methods(self, destination: str) -> dict[str, MethodRule]:
        if destination not in self._expanded:
            rules = self.destinations[destination]
            self._expanded[destination] = {
                name: rules.resolve(name, self.classification[name])[0] for name in ENTITY_TYPES
            }
        return self._expanded[destination]

    def freeze(self, tenant: str | None) -> EffectivePolicy:
        thresholds: dict[str, float] = {}
        for name in ENTITY_TYPES:
            score = self.thresholds.get(name, self.thresholds.get(str(self.classification[name])))
            if score is not None:
                thresholds[name] = score
        return EffectivePolicy(
            tenant=tenant,
            lineage=self.lineage,
            mode=self.mode,
            profile=self.profile,
            min_score=self.min_score,
            thresholds=MappingProxyType(thresholds),
            allow=tuple(self.allow),
            deny=MappingProxyType(dict(self.deny)),
            recognizers=tuple(self.recognizers),
            classification=MappingProxyType(dict(self.classification)),
            destination_rules=MappingProxyType(dict(self.destinations)),
            destinations=MappingProxyType({d: MappingProxyType(self.methods(d)) for d in self.destinations}),
            fields=tuple(self.fields.values()),
            block=tuple(self.block),
            review=self.review,
            response=self.response,
            retention_request=self.retention.request,
            retention_persistent=self.retention.persistent,
            access=tuple(self.access),
        )


def _base(policy: Policy) -> _State:
    destinations = {name: _rules(spec) for name, spec in _builtin_destinations().items()}
    destinations.update({name: _rules(spec) for name, spec in policy.destinations.items()})
    classification = {name: row.sensitivity for name, row in ENTITY_TYPES.items()}
    classification.update({name: Sensitivity[value.upper()] for name, value in policy.classification.items()})
    detection = policy.detection
    state = _State(
        label="base",
        lineage=("base",),
        mode=policy.mode,
        profile=detection.profile or "accurate",
        min_score=detection.min_score,
        thresholds=dict(detection.thresholds),
        allow=list(detection.allow),
        deny=dict(detection.deny),
        recognizers=list(detection.recognizers),
        classification=classification,
        destinations=destinations,
        fields={rule.path: rule for rule in policy.fields},
        block=list(dict.fromkeys(policy.decisions.block)),
        review=policy.decisions.review,
        response=policy.response,
        retention=policy.retention,
        access=list(policy.access),
    )
    _check_field_destinations(state, policy.fields, ())
    return state


def _check_field_destinations(state: _State, rules: list[FieldRule], at: Path) -> None:
    for index, rule in enumerate(rules):
        for name in rule.destinations:
            if name not in state.destinations:
                raise fail(
                    f"field rule {rule.path!r} names unknown destination {name!r}; "
                    f"destinations: {', '.join(state.destinations)}",
                    (*at, "fields", index, "destinations", name),
                )


def _check_graph(policy: Policy) -> None:
    first: dict[str, int] = {}
    for index, tenant in enumerate(policy.tenants):
        if tenant.name in first:
            raise fail(
                f"duplicate tenant {tenant.name!r} (already defined by tenants[{first[tenant.name]}])",
                ("tenants", index, "name"),
            )
        first[tenant.name] = index
    for index, tenant in enumerate(policy.tenants):
        if tenant.extends is not None and tenant.extends not in first:
            raise fail(
                f"tenant {tenant.name!r} extends unknown tenant {tenant.extends!r}; tenants: {', '.join(first)}",
                ("tenants", index, "extends"),
            )
    parents = {t.name: t.extends for t in policy.tenants}
    for index, tenant in enumerate(policy.tenants):
        chain = [tenant.name]
        parent = tenant.extends
        while parent is not None:
            if parent in chain:
                cycle = [*chain[chain.index(parent) :], parent]
                raise fail(f"tenant inheritance cycle: {' -> '.join(cycle)}", ("tenants", index, "extends"))
            chain.append(parent)
            parent = parents[parent]


def _apply(parent: _State, tenant: Tenant, at: Path) -> _State:
    state = parent.copy(tenant.name)
    if tenant.mode is not None:
        state.mode = tenant.mode
    if tenant.detection is not None:
        _apply_detection(parent, state, tenant, at)
    for name, value in tenant.classification.items():
        raised = Sensitivity[value.upper()]
        if raised < parent.classification[name]:
            raise fail(
                f"tenant {tenant.name!r} may only raise the class of {name} "
                f"({parent.who}: {parent.classification[name]}), not lower it to {value}",
                (*at, "classification", name),
            )
        state.classification[name] = raised
    for name, destination in tenant.destinations.items():
        state.destinations[name] = _rules(destination, parent.destinations.get(name))
    for rule in tenant.fields:
        state.fields.pop(rule.path, None)
        state.fields[rule.path] = rule
    _check_field_destinations(state, tenant.fields, at)
    if tenant.decisions is not None:
        state.block = list(dict.fromkeys([*state.block, *tenant.decisions.block]))
        if tenant.decisions.review is not None:
            state.review = tenant.decisions.review
    state.response = tenant.response or state.response
    state.retention = tenant.retention or state.retention
    if tenant.access is not None:
        state.access = list(tenant.access)
    _check_stricter(parent, state, tenant, at)
    return state


def _apply_detection(parent: _State, state: _State, tenant: Tenant, at: Path) -> None:
    detection = tenant.detection
    if detection is None:
        return
    state.profile = detection.profile or state.profile
    if detection.min_score is not None:
        state.min_score = detection.min_score
    state.thresholds.update(detection.thresholds)
    state.allow = list(dict.fromkeys([*state.allow, *detection.allow]))
    state.deny.update(detection.deny)
    names = {r.name for r in state.recognizers}
    for index, row in enumerate(detection.recognizers):
        if row.name in names:
            raise fail(
                f"recognizer {row.name!r} is already defined by {parent.who}; tenants add recognizers under new names",
                (*at, "detection", "recognizers", index, "name"),
            )
        state.recognizers.append(row)


def _check_stricter(parent: _State, state: _State, tenant: Tenant, at: Path) -> None:
    for destination in parent.destinations:
        before = parent.methods(destination)
        rules = state.destinations[destination]
        for name in ENTITY_TYPES:
            spec, layer, key = rules.resolve(name, state.classification[name])
            if spec.method != "keep" or before[name].method == "keep":
                continue
            own = tenant.destinations.get(destination)
            where: Path = at
            if own is not None and layer == 0 and own.methods:
                where = (*at, "destinations", destination, "methods", key)
            elif own is not None and layer == -1 and own.default is not None:
                where = (*at, "destinations", destination, "default")
            elif name in tenant.classification:
                where = (*at, "classification", name)
            raise fail(
                f"tenant {tenant.name!r} would send {name} to {destination!r} in clear (keep) where "
                f"{parent.who} protects it ({before[name]}); tenants may only make destinations stricter",
                where,
            )


def resolve_all(policy: Policy) -> dict[str | None, EffectivePolicy]:
    """Every effective policy of ``policy``: the base (key None) and each tenant."""
    _check_graph(policy)
    base = _base(policy)
    states: dict[str | None, _State] = {None: base}
    index = {t.name: i for i, t in enumerate(policy.tenants)}

    def state_of(name: str) -> _State:
        if name not in states:
            position = index[name]
            tenant = policy.tenants[position]
            parent = base if tenant.extends is None else state_of(tenant.extends)
            states[name] = _apply(parent, tenant, ("tenants", position))
        return states[name]

    for tenant in policy.tenants:
        state_of(tenant.name)
    return {name: state.freeze(name) for name, state in states.items()}
