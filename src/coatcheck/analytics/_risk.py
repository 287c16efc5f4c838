"""Re-identification risk: k-anonymity and l-diversity of a table for chosen quasi-identifiers.

Rows that agree on every quasi-identifier form an equivalence class; someone who knows a person's
quasi-identifiers can narrow them down to their class, so a class of size 1 identifies them (prosecutor risk
1/size). l-diversity asks the same of a sensitive column: a class whose members all share one diagnosis reveals
it without identifying anyone. Reports carry counts, column names and row positions, never values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from coatcheck.analytics._hierarchy import Hierarchy, hierarchies
from coatcheck.errors import InputError

__all__ = ["RiskReport", "Suggestion", "class_sizes", "risk_report"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What generalizing some columns would reach: the smallest class (the k) and the rows still at risk."""

    methods: tuple[tuple[str, str], ...]  # (column, level name), e.g. ("zip", "ZIP3")
    k: int
    records_at_risk: int

    def __str__(self) -> str:
        return " + ".join(f"{c} -> {m}" for c, m in self.methods) + f": k={self.k}, {self.records_at_risk} at risk"

    def as_dict(self) -> dict[str, Any]:
        return {
            "methods": [{"column": c, "method": m} for c, m in self.methods],
            "k": self.k,
            "records_at_risk": self.records_at_risk,
        }


@dataclass(frozen=True, slots=True)
class RiskReport:
    """k-anonymity (and l-diversity) of a table.

    Attributes:
        smallest_class: the table's k-anonymity (every row shares its quasi-identifiers with at least this many).
        records_at_risk: rows in classes smaller than ``k``; ``at_risk_rows`` their 0-based positions.
        max_risk: 1 / smallest class; ``average_risk``: classes / rows (expected share re-identified).
        l_diversity: fewest distinct sensitive values in a class; ``entropy_l``: the smallest exp(entropy);
            ``homogeneous_classes``: classes with a single sensitive value (they disclose it).
        kinds: the kind each quasi-identifier was read as (ZIP_CODE, DATE_OF_BIRTH, AGE, IP_ADDRESS, OTHER).
        suggestions: single-column generalizations and all of the first steps together, best k first.
    """

    rows: int
    quasi_identifiers: tuple[str, ...]
    k: int
    classes: int
    smallest_class: int
    records_at_risk: int
    classes_at_risk: int
    max_risk: float
    average_risk: float
    kinds: Mapping[str, str]
    sensitive: str | None = None
    l_diversity: int | None = None
    entropy_l: float | None = None
    homogeneous_classes: int | None = None
    suggestions: tuple[Suggestion, ...] = ()
    at_risk_rows: tuple[int, ...] = field(default=(), repr=False)

    @property
    def k_anonymous(self) -> bool:
        return self.smallest_class >= self.k

    def as_dict(self, *, rows: bool = False) -> dict[str, Any]:
        """JSON-friendly form; ``rows=True`` adds the positions of the rows at risk."""
        out = {
            "rows": self.rows,
            "quasi_identifiers": list(self.quasi_identifiers),
            "k": self.k,
            "k_anonymous": self.k_anonymous,
            "classes": self.classes,
            "smallest_class": self.smallest_class,
            "records_at_risk": self.records_at_risk,
            "classes_at_risk": self.classes_at_risk,
            "max_risk": self.max_risk,
            "average_risk": self.average_risk,
            "kinds": dict(self.kinds),
            "sensitive": self.sensitive,
            "l_diversity": self.l_diversity,
            "entropy_l": self.entropy_l,
            "homogeneous_classes": self.homogeneous_classes,
            "suggestions": [s.as_dict() for s in self.suggestions],
        }
        if rows:
            out["at_risk_rows"] = list(self.at_risk_rows)
        return out


def _check(frame: pd.DataFrame, qi: Sequence[str], k: int, sensitive: str | None) -> tuple[str, ...]:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, not {type(frame).__name__}")
    if isinstance(qi, str) or not qi:
        raise InputError("quasi-identifiers must be a non-empty list of column names")
    names = tuple(qi)
    if len(set(names)) != len(names):
        raise InputError("quasi-identifiers must not repeat")
    shown = ", ".join(map(str, list(frame.columns)[:20]))
    for name in names:
        if name not in frame.columns:
            raise InputError(f"quasi-identifier: unknown column {name!r}; the table has: {shown}")
    if sensitive is not None:
        if sensitive not in frame.columns:
            raise InputError(f"sensitive: unknown column {sensitive!r}; the table has: {shown}")
        if sensitive in names:
            raise InputError(f"sensitive column {sensitive!r} cannot also be a quasi-identifier")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError("k must be an integer >= 1")
    if len(frame) == 0:
        raise InputError("the table is empty (0 rows)")
    return names


