"""Shared helpers for commands: reading text records and showing progress only to people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from coatcheck.errors import CoatcheckError, InputError

__all__ = ["exit_on_error", "iter_text_lines", "progress"]


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Turn our own errors into one ``error: ...`` line on stderr and exit status 2 (messages carry no values)."""
    try:
        yield
    except CoatcheckError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def iter_text_lines(stream: TextIO, source: str = "<stdin>") -> Iterator[str]:
    """Yield texts from JSON lines ``{"text": ...}`` or plain text lines.

    A line that starts with ``{`` must be a JSON object with a string ``text``; the error names the line.
    """
    for number, line in enumerate(stream, start=1):
        line = line.rstrip("\n").rstrip("\r")
        if line.lstrip().startswith("{"):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{source}, line {number}: invalid JSON ({exc.msg} at column {exc.colno})") from None
            text = record.get("text") if isinstance(record, dict) else None
            if not isinstance(text, str):
                raise InputError(f"{source}, line {number}: a JSON line needs a string field 'text'")
            yield text
        else:
            yield line


def progress(total: int | None = None) -> Progress:
    """A progress bar on stderr that stays silent unless stderr is a terminal."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not sys.stderr.isatty(),
        transient=True,
    )
