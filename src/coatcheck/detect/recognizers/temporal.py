"""Dates, dates of birth and ages.

DATE_TIME and DATE_OF_BIRTH share their patterns: a date is a date of birth when a word like "born" or "DOB"
is near it, and the DOB row then outscores the plain date on the same span. A date may carry a time of day;
the two layouts only machines write (``2024-03-12T10:22:01Z``, ``2024-03-12 10:22:01,123``) are rejected by
the validator, and log-level words lower an ISO date-time. A year or a weekday alone is a weaker date: a year
counts after a word that makes it one ("in 1991", "the 2008 crisis", "Act of 1973").

An age is the number only ("a «42»-year-old"), as presidio-evaluator labels it: the words around it are not
personal, and a placeholder then still reads "[AGE] years old".
"""

from __future__ import annotations

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import ID_NEGATIVE, LB, MONTH, lb
from coatcheck.detect.types import Recognizer

__all__ = ["TEMPORAL_RECOGNIZERS"]

_LB_DATE = lb("./:-")
_MONTH_ANY = MONTH + r"|january|february|march|april|june|july|august|september|october|november|december"
_ISO = (
    r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|(?:19|20)\d{2}/\d{1,2}/\d{1,2}"
)
_NUMERIC = r"\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})|\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}-\d{1,2}-\d{4}"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_WEEKDAY = r"(?:[Mm]on|[Tt]ues|[Ww]ednes|[Tt]hurs|[Ff]ri|[Ss]atur|[Ss]un)day"
_NAMED = (
    rf"(?:{_WEEKDAY},? )?(?:{_MONTH_ANY})\.? \d{{1,2}}{_ORD}(?:,? {_YEAR})?"
    rf"|(?:{_WEEKDAY},? )?\d{{1,2}}{_ORD} (?:of )?(?:{_MONTH_ANY})\.?(?:,? {_YEAR})?"
    rf"|(?:{_MONTH_ANY})\.?,? {_YEAR}"
)
_DATE_PATTERNS = {
    "iso": _LB_DATE + rf"(?P<value>{_ISO})\b",
    "numeric": _LB_DATE + rf"(?P<value>{_NUMERIC})\b",
    "named": LB + rf"(?P<value>{_NAMED})\b",
}
_DATE_NEGATIVE = ("version", "build", "sku", "model", "firmware")
_LOG_LEVELS = ("info", "warn", "warning", "debug", "trace", "fatal")
# Counted things that follow a number in the year range ("in 2048 bytes", "the 2000 users").
_QUANTITY_NEGATIVE = (
    "ms",
    "bytes",
    "bit",
    "bits",
    "kb",
    "mb",
    "gb",
    "px",
    "pixels",
    "tokens",
    "rows",
    "records",
    "items",
    "users",
    "people",
    "employees",
    "points",
    "units",
    "words",
    "lines",
    "files",
    "requests",
    "steps",
    "iterations",
    "calories",
    "kcal",
    "meters",
    "metres",
    "miles",
    "feet",
    "dollars",
    "euros",
    "usd",
    "eur",
)
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
    negative_context=(*_DATE_NEGATIVE, *_LOG_LEVELS),
    examples=(
        "Your appointment is on «2024-03-12».",
        "Follow-up visit «2024-04-02 14:30» with cardiology",
        "Contract signed «2023/11/05», renewal due next year.",
        "Date: «2019-06-14 09:12:44.381516»\\nName: R. Okafor\\nPhone: 0413 555 014",
        "Check-in was «2023-10-12 14:23:01» at the front desk.",
    ),
    counterexamples=(
        "2024-03-12T10:22:01Z INFO request completed in 132 ms",
        "[2024-03-12 10:22:01,123] WARN retrying upload",
        "2024-03-12 10:22:01 DEBUG cache warmed (412 keys)",
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
        "Rescheduled to «Tuesday, March 12, 2024» at 9am.",
    ),
    counterexamples=(
        "May I ask a question about my order?",
        "We will march forward with the plan.",
        "Released February 30, 2024 - which is not a real date.",
        "Section 12 covers the main rules.",
    ),
)

