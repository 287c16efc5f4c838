"""What detection produces (`Entity`) and what it is configured with (`Recognizer` rows)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Entity", "Profile", "Recognizer", "Validator"]

Profile = Literal["fast", "accurate"]
Validator = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Entity:
    """One finding. ``start``/``end`` index the ORIGINAL string the caller passed in.

    ``text`` is the original substring; it is kept out of ``repr`` so findings can be logged safely.
    ``context`` names the context words that changed the score (for `policy explain`).
    """

    type: str
    start: int
    end: int
    score: float
    recognizer: str
    text: str = field(default="", repr=False, compare=False)
    context: tuple[str, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape the CLI writes: no value, only type, position and score."""
        return {"type": self.type, "start": self.start, "end": self.end, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class Recognizer:
    """A recognizer is data: a pattern, an optional validator and the words that change its score.

    Attributes:
        name: unique, used in explanations (``"credit_card"``).
        entity: the taxonomy type it finds.
        pattern: RE2 syntax (linear time). When it has a capture group named ``value``, that group is the
            finding; otherwise the whole match.
        score: base score when the match (and its validator) holds.
        validator: ``str -> bool`` on the matched value; a False drops the candidate.
        context: lowercase words or phrases that raise the score by ``context_boost`` when they appear
            near the match (within ``window`` characters before or after).
        negative_context: lowercase words that lower the score by ``context_boost`` (order numbers,
            versions, tracking ids, ...).
        examples: texts in which the value between ``«`` and ``»`` must be found (by the full fast engine).
        counterexamples: texts in which this entity type must not be found at all.
    """

    name: str
    entity: str
    pattern: str
    score: float
    validator: Validator | None = None
    context: tuple[str, ...] = ()
    negative_context: tuple[str, ...] = ()
    context_boost: float = 0.35
    window: int = 48
    examples: tuple[str, ...] = ()
    counterexamples: tuple[str, ...] = ()
    case_insensitive: bool = False
