from __future__ import annotations

import re

import pytest

from coatcheck.detect.types import Entity
from coatcheck.errors import InputError, MissingKeyError, ProtectError
from coatcheck.keys import Keyring
from coatcheck.protect import OPERATORS, ProtectContext, configure_method, configure_methods, protect_text
from coatcheck.protect._formats import iban_is_valid, luhn_is_valid
from coatcheck.protect.mask import MaskParams, mask_value
from coatcheck.vault import SQLiteVault


def one(etype: str, value: str, method: object, keyring: Keyring | None = None, **ctx: object) -> str:
    """Protect a text that is exactly one entity."""
    context = ProtectContext(keys=keyring, **ctx)  # type: ignore[arg-type]
    table = configure_methods(default=method)  # type: ignore[arg-type]
    return protect_text(value, [Entity(etype, 0, len(value), 1.0, "t", value)], table, context).text


@pytest.mark.parametrize(
    ("etype", "value", "expected"),
    [
        ("EMAIL_ADDRESS", "sarah.chen@company.com", "s****@company.com"),
        ("CREDIT_CARD", "4532-1234-5678-9010", "****-****-****-9010"),
        ("CREDIT_CARD", "4532 1234 5678 9010", "**** **** **** 9010"),
        ("PHONE_NUMBER", "555-123-4567", "555-***-4567"),
        ("PHONE_NUMBER", "+1 415-555-0132", "+1 415-***-0132"),
        ("PERSON", "John Doe", "J*** D**"),
        ("PERSON", "Dr. Sarah Chen", "Dr. S**** C***"),
        ("US_SSN", "123-45-6789", "***-**-6789"),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", "DE** **** **** **** **30 00"),
        ("DATE_OF_BIRTH", "1984-03-12", "1984-**-**"),
        ("IP_ADDRESS", "203.0.113.42", "203.0.***.**"),
        ("API_KEY", "ghp_" + "a" * 36, "********"),
        ("AGE", "42 years old", "** years old"),
        ("ZIP_CODE", "94103", "941**"),
        ("MAC_ADDRESS", "00:1A:2B:3C:4D:5E", "00:1A:2B:**:**:**"),
    ],
)
def test_mask_defaults_per_type(etype: str, value: str, expected: str) -> None:
    assert one(etype, value, "mask") == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"char": "#"}, "###-##-6789"),
        ({"visible": 2}, "***-**-**89"),
        ({"visible": 3, "direction": "start"}, "123-**-****"),
        ({"visible": 0}, "***-**-****"),
    ],
)
def test_mask_is_configurable(params: dict[str, object], expected: str) -> None:
    assert one("US_SSN", "123-45-6789", {"method": "mask", **params}) == expected


def test_mask_email_visible_applies_to_local_part() -> None:
    assert mask_value("EMAIL_ADDRESS", "sarah@x.com", MaskParams(visible=2, direction="start")) == "sa***@x.com"


def test_redact_numbers_values_and_reuses_them(spans) -> None:
    text = "Mail Sarah.Chen@X.com or sarah.chen@x.com, not bob@x.com; ask Sarah Chen"
    ents = spans(text, ("EMAIL_ADDRESS", "Sarah.Chen@X.com"), ("EMAIL_ADDRESS", "sarah.chen@x.com"),
                 ("EMAIL_ADDRESS", "bob@x.com"), ("PERSON", "Sarah Chen"))  # fmt: skip
    out = protect_text(text, ents, configure_methods(), ProtectContext())
    assert out.text == "Mail [EMAIL_1] or [EMAIL_1], not [EMAIL_2]; ask [PERSON_1]"
    assert out.mapping == {"[EMAIL_1]": "Sarah.Chen@X.com", "[EMAIL_2]": "bob@x.com", "[PERSON_1]": "Sarah Chen"}
    assert out.counts == {"EMAIL_ADDRESS": 3, "PERSON": 1}
    assert next((r.type, r.method) for r in out.replacements) == ("EMAIL_ADDRESS", "redact")
    first = out.replacements[0]
    assert out.text[first.out_start : first.out_end] == "[EMAIL_1]"


def test_redact_skips_placeholder_numbers_already_in_text(spans) -> None:
    text = "literal [EMAIL_1] and a@x.com"
    out = protect_text(text, spans(text, ("EMAIL_ADDRESS", "a@x.com")), configure_methods(), ProtectContext())
    assert out.text == "literal [EMAIL_1] and [EMAIL_2]"


def test_redact_unnumbered() -> None:
    assert one("EMAIL_ADDRESS", "a@x.com", {"method": "redact", "numbered": False}) == "[EMAIL]"


