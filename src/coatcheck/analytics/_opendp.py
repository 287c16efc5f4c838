"""The only module that touches OpenDP: measurements calibrated to an epsilon, built once and cached.

Privacy unit: one row. Neighbouring tables differ by adding or removing one row (OpenDP's symmetric distance,
``d_in = 1``). Every measurement here is built by OpenDP's constructors, calibrated by OpenDP's
``binary_search_param`` so that the library's own privacy map says ``map(1) <= epsilon``, and draws its noise
from OpenDP's cryptographically secure sampler (which, by design, cannot be seeded).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import opendp.prelude as dp

from coatcheck.errors import InputError

__all__ = [
    "Calibrated",
    "count_measurement",
    "histogram_measurement",
    "mean_measurement",
    "quantile_measurement",
    "sum_measurement",
    "threshold_measurement",
]

# Why "contrib": OpenDP gates every constructor whose privacy proof has not finished its vetting process behind
# it, and in 0.16 that includes all the framework constructors used here (count, clamp, sum, find_bin, laplace,
# private_quantile, laplace_threshold, composition); without it they raise. Why not "floating-point" (renamed
# "idealized-numerics" in 0.16, the old name now warns): only constructors whose proofs assume exact real
# arithmetic need it. Ours draw float noise exactly (on a fine discrete grid) and OpenDP widens the float sum's
# sensitivity for rounding. "honest-but-curious" (user-written Python transformations) stays off too: no
# privacy claim here rests on code outside the library.
dp.enable_features("contrib")

Numeric = Literal["int", "float"]
_D_IN = 1  # one row added or removed
_METRIC = dp.symmetric_distance()


@dataclass(frozen=True, slots=True)
class Calibrated:
    """An OpenDP measurement and the facts about it a report needs.

    Attributes:
        measurement: call it on a list of values to release.
        mechanism: the noise mechanism, for people.
        scale: the noise scale OpenDP calibrated (of the first component for composed queries).
        epsilon: OpenDP's privacy map at ``d_in = 1``; at most the epsilon asked for.
    """

    measurement: Any  # opendp.mod.Measurement (its stubs type calls loosely)
    mechanism: str
    scale: float
    epsilon: float


def _domain(kind: Numeric | Literal["str"]) -> Any:
    if kind == "str":
        return dp.vector_domain(dp.atom_domain(T=str))
    if kind == "int":
        return dp.vector_domain(dp.atom_domain(T=dp.i64))
    return dp.vector_domain(dp.atom_domain(T=float, nan=False))


def _calibrate(make: Callable[[float], Any], epsilon: float, mechanism: str) -> Calibrated:
    scale = float(dp.binary_search_param(make, d_in=_D_IN, d_out=epsilon))
    measurement = make(scale)
    return Calibrated(measurement, mechanism, scale, float(measurement.map(_D_IN)))


def _typed_bounds(kind: Numeric, bounds: tuple[float, float]) -> tuple[Any, Any]:
    lo, hi = bounds
    return (int(lo), int(hi)) if kind == "int" else (float(lo), float(hi))


def _noise_name(kind: Numeric | Literal["str"]) -> str:
    return "laplace" if kind == "float" else "discrete laplace"


@lru_cache(maxsize=256)
def count_measurement(epsilon: float, kind: Numeric | Literal["str"] = "str") -> Calibrated:
    """Count of values, plus (discrete) Laplace noise of scale 1/epsilon."""
    count = dp.t.make_count(_domain(kind), _METRIC, TO=dp.i64)
    return _calibrate(lambda s: count >> dp.m.then_laplace(s), epsilon, "discrete laplace")


def _sum(kind: Numeric, bounds: tuple[float, float]) -> Any:
    clamp = dp.t.make_clamp(_domain(kind), _METRIC, bounds=_typed_bounds(kind, bounds))
    return clamp >> dp.t.then_sum()  # type: ignore[no-untyped-call]  # OpenDP leaves then_sum unannotated


@lru_cache(maxsize=256)
def sum_measurement(epsilon: float, kind: Numeric, bounds: tuple[float, float]) -> Calibrated:
    """Sum of values clamped to ``bounds``, plus noise of scale max(|lo|, |hi|)/epsilon."""
    total = _sum(kind, bounds)
    return _calibrate(lambda s: total >> dp.m.then_laplace(s), epsilon, _noise_name(kind))


@lru_cache(maxsize=256)
def mean_measurement(epsilon: float, kind: Numeric, bounds: tuple[float, float]) -> Calibrated:
    """A noisy (sum, count) pair, half the epsilon each, composed by OpenDP; the mean is their ratio."""
    total = sum_measurement(epsilon / 2, kind, bounds)
    count = count_measurement(epsilon / 2, kind)
    composed: Any = dp.c.make_composition([total.measurement, count.measurement])
    return Calibrated(composed, f"{total.mechanism} (sum and count)", total.scale, float(composed.map(_D_IN)))


@lru_cache(maxsize=256)
def quantile_measurement(
    epsilon: float, kind: Numeric, alphas: tuple[float, ...], candidates: tuple[float, ...]
) -> Calibrated:
    """One exponential-mechanism quantile per alpha over the candidates, epsilon split evenly, composed."""
    share = epsilon / len(alphas)
    typed: list[Any] = [int(c) for c in candidates] if kind == "int" else [float(c) for c in candidates]
    parts = []
    for alpha in alphas:

        def make(scale: float, alpha: float = alpha) -> Any:
            return dp.m.make_private_quantile(
                _domain(kind), _METRIC, dp.max_divergence(), candidates=typed, alpha=alpha, scale=scale
            )

        parts.append(_calibrate(make, share, "exponential mechanism"))
    composed: Any = dp.c.make_composition([p.measurement for p in parts])
    return Calibrated(composed, "exponential mechanism", parts[0].scale, float(composed.map(_D_IN)))


@lru_cache(maxsize=256)
def histogram_measurement(
    epsilon: float,
    kind: Numeric | Literal["str"],
    *,
    edges: tuple[float, ...] = (),
    bounds: tuple[float, float] | None = None,
    categories: tuple[str, ...] = (),
) -> Calibrated:
    """Noisy counts per bin (numbers: clamp, find the bin) or per declared category (text, plus "other")."""
    if kind == "str":
        counts = dp.t.make_count_by_categories(
            _domain(kind), _METRIC, categories=list(categories), null_category=True, TOA=dp.i64
        )
    else:
        if bounds is None:
            raise InputError("a numeric histogram needs bounds")
        typed_edges: Sequence[Any] = [int(e) for e in edges] if kind == "int" else [float(e) for e in edges]
        counts = (
            dp.t.make_clamp(_domain(kind), _METRIC, bounds=_typed_bounds(kind, bounds))
            >> dp.t.then_find_bin(edges=list(typed_edges))  # type: ignore[no-untyped-call]  # unannotated upstream
            >> dp.t.then_count_by_categories(categories=list(range(len(edges) + 1)), null_category=False, TOA=dp.i64)
        )
    return _calibrate(lambda s: counts >> dp.m.then_laplace(s), epsilon, "discrete laplace")


@lru_cache(maxsize=256)
def threshold_measurement(epsilon: float, delta: float) -> Calibrated:
    """DP partition selection: noisy counts of every value, released only above a threshold (epsilon, delta).

    The scale is the smallest whose epsilon fits; the threshold the smallest whose delta fits.
    """
    by = dp.t.make_count_by(_domain("str"), _METRIC, TV=dp.i64)

    def make(scale: float, threshold: int) -> Any:
        return by >> dp.m.then_laplace_threshold(scale=scale, threshold=threshold)

    scale = float(dp.binary_search(lambda s: make(s, 2**40).map(_D_IN)[0] <= epsilon, T=float))
    threshold = int(dp.binary_search(lambda t: make(scale, int(t)).map(_D_IN)[1] <= delta, T=int))
    measurement = make(scale, threshold)
    return Calibrated(measurement, f"laplace threshold ({threshold})", scale, float(measurement.map(_D_IN)[0]))
