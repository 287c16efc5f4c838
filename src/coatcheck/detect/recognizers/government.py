"""Government identifiers: US SSN/ITIN/EIN, passports, driver's licenses, UK NHS and National Insurance numbers.

A dashed SSN (``536-22-8817``) is distinctive enough alone; the same nine digits undashed are any number, so
those rows start below the threshold and need a word like "SSN" or "passport" within the window.
"""

from __future__ import annotations

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import ID_NEGATIVE, LB, LB_NUM
from coatcheck.detect.types import Recognizer

__all__ = ["GOVERNMENT_RECOGNIZERS"]

_SSN_CONTEXT = ("ssn", "social security", "social sec", "soc sec", "ss#", "ss no", "ssa", "social")
_ITIN_CONTEXT = ("itin", "taxpayer", "tax id", "tin", "individual taxpayer", "tax identification")
_EIN_CONTEXT = (
    "ein",
    "fein",
    "employer identification",
    "employer id",
    "federal tax id",
    "tax id",
    "tin",
    "tax identification",
    "federal id",
)
_PASSPORT_CONTEXT = ("passport", "passport no", "passport number", "travel document")
_DL_CONTEXT = ("driver", "drivers", "driver's", "license", "licence", "dl", "dln", "driving", "lic")
# "dL" is also a lab unit: "LDL 162 mg/dL" must not make a nearby number a licence.
# Commit hashes look like a lowercase licence number.
_DL_NEGATIVE = ("mg/dl", "g/dl", "ng/dl", "ug/dl", "mcg/dl", "mmol", "ldl", "hdl", "lab", "labs", "commit", "sha")
# Lot and batch numbers on medicines and goods share the dashed 3-2-4 layout.
_SSN_NEGATIVE = (*ID_NEGATIVE, "lot", "batch")

US_SSN = Recognizer(
    name="us_ssn",
    entity="US_SSN",
    pattern=LB_NUM + r"(?P<value>\d{3}-\d{2}-\d{4}(?:-\d+)*)\b",
    score=0.8,
    validator=v.us_ssn,
    context=_SSN_CONTEXT,
    negative_context=_SSN_NEGATIVE,
    examples=(
        "His social security number is «536-22-8817»",
        "Here's my SSN: «212-09-4418»",
        "applicant ssn=«401-33-7261» dob=1984-03-12",
        "Pt. demographics: SSN «078-12-3456», MRN 00482913",
        "Name: Sam Lee\\nSSN «536-22-8817»\\n",
        "zero-width trick: SSN «536\u200b-22-8817»",
    ),
    counterexamples=(
        "Order 536-22-8817 shipped via ground.",
        "SSN 000-12-3456 and 666-12-3456 are never issued.",
        "Our SSN field example 123-45-6789 is a placeholder.",
        "Invalid area: 900-12-3456, invalid group 536-00-8817, invalid serial 536-22-0000.",
        "Part number 536-22-8817-04 is back-ordered.",
        "Released 2024-03-12, ticket ABC-536-22-8817.",
        "Pharmacy note: lot 290-95-3721 of atorvastatin recalled.",
    ),
)

US_SSN_SPACED = Recognizer(
    name="us_ssn_spaced",
    entity="US_SSN",
    pattern=LB_NUM + r"(?P<value>\d{3} \d{2} \d{4})\b",
    score=0.55,
    validator=v.us_ssn,
    context=_SSN_CONTEXT,
    negative_context=ID_NEGATIVE,
    examples=(
        "SSN «536 22 8817» on the W-2",
        "my social is «401 33 7261»",
    ),
    counterexamples=(
        "Order 536 22 8817 delivered.",
        "Coordinates 123 45 6789 are not an SSN (placeholder).",
    ),
)

