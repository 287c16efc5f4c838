"""The same behaviour table, run on every backend (SQLite, PostgreSQL, Redis) against real servers."""

from __future__ import annotations

import pytest

from coatcheck.errors import CoatcheckError, TokenNotFound, VaultError
from coatcheck.vault import Vault

VALUES = [
    "alice@example.com",
    "Zoë Ångström-Łukasiewicz",
    "山田太郎 📞 +81 3-1234-5678",
    "line one\nline two\ttab \x00 nul",
    "",
    "x" * 10_000,
]


def _leaks(exc: BaseException, *secrets: str) -> list[str]:
    text = f"{exc!s} {exc!r} {exc.__cause__!r} {exc.__context__!r}"
    return [s for s in secrets if s and s in text]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_round_trip(vault: Vault, value: str) -> None:
    vault.put("acme", "[PERSON_1]", value)
    assert vault.get("acme", "[PERSON_1]") == value


def test_put_is_idempotent_and_never_rebinds(vault: Vault) -> None:
    vault.put("acme", "[EMAIL_ADDRESS_1]", "alice@example.com")
    vault.put("acme", "[EMAIL_ADDRESS_1]", "alice@example.com")
    assert vault.count("acme") == 1
    with pytest.raises(VaultError, match="already bound to a different value") as info:
        vault.put("acme", "[EMAIL_ADDRESS_1]", "mallory@example.com")
    assert not isinstance(info.value, TokenNotFound)
    assert _leaks(info.value, "alice@example.com", "mallory@example.com", "[EMAIL_ADDRESS_1]") == []
    assert vault.get("acme", "[EMAIL_ADDRESS_1]") == "alice@example.com"


def test_put_many_conflict_mid_batch_writes_nothing(vault: Vault) -> None:
    vault.put("acme", "[T_50]", "original")
    batch = {f"[T_{i}]": f"value {i}" for i in range(100)}  # [T_50] -> "value 50" conflicts
    with pytest.raises(VaultError, match="1 of 100 tokens") as info:
        vault.put_many("acme", batch)
    assert _leaks(info.value, "original", "value 50", "[T_50]") == []
    assert vault.count("acme") == 1
    assert vault.get_many("acme", list(batch), strict=False) == {"[T_50]": "original"}


def test_put_many_failure_between_row_writes_leaves_nothing(harness, worker) -> None:
    cipher = worker.FailingCipher(harness.keyring, after=1500)  # SQL backends have written 1,000+ rows by then
    vault = harness.open(cipher)
    batch = {f"[T_{i}]": f"value {i}" for i in range(2000)}
    with pytest.raises(RuntimeError, match="injected failure"):
        vault.put_many("acme", batch)
    assert cipher.calls == 1501
    assert vault.count("acme") == 0
    other = harness.open()  # the store is not left locked
    other.put("acme", "[T_1]", "after the failure")
    assert vault.get("acme", "[T_1]") == "after the failure"


def test_ttl_expiry_and_refresh(harness) -> None:
    vault = harness.open()
    vault.put("acme", "[A]", "expires", ttl=0.5)
    vault.put("acme", "[B]", "refreshed", ttl=0.5)
    vault.put("acme", "[B]", "refreshed", ttl=60)
    vault.put("acme", "[C]", "made permanent", ttl=0.5)
    vault.put("acme", "[C]", "made permanent")
    vault.put_many("acme", {"[D]": "batch", "[E]": "batch"}, session="s1", ttl=0.5)
    assert vault.get("acme", "[A]") == "expires"
    harness.advance(0.7)
    for token, session in (("[A]", None), ("[D]", "s1"), ("[E]", "s1")):
        with pytest.raises(TokenNotFound):
            vault.get("acme", token, session=session)
    assert vault.get_many("acme", ["[B]", "[C]"]) == {"[B]": "refreshed", "[C]": "made permanent"}
    assert vault.count("acme") == 2
    purged = vault.purge_expired()
    assert purged == (0 if harness.name == "redis" else 3)  # Redis expires keys itself
    assert vault.count() == 2
    vault.put("acme", "[A]", "a new value after expiry")  # an expired binding does not block rebinding
    assert vault.get("acme", "[A]") == "a new value after expiry"


def test_expired_token_not_yet_purged_can_be_rebound(harness) -> None:
    vault = harness.open()
    vault.put_many("acme", {"[A]": "old", "[B]": "old"}, ttl=0.3)
    harness.advance(0.5)
    vault.put_many("acme", {"[A]": "new", "[B]": "new"})
    assert vault.get_many("acme", ["[A]", "[B]"]) == {"[A]": "new", "[B]": "new"}


def test_other_tenants_tokens_are_indistinguishable_from_unknown(vault: Vault) -> None:
    vault.put("acme", "[EMAIL_ADDRESS_1]", "alice@example.com")
    with pytest.raises(TokenNotFound) as other:
        vault.get("globex", "[EMAIL_ADDRESS_1]")
    with pytest.raises(TokenNotFound) as unknown:
        vault.get("acme", "[EMAIL_ADDRESS_2]")
    assert str(other.value) == str(unknown.value)
    assert type(other.value) is type(unknown.value)
    assert _leaks(other.value, "alice@example.com", "[EMAIL_ADDRESS_1]", "acme") == []
    vault.put("globex", "[EMAIL_ADDRESS_1]", "bob@globex.test")  # same token, other tenant: no conflict
    assert vault.get("globex", "[EMAIL_ADDRESS_1]") == "bob@globex.test"
    assert vault.get("acme", "[EMAIL_ADDRESS_1]") == "alice@example.com"
    assert (vault.count("acme"), vault.count("globex"), vault.count("initech"), vault.count()) == (1, 1, 0, 2)


