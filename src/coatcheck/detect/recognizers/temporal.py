"""Dates, dates of birth and ages.

DATE_TIME and DATE_OF_BIRTH share their patterns: a date is a date of birth when a word like "born" or "DOB"
is near it, and the DOB row then outscores the plain date on the same span. Machine timestamps (a date with a
time down to the second, as in logs) are rejected by the validator on purpose: they are event times, not
personal data.
"""

from __future__ import annotations

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import ID_NEGATIVE, LB, MONTH, lb
from coatcheck.detect.types import Recognizer

__all__ = ["TEMPORAL_RECOGNIZERS"]

_LB_DATE = lb("./:-")
_MONTH_ANY = MONTH + r"|january|february|march|april|june|july|august|september|october|november|december"
_ISO = (
    r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|(?:19|20)\d{2}/\d{1,2}/\d{1,2}"
)
_NUMERIC = r"\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})|\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}-\d{1,2}-\d{4}"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_NAMED = (
    rf"(?:{_MONTH_ANY})\.? \d{{1,2}}{_ORD}(?:,? {_YEAR})?"
    rf"|\d{{1,2}}{_ORD} (?:of )?(?:{_MONTH_ANY})\.?(?:,? {_YEAR})?"
    rf"|(?:{_MONTH_ANY})\.?,? {_YEAR}"
)
_DATE_PATTERNS = {
    "iso": _LB_DATE + rf"(?P<value>{_ISO})\b",
    "numeric": _LB_DATE + rf"(?P<value>{_NUMERIC})\b",
    "named": LB + rf"(?P<value>{_NAMED})\b",
}
_DATE_NEGATIVE = ("version", "v", "build", "sku", "model", "firmware")
_BIRTH = (
    "born",
    "birth",
    "dob",
    "d.o.b",
    "birthday",
    "birthdate",
    "date of birth",
    "bday",
    "b-day",
    "geb",
)

DATE_ISO = Recognizer(
    name="date_iso",
    entity="DATE_TIME",
    pattern=_DATE_PATTERNS["iso"],
    score=0.6,
    validator=v.calendar_date,
    negative_context=_DATE_NEGATIVE,
    examples=(
        "Your appointment is on «2024-03-12».",
        "Follow-up visit «2024-04-02 14:30» with cardiology",
        "Contract signed «2023/11/05», renewal due next year.",
    ),
    counterexamples=(
        "2024-03-12T10:22:01Z INFO request completed in 132 ms",
        "[2024-03-12 10:22:01,123] WARN retrying upload",
        "Invalid date 2024-02-30 rejected by the form.",
        "Event ts=1710238921 written.",
        "Build 2024-03-12 of version 4.2 is out.",
    ),
)

DATE_NUMERIC = Recognizer(
    name="date_numeric",
    entity="DATE_TIME",
    pattern=_DATE_PATTERNS["numeric"],
    score=0.6,
    validator=v.calendar_date,
    negative_context=_DATE_NEGATIVE,
    examples=(
        "I was admitted on «03/12/2024» and discharged two days later.",
        "Flight on «12.03.2024» from Berlin",
        "Last payment «3/29/22»",
    ),
    counterexamples=(
        "Card expires 12/26 and CVV is on the back.",
        "Use 3/4 cup of flour and 1/2 tsp salt.",
        "Bump to 1.2.3 then v2.14.3.",
        "Score was 13/45/2024 points, which is nonsense.",
        "Price $12.50, qty 3.",
    ),
)

DATE_NAMED = Recognizer(
    name="date_named",
    entity="DATE_TIME",
    pattern=_DATE_PATTERNS["named"],
    score=0.6,
    validator=v.calendar_date,
    negative_context=_DATE_NEGATIVE,
    examples=(
        "The surgery is scheduled for «March 12, 2024».",
        "see you «12 March 2024» at the clinic",
        "Deadline: «Mar 12th»",
        "We met on the «3rd of June»",
        "Invoice period «September 2023»",
    ),
    counterexamples=(
        "May I ask a question about my order?",
        "We will march forward with the plan.",
        "Released February 30, 2024 - which is not a real date.",
        "Section 12 covers the main rules.",
    ),
)

