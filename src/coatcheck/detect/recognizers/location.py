"""US ZIP codes. Street addresses, cities and countries are found by the address and place rules.

Five digits are everywhere (ports, counts, amounts); a ZIP is reported after a state abbreviation
(``Springfield, IL 62704``) or near a word like "zip" or "postal code".
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

LOCATION_RECOGNIZERS: tuple[Recognizer, ...] = (ZIP_AFTER_STATE, ZIP_AFTER_STATE_BARE, ZIP_CONTEXT)