def _keys(frame: pd.DataFrame, qi: Sequence[str]) -> pd.DataFrame:
    """The quasi-identifier columns with missing values as one ordinary value (missing is knowable too)."""
    cols = frame[list(qi)].astype(object)
    return cols.where(cols.notna(), "\0missing")


def class_sizes(frame: pd.DataFrame, qi: Sequence[str]) -> pd.Series:
    """For each row, the size of its equivalence class."""
    names = list(qi)
    return _keys(frame, names).groupby(names, sort=False)[names[0]].transform("size").astype("int64")


def _at_risk(frame: pd.DataFrame, qi: Sequence[str], k: int) -> tuple[int, int]:
    sizes = class_sizes(frame, qi)
    return int(sizes.min()), int((sizes < k).sum())


def _diversity(frame: pd.DataFrame, qi: Sequence[str], sensitive: str) -> tuple[int, float, int]:
    keys = _keys(frame, qi)
    values = frame[sensitive].astype(object).where(frame[sensitive].notna(), "\0missing")
    grouped = values.groupby([keys[c] for c in qi], sort=False)
    distinct = grouped.nunique()

    def entropy(group: pd.Series) -> float:
        shares = group.value_counts(normalize=True)
        return math.exp(-float((shares * shares.map(math.log)).sum()))

    return int(distinct.min()), float(grouped.apply(entropy).min()), int((distinct == 1).sum())


def _suggest(frame: pd.DataFrame, found: list[Hierarchy], k: int) -> tuple[Suggestion, ...]:
    qi = [h.column for h in found]
    out = []
    for h in found:
        for level in range(1, h.height + 1):
            trial = frame.assign(**{h.column: h.generalize(frame[h.column], level)})
            smallest, risky = _at_risk(trial, qi, k)
            out.append(Suggestion(((h.column, h.levels[level].name),), smallest, risky))
    first = [h for h in found if h.height > 1]  # columns with a real generalization (not only suppression)
    if len(first) > 1:
        default = {h.column: _default_level(h) for h in first}
        trial = frame.assign(
            **{c: next(h for h in first if h.column == c).generalize(frame[c], lv) for c, lv in default.items()}
        )
        smallest, risky = _at_risk(trial, qi, k)
        methods = tuple((h.column, h.levels[default[h.column]].name) for h in first)
        out.append(Suggestion(methods, smallest, risky))
    return tuple(sorted(out, key=lambda s: (-s.k, s.records_at_risk, len(s.methods))))


def _default_level(h: Hierarchy) -> int:
    """The usual first step: ZIP3, year of birth, 10-year age band, /24 (the generalize operator's defaults)."""
    wanted = {"ZIP_CODE": "ZIP3", "DATE_OF_BIRTH": "year", "AGE": "age band 10", "IP_ADDRESS": "/24"}.get(h.kind)
    return next((i for i, lv in enumerate(h.levels) if lv.name == wanted), 1)


def risk_report(
    frame: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    *,
    k: int = 5,
    sensitive: str | None = None,
    kinds: Mapping[str, str] | None = None,
    suggest: bool = True,
) -> RiskReport:
    """Measure k-anonymity (and l-diversity for ``sensitive``) and suggest generalizations.

    Args:
        frame: the table (read it as text so codes like ZIP ``02139`` keep their form).
        quasi_identifiers: columns an attacker may know (ZIP code, date of birth, sex...).
        k: the target: rows in smaller classes are "at risk".
        sensitive: a column whose value must not be inferable (diagnosis...).
        kinds: override the inferred kind of a quasi-identifier (``{"code": "ZIP_CODE"}``).
        suggest: also try the generalize methods and report the k each would reach.

    Raises:
        InputError: naming the column or parameter at fault, or an empty table.
    """
    qi = _check(frame, quasi_identifiers, k, sensitive)
    sizes = class_sizes(frame, qi)
    per_class = _keys(frame, qi).groupby(list(qi), sort=False).size()
    classes = len(per_class)
    at_risk = sizes < k
    positions = tuple(int(i) for i in (at_risk.to_numpy().nonzero()[0]))
    found = hierarchies(frame, qi, kinds)
    l_div = entropy_l = homogeneous = None
    if sensitive is not None:
        l_div, entropy_l, homogeneous = _diversity(frame, qi, sensitive)
    return RiskReport(
        rows=len(frame),
        quasi_identifiers=qi,
        k=k,
        classes=classes,
        smallest_class=int(sizes.min()),
        records_at_risk=len(positions),
        classes_at_risk=int((per_class < k).sum()),
        max_risk=1 / int(sizes.min()),
        average_risk=classes / len(frame),
        kinds={h.column: h.kind for h in found},
        sensitive=sensitive,
        l_diversity=l_div,
        entropy_l=entropy_l,
        homogeneous_classes=homogeneous,
        suggestions=_suggest(frame, found, k) if suggest else (),
        at_risk_rows=positions,
    )
