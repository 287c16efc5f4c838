"""The engine's own rules, on hand-made recognizer rows (the built-in tables have their own generic test)."""

from __future__ import annotations

import pytest

from coatcheck.detect.engine import Detector
from coatcheck.detect.types import Recognizer
from coatcheck.errors import DetectionTimeout, DetectorError, InputError

DIGITS9 = Recognizer(
    name="nine_digits",
    entity="US_BANK_ACCOUNT",
    pattern=r"\b(?P<value>\d{9})\b",
    score=0.3,
    context=("account",),
    negative_context=("order",),
)
EMAIL = Recognizer(name="email", entity="EMAIL_ADDRESS", pattern=r"[a-z.]+@[a-z]+\.com", score=0.9)
URL = Recognizer(name="url", entity="URL", pattern=r"https?://[^\s]+", score=0.6)
EVEN = Recognizer(
    name="even_number", entity="AGE", pattern=r"\b\d{2}\b", score=0.8, validator=lambda v: int(v) % 2 == 0
)


def make(*rows: Recognizer, **kwargs: object) -> Detector:
    return Detector("fast", builtin=False, recognizers=rows, **kwargs)  # type: ignore[arg-type]


def spans(detector: Detector, text: str) -> list[tuple[str, str]]:
    return [(e.type, text[e.start : e.end]) for e in detector.detect(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("account 123456789", [("US_BANK_ACCOUNT", "123456789")]),
        ("123456789 is my account", [("US_BANK_ACCOUNT", "123456789")]),
        ("just 123456789", []),  # base score below threshold without context
        ("order account 123456789", []),  # negative context cancels the boost
        ("accountant 123456789", []),  # context words match whole words only
    ],
)
def test_context_raises_and_lowers_scores(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(make(DIGITS9), text) == expected


def test_context_sees_through_json_escapes() -> None:
    assert spans(make(DIGITS9), r'{"note": "x\naccount 123456789"}') == [("US_BANK_ACCOUNT", "123456789")]
    # control: a real letter glued to the word still blocks the whole-word match
    assert spans(make(DIGITS9), r'{"note": "x\qaccount 123456789"}') == []


def test_context_is_reported_for_explanations() -> None:
    [entity] = make(DIGITS9).detect("account 123456789")
    assert entity.context == ("account",)
    assert entity.score == pytest.approx(0.65)


def test_validator_drops_and_explain_says_why() -> None:
    detector = make(EVEN)
    assert spans(detector, "ages 41 and 42") == [("AGE", "42")]
    reasons = {(c.entity.text, c.dropped) for c in detector.explain("ages 41 and 42")}
    assert reasons == {("41", "validator"), ("42", None)}


def test_thresholds_per_type() -> None:
    assert spans(make(URL, thresholds={"URL": 0.7}), "see https://x.io/a") == []
    assert spans(make(URL, thresholds={"URL": 0.6}), "see https://x.io/a") == [("URL", "https://x.io/a")]


def test_longer_span_wins_overlap_and_loser_is_explained() -> None:
    detector = make(EMAIL, URL)
    text = "go https://sarah.chen@corp.com now"
    assert spans(detector, text) == [("URL", "https://sarah.chen@corp.com")]
    lost = [c for c in detector.explain(text) if c.dropped == "overlap"]
    assert [(c.entity.type, c.lost_to) for c in lost] == [("EMAIL_ADDRESS", "URL")]


def test_equal_spans_higher_score_then_specificity() -> None:
    low = Recognizer(name="low", entity="DATE_TIME", pattern=r"\d{4}-\d\d-\d\d", score=0.6)
    high = Recognizer(name="high", entity="DATE_OF_BIRTH", pattern=r"\d{4}-\d\d-\d\d", score=0.6)
    # same length and score: DATE_OF_BIRTH is more specific in the taxonomy
    assert spans(make(low, high), "on 1984-03-12") == [("DATE_OF_BIRTH", "1984-03-12")]
    higher = Recognizer(name="higher", entity="DATE_TIME", pattern=r"\d{4}-\d\d-\d\d", score=0.9)
    assert spans(make(higher, high), "on 1984-03-12") == [("DATE_TIME", "1984-03-12")]


def test_resolution_is_independent_of_recognizer_order() -> None:
    text = "mail sarah.chen@corp.com or https://sarah.chen@corp.com account 123456789"
    assert make(EMAIL, URL, DIGITS9).detect(text) == make(DIGITS9, URL, EMAIL).detect(text)


def test_allow_and_deny_lists() -> None:
    detector = make(EMAIL, allow=["Support@Corp.com"], deny={"Project Nightingale": "ORGANIZATION"})
    text = "write support@corp.com or jane@corp.com about project nightingale"
    assert spans(detector, text) == [("EMAIL_ADDRESS", "jane@corp.com"), ("ORGANIZATION", "project nightingale")]


def test_entity_filter() -> None:
    detector = make(EMAIL, URL, entities=["URL"])
    assert spans(detector, "a@b.com https://x.io") == [("URL", "https://x.io")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("mail ｓａｒａｈ@ｃｏｒｐ.ｃｏｍ now", "ｓａｒａｈ@ｃｏｒｐ.ｃｏｍ"),  # full-width
        ("mail sa\u200brah@corp.com now", "sa\u200brah@corp.com"),  # zero-width space inside
        ("mail sаrah@corp.com now", "sаrah@corp.com"),  # Cyrillic а
        ("mail \u200bsarah@corp.com\u200d now", "sarah@corp.com"),  # format chars around it stay outside
    ],
)
def test_offsets_index_the_original_string(text: str, value: str) -> None:
    [entity] = make(EMAIL).detect(text)
    assert text[entity.start : entity.end] == value
    assert entity.text == value


