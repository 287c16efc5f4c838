from __future__ import annotations

import ipaddress
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coatcheck.detect.types import Entity
from coatcheck.keys import Keyring
from coatcheck.protect import ProtectContext, Protector, configure_methods, protect_text
from coatcheck.protect._dates import parse_date
from coatcheck.protect._formats import iban_is_valid, iban_with_check, luhn_check_digit, luhn_is_valid
from coatcheck.protect.surrogate.names import guess_gender, name_pools

KEYS = Keyring.ephemeral(b"s" * 32, random=random.Random(7).randbytes)  # reproducible derivations
SURROGATE = configure_methods(default="surrogate")


def standin(etype: str, value: str, ctx: ProtectContext | None = None) -> str:
    ctx = ctx or ProtectContext(keys=KEYS)
    return protect_text(value, [Entity(etype, 0, len(value), 1.0, "t", value)], SURROGATE, ctx).text


def conversation(detector, turns: list[str]) -> list[str]:
    protector = Protector(KEYS, default="surrogate", detector=detector)
    return [protector.protect(turn).text for turn in turns]


TURNS = [
    "Dr. Sarah Chen (sarah.chen@hospital.com) saw me on 2024-01-05; my DOB is 1984-03-12.",
    "Later Dr. Chen wrote that Sarah Chen's card 4532-1234-5678-9010 was charged.",
    "Sarah answered from sarah.chen@hospital.com.",
]


def test_three_turn_conversation_links_names_and_email(detector) -> None:
    one, two, three = conversation(detector, TURNS)
    full = re.match(r"Dr\. (\w+) (\w+) \((\S+)@hospital\.com\)", one)
    assert full, one
    first, last, local = full.groups()
    assert (first, last) != ("Sarah", "Chen")
    assert local == f"{first.lower()}.{last.lower()}"
    assert guess_gender(first) == "F"
    assert f"Later Dr. {last} wrote that {first} {last}'s card" in two
    assert three == f"{first} answered from {local}@hospital.com."
    for text in (one, two, three):
        assert "Sarah" not in text
        assert "Chen" not in text
        assert "4532-1234-5678-9010" not in text


def test_same_key_same_standins_in_a_fresh_session(detector) -> None:
    assert conversation(detector, TURNS) == conversation(detector, TURNS)
    other = Protector(Keyring.ephemeral(b"x" * 32), default="surrogate", detector=detector)
    assert other.protect(TURNS[0]).text != conversation(detector, TURNS)[0]


def test_dates_of_one_person_shift_by_one_offset(detector) -> None:
    one = conversation(detector, TURNS)[0]
    visit, dob = re.findall(r"\d{4}-\d{2}-\d{2}", one)
    shift_visit = (parse_date(visit).date - parse_date("2024-01-05").date).days  # type: ignore[union-attr]
    shift_dob = (parse_date(dob).date - parse_date("1984-03-12").date).days  # type: ignore[union-attr]
    assert shift_visit == shift_dob != 0


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("Dr. Sarah Chen", r"Dr\. [A-Z][a-z]+ [A-Z][A-Za-z']+"),
        ("SARAH CHEN", r"[A-Z]+ [A-Z']+"),
        ("Chen, Sarah", r"[A-Z][A-Za-z']+, [A-Z][a-z]+"),
        ("Sarah J. Chen Jr.", r"[A-Z][a-z]+ [A-Z]\. [A-Z][A-Za-z']+ Jr\."),
        ("Mary Smith-Jones", r"[A-Z][a-z]+ [A-Z][A-Za-z']+-[A-Z][A-Za-z']+"),
        ("James' ", r"[A-Z][a-z]+' "),
    ],
)
def test_name_shapes_survive(value: str, shape: str) -> None:
    assert re.fullmatch(shape, standin("PERSON", value)), standin("PERSON", value)


@pytest.mark.parametrize(("first", "gender"), [("Sarah", "F"), ("Michael", "M"), ("Jennifer", "F"), ("David", "M")])
def test_gender_is_coherent(first: str, gender: str) -> None:
    new_first = standin("PERSON", f"{first} Smith").split()[0]
    assert guess_gender(new_first) == gender


def test_initial_links_to_the_full_name() -> None:
    ctx = ProtectContext(keys=KEYS)
    full = standin("PERSON", "Sarah Chen", ctx)
    assert standin("PERSON", "S. Chen", ctx) == f"{full[0]}. {full.split()[1]}"


def test_email_domain_replaced_consistently() -> None:
    spec = configure_methods(default={"method": "surrogate", "email_domain": "replace"})
    ctx = ProtectContext(keys=KEYS)
    outs = [
        protect_text(v, [Entity("EMAIL_ADDRESS", 0, len(v), 1, "t", v)], spec, ctx).text
        for v in ("a.b@hospital.com", "c@hospital.com")
    ]
    domains = {o.split("@")[1] for o in outs}
    assert len(domains) == 1
    assert "hospital.com" not in domains


def test_standin_never_equals_a_real_value_in_the_text() -> None:
    pools = name_pools("en_US")
    text = " ".join(f"{pools.female[i]} Smith" for i in range(60))
    ents = [Entity("PERSON", m.start(), m.end(), 1, "t", m.group()) for m in re.finditer(r"\w+ Smith", text)]
    out = protect_text(text, ents, SURROGATE, ProtectContext(keys=KEYS)).text
    real = {pools.female[i] for i in range(60)}
    assert not real & set(out.split())


