"""Pattern fragments and word lists shared by the recognizer families.

RE2 has no look-around, so a left boundary is a consumed character outside the ``value`` group. Right
boundaries are ``\\b`` only: a consumed right boundary would eat the left boundary of the next value ("a, b").
A JSON-escaped newline or tab (the two characters ``\\n``) counts as a left boundary too, although its letter
is a word character: logs and API payloads are full of them ("...\\n4111 1111 ...").
"""

from __future__ import annotations

__all__ = [
    "ID_NEGATIVE",
    "LB",
    "LB_NUM",
    "MONTH",
    "PHONE_CONTEXT",
    "TIMESTAMP_NEGATIVE",
    "lb",
]


def lb(excluded: str = "", word: str = r"\w") -> str:
    """A consumed left boundary: start of text, an escaped newline/tab, or a character not in ``word`` or
    ``excluded``. The escape comes first so that ``\\njohn@x.com`` yields ``john@x.com``, not ``njohn@...``."""
    return rf"(?:^|\\[nrt]|[^{word}{excluded}])"


# Like ``\\b`` before a word character.
LB = lb()
# Not inside a word, a dotted number (version, decimal) or a dashed identifier.
LB_NUM = lb(".-")

MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)

# Words near a number that say it is a business identifier, not personal data.
ID_NEGATIVE = (
    "order",
    "order no",
    "invoice",
    "tracking",
    "shipment",
    "parcel",
    "sku",
    "isbn",
    "imei",
    "serial",
    "part no",
    "part number",
    "ticket",
    "ref",
    "reference",
    "confirmation",
    "booking",
    "reservation",
    "build",
    "version",
    "release",
)
TIMESTAMP_NEGATIVE = ("timestamp", "epoch", "unix", "ts", "elapsed", "duration", "latency", "ms", "bytes")

PHONE_CONTEXT = (
    "phone",
    "telephone",
    "tel",
    "mobile",
    "cell",
    "cellphone",
    "call",
    "called",
    "calling",
    "caller",
    "callback",
    "call back",
    "phoned",
    "text me",
    "sms",
    "whatsapp",
    "fax",
    "reach me",
    "reach",
    "reached",
    "contact",
    "dial",
    "landline",
    "ph",
    "mob",
    "office",
    "desk",
    "direct line",
    "hotline",
    "helpline",
    "message",
    "messages",
    "answering",
    "registered",
    "voicemail",
    "ring",
    "my number",
    "his number",
    "her number",
    "your number",
    "their number",
    "our number",
    "phone number",
    "contact number",
    "mobile number",
    "cell number",
)
