"""Masked context for the review queue: enough for a person to judge a detection, never the value itself.

The detection becomes its *shape* (``Xxxxx Xxxx``, ``###-##-####``). Around it, other detections become their
placeholder alias (``[EMAIL]``) and every word that is not a common English word or a known context word
(``ssn``, ``card``) is shaped too, so a name or number the detector missed does not leak through the context.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from coatcheck.detect.types import Entity
from coatcheck.entities import ENTITY_TYPES

__all__ = ["MaskedContext", "mask_context", "normalize_value", "shape", "value_hash"]

_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
CONTEXT_CHARS = 48
HASH_PURPOSE = "console-review"


def shape(value: str) -> str:
    """Letters become ``X``/``x``, digits ``#``; punctuation and spaces stay, so the format shows, not the value."""
    return "".join("#" if c.isdigit() else ("X" if c.isupper() else "x") if c.isalpha() else c for c in value)


def normalize_value(value: str) -> str:
    """How values are compared for allow/deny lists (as the detector's own allow list does)."""
    return " ".join(value.split()).casefold()


def value_hash(key: bytes, entity_type: str, value: str) -> str:
    """Keyed HMAC-SHA256 of a typed value (hex): lists can match a value again without ever storing it."""
    data = f"{entity_type}\x00{normalize_value(value)}".encode()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


@cache
def _vocabulary() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    from coatcheck.detect._lexicon import english_words, first_names, last_names
    from coatcheck.detect.recognizers import BUILTIN_RECOGNIZERS

    context: set[str] = set()
    for row in BUILTIN_RECOGNIZERS:
        for phrase in (*row.context, *row.negative_context):
            context.update(re.findall(r"\w+", phrase.lower()))
    return frozenset(english_words()), frozenset(context), first_names() | last_names()


def _safe_word(word: str) -> bool:
    if any(c.isdigit() for c in word):
        return False
    folded = word.casefold()
    english, context, names = _vocabulary()
    if folded in context:
        return True
    if folded not in english:
        return False
    # "Will", "Grant", "Mark" mid-sentence may be people: a capitalized word that is also a name is shaped.
    return not (word[:1].isupper() and folded in names)


def _mask_token(token: str) -> str:
    if token.isspace() or not (token[0].isalnum() or token[0] == "_"):
        return token
    return token if _safe_word(token) else shape(token)


def _mask_text(text: str) -> str:
    return "".join(_mask_token(t) for t in _TOKENS.findall(text))


@dataclass(frozen=True, slots=True)
class MaskedContext:
    """A detection in masked context: ``before`` + ``item`` + ``after`` reads like the original, masked."""

    before: str
    item: str
    after: str


def _window(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    if lo > 0:
        cut = text.find(" ", lo, start)
        lo = cut + 1 if cut != -1 else start
    if hi < len(text):
        cut = text.rfind(" ", end, hi)
        hi = cut if cut != -1 else end
    return lo, hi


def _masked_span(text: str, lo: int, hi: int, others: list[Entity]) -> str:
    out: list[str] = []
    pos = lo
    for other in others:
        if other.end <= lo or other.start >= hi:
            continue
        a, b = max(lo, other.start), min(hi, other.end)
        if a < pos:
            continue
        out.append(_mask_text(text[pos:a]))
        row = ENTITY_TYPES.get(other.type)
        out.append(f"[{row.placeholder if row else 'REDACTED'}]")
        pos = b
    out.append(_mask_text(text[pos:hi]))
    return "".join(out)


def mask_context(
    text: str, entity: Entity, others: Iterable[Entity] = (), width: int = CONTEXT_CHARS
) -> MaskedContext:
    """The masked context of ``entity`` in ``text``; ``others`` are the other detections in the same text."""
    lo, hi = _window(text, entity.start, entity.end, width)
    rest = sorted(
        (o for o in others if (o.start, o.end) != (entity.start, entity.end)), key=lambda o: (o.start, -o.end)
    )
    before = [o for o in rest if o.start < entity.start]
    after = [o for o in rest if o.end > entity.end]
    head = ("…" if lo > 0 else "") + _masked_span(text, lo, entity.start, before)
    tail = _masked_span(text, entity.end, hi, after) + ("…" if hi < len(text) else "")
    return MaskedContext(head, shape(text[entity.start : entity.end]), tail)
