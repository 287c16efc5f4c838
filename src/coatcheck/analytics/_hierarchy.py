"""Generalization hierarchies for quasi-identifiers, built on the protect ``generalize`` operator.

Each quasi-identifier climbs a ladder from "as is" to ``*`` (suppressed): a ZIP code keeps 4, 3, 2, then 1
leading digits; a date its month, its year, then its decade; an age a band of 5, 10, 20, then 50 years; an IPv4
address its /24, /16, then /8 network. Any other column goes straight to ``*``. A value the operator cannot read becomes
``*`` (fail closed); a missing value stays missing until ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from coatcheck.errors import InputError
from coatcheck.protect.generalize import GeneralizeParams, generalize_value

__all__ = ["KINDS", "Hierarchy", "Level", "hierarchies", "infer_kind"]

KINDS = ("ZIP_CODE", "DATE_OF_BIRTH", "AGE", "IP_ADDRESS", "OTHER")
SUPPRESSED = "*"
_HINTS = {
    "ZIP_CODE": {"zip", "zipcode", "postal", "postcode", "plz", "cp"},
    "DATE_OF_BIRTH": {"dob", "birth", "birthdate", "birthday", "born", "date", "bday"},
    "AGE": {"age"},
    "IP_ADDRESS": {"ip", "ipv4", "ipaddress"},
}
_ZIP = re.compile(r"\d{5}(?:-\d{4})?")
_SAMPLE = 200
_FIT = 0.9  # share of non-missing values a kind must read to be inferred from the content


@dataclass(frozen=True, slots=True)
class Level:
    """One rung: ``name`` for people (``ZIP3``, ``year``...), ``apply`` maps one original value."""

    name: str
    apply: Callable[[str], str] = field(repr=False)


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """The ladder of one column; ``levels[0]`` keeps values as they are, the last suppresses them."""

    column: str
    kind: str
    levels: tuple[Level, ...]

    @property
    def height(self) -> int:
        return len(self.levels) - 1

    def generalize(self, values: pd.Series, level: int) -> pd.Series:
        """``values`` at ``level`` (computed once per distinct value)."""
        if level == 0:
            return values
        rung = self.levels[level]
        mapping = {v: (v if _missing(v) and level < self.height else rung.apply(str(v))) for v in values.unique()}
        return values.map(mapping)


def _missing(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def _operator(kind: str, params: GeneralizeParams) -> Callable[[str], str]:
    def apply(value: str) -> str:
        out = generalize_value(kind, value, params)
        return SUPPRESSED if out is None else out

    return apply


def _ladder(kind: str) -> list[Level]:
    if kind == "ZIP_CODE":
        return [Level(f"ZIP{n}", _operator(kind, GeneralizeParams(zip_digits=n))) for n in (4, 3, 2, 1)]
    if kind == "DATE_OF_BIRTH":
        year = _operator(kind, GeneralizeParams(date="year"))

        def decade(value: str) -> str:
            found = year(value)
            return SUPPRESSED if found == SUPPRESSED else f"{found[:3]}0-{found[:3]}9"

        month = Level("month", _operator(kind, GeneralizeParams(date="month")))
        return [month, Level("year", year), Level("decade", decade)]
    if kind == "AGE":
        return [Level(f"age band {n}", _operator(kind, GeneralizeParams(age_band=n))) for n in (5, 10, 20, 50)]
    if kind == "IP_ADDRESS":
        return [
            Level(f"/{n}", _operator(kind, GeneralizeParams(ipv4_prefix=n, ipv6_prefix=n * 2))) for n in (24, 16, 8)
        ]
    return []


def _tokens(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if p]
    return {*parts, "".join(parts)}


def _fits(kind: str, values: Sequence[str]) -> bool:
    if not values:
        return False
    if kind == "ZIP_CODE":
        ok = sum(1 for v in values if _ZIP.fullmatch(v.strip()))
    else:
        reader = _operator(kind, GeneralizeParams())
        ok = sum(1 for v in values if reader(v) != SUPPRESSED)
    return ok >= _FIT * len(values)


def infer_kind(column: str, values: pd.Series) -> str:
    """The column's kind: from its name (checked against the content), else from distinctive content."""
    sample = [str(v) for v in values.head(_SAMPLE * 5) if not _missing(v)][:_SAMPLE]
    tokens = _tokens(column)
    for kind, hints in _HINTS.items():
        if tokens & hints and _fits(kind, sample):
            return kind
    for kind in ("ZIP_CODE", "DATE_OF_BIRTH", "IP_ADDRESS"):  # ages need a name: small numbers are often codes
        if _fits(kind, sample):
            return kind
    return "OTHER"


def hierarchies(frame: pd.DataFrame, columns: Sequence[str], kinds: Mapping[str, str] | None = None) -> list[Hierarchy]:
    """One hierarchy per quasi-identifier; ``kinds`` overrides inference (``{"zip": "ZIP_CODE"}``).

    Raises:
        InputError: an unknown column or kind.
    """
    kinds = dict(kinds or {})
    for name, kind in kinds.items():
        if kind not in KINDS:
            raise InputError(f"quasi-identifier {name!r}: kind must be one of {', '.join(KINDS)}")
        if name not in columns:
            raise InputError(f"a kind is given for {name!r}, which is not a quasi-identifier")
    out = []
    for name in columns:
        kind = kinds.get(name) or infer_kind(name, frame[name])
        levels = [Level("as is", str), *_ladder(kind), Level(SUPPRESSED, lambda _: SUPPRESSED)]
        out.append(Hierarchy(name, kind, tuple(levels)))
    return out
