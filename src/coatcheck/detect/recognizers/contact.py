"""Contact details: email addresses and phone numbers.

Phone numbers come in many layouts; a layout people only use for phones (``(415) 555-0132``, ``+44 20 ...``)
is enough on its own, while bare digit runs and national trunk formats need a word like "call" or "mobile".
"""

from __future__ import annotations

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import ID_NEGATIVE, PHONE_CONTEXT, TIMESTAMP_NEGATIVE, lb
from coatcheck.detect.types import Recognizer

__all__ = ["CONTACT_RECOGNIZERS"]

# For layouts only phones use: words that say the number is something else.
_LAYOUT_NEGATIVE = (*ID_NEGATIVE, *(w for w in TIMESTAMP_NEGATIVE if w != "ms"))  # "ms." is also a title
# Loose digit groups can also be another identifier named nearby ("SSN 123 45 6789").
_PHONE_NEGATIVE = (
    *_LAYOUT_NEGATIVE,
    "routing",
    "ssn",
    "isbn",
    "patent",
    "case no",
    "nhs",
    "npi",
    "mrn",
)
_EXT = r"(?:\s?(?:[xX]|[eE]xt\.?|[eE]xtension)\s?\d{1,6})?"
# (415) 555-0132, 415-555-0132, 415.555.0132, optionally +1 / 1 / 001 before and an extension after.
_US = r"(?:(?:\+1|001|1)[ .-]?)?(?:\(\d{3}\)[ .-]?\d{3}|\d{3}-\d{3}|\d{3}\.\d{3})[ .-]\d{4}" + _EXT
_LB_PHONE = lb(".+-")

_EMAIL_NEGATIVE_TEXTS = (
    "Retina assets are named icon@2x.png and logo@3x.webp.",
    "Clone it with git@github.com:acme/payments.git and run make.",
    "Mention @channel or ping @sarah in #support.",
    "Connection refused for root@localhost on port 22.",
    "Use the form user@host when you configure the SSH jump box.",
    "Decorators like @staticmethod and @dataclass(frozen=True) are fine.",
    "Package pinned as requests@2.31.0 in the lockfile.",
)

EMAIL = Recognizer(
    name="email",
    entity="EMAIL_ADDRESS",
    # A path "/" may precede an address (GET /users/jane@example.com); the "//" of a URL may not, since
    # user info there (https://ghp_...@github.com) is a credential, not an email.
    pattern=r"(?:" + lb("._%+/-", word="A-Za-z0-9") + r"|[^:/]/)"
    + r"(?P<value>[A-Za-z0-9][A-Za-z0-9._%+-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24})\b",
    score=0.9,
    validator=v.email,
    context=("email", "e-mail", "mail", "contact", "write to", "reach"),
    examples=(
        "Hi, please send the invoice to «sarah.chen@example.com» by Friday.",
        "From: «j.doe+billing@mail.example.org»\nSubject: refund",
        "Ticket #4821 - customer «OPS-Team@acme-health.co.uk» cannot log in",
        "ERROR auth failed for user=«m.rossi_77@example.it» ip=203.0.113.7",
        "Patient portal login: «pat.nguyen@example.net» (verified)",
        "mailto:«help@example.io»",
        "Can you cc «ana.garcia@example.es», «li.wei@example.cn»?",
        '{"body": "Thanks!\\n«sarah.chen@example.com»\\nSarah"}',
        "homoglyph: «s\u0430rah.chen@example.com» (Cyrillic a)",
        '10.0.0.7 - - "GET /api/users/«jane.doe@example.com»/orders HTTP/1.1" 200',
    ),
    counterexamples=(
        *_EMAIL_NEGATIVE_TEXTS,
        "Order #4521-88 shipped, tracking 1Z999AA10123456784.",
        "See section 4.2.1 of the spec, version 2.14.3.",
    ),
)

