"""Generate the "realistic" detection set: chat, support, clinical, developer and multi-turn messages.

Every labelled span is exact by construction (texts are assembled piece by piece). At least 40% of the records
are PII-free look-alikes: order numbers, hashes, versions, UUIDs, timestamps, non-Luhn 16-digit numbers,
prices, tracking ids, ticket numbers, product and tool names.

Labelled types (everything else is left unlabelled and is not scored): PERSON (names, without titles),
EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD (Luhn-valid), US_SSN (valid area/group/serial), IBAN_CODE (valid
mod-97), IP_ADDRESS (public IPv4 or global IPv6), STREET_ADDRESS (the street line only: number, street, unit;
not city, state or postcode), API_KEY (the key itself, not the variable name), DATE_OF_BIRTH (dates given as
a birth date).

The data set is built at benchmark time from a fixed seed rather than committed, because the fake API keys
have the exact shapes that secret scanners block on push. The benchmark prints its SHA-256 so runs can be
compared. ``python benchmarks/data/make_realistic.py --out FILE`` writes it for inspection.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import string
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

from faker import Faker
from realistic_templates import (
    PII_FREE,
    PII_TEMPLATES,
    TURNS_ASSISTANT,
    TURNS_ASSISTANT_PII,
    TURNS_NEUTRAL,
    TURNS_USER_PII,
)

SEED = 20240611
PII_FREE_SHARE = 0.45
_FIELD = re.compile(r"\{([A-Z0-9_]+)\}")
_LOCALES = (
    ("en_US", 0.55),
    ("en_GB", 0.1),
    ("de_DE", 0.07),
    ("fr_FR", 0.06),
    ("es_ES", 0.06),
    ("it_IT", 0.05),
    ("en_IN", 0.06),
    ("nl_NL", 0.05),
)


def _luhn_digit(body: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


class Values:
    """Fake values, drawn from one seeded RNG (and seeded Faker instances for names and streets)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {}
        for offset, (locale, _) in enumerate(_LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed + offset)
            self.fakers[locale] = fake
        self.person: tuple[str, str] = ("", "")

    # -- people ---------------------------------------------------------------------------------------
    def new_person(self) -> None:
        locales, weights = zip(*_LOCALES, strict=True)
        fake = self.fakers[self.rng.choices(locales, weights)[0]]
        self.person = (fake.first_name(), fake.last_name())

    def full_name(self) -> str:
        return f"{self.person[0]} {self.person[1]}"

    def other_name(self) -> str:
        fake = self.fakers[self.rng.choice(["en_US", "en_US", "en_GB", "en_IN", "es_ES"])]
        return f"{fake.first_name()} {fake.last_name()}"

    def other_first(self) -> str:
        return str(self.fakers[self.rng.choice(["en_US", "en_GB", "fr_FR"])].first_name())

    def email(self) -> str:
        first, last = (_ascii(p).lower() for p in self.person)
        local = self.rng.choice(
            [
                f"{first}.{last}",
                f"{first[0]}{last}",
                f"{first}_{last}{self.rng.randint(1, 99)}",
                f"{first}{self.rng.randint(70, 99)}",
                f"{last}.{first}",
                f"{first}+orders",
            ]
        )
        domain = self.rng.choice(
            [
                "gmail.com",
                "outlook.com",
                "yahoo.com",
                "proton.me",
                "icloud.com",
                "hotmail.co.uk",
                "gmx.de",
                "acme-corp.com",
                "northwind.io",
                "fastmail.fm",
                "uni-heidelberg.de",
                "mail.example.org",
            ]
        )
        return f"{local}@{domain}"

    # -- contact, money, ids --------------------------------------------------------------------------
    def phone(self) -> str:
        r = self.rng
        area = r.choice([212, 310, 312, 415, 617, 646, 303, 206, 512, 702, 404, 305, 718, 213, 503])
        ex, line = r.randint(201, 989), r.randint(0, 9999)
        return r.choice(
            [
                f"({area}) {ex}-{line:04d}",
                f"{area}-{ex}-{line:04d}",
                f"{area}.{ex}.{line:04d}",
                f"+1 {area} {ex} {line:04d}",
                f"+1-{area}-{ex}-{line:04d}",
                f"+44 20 7{r.randint(100, 999)} {r.randint(1000, 9999)}",
                f"07{r.randint(700, 999)} {r.randint(100000, 999999)}",
                f"+49 30 {r.randint(1000000, 99999999)}",
                f"+33 6 {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}",
                f"+91 9{r.randint(1000, 9999)} {r.randint(10000, 99999)}",
            ]
        )

    def card(self) -> str:
        r = self.rng
        kind = r.choice(["visa", "visa", "mc", "mc2", "amex", "discover"])
        prefix = {
            "visa": "4",
            "mc": str(r.randint(51, 55)),
            "mc2": str(r.randint(2221, 2720)),
            "amex": r.choice(["34", "37"]),
            "discover": "6011",
        }[kind]
        length = 15 if kind == "amex" else 16
        body = prefix + "".join(r.choice(string.digits) for _ in range(length - len(prefix) - 1))
        number = body + str(_luhn_digit(body))
        if kind == "amex":
            groups = [number[:4], number[4:10], number[10:]]
        else:
            groups = [number[i : i + 4] for i in range(0, 16, 4)]
        return r.choice([" ".join(groups), "-".join(groups), number])

    def non_luhn16(self) -> str:
        body = self.rng.choice("45") + "".join(self.rng.choice(string.digits) for _ in range(14))
        number = body + str((_luhn_digit(body) + self.rng.randint(1, 9)) % 10)
        return self.rng.choice([" ".join(number[i : i + 4] for i in range(0, 16, 4)), number])

    def ssn(self) -> str:
        r = self.rng
        area = r.randint(1, 899)
        area = 667 if area == 666 else area
        group, serial = r.randint(1, 99), r.randint(1, 9999)
        return r.choice(
            [f"{area:03d}-{group:02d}-{serial:04d}"] * 3
            + [f"{area:03d} {group:02d} {serial:04d}", f"{area:03d}{group:02d}{serial:04d}"]
        )

    def iban(self) -> str:
        r = self.rng

        def digits(n: int) -> str:
            return "".join(r.choice(string.digits) for _ in range(n))

        country, bban = r.choice(
            [
                ("DE", "".join(r.choice(string.digits) for _ in range(18))),
                (
                    "GB",
                    "".join(r.choice(string.ascii_uppercase) for _ in range(4))
                    + "".join(r.choice(string.digits) for _ in range(14)),
                ),
                ("FR", "".join(r.choice(string.digits) for _ in range(23))),
                (
                    "NL",
                    "".join(r.choice(string.ascii_uppercase) for _ in range(4))
                    + "".join(r.choice(string.digits) for _ in range(10)),
                ),
                ("ES", "".join(r.choice(string.digits) for _ in range(20))),
                ("IT", r.choice(string.ascii_uppercase) + digits(22)),
            ]
        )
        numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
        iban = f"{country}{98 - int(numeric) % 97:02d}{bban}"
        return r.choice([iban, " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))])

    def ip(self) -> str:
        r = self.rng
        if r.random() < 0.2:
            groups = [f"2a0{r.randint(0, 15):x}"] + [f"{r.randint(0, 0xFFFF):x}" for _ in range(7)]
            return ":".join(groups)
        first = r.choice([23, 31, 45, 52, 64, 81, 89, 104, 145, 151, 176, 185, 203, 212])
        return f"{first}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def street(self) -> str:
        street = self.fakers[self.rng.choice(["en_US"] * 4 + ["en_GB"])].street_address()
        return str(street).replace("\n", ", ")

    def city_line(self) -> str:
        fake = self.fakers["en_US"]
        return f"{fake.city()}, {fake.state_abbr()} {fake.zipcode()}"

    def dob(self) -> str:
        r = self.rng
        y, m, d = r.randint(1938, 2006), r.randint(1, 12), r.randint(1, 28)
        month = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ][m - 1]
        return r.choice(
            [
                f"{m:02d}/{d:02d}/{y}",
                f"{y}-{m:02d}-{d:02d}",
                f"{month} {d}, {y}",
                f"{d} {month[:3]} {y}",
                f"{d:02d}.{m:02d}.{y}",
            ]
        )

    def api_key(self) -> str:
        r = self.rng
        alnum = string.ascii_letters + string.digits

        def pick(chars: str, n: int) -> str:
            return "".join(r.choice(chars) for _ in range(n))

        return r.choice(
            [
                lambda: "sk-" + pick(alnum, 48),
                lambda: "sk-proj-" + pick(alnum + "-_", 64),
                lambda: "ghp_" + pick(alnum, 36),
                lambda: "AKIA" + pick(string.ascii_uppercase + "234567", 16),
                lambda: f"xoxb-{pick(string.digits, 12)}-{pick(string.digits, 13)}-{pick(alnum, 24)}",
                lambda: "sk_live_" + pick(alnum, 24),
                lambda: "AIza" + pick(alnum + "-_", 35),
                lambda: "sk-ant-api03-" + pick(alnum + "-_", 93) + "AA",
                lambda: "glpat-" + pick(alnum + "-_", 20),
            ]
        )()

    # -- look-alikes (never labelled) -----------------------------------------------------------------
    def order(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"#A-{r.randint(100000, 999999)}-{r.randint(10, 99)}",
                f"ORD-2024-{r.randint(0, 999999):06d}",
                str(r.randint(1000000000, 9999999999)),
                f"PO-{r.randint(10000, 99999)}",
                f"#{r.randint(100000, 9999999)}",
            ]
        )

    def tracking(self) -> str:
        r = self.rng
        return r.choice(
            [
                "1Z"
                + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(6))
                + str(r.randint(10**9, 10**10 - 1)),
                "9400 " + " ".join(str(r.randint(1000, 9999)) for _ in range(4)) + f" {r.randint(10, 99)}",
                f"{r.randint(1000, 9999)} {r.randint(1000, 9999)} {r.randint(1000, 9999)}",
            ]
        )

    def ticket(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"INC{r.randint(0, 9999999):07d}",
                f"JIRA-{r.randint(100, 9999)}",
                f"#{r.randint(10000, 999999)}",
                f"CS-{r.randint(100000, 999999)}",
                f"case {r.randint(10**7, 10**8 - 1):08d}",
            ]
        )

    def price(self) -> str:
        r = self.rng
        amount = r.randint(1, 250000) / 100
        return r.choice([f"${amount:,.2f}", f"€{amount:.2f}", f"USD {amount:.2f}", f"£{amount:,.2f}"])

    def version(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"v{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 20)}",
                f"{r.randint(1, 4)}.{r.randint(0, 12)}.{r.randint(0, 9)}",
                f"10.0.{r.randint(17000, 22999)}.{r.randint(1000, 4000)}",
                f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 99)}",
                f"{r.randint(1, 5)}.{r.randint(0, 9)}.0-rc.{r.randint(1, 5)}",
            ]
        )

    def uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:]}"

    def sha(self) -> str:
        if self.rng.random() < 0.5:
            return f"{self.rng.getrandbits(160):040x}"
        return f"{self.rng.getrandbits(28):07x}"

    def sha256(self) -> str:
        return f"{self.rng.getrandbits(256):064x}"

    def timestamp(self) -> str:
        r = self.rng
        y, mo, d, h, mi, s = (
            2024,
            r.randint(1, 12),
            r.randint(1, 28),
            r.randint(0, 23),
            r.randint(0, 59),
            r.randint(0, 59),
        )
        return r.choice(
            [
                f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z",
                f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d},{r.randint(0, 999):03d}",
                f"{y}{mo:02d}{d:02d}.{r.randint(1, 9)}",
            ]
        )

    def sku(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"{r.randint(100, 899)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}",
                f"SKU-{r.randint(10000, 99999)}",
                f"978-{r.randint(0, 1)}-{r.randint(100, 999)}-{r.randint(10000, 99999)}-{r.randint(0, 9)}",
            ]
        )


