"""Typed, numbered placeholders (``[EMAIL_1]``, ``[PERSON_2]``) that stay stable for one session.

A `PlaceholderMinter` belongs to one conversation or document set: the same value always gets the same
placeholder (keyed on its normalized form), numbers count per type, and a number that already appears as
placeholder-looking text in the input is never reused, so restoring a model's answer can only ever bring back
values this minter minted.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import InputError
from coatcheck.protect._normalize import normalize_value

__all__ = ["PLACEHOLDER_PATTERN", "MinterState", "PlaceholderMinter", "placeholder_alias"]

PLACEHOLDER_PATTERN = re.compile(r"\[([A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*)(?:_([1-9][0-9]{0,8}))?\]")
"""Matches ``[ALIAS_N]`` (and the unnumbered ``[ALIAS]``); group 1 is the alias, group 2 the number."""


def placeholder_alias(entity_type: str) -> str:
    """The short alias of a type (``EMAIL_ADDRESS`` -> ``EMAIL``); unknown types use their own name."""
    row = ENTITY_TYPES.get(entity_type)
    return row.placeholder if row is not None else entity_type


@dataclass(frozen=True, slots=True)
class MinterState:
    """A serializable snapshot of a minter, to persist a conversation between requests.

    Holds raw values: store it only where the vault's values may be stored.
    """

    entries: tuple[tuple[str, str, str, str], ...] = field(repr=False)  # (type, key, placeholder, value)
    counters: tuple[tuple[str, int], ...] = ()
    reserved: tuple[tuple[str, int], ...] = ()

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "entries": [list(e) for e in self.entries],
            "counters": dict(self.counters),
            "reserved": [list(r) for r in self.reserved],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> MinterState:
        """Read `as_dict` output back; raises InputError on a malformed snapshot."""
        try:
            entries = tuple(
                (str(t), str(k), str(p), str(v))
                for t, k, p, v in data.get("entries", ())  # type: ignore[attr-defined]
            )
            counters = tuple((str(a), int(n)) for a, n in dict(data.get("counters", {})).items())  # type: ignore[call-overload]
            reserved = tuple((str(a), int(n)) for a, n in data.get("reserved", ()))  # type: ignore[attr-defined]
        except (TypeError, ValueError):
            raise InputError("malformed placeholder minter state") from None
        return cls(entries, counters, reserved)


class PlaceholderMinter:
    """Mints ``[ALIAS_N]`` placeholders for one session and remembers what each stands for.

    Thread-safe: the gateway may protect several parts of one conversation concurrently.

    Args:
        numbered: ``False`` mints ``[EMAIL]`` for every email (no mapping can be restored then).
        aliases: override the short alias per type; by default the taxonomy's ``placeholder`` column.
    """

    def __init__(self, *, numbered: bool = True, aliases: Mapping[str, str] | None = None) -> None:
        self.numbered = numbered
        self._aliases = dict(aliases or {})
        self._by_key: dict[tuple[str, str], str] = {}
        self._values: dict[str, str] = {}
        self._types: dict[str, str] = {}
        self._counters: dict[str, int] = {}
        self._reserved: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PlaceholderMinter(placeholders={len(self._values)})"

    def alias(self, entity_type: str) -> str:
        """The alias used for ``entity_type`` in this minter."""
        return self._aliases.get(entity_type) or placeholder_alias(entity_type)

    def reserve(self, text: str) -> None:
        """Note placeholder-looking text already in an input so its numbers are never minted.

        Call it with every input before minting for it (`protect_text` does).
        """
        if "[" not in text:
            return
        with self._lock:
            for match in PLACEHOLDER_PATTERN.finditer(text):
                if match.group(0) in self._values:
                    continue
                number = match.group(2)
                self._reserved.add((match.group(1), int(number) if number else 0))

    def mint(self, entity_type: str, value: str) -> str:
        """The placeholder for ``value``: the same one every time this session sees the same value."""
        alias = self.alias(entity_type)
        if not self.numbered:
            return f"[{alias}]"
        key = (entity_type, normalize_value(entity_type, value))
        with self._lock:
            existing = self._by_key.get(key)
            if existing is not None:
                return existing
            number = self._counters.get(alias, 0)
            while True:
                number += 1
                if (alias, number) not in self._reserved:
                    break
            self._counters[alias] = number
            placeholder = f"[{alias}_{number}]"
            self._by_key[key] = placeholder
            self._values[placeholder] = value
            self._types[placeholder] = entity_type
            return placeholder

    def placeholder_for(self, entity_type: str, value: str) -> str | None:
        """The placeholder already minted for ``value``, if any (never mints)."""
        return self._by_key.get((entity_type, normalize_value(entity_type, value)))

    def value_of(self, placeholder: str) -> str | None:
        """The original value behind a minted placeholder; None for anything this minter did not mint."""
        return self._values.get(placeholder)

    def type_of(self, placeholder: str) -> str | None:
        """The entity type of a minted placeholder."""
        return self._types.get(placeholder)

    @property
    def mapping(self) -> dict[str, str]:
        """A copy of placeholder -> original value (the first spelling seen) for everything minted."""
        with self._lock:
            return dict(self._values)

    def __contains__(self, placeholder: object) -> bool:
        return placeholder in self._values

    def __len__(self) -> int:
        return len(self._values)

    def restore(self, text: str, *, only: Iterable[str] | None = None) -> str:
        """Put the original values back for placeholders this minter minted; leave any other text alone.

        Args:
            text: a complete text (for streams, the session's streaming restorer holds back partial tails).
            only: restrict restoration to these placeholders (for example those sent in one request).
        """
        allowed = None if only is None else set(only)

        def swap(match: re.Match[str]) -> str:
            token = match.group(0)
            if allowed is not None and token not in allowed:
                return token
            return self._values.get(token, token)

        return PLACEHOLDER_PATTERN.sub(swap, text) if "[" in text else text

    def state(self) -> MinterState:
        """A snapshot to persist between requests of one conversation."""
        with self._lock:
            entries = tuple((self._types[p], key[1], p, self._values[p]) for key, p in self._by_key.items())
            return MinterState(entries, tuple(self._counters.items()), tuple(sorted(self._reserved)))

    @classmethod
    def from_state(
        cls, state: MinterState, *, numbered: bool = True, aliases: Mapping[str, str] | None = None
    ) -> PlaceholderMinter:
        """Rebuild a minter from `state` so a conversation keeps its numbering."""
        minter = cls(numbered=numbered, aliases=aliases)
        for entity_type, key, placeholder, value in state.entries:
            minter._by_key[(entity_type, key)] = placeholder
            minter._values[placeholder] = value
            minter._types[placeholder] = entity_type
        minter._counters = dict(state.counters)
        minter._reserved = set(state.reserved)
        return minter
