"""Check digits and issuing rules: cards, IBAN, ABA, NHS, NINO, NPI, VIN, SSN/ITIN/EIN, ZIP, postcodes, BIC."""

from __future__ import annotations

from coatcheck.detect._lexicon import english_words
from coatcheck.detect.validators._common import all_same, digits_of, is_ascii_digits
from coatcheck.detect.validators._tables import EIN_PREFIXES, IBAN_LENGTHS, ISO_COUNTRIES

_MAESTRO = frozenset("5018 5020 5038 5893 6304 6390 6759 6761 6762 6763 0604".split())


def luhn(value: str) -> bool:
    """Luhn (mod 10) over the digits of ``value``; separators are ignored."""
    digits = digits_of(value)
    if len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_prefix_ok(d: str) -> bool:
    n = len(d)
    p2, p3, p4, p6 = int(d[:2]), int(d[:3]), int(d[:4]), int(d[:6])
    if d[0] == "4":
        return n in (13, 16, 19)  # Visa
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16  # Mastercard
    if p2 in (34, 37):
        return n == 15  # Amex
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or 622126 <= p6 <= 622925:
        return 16 <= n <= 19  # Discover
    if p2 == 35:
        return 16 <= n <= 19  # JCB (3528-3589 today; the whole 35 range in older issuer tables)
    if p4 in (2131, 1800):
        return n == 15  # JCB, legacy 15-digit
    if 300 <= p3 <= 305 or p2 in (36, 38, 39):
        return 14 <= n <= 19  # Diners Club
    if p2 == 62:
        return 16 <= n <= 19  # UnionPay
    if d[:4] in _MAESTRO or 56 <= p2 <= 58:
        return 12 <= n <= 19  # Maestro
    return False


def credit_card(value: str) -> bool:
    """Issuer prefix and length, Luhn, and a grouping a person would write (4-4-4-4, 4-6-5, digit by digit).

    Only Maestro cards may have 12 digits.
    """
    d = digits_of(value)
    if not 12 <= len(d) <= 19 or all_same(d):
        return False
    groups = [g for g in value.replace("-", " ").split(" ") if g]
    if len({ch for ch in value if not ch.isdigit()}) > 1:
        return False  # mixed separators
    sizes = [len(g) for g in groups]
    if len(groups) > 1 and not (
        all(s == 1 for s in sizes)
        or (all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4)
        or sizes in ([4, 6, 5], [4, 6, 4])
    ):
        return False
    return _card_prefix_ok(d) and luhn(d)


def iban(value: str) -> bool:
    """ISO 13616: known country, that country's length, and mod-97 == 1."""
    s = "".join(value.split()).upper()
    if (
        len(s) < 15
        or IBAN_LENGTHS.get(s[:2]) != len(s)
        or not is_ascii_digits(s[2:4])
        or not (s.isascii() and s.isalnum())
    ):
        return False
    rearranged = s[4:] + s[:4]
    try:
        number = int("".join(str(int(ch, 36)) for ch in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def aba_routing(value: str) -> bool:
    """ABA routing number: valid Federal Reserve prefix and the 3-7-1 checksum."""
    d = digits_of(value)
    if len(d) != 9 or all_same(d):
        return False
    prefix = int(d[:2])
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    w = (3, 7, 1) * 3
    return sum(int(c) * k for c, k in zip(d, w, strict=True)) % 10 == 0


def bank_account(value: str) -> bool:
    """A bank account number: 8-17 digits that are not one repeated digit."""
    return is_ascii_digits(value) and 8 <= len(value) <= 17 and not all_same(value)


def uk_nhs(value: str) -> bool:
    """NHS number: 10 digits, mod-11 check digit (a remainder of 10 is never issued)."""
    d = digits_of(value)
    if len(d) != 10 or all_same(d):
        return False
    check = 11 - sum(int(c) * w for c, w in zip(d[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(d[9])


def uk_nino(value: str) -> bool:
    """National Insurance number: HMRC prefix rules and a final letter A-D."""
    s = "".join(value.split()).upper()
    if len(s) != 9 or not (s.isascii() and s[:2].isalpha() and is_ascii_digits(s[2:8]) and s[8] in "ABCD"):
        return False
    if s[0] in "DFIQUV" or s[1] in "DFIOQUV":
        return False
    return s[:2] not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def us_npi(value: str) -> bool:
    """National Provider Identifier: 10 digits starting 1 or 2, Luhn over ``80840`` + the number."""
    d = digits_of(value)
    return len(d) == 10 and d[0] in "12" and luhn("80840" + d)


_VIN_VALUES = {
    **{str(i): i for i in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    **{"P": 7, "R": 9},
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(value: str) -> bool:
    """ISO 3779 vehicle identification number with the North American check digit (position 9)."""
    s = value.upper()
    if len(s) != 17 or any(ch not in _VIN_VALUES for ch in s) or s.isdigit() or s.isalpha():
        return False
    if not s[-4:].isdigit() or all_same(s):
        return False
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(s, _VIN_WEIGHTS, strict=True)) % 11
    return s[8] == ("X" if total == 10 else str(total))


_SSN_NEVER = frozenset({"078051120", "219099999", "123456789", "457555462"})


def us_ssn(value: str) -> bool:
    """SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000; no famous or sequential fakes."""
    d = digits_of(value)
    if len(d) != 9 or all_same(d) or d in _SSN_NEVER:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    return area not in {"000", "666"} and area[0] != "9" and group != "00" and serial != "0000"


def us_itin(value: str) -> bool:
    """ITIN: 9xx-GG-SSSS with group 50-65, 70-88, 90-92 or 94-99."""
    d = digits_of(value)
    if len(d) != 9 or d[0] != "9":
        return False
    g = int(d[3:5])
    return 50 <= g <= 65 or 70 <= g <= 88 or 90 <= g <= 92 or 94 <= g <= 99


def us_ein(value: str) -> bool:
    """EIN: 9 digits whose first two are a prefix the IRS assigns."""
    d = digits_of(value)
    return len(d) == 9 and d[:2] in EIN_PREFIXES and not all_same(d[2:])


def us_zip(value: str) -> bool:
    """ZIP or ZIP+4 that is not 00000."""
    d = digits_of(value)
    return len(d) in (5, 9) and d[:5] != "00000"


_DATA_SIZES = frozenset({"GB", "TB", "PB"})


def postal_code(value: str) -> bool:
    """A postcode in one of the national layouts (3-9 letters and digits), not one repeated digit, and not
    a UK-shaped code whose inward part is a data size (``PS5 1TB``)."""
    compact = value.replace(" ", "").replace("-", "")
    if not (compact.isascii() and compact.isalnum() and 3 <= len(compact) <= 9):
        return False
    if compact.isdigit():
        return not all_same(compact)
    return compact[-2:].upper() not in _DATA_SIZES


def swift_bic(value: str) -> bool:
    """BIC: 4 letters, an ISO country code, 2 location characters, optional 3-character branch."""
    if len(value) not in (8, 11) or not (value.isascii() and value.isalnum() and value.isupper()):
        return False
    if not value[:6].isalpha():
        return False
    if value[4:6] not in ISO_COUNTRIES or value[6:8] == "00":
        return False
    return value.lower() not in english_words()
