"""open_vault URLs, input checking, the async twin, threads, and what the package exports."""

from __future__ import annotations

import math
import stat
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import coatcheck.vault
from coatcheck.errors import InputError, TokenNotFound, VaultError
from coatcheck.keys import Keyring
from coatcheck.vault import AsyncVault, Cipher, PostgresVault, RedisVault, SQLiteVault, open_vault
from coatcheck.vault._base import redact_url

RING = Keyring.ephemeral()
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


def test_exported_names() -> None:
    assert coatcheck.vault.__all__ == [
        "AsyncVault",
        "Cipher",
        "PostgresVault",
        "RedisVault",
        "SQLiteVault",
        "Vault",
        "open_vault",
    ]


def test_keyring_is_a_cipher() -> None:
    assert isinstance(RING, Cipher)


def test_open_vault_sqlite_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = tmp_path / "abs" / "v.db"
    with open_vault(f"sqlite:///{absolute}", RING) as vault:  # sqlite:////abs/path: four slashes
        assert isinstance(vault, SQLiteVault)
        vault.put("acme", "[A]", "a")
    assert absolute.exists()
    assert stat.S_IMODE(absolute.stat().st_mode) == 0o600
    monkeypatch.chdir(tmp_path)
    with open_vault("sqlite:///rel.db", RING) as vault:
        vault.put("acme", "[A]", "a")
    assert (tmp_path / "rel.db").exists()
    for url in ("sqlite://", "sqlite:///:memory:"):
        with open_vault(url, RING) as vault:
            vault.put("acme", "[A]", "a")
            assert vault.get("acme", "[A]") == "a"


def test_open_vault_servers(pg_url: str, redis_url: str) -> None:
    with open_vault(pg_url, RING, table="vault_open_url_check") as pg:
        assert isinstance(pg, PostgresVault)
        assert pg.count() >= 0
    with open_vault(redis_url, RING, prefix="cctest:open:") as rd:
        assert isinstance(rd, RedisVault)
        assert rd.count() == 0
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE vault_open_url_check")


@pytest.mark.parametrize(
    "url",
    ["", "relative/x.db", "mysql://h/db", "sqlite://host/x.db", "sqlite:///x.db?mode=ro", "http://x"],
)
def test_open_vault_rejects_bad_urls(url: str) -> None:
    with pytest.raises(InputError, match="URL"):
        open_vault(url, RING)


@pytest.mark.parametrize(
    "url",
    ["postgresql://postgres:hunter2secret@127.0.0.1:1/test", "redis://:hunter2secret@127.0.0.1:1/0"],
)
def test_unreachable_server_is_a_vault_error_without_password(url: str) -> None:
    with pytest.raises(VaultError, match="cannot connect") as info:
        open_vault(url, RING)
    assert "hunter2secret" not in str(info.value)
    assert "127.0.0.1" in str(info.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("postgresql://u@h/db?password=pw&sslmode=require", "postgresql://u@h/db?password=***&sslmode=require"),
        ("redis://:pw@h:6379/0", "redis://:***@h:6379/0"),
        ("host=h password='p w' user=u", "host=h password=*** user=u"),
        ("redis://h:6379/0", "redis://h:6379/0"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda v: v.put("", "[A]", "a"), "tenant must be"),
        (lambda v: v.put("acme", "", "a"), "token must be a non-empty"),
        (lambda v: v.put("acme", "[A]" * 2000, "a"), "longer than"),
        (lambda v: v.put("acme", "[A]", b"a"), "value must be a string"),
        (lambda v: v.put("acme", "[A]", "\ud800"), "lone surrogate"),
        (lambda v: v.put("acme", "[A]", "a", session=""), "session must be"),
        (lambda v: v.put("acme", "[A]", "a", ttl=0), "ttl must be"),
        (lambda v: v.put("acme", "[A]", "a", ttl=-5), "ttl must be"),
        (lambda v: v.put("acme", "[A]", "a", ttl=math.nan), "ttl must be"),
        (lambda v: v.put("acme", "[A]", "a", ttl=math.inf), "ttl must be"),
        (lambda v: v.put("acme", "[A]", "a", ttl=True), "ttl must be"),
        (lambda v: v.put("acme", "[A]", "a", ttl="5"), "ttl must be"),
        (lambda v: v.put_many("acme", [("[A]", "a")]), "mapping"),
        (lambda v: v.get_many("acme", "[A]"), "iterable of tokens"),
        (lambda v: v.get(None, "[A]"), "tenant must be"),
    ],
)
def test_bad_input_is_an_input_error(call, message: str) -> None:
    with SQLiteVault(":memory:", RING) as vault:
        with pytest.raises(InputError, match=message):
            call(vault)
        assert vault.count() == 0


