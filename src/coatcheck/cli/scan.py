"""`coatcheck scan PATH...`: discovery over files and folders, with terminal, JSON and HTML reports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coatcheck.errors import CoatcheckError, InputError

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = ["register"]

_CLASSES = ("public", "internal", "personal", "sensitive", "regulated")


def scan_command(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders: text, logs, JSON, JSONL, CSV, Parquet, .gz.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the JSON report to this file.")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write the HTML report to this file.")] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy file (default: the safe defaults).")] = None,
    tenant: Annotated[str | None, typer.Option("--tenant", help="Policy tenant.")] = None,
    destination: Annotated[str, typer.Option(help="Destination whose methods are suggested.")] = "llm",
    profile: Annotated[
        str | None, typer.Option(help="fast or accurate (default: fast, or the policy's profile).")
    ] = None,
    sample: Annotated[int | None, typer.Option("--sample", help="Scan a random sample of N records per file.")] = None,
    sample_rate: Annotated[
        float | None, typer.Option("--sample-rate", help="Scan each record with this probability (0-1].")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sampling.")] = 0,
    on_error: Annotated[str, typer.Option("--on-error", help="skip (report and go on) or stop.")] = "skip",
    fmt: Annotated[str, typer.Option("--format", help="auto, text, jsonl, json, csv, tsv or parquet.")] = "auto",
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help=f"Exit 1 when a finding of this class or stricter: {'|'.join(_CLASSES)}."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal summary.")] = False,
) -> None:
    """Find where personal data and secrets are, how much, and what the policy would do with them."""
    from rich.console import Console

    from coatcheck.entities import Sensitivity
    from coatcheck.scan import Scanner, write_html, write_json
    from coatcheck.scan.terminal import render_terminal

    try:
        if on_error not in ("skip", "stop"):
            raise InputError(f"--on-error must be skip or stop, not {on_error!r}")
        if fail_on is not None and fail_on not in _CLASSES:
            raise InputError(f"--fail-on must be one of {', '.join(_CLASSES)}")
        loaded = None
        if policy is not None:
            from coatcheck.policy import load_policy

            loaded = load_policy(policy)
        scanner = Scanner(
            paths,
            profile=profile,
            policy=loaded,
            tenant=tenant,
            destination=destination,
            sample=sample,
            sample_rate=sample_rate,
            seed=seed,
            on_error=on_error,  # type: ignore[arg-type]  # checked above
            fmt=None if fmt == "auto" else fmt,
        )
        with _progress() as bar:
            task = bar.add_task("scanning", total=scanner.total_bytes or None)
            report = scanner.run(lambda n: bar.advance(task, n))
        if json_out is not None:
            write_json(report, json_out)
        if html_out is not None:
            write_html(report, html_out)
    except CoatcheckError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if not quiet:
        render_terminal(report, Console(soft_wrap=False))
    if fail_on is not None:
        highest = report.highest_class()
        if highest is not None and highest >= Sensitivity[fail_on.upper()]:
            raise typer.Exit(1)


def _progress() -> Progress:
    """Bytes, throughput and ETA on stderr; silent unless stderr is a terminal."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        disable=not sys.stderr.isatty(),
        transient=True,
        console=Console(stderr=True),
    )


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)
