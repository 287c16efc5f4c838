"""Rotation, retirement, rewrapping, crypto-shredding and key listing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coatcheck.errors import InputError, InvalidToken, KeyManagementError
from coatcheck.keys import KeyInfo, Keyring


def _enc(keyring: Keyring, value: bytes, **kw: object) -> str:
    return keyring.encrypt(value, tenant="acme", field="email", **kw)  # type: ignore[arg-type]


def _dec(keyring: Keyring, token: str, **kw: object) -> bytes:
    return keyring.decrypt(token, tenant="acme", field="email", **kw)  # type: ignore[arg-type]


def test_rotation_makes_a_new_primary_and_old_versions_keep_decrypting(keyring: Keyring) -> None:
    v1 = _enc(keyring, b"one")
    assert keyring.rotate("acme") == 2
    v2 = _enc(keyring, b"two")
    assert keyring.rotate("acme") == 3
    assert (v1.split(":")[2], v2.split(":")[2]) == ("1", "2")
    assert _enc(keyring, b"three").split(":")[2] == "3"
    assert (_dec(keyring, v1), _dec(keyring, v2)) == (b"one", b"two")


def test_rotating_an_unknown_tenant_creates_it_at_version_one(keyring: Keyring) -> None:
    assert keyring.rotate("new") == 1
    assert keyring.rotate("new") == 2


def test_derivation_is_stable_across_rotation(keyring: Keyring) -> None:
    before = keyring.derive("acme", "hmac")
    keyring.rotate("acme")
    assert keyring.derive("acme", "hmac") == before
    assert keyring.derive("acme", "surrogate") != before
    assert keyring.derive("globex", "hmac") != before
    assert len(before) == 32


def test_retire_below_makes_older_versions_fail(keyring: Keyring) -> None:
    v1 = _enc(keyring, b"one", deterministic=True)
    keyring.rotate("acme")
    v2 = _enc(keyring, b"two")
    keyring.retire_below("acme", 2)
    with pytest.raises(InvalidToken, match=r"^invalid token$"):
        _dec(keyring, v1)
    assert _dec(keyring, v2) == b"two"
    keyring.retire_below("acme", 1)  # never lowers the minimum
    with pytest.raises(InvalidToken):
        _dec(keyring, v1)
    states = {k.version: k.state for k in keyring.list_keys() if k.kind == "data"}
    assert states == {1: "retired", 2: "primary"}


@pytest.mark.parametrize(("version", "error"), [(3, KeyManagementError), (0, InputError), (True, InputError)])
def test_retire_below_rejects_bad_versions(keyring: Keyring, version: int, error: type[Exception]) -> None:
    keyring.rotate("acme")
    keyring.rotate("acme")  # versions 1, 2
    with pytest.raises(error):
        keyring.retire_below("acme", version)


def test_rewrap_moves_tokens_to_the_newest_version_keeping_the_mode(keyring: Keyring) -> None:
    random_token = _enc(keyring, b"r")
    det_token = _enc(keyring, b"d", deterministic=True, subject="user-1")
    keyring.rotate("acme")
    new_random = keyring.rewrap(random_token, tenant="acme", field="email")
    new_det = keyring.rewrap(det_token, tenant="acme", field="email", subject="user-1")
    assert new_random.split(":")[2] == new_det.split(":")[2] == "2"
    assert new_det == _enc(keyring, b"d", deterministic=True, subject="user-1")
    keyring.retire_below("acme", 2)
    assert _dec(keyring, new_random) == b"r"
    assert _dec(keyring, new_det, subject="user-1") == b"d"
    with pytest.raises(InvalidToken):
        keyring.rewrap(random_token, tenant="acme", field="email")
    with pytest.raises(InvalidToken):
        keyring.rewrap("not a token", tenant="acme", field="email")


def test_destroying_a_tenant_shreds_everything_under_it_only(keyring: Keyring) -> None:
    acme = [_enc(keyring, b"a"), _enc(keyring, b"b", subject="u1"), _enc(keyring, b"c", deterministic=True)]
    keyring.rotate("acme")
    acme.append(_enc(keyring, b"d"))
    globex = keyring.encrypt(b"g", tenant="globex", field="email")
    globex_hmac = keyring.derive("globex", "hmac")
    keyring.destroy("acme")
    for token in acme:
        with pytest.raises(InvalidToken, match=r"^invalid token$"):
            _dec(keyring, token)
        with pytest.raises(InvalidToken):
            _dec(keyring, token, subject="u1")
    assert keyring.decrypt(globex, tenant="globex", field="email") == b"g"
    assert keyring.derive("globex", "hmac") == globex_hmac
    for use in (lambda: _enc(keyring, b"x"), lambda: keyring.derive("acme", "hmac"), lambda: keyring.rotate("acme")):
        with pytest.raises(KeyManagementError, match="destroyed"):
            use()
    keyring.destroy("acme")  # idempotent
    keyring.destroy("acme", subject="u1")
    assert next(k for k in keyring.list_keys() if k.tenant == "acme").state == "destroyed"


def test_destroying_a_subject_shreds_only_that_subject(keyring: Keyring) -> None:
    mine = _enc(keyring, b"mine", subject="user-1")
    mine_det = _enc(keyring, b"mine", subject="user-1", deterministic=True)
    theirs = _enc(keyring, b"theirs", subject="user-2")
    tenant_wide = _enc(keyring, b"tenant")
    keyring.destroy("acme", subject="user-1")
    for token in (mine, mine_det):
        with pytest.raises(InvalidToken):
            _dec(keyring, token, subject="user-1")
    assert _dec(keyring, theirs, subject="user-2") == b"theirs"
    assert _dec(keyring, tenant_wide) == b"tenant"
    again = _enc(keyring, b"new data", subject="user-1")  # a returning subject gets a new key id
    assert again.split(":")[1] != mine.split(":")[1]
    assert _dec(keyring, again, subject="user-1") == b"new data"
    keyring.destroy("acme", subject="never-seen")  # idempotent


def test_destroy_unknown_tenant_is_an_error(keyring: Keyring) -> None:
    with pytest.raises(KeyManagementError, match="no keys for tenant 'ghost'"):
        keyring.destroy("ghost")


def test_list_keys_holds_metadata_and_no_key_material() -> None:
    fixed = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    keyring = Keyring.ephemeral(bytes(range(32)), clock=lambda: fixed)
    keyring.encrypt(b"x", tenant="acme", field="f", subject="sarah.chen@example.com")
    keyring.rotate("acme")
    infos = keyring.list_keys()
    assert [(k.kind, k.version, k.state) for k in infos] == [
        ("derivation", None, "active"),
        ("data", 1, "active"),
        ("data", 2, "primary"),
        ("subject", None, "active"),
    ]
    assert all(isinstance(k, KeyInfo) and k.created == "2024-05-01T12:00:00+00:00" for k in infos)
    text = repr(infos) + repr(keyring)
    assert "sarah" not in text
    secrets = [keyring.derive("acme", "hmac"), keyring.derive("acme", "coatcheck/subject-index")]
    for secret in secrets:
        assert secret.hex() not in text
    assert len(infos[-1].subject or "") == 32


def test_master_key_length_is_checked_at_construction() -> None:
    with pytest.raises(KeyManagementError, match="master key must be 32 bytes, got 16"):
        Keyring.ephemeral(b"\x00" * 16)
    with pytest.raises(KeyManagementError, match="must be bytes"):
        Keyring.ephemeral("0" * 32)  # type: ignore[arg-type]


def test_injected_randomness_makes_ephemeral_keyrings_reproducible() -> None:
    def counter() -> object:
        state = {"n": 0}

        def rnd(n: int) -> bytes:
            state["n"] += 1
            return (state["n"].to_bytes(4, "big") * n)[:n]

        return rnd

    a = Keyring.ephemeral(random=counter())  # type: ignore[arg-type]
    b = Keyring.ephemeral(random=counter())  # type: ignore[arg-type]
    assert a.encrypt(b"v", tenant="t", field="f") == b.encrypt(b"v", tenant="t", field="f")
    assert a.derive("t", "p") == b.derive("t", "p")
