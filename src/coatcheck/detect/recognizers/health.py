"""Health identifiers: medical record numbers and US National Provider Identifiers.

Medical conditions and medications are found by the gazetteer rules (``coatcheck.detect.medical``), not here.
"""

from __future__ import annotations

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import ID_NEGATIVE, LB, LB_NUM, TIMESTAMP_NEGATIVE
from coatcheck.detect.types import Recognizer

__all__ = ["HEALTH_RECOGNIZERS"]

_MRN_CONTEXT = (
    "mrn",
    "medical record",
    "record number",
    "record no",
    "patient id",
    "patient number",
    "patient no",
    "chart",
    "hospital number",
    "hosp no",
    "emr",
    "ehr",
)

MRN_LABELED = Recognizer(
    name="mrn_labeled",
    entity="MEDICAL_RECORD_NUMBER",
    pattern=LB + r"(?:mrn|medical record(?: number| no\.?| #)?|mr ?#|mr no\.?|patient id|patient no\.?"
    r"|chart(?: number| no\.?| #)|hospital (?:number|no\.?))\s*[:#=]?\s*(?P<value>[A-Z]{0,3}-?\d{5,10})\b",
    score=0.85,
    validator=v.not_repeated,
    case_insensitive=True,
    examples=(
        "Pt seen in ED, MRN «00482913», admitted to 4W.",
        "Patient: J. Doe, MRN: «00482913», DOB 03/12/1984",
        "Chart #«A-7712093» reviewed by Dr. Patel.",
        "medical record number «HX4419920» flagged for follow-up",
        "mrn=«55120034»&visit=2",
    ),
    counterexamples=(
        "MRN: 00000000 is a test placeholder.",
        "The MRN field is required for admission.",
        "Chart 3 shows revenue by quarter.",
    ),
)

MRN_CONTEXT = Recognizer(
    name="mrn_context",
    entity="MEDICAL_RECORD_NUMBER",
    pattern=LB_NUM + r"(?P<value>[A-Z]{1,3}-?\d{5,10}|\d{6,10})\b",
    score=0.15,
    validator=v.not_repeated,
    context=_MRN_CONTEXT,
    negative_context=ID_NEGATIVE,
    context_boost=0.45,
    examples=(
        "Pulled the medical record for «00482913» this morning.",
        "Patient number was «HX4419920» at intake.",
    ),
    counterexamples=(
        "Order 00482913 shipped.",
        "Medical record requests take 10 business days.",
    ),
)

US_NPI = Recognizer(
    name="us_npi",
    entity="US_NPI",
    pattern=LB_NUM + r"(?P<value>[12]\d{9})\b",
    score=0.2,
    validator=v.us_npi,
    context=(
        "npi",
        "national provider",
        "provider id",
        "provider number",
        "prescriber",
        "rendering provider",
        "billing provider",
        "provider",
    ),
    negative_context=(*ID_NEGATIVE, *TIMESTAMP_NEGATIVE),
    context_boost=0.45,
    examples=(
        "Referring provider NPI «1245319599».",
        "prescriber npi: «1003000126»",
    ),
    counterexamples=(
        "NPI 1245319598 fails its check digit.",
        "Order 1245319599 shipped.",
        "timestamp=1245319599 provider=aws",
    ),
)

HEALTH_RECOGNIZERS: tuple[Recognizer, ...] = (MRN_LABELED, MRN_CONTEXT, US_NPI)