US_SSN_WEAK = Recognizer(
    name="us_ssn_context",
    entity="US_SSN",
    pattern=LB_NUM + r"(?P<value>\d{9}|\d{3}\.\d{2}\.\d{4})\b",
    score=0.2,
    validator=v.us_ssn,
    context=_SSN_CONTEXT,
    context_boost=0.4,
    examples=(
        "SSN: «536228817»",
        "social security no. «401.33.7261»",
    ),
    counterexamples=(
        "Order 536228817 was split into two parcels.",
        "SSN: 123456789 is the documented dummy value.",
        "Sensor reading 536228817 at 10:22.",
    ),
)

US_ITIN = Recognizer(
    name="us_itin",
    entity="US_ITIN",
    pattern=LB_NUM + r"(?P<value>9\d{2}-\d{2}-\d{4}|9\d{2} \d{2} \d{4})\b",
    score=0.7,
    validator=v.us_itin,
    context=_ITIN_CONTEXT,
    negative_context=ID_NEGATIVE,
    examples=(
        "ITIN «912-78-1234» was issued last year.",
        "Taxpayer id «953 91 4410» on the return",
    ),
    counterexamples=(
        "Invoice 912-78-1234 is overdue.",
        "ITIN 912-45-1234 has an invalid group.",
    ),
)

US_ITIN_WEAK = Recognizer(
    name="us_itin_context",
    entity="US_ITIN",
    pattern=LB_NUM + r"(?P<value>9\d{8})\b",
    score=0.2,
    validator=v.us_itin,
    context=_ITIN_CONTEXT,
    context_boost=0.4,
    examples=("ITIN: «912781234»", "individual taxpayer id «953914410» on the 1040"),
    counterexamples=("Sensor 912781234 reported 21C.", "ITIN 912451234 has group 45, which is never issued."),
)

US_EIN = Recognizer(
    name="us_ein",
    entity="US_EIN",
    pattern=LB_NUM + r"(?P<value>\d{2}-\d{7})\b",
    score=0.45,
    validator=v.us_ein,
    context=_EIN_CONTEXT,
    negative_context=ID_NEGATIVE,
    examples=(
        "Our EIN is «12-3456789» for the W-9.",
        "Federal tax id: «95-4418872» (Acme Health LLC)",
    ),
    counterexamples=(
        "EIN 07-1234567 uses a prefix the IRS never assigns.",
        "Ticket 12-3456789 was closed.",
        "Call ext 12-3456789 for details.",
    ),
)

US_EIN_WEAK = Recognizer(
    name="us_ein_context",
    entity="US_EIN",
    pattern=LB_NUM + r"(?P<value>\d{9})\b",
    score=0.15,
    validator=v.us_ein,
    context=("ein", "fein", "employer identification", "employer id", "federal tax id"),
    context_boost=0.4,
    examples=("FEIN «954418872» on file.", "employer identification number: «123456789»"),
    counterexamples=("Batch 954418872 failed.", "EIN 074418872 starts with a prefix the IRS never uses."),
)

US_PASSPORT = Recognizer(
    name="us_passport",
    entity="US_PASSPORT",
    pattern=LB + r"(?P<value>[A-Z]\d{8})\b",
    score=0.25,
    validator=v.not_repeated,
    context=_PASSPORT_CONTEXT,
    context_boost=0.5,
    examples=(
        "Passport number «A12345678», expires 2031.",
        "passport: «C03005988»",
        '{"passport": "«C03005988»", "dl": "D1234567"}',
    ),
    counterexamples=(
        "Part A12345678 is in stock.",
        "Flight UA12345678 boarding.",
    ),
)

US_PASSPORT_DIGITS = Recognizer(
    name="us_passport_digits",
    entity="US_PASSPORT",
    pattern=LB_NUM + r"(?P<value>\d{9})\b",
    score=0.15,
    validator=v.not_repeated,
    context=_PASSPORT_CONTEXT,
    context_boost=0.5,
    examples=("My passport no. is «340020013».", "passport «552019874», issued 2019"),
    counterexamples=(
        "Order 340020013 shipped.",
        "Passport photo size is 600 by 600 pixels.",
    ),
)

