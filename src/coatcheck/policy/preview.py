"""What every destination would receive: detect once, decide, then protect once per destination.

Used by `coatcheck policy test` and by tests of example policies; the gateway and batch jobs do the same steps
with their own keyring, vault and session.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from coatcheck.detect.types import Entity
from coatcheck.errors import InputError
from coatcheck.policy.effective import Decision, EffectivePolicy
from coatcheck.protect.base import KeyMaterial
from coatcheck.protect.context import ProtectContext
from coatcheck.protect.fields import field_type
from coatcheck.protect.registry import MethodTable
from coatcheck.protect.structured import Leaf, detect_leaves, rebuild, restore_type
from coatcheck.protect.text import protect_text

__all__ = ["Finding", "Preview", "collect_leaves", "preview"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected entity and where: ``path`` is empty for a text, dotted for a record field."""

    path: str
    entity: Entity


@dataclass(frozen=True, slots=True)
class Preview:
    """The outcome for one text or record.

    Attributes:
        findings: every entity, in input order.
        decision: block, review or allow.
        outputs: destination -> protected text or record, or None when an enforced block stops the data.
            In observe mode the outputs show what enforcement would send; the destinations today receive the
            original.
    """

    tenant: str | None
    observe: bool
    findings: tuple[Finding, ...]
    decision: Decision
    outputs: Mapping[str, Any] = field(repr=False)


def _path_name(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _scalars(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _scalars(value, (*path, str(key)))
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from _scalars(value, (*path, index))
    elif isinstance(node, str | int | float) and not isinstance(node, bool):
        yield path, node


def collect_leaves(effective: EffectivePolicy, data: Any) -> list[Leaf]:
    """The values of a text or record to protect, with the policy's field rules applied (not yet scanned).

    As in `coatcheck.protect`, every string is scanned and a field whose name implies a type (``ssn``,
    ``email``) is taken whole as that type; a field rule may declare the type (``entity``) or leave the field
    alone (``scan: false``).
    """
    if isinstance(data, str):
        return [Leaf((), data, data, None, None)]
    if not isinstance(data, Mapping | list):
        raise InputError(f"a sample is a text or a JSON object or list, not {type(data).__name__}")
    leaves = []
    for path, value in _scalars(data, ()):
        rule = effective.field_rule(path)
        if rule is not None and not rule.scan and rule.entity is None:
            continue
        last = next((p for p in reversed(path) if isinstance(p, str)), "")
        typed = rule.entity if rule is not None and rule.entity is not None else field_type(last)
        if isinstance(value, str) or typed is not None:
            leaves.append(Leaf(path, value, str(value), None, typed))
    return leaves


def preview(
    effective: EffectivePolicy,
    data: Any,
    *,
    destinations: Iterable[str] | None = None,
    keyring: KeyMaterial | None = None,
) -> Preview:
    """Detect, decide and protect ``data`` (a text or a JSON-like record) for each destination.

    Args:
        effective: the tenant's effective policy (its detector is used).
        data: a text, or a dict/list record.
        destinations: the destinations to show (all of the policy's by default).
        keyring: key material for keyed methods; an ephemeral in-memory keyring when None.

    Raises:
        PolicyError: an unknown destination.
    """
    names = tuple(destinations) if destinations is not None else effective.destination_names()
    for name in names:
        effective.rules_for(name)  # unknown destinations fail before any work
    leaves = collect_leaves(effective, data)
    detect_leaves(leaves, effective.detector().detect_batch)
    findings = tuple(Finding(_path_name(leaf.path), e) for leaf in leaves for e in leaf.entities)
    decision = effective.decide(f.entity for f in findings)
    if decision.action == "block" and not effective.is_observe:
        return Preview(effective.tenant, False, findings, decision, dict.fromkeys(names))
    if keyring is None:
        from coatcheck.keys import Keyring

        keyring = Keyring.ephemeral()
    outputs = {name: _protect(effective, name, data, leaves, keyring) for name in names}
    return Preview(effective.tenant, effective.is_observe, findings, decision, outputs)


def _protect(effective: EffectivePolicy, destination: str, data: Any, leaves: list[Leaf], keys: KeyMaterial) -> Any:
    ctx = ProtectContext(keys=keys, tenant=effective.tenant or "default")
    table = effective.method_table(destination)
    if isinstance(data, str):
        return protect_text(data, leaves[0].entities, table, ctx).text
    replacements: dict[tuple[str | int, ...], Any] = {}
    for leaf in leaves:
        if not leaf.entities:
            continue
        rule = effective.field_rule(leaf.path)
        override = rule.destinations.get(destination) if rule is not None else None
        methods = MethodTable(override.spec) if override is not None else table
        bound = leaf.field_name if leaf.entity_type is not None else None
        result = protect_text(leaf.text, leaf.entities, methods, ctx, field=bound)
        if result.text != leaf.text:
            replacements[leaf.path] = restore_type(leaf.value, result.text)
    return rebuild(data, replacements)
