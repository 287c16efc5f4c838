"""spaCy NER backend: mapping, calibration, junk filtering, batching and chunking."""

from __future__ import annotations

import pytest

from coatcheck.detect.ner import SpacyNer, _chunks
from coatcheck.errors import DetectorError


@pytest.fixture(scope="session")
def ner() -> SpacyNer:
    return SpacyNer.load()


def spans(found: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(e.type, e.text) for e in found]


def test_load_is_cached(ner: SpacyNer) -> None:
    assert SpacyNer.load() is ner
    assert ner._nlp.pipe_names == ["ner"]  # only the component NER needs


def test_types_are_mapped_and_scored(ner: SpacyNer) -> None:
    found = ner.find("Angela Merkel met Emmanuel Macron in Paris on behalf of the European Commission.")
    assert ("PERSON", "Angela Merkel") in spans(found)
    assert ("LOCATION", "Paris") in spans(found)
    assert ("ORGANIZATION", "the European Commission") not in spans(found)  # leading "the" is trimmed
    assert all(e.recognizer == "spacy_ner" for e in found)
    assert all(0.0 < e.score <= 1.0 for e in found)
    person = next(e for e in found if e.text == "Angela Merkel")
    assert person.score >= 0.85


@pytest.mark.parametrize(
    "text",
    [
        "Hi, thanks for the update!",
        "Send it to [EMAIL_1] and <PERSON_2> today.",
        "Contact sarah.chen@example.com for access.",
        "See you on Monday in January.",
    ],
)
def test_junk_is_not_reported(ner: SpacyNer, text: str) -> None:
    reported = [e for e in ner.find(text) if e.score >= 0.5]
    assert reported == []


def test_greetings_and_titles_are_trimmed(ner: SpacyNer) -> None:
    found = ner.find("Hello Mr. Kwabena Mensah, your order shipped.")
    texts = [e.text for e in found if e.type == "PERSON"]
    assert texts
    assert all(not t.startswith(("Hello", "Mr")) for t in texts)


def test_escaped_line_breaks_split_entities_and_keep_offsets(ner: SpacyNer) -> None:
    text = r"Leigha Mackay\n\nLa Sagne\nSwitzerland"
    found = ner.find(text)
    for e in found:
        assert text[e.start : e.end] == e.text
        assert "\\n" not in e.text
    assert ("LOCATION", "Switzerland") in spans(found)


def test_batch_equals_one_by_one(ner: SpacyNer) -> None:
    texts = [
        "Dr. Sarah Chen saw the patient in Boston.",
        "",
        "Please restart the server.",
        "Lukas Schneider works for Siemens in Munich.",
        "Hi Paul, I'm contacting you about my IBAN.",
    ]
    assert ner.find_batch(texts) == [ner.find(t) for t in texts]
    assert ner.find_batch([]) == []


def test_long_text_is_chunked_with_correct_offsets(ner: SpacyNer) -> None:
    names = ["Sarah Chen", "Lukas Schneider", "Maria Gonzalez", "Kwabena Mensah", "Priya Raman", "Olivia Brown"]
    text = "\n".join(f"Yesterday {name} called about the invoice." for name in names * 3)
    small = SpacyNer(ner._nlp, max_chars=150)
    pieces = list(_chunks(text, 150))
    assert len(pieces) > 5
    found = small.find(text)
    for e in found:
        assert text[e.start : e.end] == e.text
    persons = {(e.start, e.text) for e in found if e.type == "PERSON"}
    for name in names:
        starts = [i for i in range(len(text)) if text.startswith(name, i)]
        assert {(s, name) for s in starts} <= persons
    assert persons == {(e.start, e.text) for e in ner.find(text) if e.type == "PERSON"}


@pytest.mark.parametrize("limit", [10, 37, 100])
def test_chunks_cover_the_text_and_cut_at_whitespace(limit: int) -> None:
    text = "alpha beta\ngamma delta epsilon " * 12 + "x" * 45
    pieces = list(_chunks(text, limit))
    assert "".join(p for _, p in pieces) == text
    offset = 0
    for start, piece in pieces:
        assert start == offset
        assert len(piece) <= limit
        offset += len(piece)
        if start + len(piece) < len(text) and not piece.startswith("x"):
            assert piece[-1] in " \n\t"


def test_empty_text(ner: SpacyNer) -> None:
    assert ner.find("") == []
    assert list(_chunks("", 10)) == [(0, "")]


def test_pipeline_without_ner_is_rejected(ner: SpacyNer) -> None:
    class NoNer:
        pipe_names = ("tagger",)
        max_length = 1000

    with pytest.raises(DetectorError, match="'ner'"):
        SpacyNer(NoNer())


def test_model_failure_is_a_detector_error(ner: SpacyNer) -> None:
    class Broken:
        pipe_names = ("ner",)
        max_length = 1000

        def pipe(self, texts: object, batch_size: int) -> object:
            raise RuntimeError("Sarah Chen")

    with pytest.raises(DetectorError) as info:
        SpacyNer(Broken()).find("Sarah Chen")
    assert "Sarah" not in str(info.value)
