"""`coatcheck protect` and `coatcheck anonymize`: protect text, JSONL, CSV and Parquet files or stdin."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from coatcheck.cli._io import progress
from coatcheck.errors import CoatcheckError, InputError

__all__ = ["register"]

_METHODS = "mask|redact|hash|encrypt|tokenize|surrogate|generalize|drop|keep"


def _pairs(option: str, items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        for part in item.split(","):
            name, sep, value = part.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise InputError(f"{option}: expected NAME=METHOD, got {part!r}")
            out[name.strip()] = value.strip()
    return out


def _load_fields(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the field policy ({exc.strerror})") from None
    import yaml

    try:
        data = yaml.safe_load(text) if path.suffix.lower() in {".yaml", ".yml"} else json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        line = getattr(exc, "lineno", None) or getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InputError(f"{path}{f':{line}' if line else ''}: the field policy is not valid JSON/YAML") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: the field policy must map field paths to methods")
    return data


def run(
    source: Path | None,
    output: Path | None,
    *,
    method: str,
    key_file: Path | None,
    tenant: str,
    views: list[str],
    per_type: list[str],
    fields: Path | None,
    profile: str,
    fmt: str,
    locale: str,
    quiet: bool,
) -> None:
    """Shared body of `protect` and `anonymize`."""
    from rich.console import Console

    from coatcheck.protect.files import FileJob, infer_format
    from coatcheck.protect.protector import Protector, ViewSet

    err = Console(stderr=True)
    try:
        if profile not in ("fast", "accurate"):
            raise InputError(f"unknown profile {profile!r}; choose 'fast' or 'accurate'")
        keyring = None
        if key_file is not None:
            from coatcheck.keys import Keyring

            keyring = Keyring.open(key_file, create=False)
        viewset = ViewSet(_pairs("--views", views)) if views else None
        if viewset is not None and viewset.keyed and keyring is None:
            raise InputError("a keyed method (hash, encrypt, tokenize, surrogate) needs --key-file")
        src = None if source is None or str(source) == "-" else str(source)
        kind = infer_format(src, fmt)
        try:
            protector = Protector(
                keyring,
                tenant,
                _pairs("--type", per_type),
                method,
                fields=_load_fields(fields) if fields else None,
                profile=profile,  # type: ignore[arg-type]  # checked above
                locale=locale,
            )
        except CoatcheckError as exc:
            if keyring is None and "keyring" in str(exc):
                raise InputError(f"{exc} (pass --key-file)") from None
            raise
        with progress() as bar:
            task = bar.add_task("protecting", total=None)
            job = FileJob(protector, kind, viewset, on_record=lambda n: bar.advance(task, n))
            summary = job.run(src, output)
    except CoatcheckError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if not quiet:
        by_type = ", ".join(f"{t} {n}" for t, n in sorted(summary.counts.items())) or "none"
        err.print(
            f"{summary.records} records, {sum(summary.counts.values())} entities ({by_type}), {summary.seconds:.2f} s",
            highlight=False,
            soft_wrap=True,
        )


SourceArg = Annotated[Path | None, typer.Argument(help="Text, .jsonl, .csv or .parquet file; stdin when omitted.")]
OutputOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="Output file (written atomically); stdout when omitted.")
]
KeyOpt = Annotated[Path | None, typer.Option("--key-file", help="Keyring file (needed by keyed methods).")]
TenantOpt = Annotated[str, typer.Option(help="Tenant whose keys are used.")]
ViewsOpt = Annotated[
    list[str], typer.Option("--views", help="NAME=METHOD[,NAME=METHOD...]: one output per view, one detection pass.")
]
TypeOpt = Annotated[list[str], typer.Option("--type", help="TYPE=METHOD override for one entity type (repeatable).")]
FieldsOpt = Annotated[Path | None, typer.Option("--fields", help="JSON/YAML field policy for records: {path: method}.")]
ProfileOpt = Annotated[str, typer.Option(help="fast (no ML model) or accurate (adds NER).")]
FormatOpt = Annotated[str, typer.Option("--format", help="auto, text, jsonl, csv or parquet.")]
LocaleOpt = Annotated[str, typer.Option(help="Faker locale of surrogate stand-ins.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")]


def protect_command(
    source: SourceArg = None,
    output: OutputOpt = None,
    method: Annotated[str, typer.Option("--method", "-m", help=f"Default method: {_METHODS}.")] = "redact",
    key_file: KeyOpt = None,
    tenant: TenantOpt = "default",
    views: ViewsOpt = [],  # noqa: B006 - typer reads the default, never mutates it
    per_type: TypeOpt = [],  # noqa: B006 - same
    fields: FieldsOpt = None,
    profile: ProfileOpt = "fast",
    fmt: FormatOpt = "auto",
    locale: LocaleOpt = "en_US",
    quiet: QuietOpt = False,
) -> None:
    """Protect every personal value found: the same key and input always give the same output."""
    run(source, output, method=method, key_file=key_file, tenant=tenant, views=views, per_type=per_type,
        fields=fields, profile=profile, fmt=fmt, locale=locale, quiet=quiet)  # fmt: skip


def anonymize_command(
    source: SourceArg = None,
    output: OutputOpt = None,
    key_file: KeyOpt = None,
    tenant: TenantOpt = "default",
    per_type: TypeOpt = [],  # noqa: B006 - typer reads the default, never mutates it
    fields: FieldsOpt = None,
    profile: ProfileOpt = "fast",
    fmt: FormatOpt = "auto",
    locale: LocaleOpt = "en_US",
    quiet: QuietOpt = False,
) -> None:
    """Replace personal values by realistic, consistent stand-ins (protect --method surrogate)."""
    run(source, output, method="surrogate", key_file=key_file, tenant=tenant, views=[], per_type=per_type,
        fields=fields, profile=profile, fmt=fmt, locale=locale, quiet=quiet)  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("protect")(protect_command)
    app.command("anonymize")(anonymize_command)
