"""Scoring rules of coatcheck.detect.evaluate, on tiny hand-computed data sets (no detector involved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coatcheck.detect.evaluate import (
    ErrorCase,
    Span,
    TypeScore,
    evaluate,
    load_dataset,
    map_type,
    mask_snippet,
    parse_dataset,
    score,
)
from coatcheck.detect.types import Entity
from coatcheck.errors import InputError

TEXT = "Call Jane Doe at 415-555-0132 or jane@example.com today."
#       0    5   9   13  17          29  33              49


def span(kind: str, text: str, value: str, occurrence: int = 0) -> dict[str, object]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(value, start + 1)
    return {"entity_type": kind, "start_position": start, "end_position": start + len(value), "entity_value": value}


def records_of(*items: tuple[str, list[dict[str, object]]]) -> list[dict[str, object]]:
    return [{"full_text": text, "spans": spans} for text, spans in items]


GOLD = records_of(
    (
        TEXT,
        [
            span("PERSON", TEXT, "Jane Doe"),
            span("PHONE_NUMBER", TEXT, "415-555-0132"),
            span("EMAIL_ADDRESS", TEXT, "jane@example.com"),
        ],
    ),
    ("Order 1120045893 shipped.", []),
    ("Version 4.2.1.7 is out.", []),
)


def test_hand_computed_metrics() -> None:
    records = parse_dataset(GOLD)
    predictions = [
        [Span("PERSON", 5, 13), Span("PHONE_NUMBER", 17, 29), Span("PERSON", 33, 37)],  # email missed, 1 FP
        [Span("PHONE_NUMBER", 6, 16)],  # false alarm
        [],
    ]
    report = score(records, predictions)
    assert report.types == ("EMAIL_ADDRESS", "PERSON", "PHONE_NUMBER")
    assert report.per_type["PERSON"] == TypeScore(tp=1, fp=1, fn=0)
    assert report.per_type["PHONE_NUMBER"] == TypeScore(tp=1, fp=1, fn=0)
    assert report.per_type["EMAIL_ADDRESS"] == TypeScore(tp=0, fp=0, fn=1)
    assert report.overall == TypeScore(tp=2, fp=2, fn=1)
    assert report.overall.precision == pytest.approx(0.5)
    assert report.overall.recall == pytest.approx(2 / 3)
    assert report.overall.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert (report.pii_free, report.false_alarms, report.false_alarm_rate) == (2, 1, 0.5)
    assert set(report.errors) == {
        ErrorCase("fp", "PERSON", 0, 33, 37),
        ErrorCase("fp", "PHONE_NUMBER", 1, 6, 16),
        ErrorCase("fn", "EMAIL_ADDRESS", 0, 33, 49),
    }


@pytest.mark.parametrize(
    ("predicted", "tp"),
    [
        ((0, 10), 1),  # exact
        ((0, 5), 1),  # IoU 0.5 exactly: counts
        ((0, 4), 0),  # IoU 0.4
        ((5, 15), 0),  # IoU 5/15
        ((0, 20), 1),  # IoU 0.5, the prediction contains the gold span
        ((0, 21), 0),  # IoU 10/21
    ],
)
def test_iou_threshold(predicted: tuple[int, int], tp: int) -> None:
    records = parse_dataset(
        [{"full_text": "x" * 30, "spans": [{"entity_type": "PERSON", "start_position": 0, "end_position": 10}]}]
    )
    report = score(records, [[Span("PERSON", *predicted)]])
    assert report.overall == TypeScore(tp=tp, fp=1 - tp, fn=1 - tp)


def test_matching_is_one_to_one_and_best_overlap_first() -> None:
    text = "Jane Doe and Ann Lee"
    records = parse_dataset(records_of((text, [span("PERSON", text, "Jane Doe"), span("PERSON", text, "Ann Lee")])))
    # One long prediction overlapping both, two predictions on the first name.
    report = score(records, [[Span("PERSON", 0, 8), Span("PERSON", 0, 4), Span("PERSON", 13, 20)]])
    assert report.overall == TypeScore(tp=2, fp=1, fn=0)


def test_types_are_mapped_on_both_sides_and_ignored_types_reported() -> None:
    text = "Mr. Jane Doe from Paris works at Acme Corp."
    data = records_of(
        (
            text,
            [
                span("TITLE", text, "Mr."),
                span("PER", text, "Jane Doe"),
                span("GPE", text, "Paris"),
                span("ORG", text, "Acme Corp"),
                span("NRP", text, "Paris"),
            ],
        )
    )
    records = parse_dataset(data)
    assert records[0].spans[0] == Span("?TITLE", 0, 3)
    predictions = [[Span("PERSON", 4, 12), Span("LOC", 18, 23), Span("ORGANIZATION", 33, 42), Span("NRP", 0, 3)]]
    report = score(records, predictions)
    assert report.types == ("LOCATION", "ORGANIZATION", "PERSON")
    assert report.overall == TypeScore(tp=3, fp=0, fn=0)
    assert dict(report.ignored) == {"TITLE": 1, "NRP": 1}


@pytest.mark.parametrize(
    ("name", "mapped"),
    [
        ("GPE", "LOCATION"),
        ("ADDRESS", "STREET_ADDRESS"),
        ("DOMAIN_NAME", "URL"),
        ("TITLE", None),
        ("API_KEY", "API_KEY"),
        ("NOT_A_TYPE", None),
        ("MEDICATION", "MEDICATION"),
    ],
)
def test_map_type(name: str, mapped: str | None) -> None:
    assert map_type(name) == mapped


def test_adjacent_gold_spans_of_one_type_are_merged() -> None:
    text = "Jane Doe\n12 Main St\nSuite 4, Paris"
    data = records_of(
        (
            text,
            [
                span("PERSON", text, "Jane"),
                span("PERSON", text, "Doe"),
                span("STREET_ADDRESS", text, "12 Main St"),
                span("STREET_ADDRESS", text, "Suite 4"),
                span("LOCATION", text, "Paris"),
            ],
        )
    )
    [record] = parse_dataset(data)
    assert record.spans == (Span("PERSON", 0, 8), Span("STREET_ADDRESS", 9, 27), Span("LOCATION", 29, 34))


def test_a_general_prediction_finds_a_specific_gold_type_without_being_scored_itself() -> None:
    text = "DOB 03/12/1984, seen 2024-05-01."
    records = parse_dataset(records_of((text, [span("DATE_OF_BIRTH", text, "03/12/1984")])))
    report = score(records, [[Span("DATE_TIME", 4, 14), Span("DATE_TIME", 21, 31)]])
    assert report.types == ("DATE_OF_BIRTH",)
    assert report.overall == TypeScore(tp=1, fp=0, fn=0)  # the second date is not a scored type


def test_a_specific_prediction_counts_as_its_general_type_where_only_that_is_labelled() -> None:
    text = "born 03/12/1984, seen 2024-05-01."
    records = parse_dataset(records_of((text, [span("DATE_TIME", text, "03/12/1984")])))
    report = score(records, [[Span("DATE_OF_BIRTH", 5, 15), Span("DATE_OF_BIRTH", 22, 32)]])
    assert report.overall == TypeScore(tp=1, fp=1, fn=0)
    assert report.errors == (ErrorCase("fp", "DATE_TIME", 0, 22, 32),)
    both = score(records, [[Span("DATE_OF_BIRTH", 5, 15)]], types=["DATE_TIME", "DATE_OF_BIRTH"])
    assert both.overall == TypeScore(tp=0, fp=1, fn=1)  # where both are scored, types must agree


def test_unscored_predictions_raise_no_false_alarm() -> None:
    records = parse_dataset(GOLD)
    report = score(records, [[], [Span("URL", 0, 5)], [Span("IP_ADDRESS", 8, 15)]])
    assert report.false_alarms == 0  # IP_ADDRESS is not labelled anywhere in GOLD
    narrowed = score(records, [[], [], [Span("IP_ADDRESS", 8, 15)]], types=["IP_ADDRESS", "PERSON"])
    assert narrowed.false_alarms == 1
    assert narrowed.types == ("IP_ADDRESS", "PERSON")
    assert narrowed.per_type["IP_ADDRESS"] == TypeScore(fp=1)


def test_evaluate_runs_a_detector_in_batches() -> None:
    records = parse_dataset(GOLD)
    seen: list[int] = []

    def fake_detect(texts: list[str]) -> list[list[Entity]]:
        seen.append(len(texts))
        return [[Entity("EMAIL_ADDRESS", 33, 49, 0.9, "test")] if "@" in t else [] for t in texts]

    report = evaluate(records, fake_detect, batch_size=2)
    assert seen == [2, 1]
    assert report.per_type["EMAIL_ADDRESS"] == TypeScore(tp=1)
    assert report.overall.recall == pytest.approx(1 / 3)


def test_metrics_of_empty_counts_are_zero_not_errors() -> None:
    empty = TypeScore()
    assert (empty.precision, empty.recall, empty.f1, empty.support) == (0.0, 0.0, 0.0, 0)
    report = score(parse_dataset([]), [])
    assert (report.overall, report.false_alarm_rate) == (TypeScore(), 0.0)


def test_report_as_dict_holds_no_text() -> None:
    records = parse_dataset(GOLD)
    report = score(records, [[Span("PERSON", 5, 13)], [], []])
    dumped = json.dumps(report.as_dict())
    assert "Jane" not in dumped
    assert "example.com" not in dumped
    assert report.as_dict()["per_type"]["PERSON"] == {  # type: ignore[index]
        "support": 1,
        "tp": 1,
        "fp": 0,
        "fn": 0,
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }


def test_prediction_count_must_match_records() -> None:
    with pytest.raises(InputError, match="2 prediction lists for 3 records"):
        score(parse_dataset(GOLD), [[], []])


# -- loading ---------------------------------------------------------------------------------------------

SECRET = "Zebulon Quarrington"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"full_text": SECRET}, "a dataset is a JSON list"),
        ([{"full_text": "ok", "spans": []}, "nope"], "record 1: expected an object"),
        ([{"text": SECRET, "spans": []}], "record 0: 'full_text' must be a string"),
        ([{"full_text": SECRET, "spans": {}}], "record 0: 'spans' must be a list"),
        (
            [{"full_text": SECRET, "spans": [{"start_position": 0, "end_position": 7}]}],
            "record 0, span 0: 'entity_type'",
        ),
        (
            [
                {"full_text": "ok", "spans": []},
                {"full_text": SECRET, "spans": [{"entity_type": "PERSON", "start_position": 0, "end_position": 99}]},
            ],
            r"record 1, span 0 \(PERSON\): positions 0..99 outside the text \(length 19\)",
        ),
        (
            [{"full_text": SECRET, "spans": [{"entity_type": "PERSON", "start_position": 5, "end_position": 5}]}],
            "outside the text",
        ),
        (
            [{"full_text": SECRET, "spans": [{"entity_type": "PERSON", "start_position": True, "end_position": 7}]}],
            "must be integers",
        ),
        (
            [{"full_text": SECRET, "spans": [{"entity_type": "PERSON", "start_position": "0", "end_position": 7}]}],
            "must be integers",
        ),
        (
            [
                {
                    "full_text": SECRET,
                    "spans": [
                        {"entity_type": "PERSON", "start_position": 0, "end_position": 7, "entity_value": "Quarrington"}
                    ],
                }
            ],
            r"'entity_value' differs from full_text\[0:7\]",
        ),
    ],
)
def test_bad_datasets_name_the_file_and_record_but_not_the_values(tmp_path: Path, data: object, where: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=where) as caught:
        load_dataset(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert "Zebulon" not in message
    assert "Quarrington" not in message


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read dataset"):
        load_dataset(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('[{"full_text": "Zebulon", ', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.json: invalid JSON .* line 1") as caught:
        load_dataset(broken)
    assert "Zebulon" not in str(caught.value)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe[]")
    with pytest.raises(InputError, match="not UTF-8"):
        load_dataset(binary)


def test_entity_value_is_compared_without_case(tmp_path: Path) -> None:
    # presidio-evaluator lower-cases some entity_value fields but not the text.
    path = tmp_path / "ok.json"
    path.write_text(
        json.dumps([{"full_text": "Hi Jane", "spans": [span("PERSON", "Hi Jane", "Jane") | {"entity_value": "jane"}]}])
    )
    [record] = load_dataset(path)
    assert record.spans == (Span("PERSON", 3, 7),)
    assert record.labelled


def test_mask_snippet_shows_shapes_only() -> None:
    records = parse_dataset(GOLD)
    snippet = mask_snippet(TEXT, 33, 49, hide=records[0].spans, width=20)
    assert snippet == "at 999-999-9999 or «xxxx@xxxxxxx.xxx» today."
    assert mask_snippet("a\n\nb  Ann", 6, 9) == "a b «Xxx»"


# -- properties ------------------------------------------------------------------------------------------

_TYPES = st.sampled_from(["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS"])


@st.composite
def datasets(draw: st.DrawFn) -> list[dict[str, object]]:
    out = []
    for _ in range(draw(st.integers(0, 6))):
        length = draw(st.integers(1, 60))
        cuts = sorted(draw(st.sets(st.integers(0, length), max_size=6)))
        # Non-adjacent, non-empty spans: every second gap between cut points, separated by a letter.
        spans = [
            {"entity_type": draw(_TYPES), "start_position": a, "end_position": b}
            for a, b in zip(cuts[::2], cuts[1::2], strict=False)
            if b > a
        ]
        out.append({"full_text": "a" * length, "spans": spans})
    return out


@given(datasets())
def test_perfect_predictions_score_one_and_none_score_zero(data: list[dict[str, object]]) -> None:
    records = parse_dataset(data)
    perfect = score(records, [list(r.spans) for r in records])
    assert perfect.overall.fp == perfect.overall.fn == 0
    assert perfect.false_alarms == 0
    nothing = score(records, [[] for _ in records])
    assert nothing.overall.tp == nothing.overall.fp == 0
    assert nothing.overall.fn == perfect.overall.tp == sum(len(r.spans) for r in records)
    if perfect.overall.tp:
        assert perfect.overall.f1 == 1.0
        assert nothing.overall.f1 == 0.0