PHONE_US = Recognizer(
    name="phone_us",
    entity="PHONE_NUMBER",
    pattern=_LB_PHONE + r"(?P<value>" + _US + r")\b",
    score=0.75,
    validator=v.nanp_phone,
    context=PHONE_CONTEXT,
    negative_context=_LAYOUT_NEGATIVE,
    examples=(
        "Call me at «(415) 555-0132» after 5pm.",
        "my cell is «415.555.0132», text anytime",
        "Customer callback requested: «+1-212-555-0187» re: billing dispute",
        "Reach the front desk at «1 (650) 555-0199» or «650-555-0142x204».",
        "Emergency contact «415-555-0176 ext. 12» (daughter)",
        "PHONE: «(212)555-0153»",
        "Pls ring «001-415-555-0132» from abroad",
        "Kerman\\nOffice\\n«(415) 555-0132»\\nFax",
        "Her SSN is 536-22-8817 and her number is «(512) 555-0199».",
        "Caller Omar Flor, ticket JIRA-4535, callback «305.555.0173».",
        "call «(415)\u00a0555\u20130132» now",
    ),
    counterexamples=(
        "Order 415-555-0132 is ready for pickup at the warehouse.",
        "Released on 2024-03-12 as version 4.15.5 (build 0132).",
        "Price went from $1,415.55 to $1,501.32 overnight.",
        "Request 9f2c1e0a-4155-5501-3200-7a1b2c3d4e5f failed with 503.",
        "Server 10.4.15.55 answered in 132 ms.",
    ),
)

PHONE_US_ANY = Recognizer(
    name="phone_us_layout",
    entity="PHONE_NUMBER",
    pattern=_LB_PHONE + r"(?P<value>" + _US + r")\b",
    score=0.5,
    validator=v.phone_digits,
    context=PHONE_CONTEXT,
    negative_context=_PHONE_NEGATIVE,
    examples=(
        "You can call «(012)345-6789» during office hours.",
        "Mobile: «123-456-7890»",
        "direct line «011.555.0132x44»",
    ),
    counterexamples=(
        "Invoice 123-456-7890 was paid in full.",
        "Tracking reference 012-345-6789 - parcel delivered.",
        "The ISBN-like code 978-316-1484 is printed on the back.",
    ),
)

PHONE_US_SPACED = Recognizer(
    name="phone_us_spaced",
    entity="PHONE_NUMBER",
    pattern=_LB_PHONE + r"(?P<value>(?:\+?1 )?\(?\d{3}\)? \d{3} \d{4}" + _EXT + r")\b",
    score=0.55,
    validator=v.nanp_phone,
    context=PHONE_CONTEXT,
    negative_context=_PHONE_NEGATIVE,
    examples=(
        "You can reach me on «415 555 0132».",
        "Office «(212) 555 0187», fax «212 555 0188»",
        "ring «1 650 555 0199» tomorrow",
    ),
    counterexamples=(
        "Order 415 555 0132 has been refunded.",
        "Scores were 100 200 3000 across the three rounds.",
        "Batch sizes: 128 256 1024 (tracking run 7).",
    ),
)

PHONE_INTERNATIONAL = Recognizer(
    name="phone_international",
    entity="PHONE_NUMBER",
    pattern=lb("+") + r"(?P<value>(?:\+|00)[1-9]\d{0,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}" + _EXT + r")\b",
    score=0.7,
    validator=v.phone_international,
    context=PHONE_CONTEXT,
    negative_context=_LAYOUT_NEGATIVE,
    examples=(
        "London office: «+44 20 7946 0958»",
        "WhatsApp me on «+447700900123» please",
        "Berlin desk «+49 30 12345678», Paris «+33 1 23 45 67 89»",
        "Tokyo support «+81 3-1234-5678»",
        "Please call «+91 98765 43210» for the Mumbai team.",
        "Switchboard «+41 (0)21 345 67 89»",
        "From abroad dial «0044 20 7946 0958».",
        "US line «+1 415 555 0132»",
        "his SSN is 536-22-8817 and his number is «+44 20 7946 0321».",
    ),
    counterexamples=(
        "The diff shows +12 -3 lines in 4 files.",
        "Temperature rose +2.5 degrees; score +150 points.",
        "Timezone offset +05:30, build +20240312.",
        "Order +44 2079 4609 58 was cancelled (tracking pending).",
    ),
)