DATE_WEEKDAY = Recognizer(
    name="date_weekday",
    entity="DATE_TIME",
    pattern=LB + rf"(?P<value>{_WEEKDAY})\b",
    score=0.55,
    examples=(
        "We'll meet «Sunday» at the cafe on Via Roma.",
        "Ms. Tanaka flew to Osaka on «Thursday» morning.",
        "can we move it to «friday»?",
    ),
    counterexamples=(
        "The Sundays and Mondays rota is in the shared drive.",
        "Use the weekday() helper; Mon and Fri are abbreviations.",
    ),
)

DATE_YEAR = Recognizer(
    name="date_year",
    entity="DATE_TIME",
    pattern=LB
    + r"(?:(?:[Ii]n|[Dd]uring|[Ss]ince|[Uu]ntil|[Tt]ill|[Cc]irca|[Tt]he|[Aa])\s+|\p{Lu}\p{Ll}+ of\s+)"
    # Consumed right boundary: not the start of a longer date or number ("since 2024-05-04", "2048-bit").
    + rf"(?P<value>{_YEAR})(?:$|[\s,;!?)\]\"']|[.:](?:\s|$))",
    score=0.55,
    negative_context=(*_DATE_NEGATIVE, *ID_NEGATIVE, *_QUANTITY_NEGATIVE),
    examples=(
        "The orchestra was founded in «1991» by local teachers.",
        "During «2011», the company invested heavily in solar.",
        "Title VII of the Civil Rights Act of «1964» bans discrimination.",
        "Zoolander is a «2001» American comedy film.",
        "She has lived in Porto since «2016».",
    ),
    counterexamples=(
        "Buffers grow in 2048 bytes at a time.",
        "We onboarded the 2000 users from the waitlist.",
        "Upgrade in 2024 to version 4.2.",
        "Room 1998 is on the third floor.",
        "Order 2023 shipped in 3 days.",
        "Lag is 88213 messages since 2024-05-04T03:31:42Z.",
        "Keys are 2048-bit in 2048-bit mode.",
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
    pattern=LB + r"(?P<value>\d{1,3}(?:\.\d)?)(?: |-)?(?:(?:years?|yrs?)(?: |-)old|years? of age|y/o|y\.o\b|yo\b)",
    score=0.7,
    validator=v.age,
    negative_context=_AGE_NEGATIVE,
    case_insensitive=True,
    examples=(
        "My son is «7» years old and allergic to penicillin.",
        "«42»-year-old female presenting with chest pain",
        "Pt is a «67» yr old male, hx of HTN.",
        "he is «15» years of age",
        "«34» y/o F with migraine",
        "Pt «72»yo M, fall at home",
        "Originally from Leeds, and i'm «29» y/o.",
    ),
    counterexamples=(
        "Our car is 12 years old and still runs.",
        "The codebase is 10 years old.",
        "A 250 years old tree fell.",
        "This whisky is 18 years old.",
        "The 5 yo laptop died.",
        "Got 300 yo-yos for the event.",
    ),
)

AGE_STATED = Recognizer(
    name="age_stated",
    entity="AGE",
    pattern=LB
    + r"(?:turn(?:ed|s|ing)?|(?:I'm|I am|im|you're|you are|he's|she's|he is|she is|I was|he was|she was)"
    + r")\s+(?P<value>\d{1,3})(?:\s*[.,;!?)]|\s*$|\s+(?:now|today|this|next|last|soon|tomorrow|yesterday"
    + r"|when|and|but|on|years?|yrs?)\b)",
    score=0.6,
    validator=v.age,
    negative_context=(*_AGE_NEGATIVE, "degrees", "degree", "page", "pages", "knob", "dial", "left", "right"),
    case_insensitive=True,
    examples=(
        "The party is on the weekend. I'll turn «30».",
        "My brother just turned «45»",
        "Written when he was «17».",
        "I'm «34» and have had asthma since childhood.",
        "she is «8» next month",
    ),
    counterexamples=(
        "Turn 90 degrees to the left.",
        "I'm 5 minutes away, he was 10 mins late.",
        "Turned 404 errors into redirects.",
        "I am 100% sure.",
    ),
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
    DATE_WEEKDAY,
    DATE_YEAR,
    *_DOB_CONTEXT_ROWS,
    DOB_YEAR,
    AGE_YEARS_OLD,
    AGE_STATED,
    AGE_PREFIX,
)
