"""k-anonymity, l-diversity, suggestions and step-by-step generalization, against hand-computed tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coatcheck.analytics import anonymize_to_k, risk_report
from coatcheck.errors import InputError

# Classes over (zip, sex): (13053,M) rows 0,3 | (13068,M) rows 1,2 | (14853,F) rows 4,5 | (14850,F) rows 6,7,8
# | (13053,F) row 9.
HAND = pd.DataFrame(
    {
        "zip": ["13053", "13068", "13068", "13053", "14853", "14853", "14850", "14850", "14850", "13053"],
        "sex": ["M", "M", "M", "M", "F", "F", "F", "F", "F", "F"],
        "age": ["28", "29", "21", "23", "50", "55", "47", "49", "41", "33"],
        "diagnosis": ["flu", "flu", "cold", "cold", "cancer", "flu", "cancer", "cancer", "cancer", "flu"],
    }
)


@pytest.mark.parametrize(
    ("k", "smallest", "at_risk_rows", "classes_at_risk"),
    [
        (1, 1, (), 0),
        (2, 1, (9,), 1),
        (3, 1, (0, 1, 2, 3, 4, 5, 9), 4),
        (4, 1, tuple(range(10)), 5),
    ],
)
def test_k_anonymity_of_a_hand_computed_table(
    k: int, smallest: int, at_risk_rows: tuple[int, ...], classes_at_risk: int
) -> None:
    report = risk_report(HAND, ["zip", "sex"], k=k, suggest=False)
    assert (report.rows, report.classes, report.smallest_class) == (10, 5, smallest)
    assert report.at_risk_rows == at_risk_rows
    assert report.records_at_risk == len(at_risk_rows)
    assert report.classes_at_risk == classes_at_risk
    assert report.max_risk == 1.0
    assert report.average_risk == pytest.approx(5 / 10)
    assert report.k_anonymous is (k == 1)


def test_l_diversity_of_a_hand_computed_table() -> None:
    report = risk_report(HAND, ["zip", "sex"], k=2, sensitive="diagnosis", suggest=False)
    # (14850,F) has only "cancer" and (13053,F) only "flu": two homogeneous classes, so l = 1.
    assert (report.l_diversity, report.homogeneous_classes, report.entropy_l) == (1, 2, 1.0)
    without_those = HAND.drop(index=[6, 7, 8, 9])
    report = risk_report(without_those, ["zip", "sex"], k=2, sensitive="diagnosis", suggest=False)
    # Each remaining class holds two different diagnoses, half and half: l = 2 and exp(entropy) = 2.
    assert (report.l_diversity, report.homogeneous_classes) == (2, 0)
    assert report.entropy_l == pytest.approx(2.0)


def test_suggestions_report_the_k_each_generalization_reaches() -> None:
    report = risk_report(HAND, ["zip", "sex"], k=2)
    found = {s.methods: (s.k, s.records_at_risk) for s in report.suggestions}
    # ZIP3: 130/M x4, 148/F x5, 130/F x1 -> k=1, row 9 still alone.
    assert found[(("zip", "ZIP3"),)] == (1, 1)
    # Dropping sex: 13053 x3, 13068 x2, 14853 x2, 14850 x3 -> k=2, nobody at risk.
    assert found[(("sex", "*"),)] == (2, 0)
    assert found[(("zip", "ZIP1"),)] == (4, 0)  # 1/M x4, 1/F x6
    assert report.suggestions[0].k == max(s.k for s in report.suggestions)  # best first
    assert report.kinds == {"zip": "ZIP_CODE", "sex": "OTHER"}


def test_age_and_date_ladders_use_the_generalize_operator() -> None:
    frame = pd.DataFrame(
        {"age": ["23", "27", "31", "38"], "dob": ["1980-01-02", "1980-06-30", "1987-03-04", "1991-12-31"]}
    )
    report = risk_report(frame, ["age", "dob"], k=2)
    assert report.kinds == {"age": "AGE", "dob": "DATE_OF_BIRTH"}
    found = {s.methods: s.k for s in report.suggestions}
    assert found[(("age", "age band 10"), ("dob", "year"))] == 1  # 20-29/1980 x2, 30-39/1987, 30-39/1991
    assert found[(("age", "age band 20"),)] == 1
    combined = risk_report(frame.assign(dob=["1980"] * 2 + ["1990"] * 2), ["age"], k=2)
    assert {s.methods: s.k for s in combined.suggestions}[(("age", "age band 10"),)] == 2


def test_missing_values_form_a_class_of_their_own() -> None:
    frame = pd.DataFrame({"zip": ["02139", None, None, "02139"], "sex": ["F", "F", "F", "F"]})
    report = risk_report(frame, ["zip", "sex"], k=2, suggest=False)
    assert (report.classes, report.smallest_class) == (2, 2)


def test_apply_reaches_the_target_k_and_reports_the_loss() -> None:
    done = anonymize_to_k(HAND, ["zip", "sex", "age"], 3, sensitive="diagnosis")
    assert done.report.smallest_class >= 3
    assert done.records_suppressed == 0
    assert len(done.data) == len(HAND)
    assert done.data["diagnosis"].tolist() == HAND["diagnosis"].tolist()  # only quasi-identifiers change
    loss = {c.column: c for c in done.columns}
    assert set(loss) == {"zip", "sex", "age"}
    for c in done.columns:
        assert 0 <= c.level <= c.height
        assert c.distinct_after <= c.distinct_before
        assert c.distinct_lost == pytest.approx(1 - c.distinct_after / c.distinct_before)
    assert len(done.steps) == sum(c.level for c in done.columns)
    assert loss["age"].kind == "AGE"
    assert loss["age"].distinct_before == 10


def test_apply_suppresses_outliers_when_allowed() -> None:
    frame = pd.concat([HAND[HAND["sex"] == "M"]] * 3 + [HAND.iloc[[9]]], ignore_index=True)  # 12 M rows, 1 F
    done = anonymize_to_k(frame, ["zip", "sex"], 3, max_suppression=0.1)
    assert done.steps == ()  # cheaper to remove the one lonely row than to generalize everyone
    assert (done.records_suppressed, done.suppressed_rows, len(done.data)) == (1, (12,), 12)
    assert done.report.smallest_class >= 3


def test_no_values_in_reports() -> None:
    report = risk_report(HAND, ["zip", "sex", "age"], k=2, sensitive="diagnosis")
    text = json.dumps(report.as_dict(rows=True)) + repr(report)
    done = anonymize_to_k(HAND, ["zip", "sex", "age"], 2, sensitive="diagnosis")
    text += json.dumps(done.as_dict()) + repr(done)
    for value in {*HAND["zip"], *HAND["diagnosis"], "13053", "cancer"}:
        assert value not in text


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: risk_report(HAND, ["zip", "postcode"]), "quasi-identifier: unknown column 'postcode'"),
        (lambda: risk_report(HAND, ["zip"], sensitive="illness"), "sensitive: unknown column 'illness'"),
        (lambda: risk_report(HAND, ["zip"], sensitive="zip"), "cannot also be a quasi-identifier"),
        (lambda: risk_report(HAND, []), "non-empty list"),
        (lambda: risk_report(HAND, "zip"), "non-empty list"),
        (lambda: risk_report(HAND, ["zip", "zip"]), "must not repeat"),
        (lambda: risk_report(HAND, ["zip"], k=0), "k must be an integer >= 1"),
        (lambda: risk_report(HAND.iloc[0:0], ["zip"]), "the table is empty"),
        (lambda: risk_report(HAND, ["zip"], kinds={"zip": "POSTCODE"}), "kind must be one of"),
        (lambda: risk_report(HAND, ["zip"], kinds={"sex": "OTHER"}), "not a quasi-identifier"),
        (lambda: anonymize_to_k(HAND, ["zip"], 11), "10 rows, fewer than k=11"),
        (lambda: anonymize_to_k(HAND, ["zip"], 2, max_suppression=0.9), "max_suppression must be"),
    ],
)
def test_bad_inputs_name_the_column_or_parameter(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        call()


rows = st.lists(
    st.tuples(
        st.sampled_from(["02139", "02138", "10001", "94110", "60614"]),
        st.integers(0, 99).map(str),
        st.sampled_from(["F", "M", "X"]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.integers(1, 6))
def test_apply_always_reaches_k(data: list[tuple[str, str, str]], k: int) -> None:
    frame = pd.DataFrame(data, columns=["zip", "age", "sex"]).assign(note=[f"n{i}" for i in range(len(data))])
    if len(frame) < k:
        with pytest.raises(InputError):
            anonymize_to_k(frame, ["zip", "age", "sex"], k)
        return
    done = anonymize_to_k(frame, ["zip", "age", "sex"], k)
    assert risk_report(done.data, ["zip", "age", "sex"], k=k, suggest=False).smallest_class >= k
    assert done.data["note"].tolist() == frame["note"].tolist()  # no suppression allowed: every row kept