def test_non_ascii_digits_are_seen() -> None:
    text = "account ١٢٣٤٥٦٧٨٩ ok"
    [entity] = make(DIGITS9).detect(text)
    assert entity.text == "١٢٣٤٥٦٧٨٩"


@pytest.mark.parametrize("bad", [None, 42, ["text"], object()])
def test_wrong_input_types_get_a_typed_error(bad: object) -> None:
    with pytest.raises(InputError, match="takes str or UTF-8 bytes"):
        make(EMAIL).detect(bad)  # type: ignore[arg-type]


def test_bytes_are_decoded_and_invalid_utf8_is_named() -> None:
    [entity] = make(EMAIL).detect(b"a jane@corp.com")
    assert (entity.start, entity.end, entity.text) == (2, 15, "jane@corp.com")
    with pytest.raises(InputError, match=r"byte offset 2"):
        make(EMAIL).detect(b"ab\xff jane@corp.com")


def test_text_that_no_pattern_matches_is_clean_not_an_error() -> None:
    assert make(EMAIL, DIGITS9).detect("nothing to see here") == []
    assert make(EMAIL, DIGITS9).explain("nothing to see here") == []


def test_empty_and_surrogate_input() -> None:
    assert make(EMAIL).detect("") == []
    text = "x\ud800 jane@corp.com \udfff"
    [entity] = make(EMAIL).detect(text)
    assert text[entity.start : entity.end] == "jane@corp.com"


def test_failing_recognizer_fails_closed_without_leaking_the_text() -> None:
    def explode(value: str) -> bool:
        raise RuntimeError(f"cannot handle {value}")

    broken = Recognizer(
        name="broken", entity="EMAIL_ADDRESS", pattern=r"[a-z]+@corp\.com", score=0.9, validator=explode
    )
    with pytest.raises(DetectorError) as caught:
        make(broken).detect("secret jane@corp.com")
    assert "jane" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_deadline_raises() -> None:
    with pytest.raises(DetectionTimeout):
        make(EMAIL, deadline=0.0).detect("jane@corp.com " * 1000)


def test_unknown_types_and_bad_patterns_are_rejected() -> None:
    with pytest.raises(InputError, match="unknown entity type 'NOPE'"):
        make(EMAIL, thresholds={"NOPE": 0.5})
    with pytest.raises(InputError, match="unknown profile"):
        Detector("turbo", builtin=False)  # type: ignore[arg-type]
    bad = Recognizer(name="bad", entity="EMAIL_ADDRESS", pattern=r"(?<=x)y", score=0.5)
    with pytest.raises(DetectorError, match="does not compile in RE2"):
        make(bad)
    with pytest.raises(DetectorError, match="duplicate recognizer names: email"):
        make(EMAIL, EMAIL)


def test_huge_input_skips_the_prefilter_and_still_finds_everything() -> None:
    text = ("filler text " * 5000) + "jane@corp.com"
    assert spans(make(EMAIL, URL), text) == [("EMAIL_ADDRESS", "jane@corp.com")]


def test_repr_holds_no_values() -> None:
    [entity] = make(EMAIL).detect("jane@corp.com")
    assert "jane" not in repr(entity)


IBAN_ROW = Recognizer(
    name="iban_like", entity="IBAN_CODE", pattern=r"\bES\d{2}(?: \d{4}){5}\b", score=1.0, validator=lambda v: True
)
ORG_ROW = Recognizer(name="org_words", entity="ORGANIZATION", pattern=r"IBAN ES[\d ]+", score=0.85)
ADDRESS_ROW = Recognizer(name="loose_address", entity="STREET_ADDRESS", pattern=r"IBAN ES[\d ]+", score=0.85)


def test_validated_identifier_is_not_swallowed_by_a_looser_soft_span() -> None:
    text = "pay to IBAN ES91 2100 0418 4502 0005 1332 today"
    found = spans(make(IBAN_ROW, ORG_ROW), text)
    assert found == [("IBAN_CODE", "ES91 2100 0418 4502 0005 1332")]
    explained = {(c.entity.type, c.dropped, c.lost_to) for c in make(IBAN_ROW, ORG_ROW).explain(text)}
    assert ("ORGANIZATION", "overlap", "IBAN_CODE") in explained


def test_soft_span_still_wins_over_an_unvalidated_or_less_confident_finding() -> None:
    text = "pay to IBAN ES91 2100 0418 4502 0005 1332 today"
    unvalidated = Recognizer(name="iban_unvalidated", entity="IBAN_CODE", pattern=IBAN_ROW.pattern, score=1.0)
    assert spans(make(unvalidated, ADDRESS_ROW), text)[0][0] == "STREET_ADDRESS"
    unsure = Recognizer(
        name="iban_unsure", entity="IBAN_CODE", pattern=IBAN_ROW.pattern, score=0.8, validator=lambda v: True
    )
    assert spans(make(unsure, ADDRESS_ROW), text)[0][0] == "STREET_ADDRESS"
