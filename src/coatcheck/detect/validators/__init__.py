"""Checks that confirm a pattern match: plain ``str -> bool`` functions, pure and fast.

A pattern says "this looks like a card number"; a validator says "and its check digit holds". Validators get
the matched value only (separators included) and never raise: anything malformed is simply ``False``.
Patterns deliberately match a little too much (a whole dotted or dashed token), so that a validator can
reject a version string or an OID as a whole instead of the engine finding an address inside it.
"""

from __future__ import annotations

from coatcheck.detect.validators._common import not_repeated, shannon_entropy
from coatcheck.detect.validators._crypto import base58check, bech32, bitcoin_address, ethereum_address
from coatcheck.detect.validators._ids import (
    aba_routing,
    bank_account,
    credit_card,
    iban,
    luhn,
    postal_code,
    swift_bic,
    uk_nhs,
    uk_nino,
    us_ein,
    us_itin,
    us_npi,
    us_ssn,
    us_zip,
    vin,
)
from coatcheck.detect.validators._network import (
    domain_name,
    email,
    ipv4,
    ipv6,
    mac_address,
    nanp_phone,
    phone_bare,
    phone_digits,
    phone_grouped,
    phone_international,
    url,
)
from coatcheck.detect.validators._secrets import (
    aws_secret_key,
    connection_string,
    generic_secret,
    jwt,
    password,
    password_phrase,
    prefixed_token,
    random_key,
)
from coatcheck.detect.validators._tables import IBAN_LENGTHS
from coatcheck.detect.validators._temporal import age, calendar_date

__all__ = [
    "IBAN_LENGTHS",
    "aba_routing",
    "age",
    "aws_secret_key",
    "bank_account",
    "base58check",
    "bech32",
    "bitcoin_address",
    "calendar_date",
    "connection_string",
    "credit_card",
    "domain_name",
    "email",
    "ethereum_address",
    "generic_secret",
    "iban",
    "ipv4",
    "ipv6",
    "jwt",
    "luhn",
    "mac_address",
    "nanp_phone",
    "not_repeated",
    "password",
    "password_phrase",
    "phone_bare",
    "phone_digits",
    "phone_grouped",
    "phone_international",
    "postal_code",
    "prefixed_token",
    "random_key",
    "shannon_entropy",
    "swift_bic",
    "uk_nhs",
    "uk_nino",
    "url",
    "us_ein",
    "us_itin",
    "us_npi",
    "us_ssn",
    "us_zip",
    "vin",
]