PHONE_NATIONAL = Recognizer(
    name="phone_national_trunk",
    entity="PHONE_NUMBER",
    pattern=_LB_PHONE + r"(?P<value>\(0\d{1,4}\)[ .-]?\d{3,4}[ .-]?\d{3,4}|0\d{2,4}[ .-]?\d{3,4}[ .-]?\d{3,4})\b",
    score=0.3,
    validator=v.phone_digits,
    context=PHONE_CONTEXT,
    context_boost=0.4,
    negative_context=_PHONE_NEGATIVE,
    examples=(
        "Mobile: «07700 900123»",
        "call the surgery on «020 7946 0958»",
        "Tel. «(07700) 900 123»",
        "my number in Pune, call «09876543210»",
        "Called Peter at «07982 555123» to review his lab results.",
        "She can be reached on «020 7946 0958» after six.",
    ),
    counterexamples=(
        "Invoice 020 7946 0958 is overdue.",
        "Values 0123 4567 8901 were logged by the sensor.",
        "Zip archive 07700900123.zip uploaded.",
    ),
)

PHONE_MOBILE_LAYOUT = Recognizer(
    name="phone_mobile_layout",
    entity="PHONE_NUMBER",
    pattern=_LB_PHONE + r"(?P<value>07\d{3} \d{6}|07\d{3} \d{3} \d{3}|0[67](?: \d{2}){4}|0[67](?:\.\d{2}){4})\b",
    score=0.6,
    validator=v.phone_digits,
    context=PHONE_CONTEXT,
    negative_context=_LAYOUT_NEGATIVE,
    examples=(
        "Caller Peter Mallick, ticket 74940780, callback «07788 555323».",
        "his SSN is 536-22-8817 and his number is «07729 555462».",
        "Portable : «06 12 34 56 78», fixe le soir.",
        "UK mobile «07700 900 123» (evenings)",
    ),
    counterexamples=(
        "Order 07788 920323 was split into two parcels.",
        "Build 07.12.24.36.48 passed the smoke tests.",
    ),
)

PHONE_BARE = Recognizer(
    name="phone_digits_context",
    entity="PHONE_NUMBER",
    pattern=_LB_PHONE + r"(?P<value>(?:\+?1)?\d{10}|\d{3}-\d{7})\b",
    score=0.25,
    validator=v.phone_bare,
    context=PHONE_CONTEXT,
    context_boost=0.4,
    negative_context=_PHONE_NEGATIVE,
    examples=(
        "Can someone call me on «4155550132»? I have questions.",
        "Phone: «212-5550187»",
        "text me at «16505550199» when you land",
    ),
    counterexamples=(
        "Order 4155550132 shipped yesterday.",
        "Event at unix time 1710238921 took 42 ms.",
        "Your confirmation number is 8005550100.",
        "Customer id 4155550132 merged.",
        "Ping timestamp 1710238921 from the phone app.",
    ),
)

PHONE_GROUPED = Recognizer(
    name="phone_grouped_context",
    entity="PHONE_NUMBER",
    pattern=lb(".+:-") + r"(?P<value>\(?\d{2,5}\)?(?:[ .-]\d{2,8}){1,5})\b",
    score=0.15,
    validator=v.phone_grouped,
    context=PHONE_CONTEXT,
    context_boost=0.4,
    negative_context=_PHONE_NEGATIVE,
    examples=(
        "Telephone: «21 259 903 5696»",
        "Mobile «98 765 4321» (evenings)",
        "How can we reach you? You can call «61 60 34»",
    ),
    counterexamples=(
        "Call scheduled for 2024-03-12 at noon.",
        "Call volume was 12 345 in week 12.",
        "Reach 10.20.30.40 over the VPN.",
        "Order 21 259 903 5696 shipped.",
        "Date: 1998-09-03 01:35:33.916068 Phone: none given",
        "call me maybe, 12.50 each",
    ),
)

CONTACT_RECOGNIZERS: tuple[Recognizer, ...] = (
    EMAIL,
    PHONE_US,
    PHONE_US_ANY,
    PHONE_US_SPACED,
    PHONE_INTERNATIONAL,
    PHONE_NATIONAL,
    PHONE_MOBILE_LAYOUT,
    PHONE_BARE,
    PHONE_GROUPED,
)
