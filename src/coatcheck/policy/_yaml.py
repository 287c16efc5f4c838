"""YAML loading that remembers where every key and item starts, and rejects duplicate keys.

PyYAML's default constructor silently keeps the last of two equal keys; in a reviewed policy that would hide a
rule from the reviewer, so duplicates are an error here. The line map lets validation errors name the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from coatcheck.errors import PolicyError

__all__ = ["MAX_NODES", "Located", "Path", "load_yaml"]

Path = tuple[str | int, ...]
# Aliases are expanded into copies; this bound stops an alias bomb (a few lines that expand exponentially).
MAX_NODES = 200_000


@dataclass(frozen=True, slots=True)
class Located:
    """Plain data from a YAML document plus the 1-based line where each path starts."""

    data: Any = field(repr=False)
    lines: dict[Path, int]
    source: str

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its closest ancestor that exists in the document."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.lines: dict[Path, int] = {}
        self._active: set[int] = set()
        self._count = 0

    def error(self, node: yaml.Node, message: str) -> PolicyError:
        return PolicyError(f"{self.source}:{node.start_mark.line + 1}: {message}")

    def build(self, node: yaml.Node, path: Path) -> Any:
        self._count += 1
        if self._count > MAX_NODES:
            raise self.error(node, f"the policy expands to more than {MAX_NODES} values (aliases?); refusing it")
        if id(node) in self._active:
            raise self.error(node, "recursive YAML aliases are not allowed in a policy")
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                items = []
                for index, item in enumerate(node.value):
                    self.lines[(*path, index)] = item.start_mark.line + 1
                    items.append(self.build(item, (*path, index)))
                return items
            return self.loader.construct_object(node, deep=True)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.error(key_node, "YAML merge keys (<<) are not supported in a policy; use tenants")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, "mapping keys must be plain scalars")
            key = self.loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in first_line:
                where = ".".join(str(p) for p in (*path, key))
                raise self.error(key_node, f"duplicate key {where!r} (first defined at line {first_line[key]})")
            first_line[key] = line
            self.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key))
        return out


def load_yaml(text: str, source: str) -> Located:
    """Parse one YAML document into plain data and a line map.

    Raises:
        PolicyError: invalid YAML, duplicate keys, merge keys or recursive aliases; the message starts
            with ``source:line:``.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        builder = _Builder(loader, source)
        data = {} if node is None else builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PolicyError(f"{source}:{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source}:1: invalid YAML: {type(exc).__name__}") from None
    finally:
        loader.dispose()
    builder.lines[()] = 1
    return Located(data, builder.lines, source)
