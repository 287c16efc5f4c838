"""Check digits and shape-preserving rewrites shared by tokenize and surrogate."""

from __future__ import annotations

import string

from coatcheck.protect._keyed import KeyedRandom

__all__ = [
    "card_prefix_length",
    "fill_digits",
    "iban_is_valid",
    "iban_with_check",
    "luhn_check_digit",
    "luhn_is_valid",
    "reshape_like",
    "shape_preserving",
]


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass Luhn."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_is_valid(number: str) -> bool:
    """Luhn check of a digit string (separators must already be removed)."""
    return len(number) > 1 and number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


def _iban_remainder(text: str) -> int:
    remainder = 0
    for ch in text:
        value = str(int(ch, 36))
        for digit in value:
            remainder = (remainder * 10 + int(digit)) % 97
    return remainder


def iban_is_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check of a compact IBAN."""
    compact = "".join(iban.split()).upper()
    if len(compact) < 5 or not compact.isalnum():
        return False
    return _iban_remainder(compact[4:] + compact[:4]) == 1


def iban_with_check(country: str, bban: str) -> str:
    """A compact IBAN with correct check digits for ``country`` + ``bban``."""
    check = 98 - _iban_remainder(bban + country.upper() + "00")
    return f"{country.upper()}{check:02d}{bban}"


def card_prefix_length(digits: str) -> int:
    """How many leading digits identify the card brand (kept by brand-preserving rewrites)."""
    if digits.startswith("6011"):
        return 4
    if digits[:2] in {"34", "37", "36", "38", "65", "35", "62"} or "51" <= digits[:2] <= "55":
        return 2
    if "2221" <= digits[:4] <= "2720":
        return 2
    return 1


def fill_digits(prefix: str, length: int, rng: KeyedRandom, *, luhn: bool) -> str:
    """``prefix`` followed by keyed digits up to ``length``, the last one a Luhn check digit if asked."""
    body = prefix + rng.digits(max(0, length - len(prefix) - (1 if luhn else 0)))
    return body + luhn_check_digit(body) if luhn else body[:length]


def reshape_like(template: str, chars: str) -> str:
    """Put ``chars`` into the alphanumeric positions of ``template`` (separators and spacing kept)."""
    out: list[str] = []
    it = iter(chars)
    for ch in template:
        out.append(next(it, ch) if ch.isalnum() else ch)
    return "".join(out)


def shape_preserving(value: str, rng: KeyedRandom, *, keep: int = 0) -> str:
    """Replace each digit by a digit and each letter by a letter of the same case; keep the first ``keep``."""
    out: list[str] = []
    for i, ch in enumerate(value):
        if i < keep or not ch.isascii() or not ch.isalnum():
            out.append(ch)
        elif ch.isdigit():
            out.append(str(rng.below(10)))
        elif ch.isupper():
            out.append(rng.choice(string.ascii_uppercase))
        else:
            out.append(rng.choice(string.ascii_lowercase))
    return "".join(out)
