"""Field paths for structured data: ``patient.ssn``, ``contacts[*].email``, ``*.notes``, ``**.password``.

Keys are separated by dots; ``[*]`` (or ``[]``) after a key documents that it holds a list (list positions never
take part in matching); ``*`` matches one key and ``**`` any number of keys, including none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["check_path", "match_field"]

_SEGMENT = re.compile(r"(\*\*|\*|[^\s.\[\]*]+)(\[\*?\])?")


def check_path(path: str) -> str | None:
    """None for a valid path, else what is wrong with it."""
    if not path:
        return "a field path cannot be empty"
    for segment in path.split("."):
        if not _SEGMENT.fullmatch(segment):
            return (
                f"invalid segment {segment!r} in field path; write keys separated by dots, "
                "with [*] after a list key, * for one key and ** for any number of keys"
            )
    return None


@lru_cache(maxsize=1024)
def _tokens(path: str) -> tuple[str, ...]:
    return tuple(segment.removesuffix("[*]").removesuffix("[]") for segment in path.split("."))


def match_field(pattern: str, path: Sequence[str | int]) -> bool:
    """Does a record path (keys and list positions) match a policy field pattern?"""
    keys = tuple(str(p) for p in path if not isinstance(p, int))
    return _match(_tokens(pattern), keys)


def _match(tokens: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    if not tokens:
        return not keys
    head, rest = tokens[0], tokens[1:]
    if head == "**":
        return any(_match(rest, keys[i:]) for i in range(len(keys) + 1))
    if not keys:
        return False
    return (head in ("*", keys[0])) and _match(rest, keys[1:])