# Field -> (label or None, value function). Labelled fields produce spans; the rest is look-alike filler.
def _fields(v: Values) -> dict[str, tuple[str | None, Callable[[], str]]]:
    return {
        "NAME": ("PERSON", v.full_name),
        "FIRST": ("PERSON", lambda: v.person[0]),
        "OTHER": ("PERSON", v.other_name),
        "OTHERFIRST": ("PERSON", v.other_first),
        "EMAIL": ("EMAIL_ADDRESS", v.email),
        "PHONE": ("PHONE_NUMBER", v.phone),
        "CARD": ("CREDIT_CARD", v.card),
        "SSN": ("US_SSN", v.ssn),
        "IBAN": ("IBAN_CODE", v.iban),
        "IP": ("IP_ADDRESS", v.ip),
        "STREET": ("STREET_ADDRESS", v.street),
        "KEY": ("API_KEY", v.api_key),
        "DOB": ("DATE_OF_BIRTH", v.dob),
        "CITYLINE": (None, v.city_line),
        "ORDER": (None, v.order),
        "TRACKING": (None, v.tracking),
        "TICKET": (None, v.ticket),
        "PRICE": (None, v.price),
        "VERSION": (None, v.version),
        "UUID": (None, v.uuid),
        "SHA": (None, v.sha),
        "SHA256": (None, v.sha256),
        "TS": (None, v.timestamp),
        "NUM16": (None, v.non_luhn16),
        "SKU": (None, v.sku),
        "PRODUCT": (None, lambda: v.rng.choice(_PRODUCTS)),
        "TOOL": (None, lambda: v.rng.choice(_TOOLS)),
    }