_DOB_CONTEXT_ROWS = tuple(
    Recognizer(
        name=f"dob_{kind}",
        entity="DATE_OF_BIRTH",
        pattern=pattern,
        score=0.2,
        validator=v.calendar_date,
        context=_BIRTH,
        context_boost=0.5,
        examples=examples,
        counterexamples=counterexamples,
    )
    for kind, pattern, examples, counterexamples in (
        (
            "iso",
            _DATE_PATTERNS["iso"],
            ("applicant ssn=401-33-7261 dob=«1984-03-12»", "Date of birth: «1990/07/04»"),
            ("Appointment on 1984-03-12 at the clinic.", "DOB field format is YYYY-MM-DD, e.g. 2024-13-45."),
        ),
        (
            "numeric",
            _DATE_PATTERNS["numeric"],
            ("Patient: J. Doe, MRN: 00482913, DOB «03/12/1984»", "She was born on «12.03.1984» in Lyon."),
            ("Visit on 03/12/1984 was cancelled.", "Order placed 03/12/2024, delivered 03/14/2024."),
        ),
        (
            "named",
            _DATE_PATTERNS["named"],
            ("I was born «March 12, 1984».", "Birthday: «12th of March»", "d.o.b. «4 July 1976»"),
            ("We launched on March 12, 1984.", "The anniversary is 4 July 1976."),
        ),
    )
)

DOB_YEAR = Recognizer(
    name="dob_year",
    entity="DATE_OF_BIRTH",
    pattern=LB + r"(?:born in|year of birth|birth year|yob)\s*:?\s*(?P<value>(?:19|20)\d{2})\b",
    score=0.7,
    case_insensitive=True,
    examples=("I was born in «1984» in Ohio.", "Year of birth: «1990»"),
    counterexamples=("The company was founded in 1984.", "Born in the USA was released in 1984."),
)

_AGE_NEGATIVE = (
    "car",
    "vehicle",
    "house",
    "building",
    "laptop",
    "computer",
    "device",
    "company",
    "business",
    "warranty",
    "wine",
    "whisky",
    "whiskey",
    "scotch",
    "tree",
    "bottle",
    "code",
    "codebase",
    "project",
    "repo",
    "server",
    "machine",
    "roof",
    "domain",
    "account",
    "dog",
    "cat",
    "puppy",
    "kitten",
    "horse",
    "pet",
)

AGE_YEARS_OLD = Recognizer(
    name="age_years_old",
    entity="AGE",
    pattern=LB + r"(?P<value>\d{1,3}(?:\.\d)?(?: |-)?(?:years?|yrs?)(?: |-)old|\d{1,3}(?:\.\d)? years? of age)\b",
    score=0.7,
    validator=v.age,
    negative_context=_AGE_NEGATIVE,
    case_insensitive=True,
    examples=(
        "My son is «7 years old» and allergic to penicillin.",
        "«42-year-old» female presenting with chest pain",
        "Pt is a «67 yr old» male, hx of HTN.",
        "he is «15 years of age»",
    ),
    counterexamples=(
        "Our car is 12 years old and still runs.",
        "The codebase is 10 years old.",
        "A 250 years old tree fell.",
        "This whisky is 18 years old.",
    ),
)

AGE_YO = Recognizer(
    name="age_yo",
    entity="AGE",
    pattern=LB + r"(?P<value>\d{1,3} ?(?:y/o|yo|y\.o)\b\.?)",
    score=0.65,
    validator=v.age,
    negative_context=_AGE_NEGATIVE,
    case_insensitive=True,
    examples=("«34 y/o» F with migraine", "Pt «72yo» M, fall at home"),
    counterexamples=("The 5 yo laptop died.", "Got 300 yo-yos for the event."),
)

AGE_PREFIX = Recognizer(
    name="age_prefix",
    entity="AGE",
    pattern=lb("-") + r"(?:aged|age|ages)\s*(?::|=|is|of)?\s*(?P<value>\d{1,3})\b",
    score=0.7,
    validator=v.age,
    negative_context=(
        *_AGE_NEGATIVE,
        *ID_NEGATIVE,
        "cache",
        "ttl",
        "header",
        "http",
        "seconds",
        "secs",
        "ms",
        "token",
        "session",
        "cookie",
        "file",
        "log",
    ),
    case_insensitive=True,
    examples=(
        "Age: «42»",
        "Patient aged «67» presents with dyspnea.",
        "at the age of «15» she moved to Leeds",
        "age=«29», gender=F",
    ),
    counterexamples=(
        "Cache-Control: max-age=3600",
        "Set cookie age 60 seconds.",
        "Average 42 ms; page 42 of 90.",
        "Age of Empires 2 is a game.",
        "age: 250 (invalid)",
    ),
)

TEMPORAL_RECOGNIZERS: tuple[Recognizer, ...] = (
    DATE_ISO,
    DATE_NUMERIC,
    DATE_NAMED,
    *_DOB_CONTEXT_ROWS,
    DOB_YEAR,
    AGE_YEARS_OLD,
    AGE_YO,
    AGE_PREFIX,
)
