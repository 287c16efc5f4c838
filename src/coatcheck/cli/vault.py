"""`coatcheck vault`: operate a token vault (count entries, purge expired ones, erase a tenant or session)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coatcheck.cli.keys import DEFAULT_KEYRING, open_keyring
from coatcheck.errors import CoatcheckError

if TYPE_CHECKING:
    from coatcheck.vault import Vault

__all__ = ["register"]

Url = Annotated[str, typer.Argument(help="sqlite:///relative.db, sqlite:////abs.db, postgresql://..., redis://...")]
KeyringPath = Annotated[Path, typer.Option("--keyring", help="Keyring file the vault was written with.")]
Master = Annotated[str, typer.Option("--master", help="Master key, as for `coatcheck keys` (default: local).")]
Table = Annotated[str | None, typer.Option(help="Table name (SQLite, PostgreSQL).")]
Prefix = Annotated[str | None, typer.Option(help="Key prefix (Redis).")]


def _open(url: str, keyring: Path, master: str, table: str | None, prefix: str | None) -> Vault:
    from coatcheck.vault import open_vault

    options: dict[str, Any] = {}
    if table is not None:
        options["table"] = table
    if prefix is not None:
        options["prefix"] = prefix
    return open_vault(url, open_keyring(keyring, master), **options)


def _fail(exc: CoatcheckError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


def count_command(
    url: Url,
    keyring: KeyringPath = DEFAULT_KEYRING,
    master: Master = "local",
    tenant: Annotated[str | None, typer.Option(help="Count one tenant only.")] = None,
    table: Table = None,
    prefix: Prefix = None,
) -> None:
    """Print how many unexpired entries the vault holds."""
    try:
        with _open(url, keyring, master, table, prefix) as vault:
            typer.echo(vault.count(tenant))
    except CoatcheckError as exc:
        raise _fail(exc) from None


def purge_command(
    url: Url,
    keyring: KeyringPath = DEFAULT_KEYRING,
    master: Master = "local",
    table: Table = None,
    prefix: Prefix = None,
) -> None:
    """Remove expired entries (run it periodically; Redis expires entries by itself)."""
    try:
        with _open(url, keyring, master, table, prefix) as vault:
            typer.echo(f"purged {vault.purge_expired()} expired entries")
    except CoatcheckError as exc:
        raise _fail(exc) from None


def delete_command(
    url: Url,
    tenant: Annotated[str, typer.Option(help="Tenant whose entries are erased.")],
    keyring: KeyringPath = DEFAULT_KEYRING,
    master: Master = "local",
    session: Annotated[str | None, typer.Option(help="Erase only this session's entries.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before erasing a whole tenant.")] = False,
    table: Table = None,
    prefix: Prefix = None,
) -> None:
    """Erase every entry of a tenant, or of one of its sessions (right to erasure, end of a conversation)."""
    if session is None and not yes:
        typer.confirm(f"Erase every vault entry of tenant {tenant!r}?", abort=True)
    try:
        with _open(url, keyring, master, table, prefix) as vault:
            typer.echo(f"deleted {vault.delete(tenant, session=session)} entries")
    except CoatcheckError as exc:
        raise _fail(exc) from None


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Operate a token vault: count entries, purge expired ones, erase a tenant or session.",
        no_args_is_help=True,
    )
    group.command("count")(count_command)
    group.command("purge")(purge_command)
    group.command("delete")(delete_command)
    app.add_typer(group, name="vault")