def test_hash_is_keyed_deterministic_and_configurable(keyring: Keyring) -> None:
    a = one("EMAIL_ADDRESS", "Sarah@X.com", "hash", keyring)
    assert re.fullmatch(r"[0-9a-f]{16}", a)
    assert a == one("EMAIL_ADDRESS", "sarah@x.com", "hash", keyring)  # normalized
    assert a != one("EMAIL_ADDRESS", "sarah@x.com", "hash", Keyring.ephemeral(b"o" * 32))
    assert a != one("EMAIL_ADDRESS", "sarah@x.com", "hash", keyring, tenant="other")
    b = one("EMAIL_ADDRESS", "sarah@x.com", {"method": "hash", "prefix": "h_", "length": 40}, keyring)
    assert re.fullmatch(r"h_[0-9a-f]{40}", b)
    assert b[2:18] == a


@pytest.mark.parametrize("method", ["hash", "encrypt", "tokenize", "surrogate"])
def test_keyed_methods_without_key_fail(method: str) -> None:
    with pytest.raises(MissingKeyError):
        one("EMAIL_ADDRESS", "a@x.com", method)


def test_encrypt_binds_tenant_and_field(keyring: Keyring) -> None:
    token = one("US_SSN", "536-22-8817", "encrypt", keyring)
    assert "536" not in token
    assert keyring.decrypt(token, tenant="default", field="US_SSN") == b"536-22-8817"
    det = {"method": "encrypt", "deterministic": True, "field": "ssn"}
    assert one("US_SSN", "536-22-8817", det, keyring) == one("US_SSN", "536-22-8817", det, keyring)


def test_tokenize_opaque_is_deterministic(keyring: Keyring) -> None:
    a = one("US_SSN", "536-22-8817", "tokenize", keyring)
    assert re.fullmatch(r"tok_[0-9a-f]{12}", a)
    assert a == one("US_SSN", "536228817", "tokenize", keyring)
    assert a != one("US_SSN", "536-22-8818", "tokenize", keyring)


@pytest.mark.parametrize(
    ("etype", "value", "shape"),
    [
        ("CREDIT_CARD", "4532-1234-5678-9010", r"4\d{3}-\d{4}-\d{4}-\d{4}"),
        ("CREDIT_CARD", "5425 2334 3010 9903", r"5[1-5]\d{2} \d{4} \d{4} \d{4}"),
        ("US_SSN", "536-22-8817", r"\d{3}-\d{2}-\d{4}"),
        ("PHONE_NUMBER", "+1 415-555-0132", r"\+1 \d{3}-\d{3}-\d{4}"),
        ("EMAIL_ADDRESS", "sarah.chen@hospital.com", r"tok_[0-9a-f]{6}@example\.invalid"),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", r"DE\d{2} \d{4} \d{4} \d{4} \d{4} \d{2}"),
        ("PERSON", "Sarah Chen", r"tok_[0-9a-f]{12}"),
    ],
)
def test_tokenize_preserving_format(keyring: Keyring, etype: str, value: str, shape: str) -> None:
    token = one(etype, value, {"method": "tokenize", "format": "preserve"}, keyring)
    assert re.fullmatch(shape, token), token
    assert token != value
    if etype == "CREDIT_CARD":
        assert luhn_is_valid(re.sub(r"\D", "", token))
    if etype == "IBAN_CODE":
        assert iban_is_valid(token)


def test_tokenize_card_without_brand_or_grouping(keyring: Keyring) -> None:
    spec = {"method": "tokenize", "format": "preserve", "keep_grouping": False}
    token = one("CREDIT_CARD", "4532-1234-5678-9010", spec, keyring)
    assert re.fullmatch(r"\d{16}", token)
    assert luhn_is_valid(token)


def test_tokenize_stores_mapping_in_vault(keyring: Keyring, tmp_path, spans) -> None:
    with SQLiteVault(tmp_path / "v.db", keyring) as vault:
        ctx = ProtectContext(keys=keyring, vault=vault, session="s1")
        text = "card 4532-1234-5678-9010 and ssn 536-22-8817"
        ents = spans(text, ("CREDIT_CARD", "4532-1234-5678-9010"), ("US_SSN", "536-22-8817"))
        out = protect_text(text, ents, configure_methods(default="tokenize"), ctx)
        assert len(out.mapping) == 2
        for token, value in out.mapping.items():
            assert token in out.text
            assert vault.get("default", token, session="s1") == value
        again = protect_text(text, ents, configure_methods(default="tokenize"), ctx)
        assert again.text == out.text


