"""ZIP and postal codes. Street addresses, cities and countries are found by the address and place rules.

Five digits are everywhere (ports, counts, amounts); a ZIP is reported after a state abbreviation
(``Springfield, IL 62704``) or near a word like "zip" or "postal code". Other countries' layouts (``2680-043``,
``7736 PJ``, ``910 11``) are reported right after such a word or at the end of an address line that ends in a
region code (``Hunderdorf BY 94334``); a UK postcode (``SW1A 1AA``) is distinctive enough alone.
"""

from __future__ import annotations

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import ID_NEGATIVE, LB, LB_NUM
from coatcheck.detect.types import Recognizer

__all__ = ["LOCATION_RECOGNIZERS"]

_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
).split()
# Without a comma before it, a two-letter word is too often not a state ("ID 12345", "IN 2024").
_STATES_BARE = [s for s in _STATES if s not in {"ID", "IN", "OR", "ME", "OK", "DE", "PA", "MA", "AS", "HI", "OH"}]
_ZIP = r"(?P<value>\d{5}(?:-\d{4})?)\b"

ZIP_AFTER_STATE = Recognizer(
    name="zip_after_state",
    entity="ZIP_CODE",
    pattern=r",\s*(?:" + "|".join(_STATES) + r")\.?,?\s+" + _ZIP,
    score=0.75,
    validator=v.us_zip,
    negative_context=ID_NEGATIVE,
    examples=(
        "We moved to Springfield, IL «62704» last spring.",
        "Billing region: Austin, TX «78701-1234»",
        "Boise, ID «83702»",
    ),
    counterexamples=(
        "Customer ID 12345 placed two orders.",
        "Items, IN 2024 we shipped 50000 units.",
        "Springfield, IL 00000 is not a real ZIP.",
    ),
)

ZIP_AFTER_STATE_BARE = Recognizer(
    name="zip_after_state_bare",
    entity="ZIP_CODE",
    pattern=LB + r"(?:" + "|".join(_STATES_BARE) + r")\s+" + _ZIP,
    score=0.55,
    validator=v.us_zip,
    negative_context=ID_NEGATIVE,
    examples=("Oakland CA «94607» is where I live.", "NY «10001»"),
    counterexamples=("CA 94607 order was cancelled.", "ID 83702 belongs to a test user."),
)

_UK = r"(?-i:[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
# Longer layouts first: RE2 keeps the first alternative that matches at a position.
_POSTCODE = r"(?:\d{5}-\d{4}|\d{4} ?(?-i:[A-Z]{2})|\d{4}-\d{3}|\d{3} \d{2}|\d{2}-\d{3}|\d{3,6}|" + _UK + r")\b"
_LINE_BREAK = r"(?:[ \t]+|[ \t]*(?:\n|\\n)[ \t]*)"

ZIP_LABELLED = Recognizer(
    name="zip_labelled",
    entity="ZIP_CODE",
    pattern=LB + r"(?:(?:zip|postal|post)[ -]?code|postcode|zip|plz)\s*(?:is|:|#|=|-)?\s*(?P<value>" + _POSTCODE + ")",
    score=0.8,
    validator=v.postal_code,
    negative_context=ID_NEGATIVE,
    case_insensitive=True,
    examples=(
        "ZIP: «4032»",
        "My zip code is «2680-043»",
        "postcode «7736 PJ», Utrecht",
        "Postal code: «910 11»",
        "zip code is «PH7 6LF»",
        "ZIP=«00-423»",
    ),
    counterexamples=(
        "Zip code 0000 is a placeholder.",
        "Zip 1234 files into one archive, order 5512.",
    ),
)

UK_POSTCODE = Recognizer(
    name="uk_postcode",
    entity="ZIP_CODE",
    pattern=LB + r"(?P<value>[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2})\b",
    score=0.6,
    validator=v.postal_code,
    negative_context=ID_NEGATIVE,
    examples=(
        "Our office moved to Leeds «LS1 4AP» last year.",
        "Returns go to our Bristol depot, «BS1 6QH».",
    ),
    counterexamples=(
        "The PS5 1TB bundle is back in stock.",
        "Order AB1 2CD was cancelled.",
    ),
)

ZIP_ADDRESS_LINE = Recognizer(
    name="zip_address_line",
    entity="ZIP_CODE",
    pattern=r"(?:^|\n|\\n)[ \t]*\p{Lu}[\p{L}'.-]*(?: [\p{L}'.-]+){0,3},?"
    + _LINE_BREAK
    + r"[A-Z]{2,3}"
    + _LINE_BREAK
    + r"(?P<value>\d{4,5}|\d{3} \d{2}|\d{4}-\d{3}|\d{2}-\d{3})[ \t]*(?:$|\n|\\n|\r)",
    score=0.55,
    validator=v.postal_code,
    negative_context=(*ID_NEGATIVE, "error", "code", "room", "model", "port"),
    examples=(
        "Maria Weber\\nSchaarsteinweg 97\\nHunderdorf BY «94334»",
        "Care of J. Smith\n  Sydney NSW «2000»\n",
        "Billing address:\\n    91 Sandown Rd\\n   Kaapstad\\n    WC\\n    «8008»\\n",
        "Sent from\nCamarate LI «2680-043»",
    ),
    counterexamples=(
        "Error CS 1002\nBuild failed.",
        "Meeting Room AB 1204\nsee you there",
    ),
)

ZIP_CONTEXT = Recognizer(
    name="zip_context",
    entity="ZIP_CODE",
    pattern=LB_NUM + _ZIP,
    score=0.15,
    validator=v.us_zip,
    context=("zip", "zipcode", "zip code", "postal code", "postcode", "postal", "post code"),
    context_boost=0.45,
    examples=("My zip code is «94103».", "ZIP: «10001-2345»"),
    counterexamples=("Listening on port 54321.", "Order 94103 was refunded."),
)

LOCATION_RECOGNIZERS: tuple[Recognizer, ...] = (
    ZIP_AFTER_STATE,
    ZIP_AFTER_STATE_BARE,
    ZIP_LABELLED,
    UK_POSTCODE,
    ZIP_ADDRESS_LINE,
    ZIP_CONTEXT,
)
