"""`SurrogateContext`: the links a document or conversation keeps between real values and stand-ins.

The stand-ins themselves come from keyed derivation (HMAC of the tenant's surrogate key and the value), so every
process agrees without this object. The context adds what one text alone cannot know: that "Chen" is the last
name of the "Sarah Chen" of an earlier turn, which real values are present (a stand-in must equal none), and
which stand-ins are already taken by another real value (two people never share one stand-in here).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["SurrogateContext"]

_MAX_ATTEMPTS = 64


class SurrogateContext:
    """Per-document or per-conversation memory of surrogate links. Thread-safe; holds raw values.

    Args:
        subject: whose data this is when no person is named (keys the date shift of unattributed dates).
    """

    def __init__(self, subject: str | None = None) -> None:
        self.subject = subject
        self._roles: dict[str, str] = {}
        self._given: dict[tuple[str, str], str] = {}
        self._taken: dict[tuple[str, str], str] = {}
        self._real: set[str] = set()
        self._notes: dict[tuple[str, str], str] = {}
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"SurrogateContext(links={len(self._given)})"

    def note_real(self, values: set[str] | frozenset[str]) -> None:
        """Record case-folded real values (and name parts) a stand-in must never equal."""
        with self._lock:
            self._real.update(values)

    def is_real(self, candidate: str) -> bool:
        """Whether ``candidate`` equals a real value seen in this context."""
        return candidate.casefold() in self._real

    def note_role(self, part: str, role: str) -> None:
        """Remember that a name part was seen as a ``first`` or ``last`` name (the first sighting wins)."""
        with self._lock:
            self._roles.setdefault(part.casefold(), role)

    def role_of(self, part: str) -> str | None:
        """``first``/``last`` if this name part was seen in a full name here."""
        return self._roles.get(part.casefold())

    def remember(self, kind: str, real: str, standin: str) -> str:
        """Record a link if none exists yet; return the link in force."""
        with self._lock:
            return self._notes.setdefault((kind, real), standin)

    def recall(self, kind: str, real: str) -> str | None:
        """A link recorded with `remember`."""
        return self._notes.get((kind, real))

    def linked(
        self,
        kind: str,
        real: str,
        make: Callable[[int], str],
        *,
        reject: Callable[[str], bool] | None = None,
    ) -> str:
        """The stand-in of ``real`` (already case-folded/normalized) in namespace ``kind``.

        ``make(attempt)`` derives a candidate; a candidate equal to a real value, refused by ``reject`` or
        already given to another real value of the same kind is re-derived with the next attempt number.
        """
        with self._lock:
            found = self._given.get((kind, real))
            if found is not None:
                return found
            candidate = make(0)
            for attempt in range(1, _MAX_ATTEMPTS + 1):
                folded = candidate.casefold()
                owner = self._taken.get((kind, folded))
                clash = folded == real or folded in self._real or (reject is not None and reject(candidate))
                if not clash and owner in (None, real):
                    break
                candidate = make(attempt)
            self._given[(kind, real)] = candidate
            self._taken.setdefault((kind, candidate.casefold()), real)
            return candidate
