"""Payment data: card numbers, IBANs, US bank accounts and routing numbers, BIC codes, crypto wallets.

Cards and IBANs carry their own checksums and stand alone; account numbers, routing numbers and BICs are
ordinary digit or letter runs that only a nearby word ("routing", "SWIFT") makes worth reporting.
"""

from __future__ import annotations

from collections import defaultdict

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import ID_NEGATIVE, LB, LB_NUM
from coatcheck.detect.types import Recognizer

__all__ = ["FINANCIAL_RECOGNIZERS", "iban_pattern"]


def iban_pattern() -> str:
    """One alternative per IBAN length: the country codes of that length, then 4-character groups.

    Encoding each country's exact length keeps a following word ("... 00 BIC") out of the match.
    """
    by_length: dict[int, list[str]] = defaultdict(list)
    for country, length in sorted(v.IBAN_LENGTHS.items()):
        by_length[length].append(country)
    alternatives = []
    for length, countries in sorted(by_length.items(), reverse=True):
        groups, rest = divmod(length - 4, 4)
        tail = f"(?: ?[A-Z0-9]{{4}}){{{groups}}}" + (f" ?[A-Z0-9]{{{rest}}}" if rest else "")
        alternatives.append(f"(?:{'|'.join(countries)})\\d{{2}}{tail}")
    return LB + r"(?P<value>" + "|".join(alternatives) + r")\b"


_CARD_CONTEXT = (
    "card",
    "credit",
    "debit",
    "visa",
    "mastercard",
    "amex",
    "american express",
    "discover",
    "jcb",
    "diners",
    "cc",
    "payment",
    "charge",
    "billing",
    "cardholder",
    "pan",
)
_CARD_NEGATIVE = ("order", "tracking", "invoice", "isbn", "imei", "serial", "sku", "shipment", "ref", "reference")
_ACCOUNT_CONTEXT = (
    "account",
    "acct",
    "a/c",
    "checking",
    "savings",
    "bank account",
    "account number",
    "account no",
    "deposit to",
    "direct deposit",
)

CREDIT_CARD = Recognizer(
    name="credit_card",
    entity="CREDIT_CARD",
    pattern=LB_NUM + r"(?P<value>\d{4} \d{4} \d{4} \d{4}|\d{4}-\d{4}-\d{4}-\d{4}|\d{4} \d{6} \d{4,5}"
    r"|\d{4}-\d{6}-\d{4,5}|\d(?: \d){12,18}|\d{13,19})\b",
    score=0.85,
    validator=v.credit_card,
    context=_CARD_CONTEXT,
    negative_context=_CARD_NEGATIVE,
    context_boost=0.4,
    examples=(
        "I have lost my card «4111 1111 1111 1111». Could you please block it ASAP?",
        "Please charge my credit card. Number is «5500-0000-0000-0004»",
        "amex «3782 822463 10005» exp 12/27",
        "cc=«4532015112830366»&cvv=123",
        "card: «4 5 3 2 0 1 5 1 1 2 8 3 0 3 6 6»",
        "Diners Club card «3056 930902 5904» declined, JCB «3530111333300000» too",
        "Discover «6011 1111 1111 1117», expires 09/26",
        "name,card,exp\nSam Lee,«5105105105105100»,04/27",
        "card on file:\\n«4111 1111 1111 1111»\\nexp 04/27",
        "full-width digits: «４１１１ １１１１ １１１１ １１１１» ok",
    ),
    counterexamples=(
        "Order 4111 1111 1111 1112 has shipped.",
        "Tracking 4532015112830367 delivered to the front desk.",
        "Transaction id 1234567890123456 logged.",
        "score=0.4532015112830366 after 12 epochs",
        "Request 4111111111111111111111 rejected: too long.",
        "UUID 123e4567-e89b-12d3-a456-426614174000 created.",
        "The total was $4,111.11 for 1111 units.",
        "Call 415 555 0132 or 415 555 0199.",
    ),
)

CREDIT_CARD_SHORT = Recognizer(
    name="credit_card_maestro12",
    entity="CREDIT_CARD",
    pattern=LB_NUM + r"(?P<value>\d{12}|\d{4} \d{4} \d{4})\b",
    score=0.6,
    validator=v.credit_card,
    context=_CARD_CONTEXT,
    negative_context=(*_CARD_NEGATIVE, "aws", "account", "arn", "project", "id"),
    context_boost=0.4,
    examples=(
        "What is the limit for card «501839504906»?",
        "my maestro card «6759 6498 2648» was declined",
    ),
    counterexamples=(
        "arn:aws:iam::583545459567:role/deploy",
        "Order 501839504906 shipped.",
        "Project id 639003519175 created.",
    ),
)

IBAN = Recognizer(
    name="iban",
    entity="IBAN_CODE",
    pattern=iban_pattern(),
    score=0.9,
    validator=v.iban,
    context=("iban", "account", "bank", "transfer", "wire", "sepa", "beneficiary"),
    examples=(
        "My IBAN is «DE89 3704 0044 0532 0130 00».",
        "Are there any charges for money transfer from «GB82WEST12345698765432» to other banks?",
        "Beneficiary: ACME SARL, «FR14 2004 1010 0505 0001 3M02 606», BIC BNPAFRPP",
        "pls wire it to «NL91ABNA0417164300» thx",
        "IBAN «CH93 0076 2011 6238 5295 7» (Zurich)",
        "Refund to «NO9386011117947», then close ticket",
        "Refund to:\\n«DE89 3704 0044 0532 0130 00»\\nThanks",
        "thin spaces «DE89\u20093704\u20090044\u20090532\u20090130\u200900» too",
    ),
    counterexamples=(
        "My IBAN is DE89 3704 0044 0532 0130 01 (typo, wrong check).",
        "Part DE12 3456 7890 1234 5678 90 is out of stock.",
        "Firmware GB22 build ABCD 1234 EFGH 5678 90 released.",
        "Shipment XX89 3704 0044 0532 0130 00 left the depot.",
    ),
)

