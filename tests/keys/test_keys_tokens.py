"""Round trips, associated-data binding and tamper resistance of keyring tokens."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coatcheck.errors import InputError, InvalidToken
from coatcheck.keys import Keyring

KEYRING = Keyring.ephemeral(bytes(range(32)))
names = st.text(st.characters(codec="utf-8", categories=["L", "N", "P"]), min_size=1, max_size=20)


@settings(max_examples=150)
@given(
    plaintext=st.binary(max_size=300),
    tenant=names,
    field=names,
    subject=st.none() | names,
    deterministic=st.booleans(),
)
def test_decrypt_inverts_encrypt(
    plaintext: bytes, tenant: str, field: str, subject: str | None, deterministic: bool
) -> None:
    token = KEYRING.encrypt(plaintext, tenant=tenant, field=field, subject=subject, deterministic=deterministic)
    assert token.isascii()
    assert KEYRING.decrypt(token, tenant=tenant, field=field, subject=subject) == plaintext


@given(plaintext=st.binary(min_size=1, max_size=64))
def test_deterministic_mode_is_deterministic_and_random_mode_is_not(plaintext: bytes) -> None:
    one = KEYRING.encrypt(plaintext, tenant="acme", field="email", deterministic=True)
    assert one == KEYRING.encrypt(plaintext, tenant="acme", field="email", deterministic=True)
    assert one != KEYRING.encrypt(plaintext, tenant="acme", field="phone", deterministic=True)
    assert KEYRING.encrypt(plaintext, tenant="acme", field="email") != KEYRING.encrypt(
        plaintext, tenant="acme", field="email"
    )


def test_token_carries_prefix_key_id_and_version(keyring: Keyring) -> None:
    token = keyring.encrypt(b"v", tenant="acme", field="email")
    prefix, kid, version, body = token.split(":")
    assert (prefix, version) == ("cc1", "1")
    assert kid == next(k.kid for k in keyring.list_keys() if k.tenant == "acme" and k.kind == "data")
    assert base64.urlsafe_b64decode(body + "==")[0] == 1  # mode byte: AES-GCM


@pytest.mark.parametrize("deterministic", [False, True])
@pytest.mark.parametrize(
    ("tenant", "field", "subject"),
    [
        ("globex", "email", None),  # other tenant
        ("acme", "phone", None),  # other field
        ("acme", "email", "user-1"),  # a subject where there was none
        ("acme", "Email", None),  # case matters
    ],
)
def test_associated_data_binds_tenant_field_and_subject(
    keyring: Keyring, tenant: str, field: str, subject: str | None, deterministic: bool
) -> None:
    keyring.encrypt(b"other tenant exists", tenant="globex", field="email")
    token = keyring.encrypt(b"secret", tenant="acme", field="email", deterministic=deterministic)
    with pytest.raises(InvalidToken, match=r"^invalid token$"):
        keyring.decrypt(token, tenant=tenant, field=field, subject=subject)


def test_subject_tokens_need_the_same_subject(keyring: Keyring) -> None:
    token = keyring.encrypt(b"secret", tenant="acme", field="email", subject="user-1")
    keyring.encrypt(b"x", tenant="acme", field="email", subject="user-2")
    for subject in (None, "user-2", "user-3"):
        with pytest.raises(InvalidToken):
            keyring.decrypt(token, tenant="acme", field="email", subject=subject)
    assert keyring.decrypt(token, tenant="acme", field="email", subject="user-1") == b"secret"


def _flips(token: str) -> list[str]:
    out = []
    for i, ch in enumerate(token):
        for bit in range(8):
            flipped = chr(ord(ch) ^ (1 << bit))
            out.append(token[:i] + flipped + token[i + 1 :])
    return out


@pytest.mark.parametrize("deterministic", [False, True])
@pytest.mark.parametrize("subject", [None, "user-1"])
def test_every_bit_flip_and_truncation_fails(keyring: Keyring, deterministic: bool, subject: str | None) -> None:
    token = keyring.encrypt(
        b"4532 0151 1283 0366", tenant="acme", field="card", subject=subject, deterministic=deterministic
    )
    keyring.rotate("acme")  # versions 1 and 2 both exist, so a flipped version digit could name a real key
    tampered = _flips(token) + [token[:n] for n in range(len(token))]
    assert len(tampered) == 9 * len(token)
    for bad in tampered:
        with pytest.raises(InvalidToken, match=r"^invalid token$"):
            keyring.decrypt(bad, tenant="acme", field="card", subject=subject)
    assert keyring.decrypt(token, tenant="acme", field="card", subject=subject) == b"4532 0151 1283 0366"


def test_every_bit_flip_of_the_binary_body_fails(keyring: Keyring) -> None:
    token = keyring.encrypt(b"value", tenant="acme", field="f")
    head, body = token.rsplit(":", 1)
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    for i in range(len(raw) * 8):
        bad = bytearray(raw)
        bad[i // 8] ^= 1 << (i % 8)
        bad_token = head + ":" + base64.urlsafe_b64encode(bytes(bad)).rstrip(b"=").decode()
        with pytest.raises(InvalidToken):
            keyring.decrypt(bad_token, tenant="acme", field="f")


@pytest.mark.parametrize(
    "garbage",
    ["", "cc1", "cc1:::", "cc1:k:1:", "cc2:k:1:AAAA", "cc1:k:01:AAAA", "cc1:k:١:AAAA", "cc1:k:-1:AAAA", "a:b:c:d:e"],
)
def test_malformed_tokens_fail_uniformly(keyring: Keyring, garbage: str) -> None:
    keyring.encrypt(b"x", tenant="acme", field="f")
    with pytest.raises(InvalidToken, match=r"^invalid token$"):
        keyring.decrypt(garbage, tenant="acme", field="f")


def test_non_str_token_fails_uniformly(keyring: Keyring) -> None:
    with pytest.raises(InvalidToken):
        keyring.decrypt(b"cc1:k:1:AAAA", tenant="acme", field="f")  # type: ignore[arg-type]


def test_unknown_tenant_decrypt_fails_without_creating_it(keyring: Keyring) -> None:
    token = keyring.encrypt(b"x", tenant="acme", field="f")
    with pytest.raises(InvalidToken):
        keyring.decrypt(token, tenant="nobody", field="f", subject="s")
    assert {k.tenant for k in keyring.list_keys()} == {"acme"}


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"tenant": "", "field": "f"}, "tenant"),
        ({"tenant": "a", "field": "x" * 257}, "field"),
        ({"tenant": "a\n", "field": "f"}, "tenant"),
        ({"tenant": "a", "field": "f", "subject": ""}, "subject"),
    ],
)
def test_bad_names_are_input_errors(keyring: Keyring, kwargs: dict[str, str], what: str) -> None:
    with pytest.raises(InputError, match=what):
        keyring.encrypt(b"x", **kwargs)  # type: ignore[arg-type]


def test_plaintext_must_be_bytes(keyring: Keyring) -> None:
    with pytest.raises(InputError, match="plaintext must be bytes, got str"):
        keyring.encrypt("sarah@example.com", tenant="a", field="f")  # type: ignore[arg-type]
