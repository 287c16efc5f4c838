from __future__ import annotations

import copy
import re
from collections import Counter

import pandas as pd
import pyarrow as pa
import pytest

from coatcheck.errors import MissingKeyError, ProtectError
from coatcheck.keys import Keyring
from coatcheck.protect import FieldPolicy, Protector, field_type
from coatcheck.protect.fields import parse_path

RECORD = {
    "id": 7,
    "email": "sarah.chen@company.com",
    "ssn": 536228817,
    "profile": {"phone": "555-123-4567", "tags": ["vip", "sarah.chen@company.com"]},
    "messages": [
        {"role": "user", "content": "I am Sarah Chen, card 4532-1234-5678-9010"},
        {"role": "assistant", "content": "Thanks Sarah."},
    ],
    "notes": None,
    "active": True,
    "score": 0.5,
}


@pytest.mark.parametrize(
    ("name", "etype"),
    [("ssn", "US_SSN"), ("email", "EMAIL_ADDRESS"), ("customerEmail", None), ("phoneNumber", "PHONE_NUMBER"),
     ("date-of-birth", "DATE_OF_BIRTH"), ("credit_card", "CREDIT_CARD"), ("comment", None), ("iban", "IBAN_CODE")],
)  # fmt: skip
def test_field_types_from_names(name: str, etype: str | None) -> None:
    assert field_type(name) == etype


@pytest.mark.parametrize(
    ("path", "segments"),
    [("a", ("a",)), ("a.b", ("a", "b")), ("messages[*].content", ("messages", "[*]", "content")),
     ("rows[2]", ("rows", 2)), ("a[*][*].b", ("a", "[*]", "[*]", "b"))],
)  # fmt: skip
def test_parse_path(path: str, segments: tuple[object, ...]) -> None:
    assert parse_path(path) == segments


@pytest.mark.parametrize("path", ["", "a..b", ".a", "a.", "a[x]", "a[*"])
def test_malformed_paths(path: str) -> None:
    with pytest.raises(ProtectError, match="malformed"):
        parse_path(path)


def test_field_policy_keeps_shape_and_leaves_unknown_fields(keyring: Keyring, detector) -> None:
    policy = {
        "email": "mask",
        "ssn": "tokenize",
        "profile.phone": "mask",
        "messages[*].content": {"method": "surrogate", "consistency": True},
    }
    original = copy.deepcopy(RECORD)
    p = Protector(keyring, fields=policy, detector=detector)
    out = p.protect_record(RECORD)
    assert RECORD == original  # input untouched
    assert out["email"] == "s****@company.com"
    assert re.fullmatch(r"tok_[0-9a-f]{12}", out["ssn"])
    assert out["profile"]["phone"] == "555-***-4567"
    assert out["profile"]["tags"] == RECORD["profile"]["tags"]  # not named in the policy
    for key in ("id", "notes", "active", "score"):
        assert out[key] == RECORD[key]
        assert type(out[key]) is type(RECORD[key])
    assert [m["role"] for m in out["messages"]] == ["user", "assistant"]
    first = re.search(r"I am (\w+) \w+, card", out["messages"][0]["content"])
    assert first
    assert first.group(1) != "Sarah"
    assert out["messages"][1]["content"] == f"Thanks {first.group(1)}."
    assert set(out) == set(RECORD)
    assert list(out) == list(RECORD)


def test_typed_field_is_protected_as_its_type_even_if_ambiguous(keyring: Keyring, detector) -> None:
    p = Protector(keyring, fields={"ssn": "mask", "code": {"method": "mask", "type": "US_SSN"}}, detector=detector)
    out = p.protect_record({"ssn": "536228817", "code": "123456789"})
    assert out == {"ssn": "*****8817", "code": "*****6789"}


def test_numbers_stay_numbers_when_they_can(keyring: Keyring, detector) -> None:
    p = Protector(keyring, fields={"ssn": {"method": "tokenize", "format": "preserve", "keep_grouping": False}},
                  detector=detector)  # fmt: skip
    out = p.protect_record({"ssn": 536228817})
    assert isinstance(out["ssn"], int)
    assert out["ssn"] != 536228817


def test_free_text_field_with_scan(detector) -> None:
    p = Protector(fields={"name": {"method": "redact", "scan": True}}, detector=detector)
    assert p.protect_record({"name": "Dr. Sarah Chen and a@x.com"}) == {"name": "[PERSON_1] and [EMAIL_1]"}


def test_no_policy_scans_every_string_and_types_by_name(detector) -> None:
    p = Protector(default="mask", detector=detector)
    out = p.protect_record({"ssn": "536228817", "note": "mail a@x.com", "n": 5, "list": ["555-123-4567"]})
    assert out == {"ssn": "*****8817", "note": "mail a****@x.com", "n": 5, "list": ["555-***-4567"]}


