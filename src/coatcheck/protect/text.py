"""`protect_text`: replace every entity of one text by its protected form, in one pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from coatcheck.detect.types import Entity
from coatcheck.errors import InputError
from coatcheck.protect.base import Document, Scope
from coatcheck.protect.context import ProtectContext
from coatcheck.protect.registry import MethodSpec, MethodTable

__all__ = ["ProtectedText", "Replacement", "protect_text", "resolve_entities"]


@dataclass(frozen=True, slots=True)
class Replacement:
    """Where one entity went: its type, method, span in the input and span in the output (no values)."""

    type: str
    method: str
    start: int
    end: int
    out_start: int
    out_end: int


@dataclass(frozen=True, slots=True)
class ProtectedText:
    """The result of protecting one text.

    Attributes:
        text: the protected text.
        mapping: placeholder or token -> original value, for the reversible methods (redact, tokenize).
        counts: entities protected, by type.
        replacements: one per protected entity, in text order.
    """

    text: str = field(repr=False)
    mapping: dict[str, str] = field(default_factory=dict, repr=False)
    counts: dict[str, int] = field(default_factory=dict)
    replacements: tuple[Replacement, ...] = ()

    def __str__(self) -> str:
        return self.text


def resolve_entities(text: str, entities: Iterable[Entity]) -> list[Entity]:
    """Check spans against ``text`` and keep a non-overlapping set in text order (longest, then best first).

    Raises:
        InputError: a span outside the text, empty, or whose ``text`` does not match (position only).
    """
    checked: list[Entity] = []
    size = len(text)
    for i, entity in enumerate(entities):
        inside = isinstance(entity.start, int) and isinstance(entity.end, int) and 0 <= entity.start < entity.end
        if not inside or entity.end > size:
            raise InputError(
                f"entity {i} ({entity.type}) has span {entity.start}-{entity.end} outside a text of length {size}"
            )
        if entity.text and text[entity.start : entity.end] != entity.text:
            raise InputError(f"entity {i} ({entity.type}) at {entity.start}-{entity.end} does not match the text")
        checked.append(entity)
    checked.sort(key=lambda e: (e.start, -(e.end - e.start), -e.score))
    kept: list[Entity] = []
    last_end = -1
    for entity in checked:
        if entity.start >= last_end:
            kept.append(entity)
            last_end = entity.end
    return kept


def protect_text(
    text: str,
    entities: Sequence[Entity],
    methods: MethodTable,
    ctx: ProtectContext,
    *,
    field: str | None = None,
) -> ProtectedText:
    """Protect ``text`` given its entities.

    Replacements are computed in reading order (so the first email becomes ``[EMAIL_1]``) and spliced in by
    span, which is equivalent to replacing right to left: offsets of the input stay valid throughout.

    Args:
        text: the original text.
        entities: findings whose offsets index ``text`` (overlaps are resolved: longest wins).
        methods: the configured methods per type.
        ctx: the session (keys, placeholders, surrogate links); reused across calls for consistency.
        field: the record field this text came from (encryption binds to it).
    """
    if not isinstance(text, str):
        raise InputError(f"protect_text takes str, not {type(text).__name__}")
    ctx.minter.reserve(text)
    resolved = resolve_entities(text, entities)
    if not resolved:
        return ProtectedText(text)
    doc = Document(text, resolved, field)
    cache: dict[str, MethodSpec] = {}
    specs = [cache.get(e.type) or cache.setdefault(e.type, methods.for_type(e.type)) for e in resolved]
    prepared: set[int] = set()
    for spec in specs:
        prepare = spec.operator.prepare
        if prepare is not None and id(spec) not in prepared:
            prepared.add(id(spec))
            prepare(doc, ctx, spec.params)
    pieces: list[str] = []
    replacements: list[Replacement] = []
    mapping: dict[str, str] = {}
    counts: Counter[str] = Counter()
    pos = out = 0
    for entity, spec in zip(resolved, specs, strict=True):
        value = text[entity.start : entity.end]
        new = spec.apply(value, Scope(entity, doc, ctx))
        gap = text[pos : entity.start]
        pieces.append(gap)
        pieces.append(new)
        out += len(gap)
        replacements.append(Replacement(entity.type, spec.name, entity.start, entity.end, out, out + len(new)))
        out += len(new)
        pos = entity.end
        counts[entity.type] += 1
        if spec.operator.mapped:
            minted = ctx.minter.value_of(new)
            if minted is not None:
                mapping[new] = minted
            elif spec.name != "redact":
                mapping.setdefault(new, value)
    pieces.append(text[pos:])
    return ProtectedText("".join(pieces), mapping, dict(counts), tuple(replacements))
