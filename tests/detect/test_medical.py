"""MEDICAL_CONDITION and MEDICATION gazetteers, doses and vague terms."""

from __future__ import annotations

import pytest

from coatcheck.detect._lexicon import read_lines
from coatcheck.detect._tokens import tokenize
from coatcheck.detect.medical import find_medical
from coatcheck.detect.rules import find_rule_entities


def medical(text: str) -> list[tuple[str, str]]:
    return [(e.type, e.text) for e in find_rule_entities(text) if e.type.startswith("MEDIC")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Patient has type 2 diabetes and hypertension.",
            [("MEDICAL_CONDITION", "type 2 diabetes"), ("MEDICAL_CONDITION", "hypertension")],
        ),
        ("Currently taking metformin 500 mg twice daily.", [("MEDICATION", "metformin 500 mg")]),
        ("Started Lisinopril 10mg last week.", [("MEDICATION", "Lisinopril 10mg")]),
        ("Give amoxicillin 250 mg/kg split in two doses.", [("MEDICATION", "amoxicillin 250 mg/kg")]),
        ("Metformin ER 750 mg with dinner.", [("MEDICATION", "Metformin ER 750 mg")]),
        ("Albuterol 2.5 ml via nebulizer.", [("MEDICATION", "Albuterol 2.5 ml")]),
        ("She was diagnosed with Crohn's disease.", [("MEDICAL_CONDITION", "Crohn's disease")]),
        ("History of COPD and CHF.", [("MEDICAL_CONDITION", "COPD"), ("MEDICAL_CONDITION", "CHF")]),
        ("Tested positive for COVID-19 in March.", [("MEDICAL_CONDITION", "COVID-19")]),
        (
            "He takes Zoloft for anxiety disorder.",
            [("MEDICATION", "Zoloft"), ("MEDICAL_CONDITION", "anxiety disorder")],
        ),
        ("Patient reports chest pain.", [("MEDICAL_CONDITION", "chest pain")]),
        ("HIV/AIDS clinic hours changed.", [("MEDICAL_CONDITION", "HIV/AIDS")]),
        # vague words need a medical word nearby
        ("He was diagnosed with depression in 2019.", [("MEDICAL_CONDITION", "depression")]),
        ("The Great Depression shaped the era.", []),
        ("Patient had a stroke last year.", [("MEDICAL_CONDITION", "stroke")]),
        ("That was a stroke of luck.", []),
        ("Takes lithium 300 mg daily.", [("MEDICATION", "lithium 300 mg")]),
        ("The lithium battery is swollen.", []),
    ],
)
def test_medical_terms(text: str, expected: list[tuple[str, str]]) -> None:
    assert medical(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The build has a memory leak.",
        "We fixed the virus scanner integration.",
        "1 TB of disk is free.",
        "Please add the cancer research link to the footer.",  # bare "cancer" is not listed on its own
        "ibuprofenator is not a drug",
    ],
)
def test_not_medical(text: str) -> None:
    assert medical(text) == []


def test_abbreviations_match_only_in_capitals() -> None:
    assert medical("history of copd") == []
    assert medical("als is short for also") == []
    assert medical("history of COPD") == [("MEDICAL_CONDITION", "COPD")]


def test_curly_apostrophes_match() -> None:
    assert medical("history of Parkinson’s disease") == [("MEDICAL_CONDITION", "Parkinson’s disease")]


def test_every_gazetteer_line_finds_itself() -> None:
    """Each listed term, in a sentence with a medical word, is found with exactly its own span."""
    for file, kind in (("medical_conditions.txt", "MEDICAL_CONDITION"), ("medications.txt", "MEDICATION")):
        for line in read_lines(file):
            term = line.lstrip("?")
            text = f"The patient was diagnosed and treated: {term}."
            spans = [(e.type, e.text) for e in find_medical(text, tokenize(text))]
            assert (kind, term) in spans, term
