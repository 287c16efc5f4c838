"""`coatcheck keys ...` (keyring lifecycle) and `coatcheck decrypt` (audited decryption of one token)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coatcheck.cli._io import exit_on_error
from coatcheck.errors import InputError, InvalidToken

if TYPE_CHECKING:
    from coatcheck.audit import AuditLog
    from coatcheck.keys import Keyring, MasterKeyProvider

__all__ = ["DEFAULT_DB", "DEFAULT_KEYRING", "open_keyring", "register"]

DEFAULT_KEYRING = Path(".coatcheck/keyring.json")
DEFAULT_DB = Path(".coatcheck/audit.db")

KeyringOpt = Annotated[Path, typer.Option("--keyring", help="Keyring file.")]
MasterOpt = Annotated[
    str,
    typer.Option(
        "--master",
        help="Master key: local (file next to the keyring), env (COATCHECK_MASTER_KEY, development only), "
        "aws-kms:<key id> or vault-transit:<key name> (VAULT_ADDR, VAULT_TOKEN).",
    ),
]
DbOpt = Annotated[Path, typer.Option("--db", help="SQLite audit database.")]
DsnOpt = Annotated[str | None, typer.Option("--dsn", help="PostgreSQL audit database instead of --db.")]
TableOpt = Annotated[str, typer.Option("--table", help="PostgreSQL audit table ([schema.]name).")]

keys_app = typer.Typer(
    name="keys",
    help="Manage the keyring: create, rotate, list, retire, destroy (crypto-shred), rewrap.",
    no_args_is_help=True,
)


def _provider(master: str, keyring: Path) -> MasterKeyProvider | None:
    from coatcheck.keys import AwsKmsMasterKey, EnvMasterKey, VaultTransitMasterKey

    kind, _, arg = master.partition(":")
    if kind == "local" and not arg:
        return None
    if kind == "env" and not arg:
        return EnvMasterKey()
    if kind == "aws-kms" and arg:
        return AwsKmsMasterKey(arg)
    if kind == "vault-transit" and arg:
        return VaultTransitMasterKey(arg, url=os.environ.get("VAULT_ADDR"), token=os.environ.get("VAULT_TOKEN"))
    raise InputError("--master must be local, env, aws-kms:<key id> or vault-transit:<key name>")


def open_keyring(path: Path, master: str = "local", *, create: bool = False) -> Keyring:
    """The keyring the command line works on (shared with `coatcheck audit`)."""
    from coatcheck.keys import Keyring

    return Keyring.open(path, provider=_provider(master, path), create=create)


def open_audit(keyring: Keyring, db: Path, dsn: str | None, table: str) -> AuditLog:
    """The audit log every key command writes to; opened before the action so a broken sink stops it."""
    from coatcheck.audit import AuditLog, PostgresAuditSink, SQLiteAuditSink

    sink = PostgresAuditSink(dsn, table=table) if dsn else SQLiteAuditSink(db)
    return AuditLog.for_keyring(sink, keyring)


def _actor() -> str:
    return os.environ.get("USER") or "cli"


@keys_app.command("init")
def init_command(
    tenant: Annotated[list[str] | None, typer.Option("--tenant", help="Create keys for this tenant now.")] = None,
    keyring: KeyringOpt = DEFAULT_KEYRING,
    master: MasterOpt = "local",
    db: DbOpt = DEFAULT_DB,
    dsn: DsnOpt = None,
    table: TableOpt = "coatcheck_audit",
) -> None:
    """Create the keyring file (0600) and its master key, and keys for the given tenants."""
    with exit_on_error():
        ring = open_keyring(keyring, master, create=True)
        with open_audit(ring, db, dsn, table) as log:
            existing = {k.tenant for k in ring.list_keys()}
            for name in tenant or []:
                if name not in existing:
                    version = ring.rotate(name)
                    log.record(action="key_init", tenant=name, actor=_actor(), key_version=version)
                    typer.echo(f"{name}: created at version {version}")
        typer.echo(f"keyring {keyring} ready ({ring!r})")


@keys_app.command("rotate")
def rotate_command(
    tenant: Annotated[str, typer.Argument(help="Tenant whose data key gets a new version.")],
    keyring: KeyringOpt = DEFAULT_KEYRING,
    master: MasterOpt = "local",
    db: DbOpt = DEFAULT_DB,
    dsn: DsnOpt = None,
    table: TableOpt = "coatcheck_audit",
) -> None:
    """Make a new data-key version primary; older versions keep decrypting until retired."""
    with exit_on_error():
        ring = open_keyring(keyring, master)
        with open_audit(ring, db, dsn, table) as log:
            version = ring.rotate(tenant)
            log.record(action="key_rotate", tenant=tenant, actor=_actor(), key_version=version, reason="rotation")
        typer.echo(f"{tenant}: version {version} is primary")


@keys_app.command("retire")
def retire_command(
    tenant: Annotated[str, typer.Argument(help="Tenant.")],
    below: Annotated[int, typer.Option("--below", help="Refuse decryption under versions below this.")],
    keyring: KeyringOpt = DEFAULT_KEYRING,
    master: MasterOpt = "local",
    db: DbOpt = DEFAULT_DB,
    dsn: DsnOpt = None,
    table: TableOpt = "coatcheck_audit",
) -> None:
    """Retire old versions (rewrap their tokens first)."""
    with exit_on_error():
        ring = open_keyring(keyring, master)
        with open_audit(ring, db, dsn, table) as log:
            ring.retire_below(tenant, below)
            log.record(action="key_retire", tenant=tenant, actor=_actor(), key_version=below, reason="retirement")
        typer.echo(f"{tenant}: versions below {below} retired")


@keys_app.command("list")
def list_command(keyring: KeyringOpt = DEFAULT_KEYRING, master: MasterOpt = "local") -> None:
    """Key ids, versions, states and dates (never key material)."""
    from rich.console import Console
    from rich.table import Table

    with exit_on_error():
        infos = open_keyring(keyring, master).list_keys()
    out = Table("tenant", "kind", "key id", "version", "state", "created", "subject (keyed hash)")
    for k in infos:
        out.add_row(k.tenant, k.kind, k.kid, str(k.version or ""), k.state, k.created, k.subject or "")
    Console(width=200).print(out)


@keys_app.command("destroy")
def destroy_command(
    tenant: Annotated[str, typer.Argument(help="Tenant whose keys are destroyed.")],
    subject: Annotated[str | None, typer.Option("--subject", help="Only this data subject's key.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    keyring: KeyringOpt = DEFAULT_KEYRING,
    master: MasterOpt = "local",
    db: DbOpt = DEFAULT_DB,
    dsn: DsnOpt = None,
    table: TableOpt = "coatcheck_audit",
) -> None:
    """Crypto-shred: everything encrypted under the destroyed keys becomes unreadable forever."""
    what = f"the key of one data subject of tenant {tenant}" if subject else f"ALL keys of tenant {tenant}"
    if not yes:
        typer.confirm(f"Destroy {what}? This cannot be undone", abort=True)
    with exit_on_error():
        ring = open_keyring(keyring, master)
        with open_audit(ring, db, dsn, table) as log:
            ring.destroy(tenant, subject)
            reason = "subject_erasure" if subject else "tenant_erasure"
            log.record(action="key_destroy", tenant=tenant, actor=_actor(), reason=reason)
    typer.echo(f"destroyed {what}")


@keys_app.command("rewrap")
def rewrap_command(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant of the tokens.")],
    field: Annotated[str, typer.Option("--field", help="Field the tokens were encrypted for.")],
    tokens: Annotated[list[str] | None, typer.Argument(help="Tokens; one per line on stdin when omitted.")] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="Data subject of the tokens.")] = None,
    keyring: KeyringOpt = DEFAULT_KEYRING,
    master: MasterOpt = "local",
    db: DbOpt = DEFAULT_DB,
    dsn: DsnOpt = None,
    table: TableOpt = "coatcheck_audit",
) -> None:
    """Re-encrypt tokens under the newest key version; prints one new token per line, never plaintext."""
    with exit_on_error():
        ring = open_keyring(keyring, master)
        with open_audit(ring, db, dsn, table) as log:
            source = tokens or [line.strip() for line in sys.stdin if line.strip()]
            new = [ring.rewrap(t, tenant=tenant, field=field, subject=subject) for t in source]
            log.record(action="key_rewrap", tenant=tenant, actor=_actor(), reason="rewrap")
        for token in new:
            typer.echo(token)


def decrypt_command(
    token: Annotated[str, typer.Argument(help="A cc1:... token.")],
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant of the token.")],
    field: Annotated[str, typer.Option("--field", help="Field the token was encrypted for.")],
    actor: Annotated[str, typer.Option("--actor", help="Who asks (recorded in the audit trail).")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why, as a lower_snake code (recorded).")],
    subject: Annotated[str | None, typer.Option("--subject", help="Data subject of the token.")] = None,
    keyring: KeyringOpt = DEFAULT_KEYRING,
    master: MasterOpt = "local",
    db: DbOpt = DEFAULT_DB,
    dsn: DsnOpt = None,
    table: TableOpt = "coatcheck_audit",
) -> None:
    """Decrypt one token. The decryption is audited first; the value is printed only once the event is stored."""
    from coatcheck.entities import ENTITY_TYPES

    counts = {field: 1} if field in ENTITY_TYPES else {}
    with exit_on_error():
        ring = open_keyring(keyring, master)
        with open_audit(ring, db, dsn, table) as log:
            try:
                plaintext = ring.decrypt(token, tenant=tenant, field=field, subject=subject)
            except InvalidToken:
                log.record(action="decrypt", tenant=tenant, actor=actor, purpose=purpose, decision="block",
                           reason="invalid_token")  # fmt: skip
                raise
            log.record(action="decrypt", tenant=tenant, actor=actor, purpose=purpose, entity_counts=counts,
                       pii_detected=True)  # fmt: skip
    sys.stdout.buffer.write(plaintext + b"\n")
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
    app.command("decrypt")(decrypt_command)
