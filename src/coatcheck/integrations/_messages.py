"""Find and replace the text of chat messages in the shapes the SDKs take (strings or lists of text parts)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from coatcheck.integrations.guard import GuardSession

__all__ = ["TEXT_KEYS", "redact_fields", "redact_messages"]

TEXT_KEYS = ("text", "input_text", "output_text")


class _Slot:
    """Where one text lives: a container and its key."""

    __slots__ = ("container", "key")

    def __init__(self, container: Any, key: str | int) -> None:
        self.container, self.key = container, key

    def __call__(self, new: str) -> None:
        self.container[self.key] = new


Setter = Callable[[str], None]


def _slots(node: Any, key: str | int, slots: list[tuple[str, Setter]]) -> None:
    """Collect (text, setter) for the text of one content value: a string or a list of text parts."""
    value = node[key]
    if isinstance(value, str):
        slots.append((value, _Slot(node, key)))
    elif isinstance(value, list):
        for part in value:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                slots.append((part["text"], _Slot(part, "text")))
            elif isinstance(part, dict) and part.get("type") == "tool_result" and "content" in part:
                _slots(part, "content", slots)


def redact_messages(session: GuardSession, messages: Sequence[Any]) -> list[Any]:
    """A copy of ``messages`` with every text content redacted, numbered in conversation order."""
    out = copy.deepcopy(list(messages))
    slots: list[tuple[str, Setter]] = []
    for message in out:
        if isinstance(message, dict) and "content" in message:
            _slots(message, "content", slots)
    _apply(session, slots)
    return out


def redact_fields(session: GuardSession, kwargs: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """A copy of ``kwargs`` with the named fields redacted (strings, text-part lists or message lists)."""
    out = dict(kwargs)
    slots: list[tuple[str, Setter]] = []
    for name in names:
        if name not in out:
            continue
        value = copy.deepcopy(out[name])
        out[name] = value
        if isinstance(value, str):
            slots.append((value, _Slot(out, name)))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and "content" in item:
                    _slots(item, "content", slots)
                elif isinstance(item, dict) and isinstance(item.get("text"), str):
                    slots.append((item["text"], _Slot(item, "text")))
    _apply(session, slots)
    return out


def _apply(session: GuardSession, slots: list[tuple[str, Setter]]) -> None:
    if not slots:
        return
    for (_, setter), new in zip(slots, session.redact_many([text for text, _ in slots]), strict=True):
        setter(new)
