"""Records (dicts/JSON with nested lists): find the leaves to protect, then rebuild the same shape.

Two phases, so one detection pass can feed several views: `collect` finds the leaves (and which rule or type
applies to each), `detect_leaves` scans the free-text ones in one batch, `rebuild` writes a protected copy.
Fields no rule names are left exactly as they were; the input is never modified.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from coatcheck.detect.types import Entity
from coatcheck.errors import ProtectError
from coatcheck.protect.fields import STAR, FieldPolicy, FieldRule, field_type

__all__ = ["Leaf", "PathTracker", "collect", "detect_leaves", "rebuild", "restore_type"]

Path = tuple[str | int, ...]
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")


@dataclass(slots=True)
class Leaf:
    """One scalar to protect: where it is, its text, the rule and type that apply, its entities."""

    path: Path
    value: Any = field(repr=False)
    text: str = field(repr=False)
    rule: FieldRule | None
    entity_type: str | None
    entities: list[Entity] = field(default_factory=list, repr=False)

    @property
    def field_name(self) -> str:
        """The path with list indexes generalized (``messages[*].content``), used to bind encryption."""
        out = ""
        for seg in self.path:
            out += "[*]" if isinstance(seg, int) else (f".{seg}" if out else seg)
        return out


class PathTracker:
    """Remembers which policy paths matched something, to report those that matched nothing at all."""

    def __init__(self, policy: FieldPolicy | None) -> None:
        self._paths = [r.path for r in policy.rules] if policy else []
        self.matched: set[str] = set()

    def check(self, where: str = "the input") -> None:
        """Raise `ProtectError` naming every policy path that matched no field in ``where``."""
        missing = [p for p in self._paths if p not in self.matched]
        if missing:
            raise ProtectError(f"field path(s) {', '.join(map(repr, missing))} matched nothing in {where}")


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _select(node: Any, segments: Sequence[str | int], path: Path) -> Iterator[tuple[Path, Any]]:
    if not segments:
        yield path, node
        return
    head, rest = segments[0], segments[1:]
    if head == STAR:
        if isinstance(node, list | tuple):
            for i, item in enumerate(node):
                yield from _select(item, rest, (*path, i))
    elif isinstance(head, int):
        if isinstance(node, list | tuple) and -len(node) <= head < len(node):
            yield from _select(node[head], rest, (*path, head % len(node)))
    elif isinstance(node, dict) and head in node:
        yield from _select(node[head], rest, (*path, head))


def _leaves(node: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    elif _scalar(node):
        yield path, node


def _name_type(path: Path) -> str | None:
    return field_type(path[-1]) if path and isinstance(path[-1], str) else None


def collect(record: Any, policy: FieldPolicy | None, tracker: PathTracker | None = None) -> list[Leaf]:
    """The leaves of ``record`` to protect.

    Without a policy every string is scanned, and a field whose name implies a type (``ssn``, ``email``) is
    protected whole as that type. With one, only the named paths are touched (the most specific rule wins).
    """
    found: dict[Path, Leaf] = {}
    if policy is None:
        for path, value in _leaves(record, ()):
            typed = _name_type(path)
            if isinstance(value, str) or typed is not None:
                found[path] = Leaf(path, value, str(value), None, typed)
        return list(found.values())
    for rule in policy.rules:
        for path, node in _select(record, rule.segments, ()):
            if tracker is not None:
                tracker.matched.add(rule.path)
            for leaf_path, value in _leaves(node, path):
                typed = rule.entity_type
                if isinstance(value, str) or typed is not None:
                    found[leaf_path] = Leaf(leaf_path, value, str(value), rule, typed)
    return list(found.values())


def detect_leaves(leaves: Sequence[Leaf], detect_batch: Callable[[list[str]], list[list[Entity]]]) -> None:
    """Fill in the entities of every leaf: whole-value for typed ones, one detection batch for the rest."""
    scan: list[Leaf] = []
    for leaf in leaves:
        if leaf.entity_type is not None:
            if leaf.text.strip():
                leaf.entities = [Entity(leaf.entity_type, 0, len(leaf.text), 1.0, "field", leaf.text)]
        elif leaf.text.strip():
            scan.append(leaf)
    if scan:
        for leaf, entities in zip(scan, detect_batch([leaf.text for leaf in scan]), strict=True):
            leaf.entities = list(entities)


def restore_type(original: Any, new: str) -> Any:
    """Keep a number a number when its protected form still is one (a tokenized numeric SSN stays an int)."""
    if isinstance(original, str) or isinstance(original, bool):
        return new
    if isinstance(original, int) and _INT.fullmatch(new):
        return int(new)
    if isinstance(original, float):
        try:
            return float(new)
        except ValueError:
            return new
    return new


def rebuild(record: Any, replacements: dict[Path, Any]) -> Any:
    """A copy of ``record`` with the values at the given paths replaced; untouched branches are shared."""
    if not replacements:
        return record
    trie: dict[Any, Any] = {}
    for path, value in replacements.items():
        if not path:
            return value
        node = trie
        for seg in path[:-1]:
            node = node.setdefault(seg, {})
        node[path[-1]] = _Value(value)
    return _apply(record, trie)


@dataclass(frozen=True, slots=True)
class _Value:
    value: Any


def _apply(node: Any, trie: dict[Any, Any]) -> Any:
    def one(key: Any, child: Any) -> Any:
        sub = trie.get(key)
        if sub is None:
            return child
        return sub.value if isinstance(sub, _Value) else _apply(child, sub)

    if isinstance(node, dict):
        return {k: one(k, v) for k, v in node.items()}
    if isinstance(node, list):
        return [one(i, v) for i, v in enumerate(node)]
    if isinstance(node, tuple):
        return tuple(one(i, v) for i, v in enumerate(node))
    return node
