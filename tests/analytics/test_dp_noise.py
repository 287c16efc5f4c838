"""The noise OpenDP adds has the scale the epsilon calls for (many draws; OpenDP cannot be seeded, so the
tolerances are several standard errors wide: a false failure has odds far below one in a million)."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest

from coatcheck.analytics import Query, dp_count, dp_histogram, dp_mean, dp_quantile, dp_sum, prepare

DRAWS = 3000


def _draws(frame: pd.DataFrame, query: Query, n: int = DRAWS) -> list[float]:
    prepared = prepare(frame, query)  # measurements built (and calibrated) once, released n times
    return [prepared.release().value for _ in range(n)]


def _discrete_laplace_std(scale: float) -> float:
    p = math.exp(-1 / scale)
    return math.sqrt(2 * p) / (1 - p)


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, 400),
            "income": rng.normal(50_000, 12_000, 400).round(2),
            "dept": rng.choice(["ops", "sales", "research"], 400),
        }
    )


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    """Few rows, so thousands of releases stay fast (the noise does not depend on the size)."""
    return pd.DataFrame({"age": [23, 35, 41, 52, 67, 18, 90, 44, 31, 29], "income": [41_000.5] * 10})


@pytest.mark.parametrize("epsilon", [1.0, 0.2])
def test_count_noise_is_discrete_laplace_of_scale_one_over_epsilon(small: pd.DataFrame, epsilon: float) -> None:
    query = Query("count", None, epsilon)
    assert prepare(small, query).scale == pytest.approx(1 / epsilon)
    noise = [x - len(small) for x in _draws(small, query)]
    assert all(float(x).is_integer() for x in noise)
    expected = _discrete_laplace_std(1 / epsilon)
    assert statistics.pstdev(noise) == pytest.approx(expected, rel=0.1)  # relative SE ~1.8% at 3000 draws
    assert abs(statistics.fmean(noise)) < 5 * expected / math.sqrt(DRAWS)  # unbiased


def test_smaller_epsilon_spreads_more(small: pd.DataFrame) -> None:
    spreads = [statistics.pstdev(_draws(small, Query("count", None, eps), 1000)) for eps in (2.0, 0.5, 0.125)]
    assert spreads[0] * 2.5 < spreads[1] < spreads[2] / 2.5  # the scale quadruples at each step


def test_sum_noise_is_laplace_of_scale_bound_over_epsilon(small: pd.DataFrame) -> None:
    query = Query("sum", "age", 0.5, bounds=(0, 120))
    prepared = prepare(small, query)
    assert prepared.scale == pytest.approx(120 / 0.5)
    assert prepared.mechanism == "discrete laplace"  # integer column, integer bounds: exact arithmetic
    noise = [x - small["age"].sum() for x in _draws(small, query)]
    assert statistics.pstdev(noise) == pytest.approx(math.sqrt(2) * 240, rel=0.1)


def test_float_sum_uses_continuous_laplace(small: pd.DataFrame) -> None:
    query = Query("sum", "income", 1.0, bounds=(0, 100_000))
    prepared = prepare(small, query)
    assert prepared.mechanism == "laplace"
    assert prepared.scale == pytest.approx(100_000, rel=1e-6)  # OpenDP adds a hair for float rounding
    noise = [x - small["income"].sum() for x in _draws(small, query, 2000)]
    assert statistics.pstdev(noise) == pytest.approx(math.sqrt(2) * 100_000, rel=0.12)


def test_values_outside_the_bounds_are_clamped() -> None:
    frame = pd.DataFrame({"x": [1_000_000] * 50})
    estimates = [dp_sum(frame, "x", epsilon=5.0, bounds=(0, 10)).value for _ in range(20)]
    assert statistics.fmean(estimates) == pytest.approx(500, abs=10)  # 50 rows clamped to 10
    means = [dp_mean(frame, "x", epsilon=1.0, bounds=(0, 10)).value for _ in range(20)]
    assert all(0 <= m <= 10 for m in means)


def test_mean_is_close_with_a_large_epsilon(people: pd.DataFrame) -> None:
    result = dp_mean(people, "income", epsilon=50.0, bounds=(0, 100_000))
    assert result.value == pytest.approx(people["income"].mean(), rel=0.05)
    assert result.epsilon == 50.0


def test_quantiles_land_near_the_truth_with_a_large_epsilon() -> None:
    frame = pd.DataFrame({"x": np.arange(1000) % 101})
    result = dp_quantile(frame, "x", epsilon=30.0, bounds=(0, 100), quantiles=[0.25, 0.5, 0.75])
    assert [e.key for e in result.estimates] == ["q0.25", "q0.5", "q0.75"]
    for estimate, truth in zip(result.estimates, (25, 50, 75), strict=True):
        assert abs(estimate.value - truth) <= 5


def test_numeric_histogram_bins_and_clamps() -> None:
    frame = pd.DataFrame({"x": [1, 2, 3, 11, 12, 25, 39, 40, 1000, -5]})
    result = dp_histogram(frame, "x", epsilon=100.0, bounds=(0, 40), bins=4)
    assert [e.key for e in result.estimates] == ["[0, 10)", "[10, 20)", "[20, 30)", "[30, 40]"]
    assert [round(e.value) for e in result.estimates] == pytest.approx([4, 2, 1, 3], abs=1)


def test_text_histogram_counts_declared_categories_and_the_rest() -> None:
    frame = pd.DataFrame({"dept": ["ops"] * 30 + ["sales"] * 20 + ["legal"] * 5})
    result = dp_histogram(frame, "dept", epsilon=100.0, categories=["ops", "sales", "hr"])
    counts = {e.key: e.value for e in result.estimates}
    assert set(counts) == {"ops", "sales", "hr", "(other)"}
    assert counts == pytest.approx({"ops": 30, "sales": 20, "hr": 0, "(other)": 5}, abs=1)


def test_grouping_with_declared_keys_answers_every_key_and_only_those(people: pd.DataFrame) -> None:
    result = dp_count(people, epsilon=50.0, by="dept", keys=["ops", "sales", "marketing"])
    assert [e.group for e in result.estimates] == ["ops", "sales", "marketing"]  # empty "marketing" answered too
    truth = people["dept"].value_counts()
    counts = {e.group: e.value for e in result.estimates}
    assert counts["ops"] == pytest.approx(truth["ops"], abs=1)
    assert counts["marketing"] == pytest.approx(0, abs=1)
    assert result.epsilon == 50.0  # disjoint groups: one group's epsilon (parallel composition)


def test_partition_selection_hides_rare_groups() -> None:
    frame = pd.DataFrame({"diag": ["flu"] * 200 + ["cold"] * 150 + ["rare"] * 1})
    for _ in range(20):
        result = dp_count(frame, epsilon=1.0, by="diag", delta=1e-6)
        assert {e.group for e in result.estimates} == {"flu", "cold"}  # one row never crosses the threshold
    assert result.mechanism.startswith("laplace threshold")
    histogram = dp_histogram(frame, "diag", epsilon=1.0, delta=1e-6)
    assert {e.key for e in histogram.estimates} == {"flu", "cold"}


def test_grouped_mean_with_partition_selection(people: pd.DataFrame) -> None:
    result = dp_mean(people, "age", epsilon=20.0, bounds=(0, 120), by="dept", delta=1e-6)
    assert {e.group for e in result.estimates} == {"ops", "sales", "research"}
    for e in result.estimates:
        truth = people.loc[people["dept"] == e.group, "age"].mean()
        assert e.value == pytest.approx(truth, abs=6)


def test_the_library_privacy_map_never_exceeds_the_epsilon_asked(people: pd.DataFrame) -> None:
    from coatcheck.analytics import _opendp as odp

    for calibrated in (
        odp.count_measurement(0.3),
        odp.sum_measurement(0.3, "float", (-5.0, 7.5)),
        odp.mean_measurement(0.3, "int", (0.0, 120.0)),
        odp.quantile_measurement(0.3, "float", (0.1, 0.9), tuple(float(i) for i in range(50))),
        odp.histogram_measurement(0.3, "str", categories=("a", "b")),
    ):
        assert calibrated.epsilon <= 0.3
        assert calibrated.epsilon == pytest.approx(0.3, rel=1e-3)  # and not wastefully below it


def test_result_shapes(people: pd.DataFrame) -> None:
    result = dp_count(people, epsilon=1.0, by="dept", keys=["ops"])
    frame = result.to_frame()
    assert list(frame.columns) == ["group", "key", "value"]
    data = result.as_dict()
    assert data["statistic"] == "count"
    assert data["estimates"][0]["group"] == "ops"