@pytest.mark.parametrize(
    ("etype", "value", "params", "expected"),
    [
        ("DATE_OF_BIRTH", "1984-03-12", {}, "1984"),
        ("DATE_OF_BIRTH", "1984-03-12", {"date": "month"}, "1984-03"),
        ("DATE_TIME", "March 12, 2024", {"date": "month"}, "March 2024"),
        ("AGE", "42 years old", {}, "40-49 years old"),
        ("AGE", "7", {"age_band": 5}, "5-9"),
        ("ZIP_CODE", "94103", {}, "941"),
        ("IP_ADDRESS", "203.0.113.42", {}, "203.0.113.0/24"),
        ("IP_ADDRESS", "2001:db8:85a3:1:2:8a2e:370:7334", {}, "2001:db8:85a3::/48"),
        ("DATE_OF_BIRTH", "sometime", {}, "[DOB]"),
    ],
)
def test_generalize(etype: str, value: str, params: dict[str, object], expected: str) -> None:
    assert one(etype, value, {"method": "generalize", **params}) == expected


def test_generalize_default_falls_back_to_redact_for_other_types(spans) -> None:
    text = "Sarah Chen born 1984-03-12"
    ents = spans(text, ("PERSON", "Sarah Chen"), ("DATE_OF_BIRTH", "1984-03-12"))
    out = protect_text(text, ents, configure_methods(default="generalize"), ProtectContext())
    assert out.text == "[PERSON_1] born 1984"


def test_drop_and_keep(spans) -> None:
    text = "ssn 536-22-8817 mail a@x.com"
    ents = spans(text, ("US_SSN", "536-22-8817"), ("EMAIL_ADDRESS", "a@x.com"))
    out = protect_text(text, ents, configure_methods({"EMAIL_ADDRESS": "keep"}, default="drop"), ProtectContext())
    assert out.text == "ssn  mail a@x.com"


def test_per_type_methods_and_overlaps(spans) -> None:
    text = "Sarah Chen sarah@x.com"
    ents = [*spans(text, ("PERSON", "Sarah Chen"), ("EMAIL_ADDRESS", "sarah@x.com")),
            Entity("PERSON", 0, 5, 0.5, "t", "Sarah")]  # fmt: skip
    table = configure_methods({"EMAIL_ADDRESS": "mask"}, default="redact")
    assert protect_text(text, ents, table, ProtectContext()).text == "[PERSON_1] s****@x.com"


def test_registry_lists_every_method() -> None:
    assert set(OPERATORS) == {"mask", "redact", "hash", "encrypt", "tokenize", "surrogate", "generalize", "drop",
                              "keep"}  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("scramble", "unknown method 'scramble'; known methods: mask, redact"),
        ({"method": "mask", "char": "##"}, "bad parameters for mask: char"),
        ({"method": "mask", "colour": "red"}, "colour"),
        ({"method": "hash", "length": 2}, "length"),
        ({"char": "#"}, "needs a 'method'"),
        (3, "not int"),
    ],
)
def test_bad_method_config(spec: object, message: str) -> None:
    with pytest.raises(ProtectError, match=re.escape(message)):
        configure_method(spec)  # type: ignore[arg-type]


def test_bad_type_and_unsupported_method() -> None:
    with pytest.raises(ProtectError, match="unknown entity type 'EMAIL'; known types: ABA_ROUTING_NUMBER"):
        configure_methods({"EMAIL": "mask"})
    with pytest.raises(ProtectError, match="PERSON: method generalize supports only"):
        configure_methods({"PERSON": "generalize"})


def test_params_are_frozen() -> None:
    spec = configure_method({"method": "mask", "char": "#"})
    with pytest.raises(ValueError, match="frozen"):
        spec.params.char = "x"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "entity",
    [
        Entity("EMAIL_ADDRESS", 5, 50, 1.0, "t"),
        Entity("EMAIL_ADDRESS", 3, 3, 1.0, "t"),
        Entity("EMAIL_ADDRESS", 0, 4, 1.0, "t", "nope"),
    ],
)
def test_bad_spans_name_position_not_value(entity: Entity) -> None:
    text = "secret-value@example.com"
    with pytest.raises(InputError) as info:
        protect_text(text, [entity], configure_methods(), ProtectContext())
    assert "secret" not in str(info.value)
    assert "EMAIL_ADDRESS" in str(info.value)


def test_reprs_carry_no_values(keyring: Keyring, spans) -> None:
    text = "ssn 536-22-8817 for Sarah Chen"
    ctx = ProtectContext(keys=keyring)
    ents = spans(text, ("US_SSN", "536-22-8817"), ("PERSON", "Sarah Chen"))
    out = protect_text(text, ents, configure_methods({"PERSON": "surrogate"}), ctx)
    for thing in (out, ctx, ctx.surrogates, ctx.minter, *out.replacements, *ents):
        assert "536" not in repr(thing)
        assert "Sarah" not in repr(thing)