@pytest.mark.parametrize("table", ["", "1abc", "a-b", "a;drop table x", "x" * 80])
def test_bad_table_names(table: str) -> None:
    with pytest.raises(InputError, match="table name"):
        SQLiteVault(":memory:", RING, table=table)
    with pytest.raises(InputError, match="table name"):
        PostgresVault("postgresql://unused", RING, table=table)


def test_bad_redis_prefix() -> None:
    with pytest.raises(InputError, match="prefix"):
        RedisVault("redis://unused", RING, prefix="a*b")


def test_closed_vault_raises_vault_error() -> None:
    vault = SQLiteVault(":memory:", RING)
    vault.close()
    with pytest.raises(VaultError, match="SQLiteVault"):
        vault.get("acme", "[A]")


@settings(max_examples=60, deadline=None)
@given(items=st.dictionaries(text.filter(bool), text, max_size=8), session=st.none() | text.filter(bool))
def test_property_put_many_then_get_many_round_trips(items: dict[str, str], session: str | None) -> None:
    with SQLiteVault(":memory:", RING) as vault:
        vault.put_many("acme", items, session=session)
        assert vault.get_many("acme", list(items), session=session) == items
        assert vault.count("acme") == len(items)
        vault.put_many("acme", items, session=session)  # idempotent
        assert vault.count() == len(items)


def test_threads_share_one_vault(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with SQLiteVault(tmp_path / "v.db", RING) as vault:

        def work(n: int) -> None:
            try:
                for i in range(100):
                    vault.put("acme", f"[T_{n}_{i}]", f"v{n}.{i}")
                    assert vault.get("acme", f"[T_{n}_{i}]") == f"v{n}.{i}"
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert vault.count("acme") == 400


@pytest.mark.anyio
async def test_async_twin(tmp_path: Path) -> None:
    async with AsyncVault(SQLiteVault(tmp_path / "v.db", RING)) as vault:
        await vault.put("acme", "[A]", "a", session="s")
        await vault.put_many("acme", {"[B]": "b", "[C]": "c"}, ttl=60)
        assert await vault.get("acme", "[A]", session="s") == "a"
        assert await vault.get_many("acme", iter(["[B]", "[C]"])) == {"[B]": "b", "[C]": "c"}
        assert await vault.count("acme") == 3
        assert await vault.delete("acme", session="s") == 1
        assert await vault.purge_expired() == 0
        with pytest.raises(TokenNotFound):
            await vault.get("acme", "[A]", session="s")
        assert "SQLiteVault" in repr(vault)


def test_another_keyring_cannot_find_or_read_entries(tmp_path: Path) -> None:
    with SQLiteVault(tmp_path / "v.db", RING) as vault:
        vault.put("acme", "[A]", "alice@example.com")
    with SQLiteVault(tmp_path / "v.db", Keyring.ephemeral()) as other:
        assert other.count() == 1
        with pytest.raises(TokenNotFound):
            other.get("acme", "[A]")


def test_crypto_shredded_tenant_cannot_be_read() -> None:
    ring = Keyring.ephemeral()
    with SQLiteVault(":memory:", ring) as vault:
        vault.put("acme", "[A]", "alice@example.com")
        vault.put("globex", "[A]", "bob@example.com")
        ring.destroy("acme")
        with pytest.raises(VaultError, match="key was destroyed") as info:
            vault.get("acme", "[A]")
        assert "alice" not in str(info.value)
        assert vault.get("globex", "[A]") == "bob@example.com"


def test_postgres_reconnects_after_the_server_drops_the_connection(pg_url: str) -> None:
    import psycopg

    with PostgresVault(pg_url, RING, table="vault_reconnect_check") as vault:
        vault.put("acme", "[A]", "alice@example.com")
        pid = vault._conn.info.backend_pid
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(VaultError, match="PostgresVault") as info:
            vault.get("acme", "[A]")
        assert "alice" not in str(info.value)
        assert vault.get("acme", "[A]") == "alice@example.com"  # a new connection
        assert vault._conn.info.backend_pid != pid
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("DROP TABLE vault_reconnect_check")