BANK_ACCOUNT = Recognizer(
    name="us_bank_account",
    entity="US_BANK_ACCOUNT",
    pattern=LB_NUM + r"(?P<value>\d{8,17}(?:[.,]\d+)*)\b",
    score=0.15,
    validator=v.bank_account,
    context=_ACCOUNT_CONTEXT,
    negative_context=(
        *ID_NEGATIVE,
        "customer",
        "member",
        "user id",
        "created",
        "updated",
        "modified",
        "login",
        "timestamp",
        "epoch",
        "since",
    ),
    context_boost=0.45,
    examples=(
        "Please deposit to checking account «000123456789», routing 021000021.",
        "Acct #«4401983271» (savings)",
        "My bank account number is «12345678901».",
    ),
    counterexamples=(
        "Order 000123456789 was refunded.",
        "Build 20240312 passed all checks.",
        "Your account was created at 1710238921.",
        "Account updated at 1652317415000",
        "Account balance is 12345678.90 dollars",
    ),
)

ABA_ROUTING = Recognizer(
    name="aba_routing",
    entity="ABA_ROUTING_NUMBER",
    pattern=LB_NUM + r"(?P<value>\d{9}|\d{4}-\d{4}-\d)\b",
    score=0.3,
    validator=v.aba_routing,
    context=("routing", "aba", "rtn", "routing number", "transit", "ach", "wire", "bank"),
    context_boost=0.4,
    examples=(
        "Routing number «021000021», account 000123456789.",
        "ABA: «011000015»",
        "ACH routing «0110-0001-5» on file",
    ),
    counterexamples=(
        "Routing number 021000022 is not valid.",
        "Order 021000021 has shipped.",
        "Your routing was updated at 10:21.",
    ),
)

SWIFT = Recognizer(
    name="swift_bic",
    entity="SWIFT_BIC",
    pattern=LB + r"(?P<value>[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b",
    score=0.25,
    validator=v.swift_bic,
    context=("swift", "bic", "swift code", "swift/bic", "bank identifier", "bic code", "bank code"),
    context_boost=0.45,
    examples=(
        "SWIFT code «DEUTDEFF500» for the Frankfurt branch.",
        "IBAN FR14 2004 1010 0505 0001 3M02 606, BIC «BNPAFRPP».",
        "swift: «CHASUS33»",
    ),
    counterexamples=(
        "SWIFT TRANSFER REQUIRED ABSOLUTE PRIORITY",
        "The BIC field is optional for SEPA payments.",
        "DEUTDEFF is a well-known code but nobody said what for.",
        "SWIFT code XXXXXX00 is a placeholder.",
    ),
)

BTC_LEGACY = Recognizer(
    name="bitcoin_base58",
    entity="CRYPTO_WALLET",
    pattern=LB + r"(?P<value>[123mn][1-9A-HJ-NP-Za-km-z]{25,34})\b",
    score=0.85,
    validator=v.bitcoin_address,
    context=("bitcoin", "btc", "wallet", "address", "send"),
    examples=(
        "Send the BTC to «1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2» please.",
        "P2SH wallet: «3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy»",
    ),
    counterexamples=(
        "Send it to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 (checksum broken).",
        "Session 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz expired.",
        "Build 1A2B3C4D5E6F7G8H9J1K2L3M4N5P6Q7R ran.",
    ),
)

BTC_BECH32 = Recognizer(
    name="bitcoin_bech32",
    entity="CRYPTO_WALLET",
    pattern=LB + r"(?P<value>(?:bc1|tb1|BC1|TB1)[ac-hj-np-z02-9AC-HJ-NP-Z02-9]{8,87})\b",
    score=0.9,
    validator=v.bech32,
    context=("bitcoin", "btc", "wallet", "address", "send"),
    examples=(
        "My wallet is «bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq».",
        "Taproot: «bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297»",
    ),
    counterexamples=(
        "Address bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp has a typo.",
        "Component bc1-ready and tb1 flags are set.",
    ),
)

ETHEREUM = Recognizer(
    name="ethereum_address",
    entity="CRYPTO_WALLET",
    pattern=LB + r"(?P<value>0[xX][0-9a-fA-F]{40})\b",
    score=0.35,
    validator=v.ethereum_address,
    context=("eth", "ethereum", "wallet", "address", "metamask", "erc20", "usdt", "usdc", "crypto", "send to"),
    negative_context=("tx", "txn", "transaction", "hash", "contract", "block", "commit", "sha", "digest"),
    context_boost=0.4,
    examples=(
        "Send the ETH to my wallet «0x52908400098527886E0F7030069857D2E4169EE7».",
        "metamask address: «0xde709f2102306220921060314715629080e2fb77»",
    ),
    counterexamples=(
        "Pointer 0x7ffd5e8c2a10 freed twice.",
        "Commit hash 0x9f86d081884c7d659a2feaa0c55ad015a3bf4f1b appears twice.",
        "Register value 0x52908400098527886E0F7030069857D2E4169EE7 at offset 8.",
    ),
)

FINANCIAL_RECOGNIZERS: tuple[Recognizer, ...] = (
    CREDIT_CARD,
    CREDIT_CARD_SHORT,
    IBAN,
    BANK_ACCOUNT,
    ABA_ROUTING,
    SWIFT,
    BTC_LEGACY,
    BTC_BECH32,
    ETHEREUM,
)
