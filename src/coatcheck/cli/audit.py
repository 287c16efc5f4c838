"""`coatcheck audit verify|show|export`: check the chain, read events, hand them to a SIEM."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coatcheck.cli._io import exit_on_error
from coatcheck.cli.keys import DEFAULT_DB, DEFAULT_KEYRING, DbOpt, DsnOpt, KeyringOpt, MasterOpt, TableOpt, open_keyring
from coatcheck.errors import InputError

if TYPE_CHECKING:
    from coatcheck.audit import AuditEvent, AuditLog

__all__ = ["register"]

audit_app = typer.Typer(
    name="audit", help="Verify the HMAC-chained audit trail, show events, export them.", no_args_is_help=True
)

JsonlOpt = Annotated[Path | None, typer.Option("--jsonl", help="Read a JSON lines audit log instead of --db.")]
TenantOpt = Annotated[str | None, typer.Option("--tenant", help="Only this tenant.")]
ActionOpt = Annotated[str | None, typer.Option("--action", help="Only this action (protect, decrypt, ...).")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="From this ISO time (UTC when no offset).")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Before this ISO time (UTC when no offset).")]


def _time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be an ISO date or time, such as 2024-05-01 or 2024-05-01T12:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _open(keyring: Path, master: str, db: Path, dsn: str | None, table: str, jsonl: Path | None) -> AuditLog:
    from coatcheck.audit import AuditLog, JsonLinesAuditSink, PostgresAuditSink, SQLiteAuditSink
    from coatcheck.audit._sink import AuditSink

    ring = open_keyring(keyring, master)
    sink: AuditSink
    if jsonl is not None:
        if not jsonl.is_file():
            raise InputError(f"no audit log at {jsonl}")
        sink = JsonLinesAuditSink(jsonl)
    elif dsn:
        sink = PostgresAuditSink(dsn, table=table)
    else:
        sink = SQLiteAuditSink(db, readonly=True)
    return AuditLog.for_keyring(sink, ring)


def _query(
    log: AuditLog, tenant: str | None, action: str | None, since: str | None, until: str | None
) -> list[AuditEvent]:
    return log.query(tenant=tenant, action=action, since=_time(since, "--since"), until=_time(until, "--until"))


@audit_app.command("verify")
def verify_command(
    keyring: KeyringOpt = DEFAULT_KEYRING,
    master: MasterOpt = "local",
    db: DbOpt = DEFAULT_DB,
    dsn: DsnOpt = None,
    table: TableOpt = "coatcheck_audit",
    jsonl: JsonlOpt = None,
) -> None:
    """Check every MAC, link and sequence number; exit 1 naming the first bad event."""
    with exit_on_error():
        with _open(keyring, master, db, dsn, table, jsonl) as log:
            report = log.verify()
    typer.echo(f"{report} (head mac {report.head_mac})" if report.ok else str(report))
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("show")
def show_command(
    tenant: TenantOpt = None,
    action: ActionOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    keyring: KeyringOpt = DEFAULT_KEYRING,
    master: MasterOpt = "local",
    db: DbOpt = DEFAULT_DB,
    dsn: DsnOpt = None,
    table: TableOpt = "coatcheck_audit",
    jsonl: JsonlOpt = None,
) -> None:
    """Events as a table: sequence, time, tenant, action, actor, decision, mode, types and counts."""
    from rich.console import Console
    from rich.table import Table

    with exit_on_error():
        with _open(keyring, master, db, dsn, table, jsonl) as log:
            events = _query(log, tenant, action, since, until)
    out = Table("seq", "time (UTC)", "tenant", "action", "actor", "decision", "mode", "pii", "types")
    for e in events:
        pii = ("detected" if e.pii_detected else "-") + ("/redacted" if e.pii_redacted else "")
        counts = ", ".join(f"{k}={v}" for k, v in e.entity_counts.items())
        out.add_row(str(e.sequence), e.timestamp[:19], e.tenant, e.action, e.actor, e.decision, e.mode, pii, counts)
    Console(width=200).print(out)
    typer.echo(f"{len(events)} events")


@audit_app.command("export")
def export_command(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write; stdout when omitted.")] = None,
    tenant: TenantOpt = None,
    action: ActionOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    keyring: KeyringOpt = DEFAULT_KEYRING,
    master: MasterOpt = "local",
    db: DbOpt = DEFAULT_DB,
    dsn: DsnOpt = None,
    table: TableOpt = "coatcheck_audit",
    jsonl: JsonlOpt = None,
) -> None:
    """Events as JSON lines (with their MACs, so the copy can be verified on its own when not filtered)."""
    with exit_on_error():
        with _open(keyring, master, db, dsn, table, jsonl) as log:
            events = _query(log, tenant, action, since, until)
    text = "".join(json.dumps(e.as_dict(), sort_keys=True, separators=(",", ":")) + "\n" for e in events)
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, output)
    typer.echo(f"{len(events)} events written to {output}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