def test_session_scope(vault: Vault) -> None:
    vault.put("acme", "[PERSON_1]", "Alice", session="conv-1")
    vault.put("acme", "[PERSON_1]", "Bob", session="conv-2")
    assert vault.get("acme", "[PERSON_1]", session="conv-1") == "Alice"
    assert vault.get("acme", "[PERSON_1]", session="conv-2") == "Bob"
    for session in (None, "conv-3"):
        with pytest.raises(TokenNotFound):
            vault.get("acme", "[PERSON_1]", session=session)
    with pytest.raises(TokenNotFound):
        vault.get("globex", "[PERSON_1]", session="conv-1")


def test_delete_token_session_and_tenant(vault: Vault) -> None:
    vault.put_many("acme", {"[A]": "a", "[B]": "b"})
    vault.put_many("acme", {f"[S_{i}]": f"s{i}" for i in range(30)}, session="conv-1")
    vault.put_many("acme", {"[X]": "x"}, session="conv-2")
    vault.put("globex", "[A]", "globex a")
    assert vault.delete("acme", "[A]") == 1
    assert vault.delete("acme", "[A]") == 0
    assert vault.delete("acme", "[S_1]") == 0  # session tokens need their session
    assert vault.delete("acme", "[S_1]", session="conv-1") == 1
    assert vault.delete("acme", session="conv-1") == 29
    assert vault.delete("acme", session="conv-1") == 0
    assert vault.count("acme") == 2
    assert vault.delete("acme") == 2  # the tenant's own and its sessions' entries
    assert vault.count("acme") == 0
    with pytest.raises(TokenNotFound):
        vault.get("acme", "[X]", session="conv-2")
    assert vault.get("globex", "[A]") == "globex a"
    vault.put("acme", "[A]", "a new binding after deletion")
    assert vault.get("acme", "[A]") == "a new binding after deletion"


def test_get_many_strict_and_lenient(vault: Vault) -> None:
    vault.put_many("acme", {"[A]": "a", "[B]": "b"})
    assert vault.get_many("acme", ["[B]", "[A]"]) == {"[A]": "a", "[B]": "b"}
    assert vault.get_many("acme", ["[A]", "[Z]"], strict=False) == {"[A]": "a"}
    assert vault.get_many("acme", []) == {}
    with pytest.raises(TokenNotFound, match="1 of 2 tokens") as info:
        vault.get_many("acme", ["[A]", "[Z]"])
    assert _leaks(info.value, "[Z]", "[A]") == []


def test_large_batches_round_trip(vault: Vault) -> None:
    batch = {f"[T_{i}]": f"value {i}" for i in range(2500)}
    vault.put_many("acme", batch, session="big")
    assert vault.get_many("acme", list(batch), session="big") == batch
    assert vault.count("acme") == 2500
    assert vault.delete("acme", session="big") == 2500


def test_values_tokens_and_names_are_not_stored_in_clear(harness) -> None:
    vault = harness.open()
    secrets = {"[EMAIL_ADDRESS_1]": "alice.secret@example.com", "[PHONE_NUMBER_1]": "+44 20 7946 0958"}
    vault.put_many("acme", secrets, session="conversation-xyz")
    vault.put("acme", "[CREDIT_CARD_1]", "4111111111111111", ttl=60)
    raw = harness.dump()
    assert len(raw) > 0
    for text in [*secrets, *secrets.values(), "[CREDIT_CARD_1]", "4111111111111111", "EMAIL_ADDRESS"]:
        assert text.encode() not in raw, f"found {text[:3]}... in the raw store"
        assert text.encode().hex().encode() not in raw
    assert b"conversation-xyz" not in raw
    assert b"acme" not in raw


def test_ciphertext_moved_to_another_row_does_not_decrypt(harness) -> None:
    vault = harness.open()
    vault.put_many("acme", {"[A]": "value of a", "[B]": "value of b"})
    harness.swap_values()
    for token in ("[A]", "[B]"):
        with pytest.raises(VaultError, match="failed to decrypt") as info:
            vault.get("acme", token)
        assert _leaks(info.value, "value of a", "value of b") == []


def test_errors_and_reprs_never_carry_values(harness) -> None:
    vault = harness.open()
    value = "secret-value-4111111111111111"
    vault.put("acme", "[CC_1]", value)
    texts = [repr(vault), str(vault)]
    for call in (
        lambda: vault.put("acme", "[CC_1]", value + "x"),
        lambda: vault.put_many("acme", {"[CC_2]": value, "[CC_1]": "other"}),
        lambda: vault.get("globex", "[CC_1]"),
        lambda: vault.get_many("acme", ["[CC_1]", "[CC_9]"]),
        lambda: vault.put("acme", "", value),
        lambda: vault.put("acme", "[CC_3]", value, ttl=-1),
    ):
        with pytest.raises(CoatcheckError) as info:
            call()
        texts += [str(info.value), repr(info.value)]
    for text in texts:
        assert value not in text
        assert "[CC_" not in text