def test_path_matching_nothing_is_an_error(detector) -> None:
    p = Protector(fields={"email": "mask", "profile.fax": "mask"}, detector=detector)
    with pytest.raises(ProtectError, match=r"'profile\.fax'"):
        p.protect_record(RECORD)


def test_path_must_match_somewhere_in_a_stream(detector) -> None:
    from coatcheck.protect import PathTracker

    p = Protector(fields={"fax": "mask"}, detector=detector)
    tracker = PathTracker(p.fields)
    out = list(p.protect_records([{"a": 1}, {"fax": "555-123-4567"}], tracker=tracker))
    tracker.check()
    assert out[1] == {"fax": "555-***-4567"}
    tracker = PathTracker(p.fields)
    list(p.protect_records([{"a": 1}], tracker=tracker))
    with pytest.raises(ProtectError, match="'fax' matched nothing"):
        tracker.check()


def test_policy_errors_name_the_field() -> None:
    with pytest.raises(ProtectError, match="field 'email': unknown method 'maks'"):
        FieldPolicy.from_mapping({"email": "maks"})
    with pytest.raises(ProtectError, match="field 'x': unknown entity type 'SSN'"):
        FieldPolicy.from_mapping({"x": {"method": "mask", "type": "SSN"}})
    with pytest.raises(ProtectError, match="field 'email': bad parameters for mask: consistency"):
        FieldPolicy.from_mapping({"email": {"method": "mask", "consistency": True}})
    with pytest.raises(ProtectError, match="field 'email': method generalize supports only"):
        FieldPolicy.from_mapping({"email": "generalize"})
    with pytest.raises(MissingKeyError):
        Protector(fields={"email": "hash"})


def test_consistency_false_gives_each_record_its_own_links(keyring: Keyring, detector) -> None:
    p = Protector(keyring, fields={"t": {"method": "surrogate", "consistency": False}}, detector=detector)
    a, _b = p.protect_records([{"t": "Sarah Chen"}, {"t": "Chen"}])
    assert a["t"] != "Sarah Chen"


def test_dataframe_keeps_index_columns_and_dtypes(keyring: Keyring, detector) -> None:
    frame = pd.DataFrame(
        {"id": [1, 2, 3], "email": ["a@x.com", None, "b@y.org"], "ssn": ["536-22-8817", "123-45-6789", "x"],
         "amount": [1.5, 2.5, 3.5]},
        index=["r1", "r2", "r3"],
    )  # fmt: skip
    before = frame.copy()
    counts: Counter[str] = Counter()
    out = Protector(keyring, fields={"email": "mask", "ssn": "hash"}, detector=detector).protect_dataframe(
        frame, counts=counts
    )
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.columns) == list(frame.columns)
    assert list(out.index) == list(frame.index)
    assert out["id"].dtype == frame["id"].dtype
    assert out["amount"].tolist() == [1.5, 2.5, 3.5]
    assert out["email"].tolist()[0] == "a****@x.com"
    assert out["email"].isna().tolist()[1]
    assert all(re.fullmatch(r"[0-9a-f]{16}", v) for v in out["ssn"])
    assert counts == Counter({"EMAIL_ADDRESS": 2, "US_SSN": 3})


def test_dataframe_without_policy_scans_text_columns(detector) -> None:
    frame = pd.DataFrame({"note": ["call 555-123-4567", "nothing"], "n": [1, 2]})
    out = Protector(default="mask", detector=detector).protect_dataframe(frame)
    assert out["note"].tolist() == ["call 555-***-4567", "nothing"]
    assert out["n"].tolist() == [1, 2]


def test_dataframe_unknown_column_is_an_error(detector) -> None:
    with pytest.raises(ProtectError, match="'fax' matched no column"):
        Protector(fields={"fax": "mask"}, detector=detector).protect_dataframe(pd.DataFrame({"a": ["x"]}))


def test_arrow_table_keeps_schema(keyring: Keyring, detector) -> None:
    table = pa.table(
        {"email": pa.array(["a@x.com", None], pa.large_string()), "ssn": pa.array([536228817, 123456789], pa.int64()),
         "n": [1, 2]}
    )  # fmt: skip
    p = Protector(keyring, fields={"email": "redact", "ssn": {"method": "tokenize"}}, detector=detector)
    out = p.protect_table(table)
    assert out.column_names == table.column_names
    assert out.schema.field("email").type == pa.large_string()
    assert out.column("email").to_pylist() == ["[EMAIL_1]", None]
    assert out.schema.field("ssn").type == pa.string()  # tokens no longer fit int64
    assert out.column("n").to_pylist() == [1, 2]


def test_exceptions_carry_no_values(detector) -> None:
    p = Protector(fields={"profile.fax": "mask"}, detector=detector)
    with pytest.raises(ProtectError) as info:
        p.protect_record(RECORD)
    for value in ("sarah", "555-123-4567", "4532"):
        assert value not in str(info.value).lower()