_PRODUCTS = (
    "Galaxy S23 Ultra",
    "ThinkPad X1 Carbon",
    "iPhone 15 Pro",
    "Pixel 8",
    "Kindle Paperwhite",
    "Surface Laptop 5",
    "PlayStation 5",
    "Instant Pot Duo",
    "Roomba j7+",
    "Echo Dot",
    "Nest Thermostat",
    "AirPods Pro",
    "Dyson V15 Detect",
    "Apple Watch Series 9",
    "MacBook Air M2",
    "Fitbit Charge 6",
)
_TOOLS = (
    "Jenkins",
    "Kafka",
    "Django",
    "Grafana",
    "Kubernetes",
    "Terraform",
    "Sentry",
    "Redis",
    "Postgres",
    "Airflow",
    "Celery",
    "Prometheus",
    "Ansible",
    "Nginx",
)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ł", "l").replace("ø", "o"))
    return "".join(c for c in decomposed if c.isascii() and c.isalpha())


def _render(
    template: str, fields: dict[str, tuple[str | None, Callable[[], str]]], lower: bool
) -> tuple[str, list[dict[str, object]]]:
    parts: list[str] = []
    spans: list[dict[str, object]] = []
    length = pos = 0
    for match in _FIELD.finditer(template):
        literal = template[pos : match.start()]
        parts.append(literal)
        length += len(literal)
        label, make = fields[match.group(1)]
        value = make()
        if lower and label == "PERSON":
            value = value.lower()
        parts.append(value)
        if label is not None:
            spans.append(
                {
                    "entity_type": label,
                    "entity_value": value,
                    "start_position": length,
                    "end_position": length + len(value),
                }
            )
        length += len(value)
        pos = match.end()
    parts.append(template[pos:])
    return "".join(parts), spans


