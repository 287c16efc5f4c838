"""Known-answer tables for every validator, plus properties the checksums must always have."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coatcheck.detect import validators as v

KNOWN: list[tuple[Callable[[str], bool], str, bool]] = [
    # Luhn
    (v.luhn, "79927398713", True),
    (v.luhn, "4111 1111 1111 1111", True),
    (v.luhn, "4111111111111112", False),
    (v.luhn, "7", False),
    (v.luhn, "", False),
    # cards: issuer prefix + length + Luhn + a human grouping
    (v.credit_card, "4111111111111111", True),
    (v.credit_card, "4111-1111-1111-1111", True),
    (v.credit_card, "5500 0000 0000 0004", True),
    (v.credit_card, "2221000000000009", True),
    (v.credit_card, "3782 822463 10005", True),
    (v.credit_card, "6011111111111117", True),
    (v.credit_card, "3530111333300000", True),
    (v.credit_card, "3056 930902 5904", True),
    (v.credit_card, "501839504906", True),
    (v.credit_card, "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", True),
    (v.credit_card, "4111111111111112", False),
    (v.credit_card, "1234567812345670", False),  # Luhn holds, no issuer starts with 1
    (v.credit_card, "378282246310005", True),
    (v.credit_card, "3782822463100050", False),  # Amex is 15 digits
    (v.credit_card, "4111-1111 1111-1111", False),
    (v.credit_card, "41111 11111 111111", False),
    (v.credit_card, "0000000000000000", False),
    (v.credit_card, "411111111111", False),
    # IBAN
    (v.iban, "DE89 3704 0044 0532 0130 00", True),
    (v.iban, "de89 3704 0044 0532 0130 00", True),
    (v.iban, "GB82WEST12345698765432", True),
    (v.iban, "FR1420041010050500013M02606", True),
    (v.iban, "NO9386011117947", True),
    (v.iban, "DE89 3704 0044 0532 0130 01", False),
    (v.iban, "DE89370400440532013", False),
    (v.iban, "XX89370400440532013000", False),
    (v.iban, "DE8937040044053201300!", False),
    # ABA routing
    (v.aba_routing, "021000021", True),
    (v.aba_routing, "011000015", True),
    (v.aba_routing, "0110-0001-5", True),
    (v.aba_routing, "021000022", False),
    (v.aba_routing, "131000021", False),  # prefix 13 is not a Federal Reserve district
    (v.aba_routing, "000000000", False),
    # NPI
    (v.us_npi, "1245319599", True),
    (v.us_npi, "1003000126", True),
    (v.us_npi, "1245319598", False),
    (v.us_npi, "3245319599", False),
    # VIN
    (v.vin, "1HGCM82633A004352", True),
    (v.vin, "1M8GDM9AXKP042788", True),
    (v.vin, "1HGCM82633A004353", False),
    (v.vin, "1HGCM82633A00435", False),
    (v.vin, "IHGCM82633A004352", False),
    (v.vin, "11111111111111111", False),
    # NHS
    (v.uk_nhs, "9434765919", True),
    (v.uk_nhs, "943 476 5919", True),
    (v.uk_nhs, "4010232137", True),
    (v.uk_nhs, "9434765918", False),
    (v.uk_nhs, "0000000000", False),
    # NINO
    (v.uk_nino, "AB123456C", True),
    (v.uk_nino, "AB 12 34 56 C", True),
    (v.uk_nino, "GB123456A", False),
    (v.uk_nino, "DA123456A", False),
    (v.uk_nino, "AO123456A", False),
    (v.uk_nino, "AB123456E", False),
    # SSN / ITIN / EIN
    (v.us_ssn, "536-22-8817", True),
    (v.us_ssn, "536228817", True),
    (v.us_ssn, "000-12-3456", False),
    (v.us_ssn, "666-12-3456", False),
    (v.us_ssn, "900-12-3456", False),
    (v.us_ssn, "536-00-8817", False),
    (v.us_ssn, "536-22-0000", False),
    (v.us_ssn, "123-45-6789", False),
    (v.us_ssn, "078-05-1120", False),
    (v.us_ssn, "111-11-1111", False),
    (v.us_ssn, "536-22-88171", False),
    (v.us_itin, "912-78-1234", True),
    (v.us_itin, "953 91 4410", True),
    (v.us_itin, "912-45-1234", False),
    (v.us_itin, "812-78-1234", False),
    (v.us_ein, "12-3456789", True),
    (v.us_ein, "95-4418872", True),
    (v.us_ein, "07-1234567", False),
    (v.us_ein, "00-1234567", False),
    (v.us_zip, "94103", True),
    (v.us_zip, "10001-2345", True),
    (v.us_zip, "00000", False),
    (v.postal_code, "2680-043", True),
    (v.postal_code, "7736 PJ", True),
    (v.postal_code, "SW1A 1AA", True),
    (v.postal_code, "PS5 1TB", False),  # a console and its disk size
    (v.postal_code, "0000", False),
    (v.postal_code, "12", False),
    (v.bank_account, "000123456789", True),
    (v.bank_account, "1234567", False),
    (v.bank_account, "12345678.90", False),
    (v.not_repeated, "A12345678", True),
    (v.not_repeated, "000000000", False),
    # BIC
    (v.swift_bic, "DEUTDEFF", True),
    (v.swift_bic, "DEUTDEFF500", True),
    (v.swift_bic, "CHASUS33", True),
    (v.swift_bic, "REQUIRED", False),  # an English word with a valid country code in it
    (v.swift_bic, "DEUTXXFF", False),
    (v.swift_bic, "deutdeff", False),
    (v.swift_bic, "DEUTDE00", False),
    # wallets
    (v.bitcoin_address, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", True),
    (v.bitcoin_address, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", True),
    (v.bitcoin_address, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", False),
    (v.bitcoin_address, "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ", False),  # a WIF key, not an address
    (v.base58check, "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ", True),
    (v.base58check, "0OIl", False),
    (v.bech32, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", True),
    (v.bech32, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", True),
    (v.bech32, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", True),
    (v.bech32, "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", True),  # bech32m
    (v.bech32, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp", False),
    (v.bech32, "bc1QAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", False),  # mixed case
    (v.bech32, "ltc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", False),
    (v.ethereum_address, "0x52908400098527886E0F7030069857D2E4169EE7", True),
    (v.ethereum_address, "0x0000000000000000000000000000000000000000", False),
    (v.ethereum_address, "0x5290840009852788", False),
    # network and contact
    (v.ipv4, "203.0.113.42", True),
    (v.ipv4, "256.1.1.1", False),
    (v.ipv4, "01.2.3.4", False),
    (v.ipv4, "0.0.0.0", False),  # noqa: S104 - a value to validate, not a bind address
    (v.ipv4, "10.0.0.0", False),
    (v.ipv4, "10.1.2.0/24", False),  # a range, not a host
    (v.ipv4, "198.51.23.0", True),  # a host in a larger network
    (v.ipv4, "255.255.255.0", False),  # a netmask
    (v.ipv4, "192.168.1.255", False),  # broadcast
    (v.ipv4, "1.3.6.1.4.1", False),
    (v.ipv6, "2001:db8:85a3::8a2e:370:7334", True),
    (v.ipv6, "::ffff:192.0.2.128", True),
    (v.ipv6, "::1", False),
    (v.ipv6, "10:30:45", False),
    (v.ipv6, "ab:ab:ab:ab:ab:ab:ab:ab:ab", False),
    (v.mac_address, "00:1A:2B:3C:4D:5E", True),
    (v.mac_address, "001a.2b3c.4d5e", True),
    (v.mac_address, "00:1A:2B-3C:4D:5E", False),
    (v.mac_address, "00:00:00:00:00:00", False),
    (v.mac_address, "2024.0312.1022", False),
    (v.email, "sarah.chen@example.com", True),
    (v.email, "ops@acme-health.co.uk", True),
    (v.email, "icon@2x.png", False),
    (v.email, "root@localhost", False),
    (v.email, "a..b@example.com", False),
    (v.email, "git@github.com", False),
    (v.url, "https://example.com/u/sarah", True),
    (v.url, "http://203.0.113.9/x", True),
    (v.url, "http://localhost:8000/api", False),
    (v.url, "https://alice:pw@example.com/", False),
    (v.url, "https://example.com/cb?code=abc&state=1", False),
    (v.domain_name, "sarah-chen.dev", True),
    (v.domain_name, "config.yaml", False),
    (v.domain_name, "-bad-.com", False),
    # phones
    (v.nanp_phone, "(415) 555-0132", True),
    (v.nanp_phone, "+1-415-555-0132", True),
    (v.nanp_phone, "001-415-555-0132", True),
    (v.nanp_phone, "415-555-0132 ext. 12", True),
    (v.nanp_phone, "(015) 555-0132", False),
    (v.nanp_phone, "415-155-0132", False),
    (v.phone_international, "+44 20 7946 0958", True),
    (v.phone_international, "0044 20 7946 0958", True),
    (v.phone_international, "+41 (0)21 345 67 89", True),
    (v.phone_international, "+12", False),
    (v.phone_international, "+28 1234 5678", False),  # 28 is not a calling code
    (v.phone_bare, "4155550132", True),
    (v.phone_bare, "14155550132", True),
    (v.phone_bare, "1710238921", False),  # a Unix timestamp
    (v.phone_digits, "07700 900123", True),
    (v.phone_digits, "12 34", False),
    (v.phone_grouped, "21 259 903 5696", True),
    (v.phone_grouped, "87 47 98", True),
    (v.phone_grouped, "33.916068", False),
    (v.phone_grouped, "2024-03-12", False),
    (v.phone_grouped, "10.20.30.40", False),
    # dates and ages
    (v.calendar_date, "2024-03-12", True),
    (v.calendar_date, "2024-03-12 14:30", True),
    (v.calendar_date, "2024-03-12T10:22:01Z", False),  # a machine timestamp
    (v.calendar_date, "2024-03-12 10:22:01,123", False),  # the logging module's layout
    (v.calendar_date, "2010-12-15 01:42:41.480523", True),  # a date-time a record holds
    (v.calendar_date, "2023-10-12 14:23:01", True),
    (v.calendar_date, "2024-03-12 24:10", False),
    (v.calendar_date, "Tuesday, March 12, 2024", True),
    (v.calendar_date, "Tuesday", False),
    (v.calendar_date, "2024-02-30", False),
    (v.calendar_date, "03/12/2024", True),
    (v.calendar_date, "13/12/2024", True),  # day first
    (v.calendar_date, "13/13/2024", False),
    (v.calendar_date, "3/29/22", True),
    (v.calendar_date, "March 12, 2024", True),
    (v.calendar_date, "12th of March", True),
    (v.calendar_date, "Feb 29", True),
    (v.calendar_date, "February 29, 2023", False),
    (v.calendar_date, "September 2023", True),
    (v.calendar_date, "March 1850", False),
    (v.age, "42", True),
    (v.age, "42 years old", True),
    (v.age, "1.5 years old", True),
    (v.age, "121", False),
    (v.age, "3600", False),
    # credentials
    (v.jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2ln", True),
    (v.jwt, "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", True),
    (v.jwt, "eyJub3QiOiJhIGp3dCJ9.eyJ4IjoxfQ.c2ln", False),  # no alg
    (v.jwt, "eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ", False),  # two parts
    (v.jwt, "eyJ!!!.eyJ.x", False),
    (v.generic_secret, "9Zx8Kq3Lm9Wv2Tn7Rb5Yc1Hd", True),
    (v.generic_secret, "5d41402abc4b2a76b9719d911017c592", True),
    (v.generic_secret, "changeme", False),
    (v.generic_secret, "your_api_key_here_please", False),
    (v.generic_secret, "abcdefghijklmnopqrstuvwxyz", False),
    (v.generic_secret, "settings.SECRET_KEY_FROM_VAULT", False),
    (v.generic_secret, "GITHUB_TOKEN_FOR_CI_JOBS", False),
    (v.generic_secret, "aaaaaaaaaaaaaaaaaaaa1", False),
    (v.prefixed_token, "ghp_R7bXq2LmN8vTz4KcW1pYs9HdJ3fGa6Ue0Qo5", True),
    (v.prefixed_token, "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", False),
    (v.prefixed_token, "AKIAIOSFODNN7EXAMPLE", False),
    (v.random_key, "sk-proj-Vq8N3xLm2Kd7Rt5Yw9Zb4Hc6Jf1Pg0Ts3U", True),
    (v.random_key, "sk-learn-style-pipelines-for-everyone", False),
    (v.aws_secret_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYq8Lm2Vt4Xz", True),
    (v.aws_secret_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCY", False),
    (v.password, "hunter2!", True),
    (v.password, "Tr0ub4dor&3", True),
    (v.password, "None", False),
    (v.password, "********", False),
    (v.password, "get_password(", False),
    (v.password, "Optional[str", False),
    (v.password, "/home/sarah", False),
    (v.password, "db_password", False),
    (v.password, "str", False),
    (v.password_phrase, "Summer2024!", True),
    (v.password_phrase, "incorrect", False),
    (v.password_phrase, "required.", False),
    (v.connection_string, "postgres://app:s3cr3t@db:5432/x", True),
    (v.connection_string, "redis://:s3cr3tpw@cache:6379/0", True),
    (v.connection_string, "postgres://app:@db/x", False),
    (v.connection_string, "postgres://${USER}:${PASSWORD}@db/x", False),
    (v.connection_string, "Server=db;User ID=sa;Password=Kq3Lm9Wv;", True),
    (v.connection_string, "Server=db;Integrated Security=true;", False),
    (v.connection_string, "Server=db;Password=;", False),
]


@pytest.mark.parametrize(
    ("validator", "value", "expected"),
    KNOWN,
    ids=[f"{fn.__name__}-{value}" for fn, value, _ in KNOWN],
)
def test_known_answers(validator: Callable[[str], bool], value: str, expected: bool) -> None:
    assert validator(value) is expected


def test_entropy_values() -> None:
    assert v.shannon_entropy("") == 0.0
    assert v.shannon_entropy("aaaa") == 0.0
    assert v.shannon_entropy("ab") == pytest.approx(1.0)
    assert v.shannon_entropy("abcd") == pytest.approx(2.0)
    assert v.shannon_entropy("0123456789abcdef") == pytest.approx(4.0)


def test_every_public_validator_has_known_answers() -> None:
    tested = {fn.__name__ for fn, _, _ in KNOWN} | {"shannon_entropy"}
    public = {name for name in v.__all__ if inspect.isfunction(getattr(v, name))}
    assert public - tested == set()


VALIDATORS = [
    getattr(v, name) for name in v.__all__ if inspect.isfunction(getattr(v, name)) and name != "shannon_entropy"
]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_validators_never_raise(text: str) -> None:
    for validator in VALIDATORS:
        assert isinstance(validator(text), bool)


@given(st.text(alphabet="0123456789", min_size=1, max_size=18))
def test_exactly_one_luhn_check_digit(body: str) -> None:
    assert sum(v.luhn(body + str(d)) for d in range(10)) == 1


def _with_luhn_digit(body: str) -> str:
    return next(body + str(d) for d in range(10) if v.luhn(body + str(d)))


@given(st.text(alphabet="0123456789", min_size=14, max_size=14), st.integers(0, 14), st.integers(1, 9))
def test_cards_catch_every_single_digit_error(tail: str, position: int, delta: int) -> None:
    card = _with_luhn_digit("4" + tail)
    assert v.credit_card(card)
    digits = list(card)
    digits[position + 1] = str((int(digits[position + 1]) + delta) % 10)
    assert not v.credit_card("".join(digits))


def _iban(country: str, bban: str) -> str:
    number = int("".join(str(int(ch, 36)) for ch in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


@given(
    st.sampled_from(sorted(v.IBAN_LENGTHS)),
    st.data(),
)
def test_generated_ibans_validate_and_single_errors_do_not(country: str, data: st.DataObject) -> None:
    size = v.IBAN_LENGTHS[country] - 4
    bban = data.draw(st.text(alphabet="0123456789", min_size=size, max_size=size))
    code = _iban(country, bban)
    assert v.iban(code)
    spaced = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    assert v.iban(spaced)
    position = data.draw(st.integers(4, len(code) - 1))
    wrong = code[:position] + str((int(code[position]) + 1) % 10) + code[position + 1 :]
    assert not v.iban(wrong)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_real_date_is_a_calendar_date(day: dt.date) -> None:
    for text in (
        day.isoformat(),
        day.strftime("%m/%d/%Y"),
        day.strftime("%d.%m.%Y"),
        day.strftime("%B %d, %Y"),
        day.strftime("%d %b %Y"),
    ):
        assert v.calendar_date(text), text
