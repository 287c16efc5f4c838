"""Stand-ins for everything but names and emails: same format, valid check digits, realistic values."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import string
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from coatcheck.protect._dates import parse_date
from coatcheck.protect._formats import (
    card_prefix_length,
    fill_digits,
    iban_with_check,
    luhn_check_digit,
    reshape_like,
    shape_preserving,
)
from coatcheck.protect._keyed import KeyedRandom
from coatcheck.protect.surrogate.names import name_pools

__all__ = ["GENERATORS", "faker_value", "shift_date"]

Generator = Callable[[str, KeyedRandom, str, bytes], str | None]

_FAKER_LOCK = threading.Lock()
_CONDITIONS = (
    "seasonal allergies", "hypertension", "asthma", "migraine", "osteoarthritis", "hypothyroidism",
    "gastritis", "eczema", "anemia", "tendinitis", "sinusitis", "insomnia",
)  # fmt: skip
_MEDICATIONS = (
    "lisinopril 10 mg", "atorvastatin 20 mg", "levothyroxine 50 mcg", "amlodipine 5 mg", "omeprazole 20 mg",
    "sertraline 50 mg", "metoprolol 25 mg", "losartan 50 mg", "cetirizine 10 mg", "ibuprofen 400 mg",
)  # fmt: skip
_ADDRESS_KEEP = frozenset(
    "st street ave avenue rd road blvd boulevard ln lane dr drive ct court way ter terrace pl place cir circle "
    "hwy highway pkwy parkway sq square apt apartment suite ste unit floor fl po box n s e w ne nw se sw north "
    "south east west".split()
)
_TOKEN_RE = re.compile(r"[^\W\d_]+|\d+|\s+|.", re.UNICODE)


@lru_cache(maxsize=8)
def _faker(locale: str) -> Any:
    from faker import Faker

    return Faker(locale)


def faker_value(locale: str, seed: int, method: str) -> str:
    """Call one Faker method reproducibly (seeded per call, serialized: Faker instances are not thread-safe)."""
    fake = _faker(locale)
    with _FAKER_LOCK:
        fake.seed_instance(seed)
        return str(getattr(fake, method)())


def shift_date(value: str, days: int) -> str | None:
    """``value`` moved by ``days``, written in its own format; None when it is not a readable date."""
    parsed = parse_date(value)
    if parsed is None:
        return None
    try:
        moved = parsed.date + dt.timedelta(days=days)
    except OverflowError:
        return None
    return parsed.render(moved)


def _card(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) < 12:
        return None
    return reshape_like(value, fill_digits(digits[: card_prefix_length(digits)], len(digits), rng, luhn=True))


def _iban(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    compact = "".join(ch for ch in value if ch.isalnum())
    if len(compact) < 8 or not compact[:2].isalpha():
        return None
    iban = iban_with_check(compact[:2], shape_preserving(compact[4:].upper(), rng))
    return reshape_like(value, iban)


def _phone(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    keep = 0
    if value.startswith("+"):
        keep = 1
        while keep < len(value) and value[keep].isdigit() and keep < 4:
            keep += 1
    national = [i for i, ch in enumerate(value) if ch.isdigit() and i >= keep]
    if len(national) < 4:
        return None
    chars = list(value)
    for i in national:
        chars[i] = str(rng.below(10))
    if len(national) == 10 or (len(national) == 11 and value[national[0]] == "1"):
        start = 1 if len(national) == 11 else 0
        for pos in (national[start], national[start + 3]):  # NANP area code and exchange start with 2-9
            chars[pos] = str(rng.between(2, 9))
        if len(national) == 11:
            chars[national[0]] = "1"
    return "".join(chars)


def _ssn(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    if sum(ch.isdigit() for ch in value) != 9:
        return None
    area = rng.between(1, 898)
    area = area + 1 if area >= 666 else area
    digits = f"{area:03d}{rng.between(1, 99):02d}{rng.between(1, 9999):04d}"
    return reshape_like(value, digits)


def _itin(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    if sum(ch.isdigit() for ch in value) != 9:
        return None
    return reshape_like(value, f"9{rng.digits(2)}{rng.between(70, 88)}{rng.between(1, 9999):04d}")


def _npi(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    if sum(ch.isdigit() for ch in value) != 10:
        return None
    body = str(rng.between(1, 2)) + rng.digits(8)
    return reshape_like(value, body + luhn_check_digit("80840" + body))


def _aba(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    if sum(ch.isdigit() for ch in value) != 9:
        return None
    body = f"{rng.between(1, 12):02d}" + rng.digits(6)
    d = [int(c) for c in body]
    check = (10 - (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])) % 10) % 10
    return reshape_like(value, body + str(check))


def _nhs(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    if sum(ch.isdigit() for ch in value) != 10:
        return None
    while True:
        body = str(rng.between(4, 9)) + rng.digits(8)
        check = 11 - sum(int(c) * (10 - i) for i, c in enumerate(body)) % 11
        if check != 10:
            return reshape_like(value, body + str(0 if check == 11 else check))


def _ip(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 4:
        if address.is_private:
            first = str(address).split(".")[0]
            head = {"10": "10", "172": f"172.{rng.between(16, 31)}", "192": "192.168"}.get(first, "10")
        else:
            head = str(rng.choice([o for o in range(11, 224) if o not in (100, 127, 169, 172, 192, 198, 203)]))
        parts = head.split(".")
        while len(parts) < 4:
            parts.append(str(rng.between(1, 254)))
        return ".".join(parts)
    groups = [rng.between(0x2001, 0x3FFF)] + [rng.below(0x10000) for _ in range(7)]
    return str(ipaddress.IPv6Address(":".join(f"{g:x}" for g in groups)))


def _hexlike(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    upper = any(ch.isupper() for ch in value)
    alphabet = "0123456789ABCDEF" if upper else "0123456789abcdef"
    return "".join(rng.choice(alphabet) if ch in string.hexdigits else ch for ch in value)


def _age(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    match = re.search(r"\d{1,3}", value)
    if match is None:
        return None
    age = int(match.group())
    shifted = min(110, max(1, age + rng.choice((-3, -2, -1, 1, 2, 3))))
    return value[: match.start()] + str(shifted) + value[match.end() :]


def _address(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    last = name_pools(locale).last
    out: list[str] = []
    for token in _TOKEN_RE.findall(value):
        if token.isdigit():
            out.append(str(rng.between(1, 9)) + rng.digits(len(token) - 1))
        elif token.isalpha() and token.casefold() not in _ADDRESS_KEEP and not (len(token) == 2 and token.isupper()):
            word = KeyedRandom(key, "address-word", token.casefold()).choice(last)
            out.append(word.upper() if token.isupper() and len(token) > 1 else word)
        else:
            out.append(token)
    return "".join(out)


def _secret(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    keep = 0
    if value.startswith("-----"):
        lines = value.split("\n")
        return "\n".join(ln if ln.startswith("-----") else shape_preserving(ln, rng) for ln in lines)
    if "://" in value:
        keep = value.index("://") + 3
    else:
        match = re.match(r"[A-Za-z]{2,5}[_-]", value)
        if match:
            keep = match.end()
    return shape_preserving(value, rng, keep=keep)


def _pick(options: tuple[str, ...]) -> Generator:
    def pick(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
        return rng.choice(options)

    return pick


def _faker_gen(method: str) -> Generator:
    def gen(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
        return faker_value(locale, rng.seed(), method)

    return gen


def _url(value: str, rng: KeyedRandom, locale: str, key: bytes) -> str | None:
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "", value
    host, slash, path = rest.partition("/")
    domain = faker_value(locale, KeyedRandom(key, "domain", host.casefold()).seed(), "domain_name")
    if host.startswith("www."):
        domain = "www." + domain
    return f"{scheme}{sep}{domain}{slash}{shape_preserving(path, rng)}"


GENERATORS: dict[str, Generator] = {
    "CREDIT_CARD": _card,
    "IBAN_CODE": _iban,
    "PHONE_NUMBER": _phone,
    "US_SSN": _ssn,
    "US_ITIN": _itin,
    "US_NPI": _npi,
    "ABA_ROUTING_NUMBER": _aba,
    "UK_NHS": _nhs,
    "IP_ADDRESS": _ip,
    "MAC_ADDRESS": _hexlike,
    "AGE": _age,
    "STREET_ADDRESS": _address,
    "API_KEY": _secret,
    "JWT": _secret,
    "PRIVATE_KEY": _secret,
    "PASSWORD": _secret,
    "CONNECTION_STRING": _secret,
    "LOCATION": _faker_gen("city"),
    "ORGANIZATION": _faker_gen("company"),
    "URL": _url,
    "MEDICAL_CONDITION": _pick(_CONDITIONS),
    "MEDICATION": _pick(_MEDICATIONS),
}
