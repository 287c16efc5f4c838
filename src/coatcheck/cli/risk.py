"""`coatcheck risk`: k-anonymity and l-diversity of a table, suggestions, and generalization to a target k."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coatcheck.errors import CoatcheckError, InputError

if TYPE_CHECKING:
    from coatcheck.analytics import Anonymized, RiskReport

__all__ = ["register"]


def _qi(text: str) -> tuple[list[str], dict[str, str]]:
    """``zip,dob:DATE_OF_BIRTH,sex`` -> the columns and the kinds given explicitly."""
    names, kinds = [], {}
    for part in text.split(","):
        name, _, kind = part.strip().partition(":")
        if not name:
            raise InputError("--qi must be comma-separated column names (NAME or NAME:KIND)")
        names.append(name)
        if kind:
            kinds[name] = kind.strip().upper()
    return names, kinds


def _show_report(report: RiskReport) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    verdict = "meets" if report.k_anonymous else "does not meet"
    console.print(
        f"{report.rows} rows, {report.classes} equivalence classes over {', '.join(report.quasi_identifiers)}; "
        f"smallest class {report.smallest_class}: the table {verdict} k={report.k}",
        highlight=False,
    )
    console.print(
        f"records at risk (class < {report.k}): {report.records_at_risk} in {report.classes_at_risk} classes; "
        f"max risk {report.max_risk:.3g}, average risk {report.average_risk:.3g}",
        highlight=False,
    )
    if report.sensitive is not None:
        console.print(
            f"l-diversity of {report.sensitive!r}: l={report.l_diversity}, entropy l={report.entropy_l:.3g}, "
            f"{report.homogeneous_classes} classes with a single value",
            highlight=False,
        )
    if report.suggestions:
        table = Table("generalize", "k reached", "records at risk", title="suggestions")
        for s in report.suggestions:
            table.add_row(" + ".join(f"{c} -> {m}" for c, m in s.methods), str(s.k), str(s.records_at_risk))
        console.print(table)


def _show_applied(done: Anonymized, output: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    console.print(f"steps: {', '.join(done.steps) or 'none needed'}", highlight=False)
    table = Table("column", "kind", "method", "height", "distinct before", "after", "lost", title="information loss")
    for c in done.columns:
        table.add_row(
            c.column,
            c.kind,
            c.method,
            f"{c.level}/{c.height}",
            str(c.distinct_before),
            str(c.distinct_after),
            f"{c.distinct_lost:.0%}",
        )
    console.print(table)
    console.print(
        f"records suppressed: {done.records_suppressed}; smallest class now {done.report.smallest_class} "
        f"(k={done.k}); wrote {len(done.data)} rows to {output}",
        highlight=False,
    )


def risk_command(
    file: Annotated[Path, typer.Argument(help="CSV, TSV, JSON lines or Parquet table.")],
    qi: Annotated[
        str,
        typer.Option(
            "--qi",
            help="Quasi-identifiers, comma-separated; NAME:KIND forces a kind (ZIP_CODE, "
            "DATE_OF_BIRTH, AGE, IP_ADDRESS, OTHER).",
        ),
    ],
    sensitive: Annotated[str | None, typer.Option("--sensitive", help="Sensitive column for l-diversity.")] = None,
    k: Annotated[int, typer.Option("--k", help="Target k: rows in smaller classes are at risk.")] = 5,
    apply: Annotated[bool, typer.Option("--apply", help="Generalize step by step until k is met (needs -o).")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where --apply writes the table.")] = None,
    max_suppression: Annotated[
        float, typer.Option("--max-suppression", help="Share of rows --apply may remove instead (0 to 0.5).")
    ] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    rows: Annotated[bool, typer.Option("--rows", help="With --json: list the positions of rows at risk.")] = False,
    ledger: Annotated[
        str | None, typer.Option("--ledger", help="Save the report summary here for the console (vault database).")
    ] = None,
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant the saved report belongs to.")] = "default",
) -> None:
    """Measure re-identification risk for the quasi-identifiers; with --apply, write a k-anonymous copy.

    Exit 1 when the table is not k-anonymous (and --apply was not asked), 2 for errors.
    """
    from coatcheck.analytics import anonymize_to_k, open_ledger, read_table, risk_report, write_table

    try:
        if apply and output is None:
            raise InputError("--apply needs --output/-o FILE for the generalized table")
        if output is not None and not apply:
            raise InputError("--output is only written with --apply")
        names, kinds = _qi(qi)
        frame = read_table(file, as_text=True)
        report = risk_report(frame, names, k=k, sensitive=sensitive, kinds=kinds)
        done = None
        if apply and output is not None:
            done = anonymize_to_k(frame, names, k, kinds=kinds, max_suppression=max_suppression, sensitive=sensitive)
            write_table(done.data, output)
        if ledger is not None:
            summary: dict[str, Any] = report.as_dict()
            if done is not None:
                summary["applied"] = done.as_dict()
            with open_ledger(ledger) as book:
                book.save_risk_report(tenant, file.name, summary)
    except CoatcheckError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        out: dict[str, Any] = report.as_dict(rows=rows)
        if done is not None:
            out["applied"] = done.as_dict()
        typer.echo(json.dumps(out, indent=2))
    else:
        _show_report(report)
        if done is not None and output is not None:
            _show_applied(done, output)
    if done is None and not report.k_anonymous:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("risk")(risk_command)
