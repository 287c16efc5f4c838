"""Bad queries get a clear InputError naming the parameter or column, and never quote the data."""

from __future__ import annotations

import pandas as pd
import pytest

from coatcheck.analytics import Query, dp_count, dp_histogram, dp_quantile, dp_sum, prepare
from coatcheck.errors import InputError

SECRET = "sarah.chen@example.com"
TABLE = pd.DataFrame(
    {"email": [SECRET, "bob@example.org", "eve@example.net"], "age": [34, 51, 29], "dept": ["ops", "ops", "hr"]}
)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (Query("sum", "age", 1.0), "sum of column 'age' needs bounds=\\(lower, upper\\)"),
        (Query("mean", "age", 1.0), "mean of column 'age' needs bounds"),
        (Query("quantile", "age", 1.0), "quantile of column 'age' needs bounds"),
        (Query("histogram", "age", 1.0), "histogram of column 'age' needs bounds"),
        (Query("count", None, 0.0), "epsilon must be > 0"),
        (Query("count", None, -1.0), "epsilon must be > 0"),
        (Query("count", None, float("nan")), "epsilon must be a finite number"),
        (Query("count", None, float("inf")), "epsilon must be a finite number"),
        (Query("count", None, True), "epsilon must be a finite number"),  # type: ignore[arg-type]
        (Query("count", None, 1.0, delta=1.5), "delta must be >= 0 and < 1"),
        (Query("count", None, 1.0, delta=-1e-9), "delta must be >= 0 and < 1"),
        (Query("count", None, 1.0, delta=1e-6), "delta is only spent by DP partition selection"),
        (Query("count", None, 1.0, by="dept", keys=("ops",), delta=1e-6), "delta is only spent"),
        (Query("count", "salary", 1.0), "column: unknown column 'salary'; the table has: email, age, dept"),
        (Query("count", None, 1.0, by="team"), "by: unknown column 'team'"),
        (Query("sum", "email", 1.0, bounds=(0, 1)), "sum needs a numeric column; column 'email' has dtype"),
        (Query("mean", "dept", 1.0, bounds=(0, 1)), "mean needs a numeric column; column 'dept'"),
        (Query("sum", "age", 1.0, bounds=(10, 10)), "bounds must have lower < upper"),
        (Query("sum", "age", 1.0, bounds=(50, 10)), "bounds must have lower < upper"),
        (Query("sum", "age", 1.0, bounds=(0, float("inf"))), "upper bound must be a finite number"),
        (Query("sum", "age", 1.0, bounds=(float("nan"), 1)), "lower bound must be a finite number"),
        (Query("quantile", "age", 1.0, bounds=(0, 100), quantiles=(1.0,)), "quantiles must be levels strictly"),
        (Query("quantile", "age", 1.0, bounds=(0, 100), candidates=1), "candidates must be an integer"),
        (Query("histogram", "age", 1.0, bounds=(0, 100), bins=0), "bins must be an integer from 1"),
        (Query("histogram", "dept", 1.0), "histogram of text column 'dept' needs declared categories"),
        (Query("histogram", "dept", 1.0, categories=()), "categories must be a non-empty list"),
        (Query("count", None, 1.0, by="dept"), "grouping by 'dept' needs declared public keys"),
        (Query("count", None, 1.0, by="dept", keys=()), "keys must be a non-empty list"),
        (Query("count", None, 1.0, by="dept", keys=("a", "a")), "keys must not repeat"),
        (Query("histogram", "age", 1.0, bounds=(0, 9), by="dept", delta=1e-6), "grouped histogram needs declared"),
        (Query("median", "age", 1.0), "statistic must be one of count, sum"),  # type: ignore[arg-type]
    ],
)
def test_bad_queries_name_what_is_wrong(query: Query, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        prepare(TABLE, query)
    assert SECRET not in str(caught.value)


def test_an_empty_table_is_refused() -> None:
    with pytest.raises(InputError, match="the table is empty"):
        dp_count(TABLE.iloc[0:0], epsilon=1.0)


def test_not_a_dataframe() -> None:
    with pytest.raises(InputError, match="expected a pandas DataFrame, not list"):
        dp_count([1, 2, 3], epsilon=1.0)  # type: ignore[arg-type]


def test_helper_argument_shapes() -> None:
    with pytest.raises(InputError, match="bounds must be a pair"):
        dp_sum(TABLE, "age", epsilon=1.0, bounds=(1, 2, 3))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="keys must be a list of group names, not one string"):
        dp_count(TABLE, epsilon=1.0, by="dept", keys="ops")
    with pytest.raises(InputError, match="quantiles must be levels"):
        dp_quantile(TABLE, "age", epsilon=1.0, bounds=(0, 100), quantiles=[])
    with pytest.raises(InputError, match="categories must be a non-empty list without repeats"):
        dp_histogram(TABLE, "dept", epsilon=1.0, categories=["ops", "ops"])


def test_missing_values_are_left_out_not_errors() -> None:
    frame = pd.DataFrame({"x": [1.0, None, 3.0, float("nan")] * 50})
    assert dp_count(frame, "x", epsilon=100.0).value == pytest.approx(100, abs=1)
    assert dp_count(frame, epsilon=100.0).value == pytest.approx(200, abs=1)
    assert dp_sum(frame, "x", epsilon=100.0, bounds=(0, 5)).value == pytest.approx(200, abs=5)