@given(st.sampled_from(["4", "51", "55", "34", "37", "6011"]), st.integers(0, 10**18), st.sampled_from(["-", " ", ""]))
@settings(max_examples=60, deadline=None)
def test_card_standins_keep_brand_length_grouping_and_luhn(prefix: str, seed: int, sep: str) -> None:
    length = 15 if prefix in ("34", "37") else 16
    body = (prefix + str(seed).zfill(20))[: length - 1]
    digits = body + luhn_check_digit(body)
    value = sep.join(digits[i : i + 4] for i in range(0, length, 4))
    out = standin("CREDIT_CARD", value)
    out_digits = out.replace(sep, "") if sep else out
    assert luhn_is_valid(out_digits)
    assert len(out_digits) == length
    assert out_digits.startswith(prefix)
    assert out_digits != digits
    assert [len(g) for g in out.split(sep)] == [len(g) for g in value.split(sep)] if sep else True


@given(st.sampled_from([("DE", 18), ("GB", 18), ("FR", 23), ("NL", 14), ("ES", 20)]), st.integers(0, 10**30))
@settings(max_examples=60, deadline=None)
def test_iban_standins_keep_country_length_and_checksum(country_len: tuple[str, int], seed: int) -> None:
    country, bban_len = country_len
    iban = iban_with_check(country, str(seed).zfill(40)[:bban_len])
    grouped = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    out = standin("IBAN_CODE", grouped)
    assert iban_is_valid(out)
    assert out.startswith(country)
    assert len(out) == len(grouped)
    assert out != grouped


@given(st.from_regex(r"[0-8]\d{2}-\d{2}-\d{4}", fullmatch=True))
@settings(max_examples=60, deadline=None)
def test_ssn_standins_look_valid(value: str) -> None:
    out = standin("US_SSN", value)
    area, group, serial = out.split("-")
    assert area not in ("000", "666")
    assert not area.startswith("9")
    assert group != "00"
    assert serial != "0000"
    assert out != value


@pytest.mark.parametrize(
    ("etype", "value", "check"),
    [
        ("PHONE_NUMBER", "(415) 555-0132", r"\([2-9]\d{2}\) [2-9]\d{2}-\d{4}"),
        ("PHONE_NUMBER", "+44 20 7946 0958", r"\+44 \d{2} \d{4} \d{4}"),
        ("DATE_OF_BIRTH", "March 12, 1984", r"[A-Z][a-z]+ \d{1,2}, \d{4}"),
        ("DATE_OF_BIRTH", "03/12/1984", r"\d{2}/\d{2}/\d{4}"),
        ("STREET_ADDRESS", "742 Evergreen Terrace", r"[1-9]\d{2} [A-Z][a-z']+ Terrace"),
        ("ZIP_CODE", "94103", r"\d{5}"),
        ("MAC_ADDRESS", "00:1A:2B:3C:4D:5E", r"([0-9A-F]{2}:){5}[0-9A-F]{2}"),
        ("API_KEY", "ghp_" + "a1B2" * 9, r"ghp_[a-zA-Z0-9]{36}"),
        ("US_NPI", "1245319599", r"[12]\d{9}"),
    ],
)
def test_formats_survive(etype: str, value: str, check: str) -> None:
    out = standin(etype, value)
    assert re.fullmatch(check, out), out
    assert out != value


@pytest.mark.parametrize(("value", "version"), [("203.0.113.42", 4), ("8.8.8.8", 4), ("2001:db8::1", 6)])
def test_ip_keeps_family(value: str, version: int) -> None:
    out = ipaddress.ip_address(standin("IP_ADDRESS", value))
    assert out.version == version
    assert str(out) != value


def test_npi_standin_passes_its_check() -> None:
    out = standin("US_NPI", "1245319599")
    assert luhn_is_valid("80840" + out)


def test_two_processes_agree(tmp_path: Path) -> None:
    key_file = tmp_path / "keys.json"
    Keyring.open(key_file)
    script = textwrap.dedent(
        f"""
        from coatcheck.detect.types import Entity
        from coatcheck.keys import Keyring
        from coatcheck.protect import Protector
        text = "Dr. Sarah Chen, sarah.chen@hospital.com, card 4532-1234-5678-9010, born 1984-03-12"
        spans = [("PERSON", "Sarah Chen"), ("EMAIL_ADDRESS", "sarah.chen@hospital.com"),
                 ("CREDIT_CARD", "4532-1234-5678-9010"), ("DATE_OF_BIRTH", "1984-03-12")]
        ents = [Entity(t, text.index(v), text.index(v) + len(v), 1.0, "t", v) for t, v in spans]
        for method in ("surrogate", "tokenize", "hash"):
            p = Protector(Keyring.open({str(key_file)!r}, create=False), default=method)
            print(p.protect(text, ents).text)
        """
    )
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]  # fmt: skip
    assert runs[0] == runs[1]
    assert "Sarah" not in runs[0]
    assert len(runs[0].splitlines()) == 3