US_DRIVER_LICENSE = Recognizer(
    name="us_driver_license",
    entity="US_DRIVER_LICENSE",
    pattern=LB + r"(?P<value>[A-Z]\d{3}-\d{3}-\d{2}-\d{3}-\d|[A-Z]\d{3}-\d{3}-\d{3}-\d{3}|[A-Za-z]{1,2}\d{4,13}"
    r"|\d{3}[A-Z]{2}\d{4}|\d{7}[A-Z])\b",
    score=0.2,
    validator=None,
    context=_DL_CONTEXT,
    context_boost=0.5,
    negative_context=_DL_NEGATIVE,
    examples=(
        "Driver's license «D1234567» (CA)",
        "DL# «S530-460-99-424-0»",
        "licence number «A230-279-135-866», state FL",
        "driving license: «U94783965»",
        "My driver's license number is «m472269848583»",
    ),
    counterexamples=(
        "Version D1234567 of the firmware.",
        "Model X12345 and part AB99812 ship Monday.",
        "MIT license; see commit a1234567 for details.",
    ),
)

US_DRIVER_LICENSE_DIGITS = Recognizer(
    name="us_driver_license_digits",
    entity="US_DRIVER_LICENSE",
    pattern=LB_NUM + r"(?P<value>\d{6,10}|\d{4}-\d{2}-\d{4})\b",
    score=0.1,
    validator=v.not_repeated,
    context=_DL_CONTEXT,
    context_boost=0.5,
    negative_context=_DL_NEGATIVE,
    examples=(
        "Driver license no «6940579», Alabama",
        "DL: «2270-66-1551»",
    ),
    counterexamples=(
        "Order 6940579 was delivered.",
        "MIT license, copyright 2024 Acme.",
        "Called Peter at noon to review labs: LDL 162 mg/dL, down from 171.",
    ),
)

UK_NHS = Recognizer(
    name="uk_nhs",
    entity="UK_NHS",
    pattern=LB_NUM + r"(?P<value>\d{3}[ -]\d{3}[ -]\d{4}|\d{10})\b",
    score=0.3,
    validator=v.uk_nhs,
    context=("nhs", "nhs number", "nhs no", "health service", "gp"),
    context_boost=0.45,
    examples=(
        "NHS number «943 476 5919», registered with Dr Patel's practice.",
        "nhs no: «9434765919»",
        "NHS «401-023-2137»",
    ),
    counterexamples=(
        "NHS number 943 476 5918 fails the check digit.",
        "Order 943 476 5919 was packed.",
    ),
)

UK_NINO = Recognizer(
    name="uk_nino",
    entity="UK_NINO",
    pattern=LB + r"(?P<value>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D])\b",
    score=0.6,
    validator=v.uk_nino,
    context=("national insurance", "nino", "ni number", "ni no", "insurance number", "hmrc"),
    negative_context=(*ID_NEGATIVE, "model", "product", "part"),
    context_boost=0.3,
    examples=(
        "National Insurance number: «AB 12 34 56 C»",
        "NINO «JG103759A» for payroll",
        "Her NI no is «CE 12 34 56 D»",
    ),
    counterexamples=(
        "Model GB123456A is discontinued.",
        "Prefix TN 12 34 56 B is never issued.",
        "Unit DA123456A and ref AB123456E are not NI numbers.",
        "Product AB123456C is out of stock.",
    ),
)

GOVERNMENT_RECOGNIZERS: tuple[Recognizer, ...] = (
    US_SSN,
    US_SSN_SPACED,
    US_SSN_WEAK,
    US_ITIN,
    US_ITIN_WEAK,
    US_EIN,
    US_EIN_WEAK,
    US_PASSPORT,
    US_PASSPORT_DIGITS,
    US_DRIVER_LICENSE,
    US_DRIVER_LICENSE_DIGITS,
    UK_NHS,
    UK_NINO,
)