def generate(records: int = 2500, seed: int = SEED) -> list[dict[str, object]]:
    """Build the data set: ``records`` records, deterministic for a seed (and a Faker version)."""
    values = Values(seed)
    rng = values.rng
    fields = _fields(values)
    out: list[dict[str, object]] = []
    categories = sorted(PII_TEMPLATES)
    for _ in range(records):
        values.new_person()
        category = rng.choice([*categories, "multi_turn"])
        pii_free = rng.random() < PII_FREE_SHARE
        if category == "multi_turn":
            turns = []
            for number in range(rng.randint(2, 5)):
                if number % 2:
                    pool = TURNS_ASSISTANT if pii_free or rng.random() < 0.6 else TURNS_ASSISTANT_PII
                elif pii_free or rng.random() < 0.4:
                    pool = TURNS_NEUTRAL
                else:
                    pool = TURNS_USER_PII
                turns.append(("Assistant: " if number % 2 else "User: ") + rng.choice(pool))
            if not pii_free and not any(t.startswith("User: ") and _has_pii(t) for t in turns):
                turns[0] = "User: " + rng.choice(TURNS_USER_PII)
            template = "\n".join(turns)
        else:
            template = rng.choice(PII_FREE[category] if pii_free else PII_TEMPLATES[category])
        lower = category == "chat" and rng.random() < 0.1
        text, spans = _render(template, fields, lower)
        if pii_free and spans:
            pii_free = False
        out.append({"full_text": text, "spans": spans, "category": category})
    return out


def _has_pii(turn: str) -> bool:
    return any(
        name in turn
        for name in (
            "{NAME}",
            "{FIRST}",
            "{EMAIL}",
            "{PHONE}",
            "{CARD}",
            "{SSN}",
            "{IBAN}",
            "{IP}",
            "{STREET}",
            "{KEY}",
            "{DOB}",
            "{OTHER}",
        )
    )


def digest(data: list[dict[str, object]]) -> str:
    """SHA-256 of the canonical JSON, printed by the benchmark so runs can be compared."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data = generate(args.records, args.seed)
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
    os.chmod(tmp, 0o644)
    os.replace(tmp, args.out)
    free = sum(not r["spans"] for r in data)
    print(f"wrote {len(data)} records ({free / len(data):.0%} PII-free) to {args.out}; sha256 {digest(data)}")


if __name__ == "__main__":
    main()
