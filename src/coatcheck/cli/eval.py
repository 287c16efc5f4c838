"""`coatcheck eval`: score detection on a labelled set in the presidio-research format."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coatcheck.errors import CoatcheckError

if TYPE_CHECKING:
    from coatcheck.detect.evaluate import Record, Report

__all__ = ["register"]


def eval_command(
    dataset: Annotated[Path, typer.Argument(help="JSON list of {full_text, spans} records (presidio-research).")],
    profile: Annotated[str, typer.Option(help="fast (no ML model) or accurate (adds NER).")] = "accurate",
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    errors: Annotated[
        int, typer.Option(help="Show the N most common misses and false positives per type (values masked).")
    ] = 0,
) -> None:
    """Print precision, recall and F1 per type and overall, and the false-alarm rate on PII-free records.

    A prediction counts when it has the same type as a labelled span and their character IoU is at least 0.5.
    """
    from coatcheck.detect.engine import Detector
    from coatcheck.detect.evaluate import evaluate, load_dataset

    if output_format not in ("table", "json"):
        typer.echo(f"error: unknown format {output_format!r}; choose 'table' or 'json'", err=True)
        raise typer.Exit(2)
    try:
        records = load_dataset(dataset)
        detector = Detector(profile)  # type: ignore[arg-type]  # checked by Detector
        started = time.perf_counter()
        report = evaluate(records, detector.detect_batch)
        seconds = time.perf_counter() - started
    except CoatcheckError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if output_format == "json":
        result = {"dataset": str(dataset), "profile": profile, "seconds": round(seconds, 3), **report.as_dict()}
        if errors:
            result["errors"] = _common_errors(records, report, errors)
        typer.echo(json.dumps(result, indent=2))
    else:
        _print_table(dataset, profile, report, seconds)
        if errors:
            _print_errors(_common_errors(records, report, errors))


def _print_table(dataset: Path, profile: str, report: Report, seconds: float) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{dataset.name} - profile {profile}", show_edge=False)
    for column in ("type", "support", "TP", "FP", "FN", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "type" else "right")

    def row(name: str, values: dict[str, float | int], style: str | None = None) -> None:
        table.add_row(
            name,
            *(str(values[k]) for k in ("support", "tp", "fp", "fn")),
            *(f"{values[k]:.3f}" for k in ("precision", "recall", "f1")),
            style=style,
        )

    for name in report.types:
        row(name, report.per_type[name].as_dict())
    table.add_section()
    row("overall (micro)", report.overall.as_dict(), style="bold")
    console = Console()
    console.print(table)
    rate = f"{report.false_alarm_rate:.1%}" if report.pii_free else "n/a"
    console.print(
        f"PII-free records flagged: {report.false_alarms}/{report.pii_free} ({rate})   "
        f"records: {report.records}   {report.records / seconds if seconds else 0:.0f} records/s"
    )
    if report.ignored:
        ignored = ", ".join(f"{name} ({count})" for name, count in sorted(report.ignored.items()))
        console.print(f"not scored (no matching type): {ignored}")
    console.print("match rule: same type and character IoU >= 0.5, one-to-one")


def _common_errors(records: list[Record], report: Report, limit: int) -> dict[str, dict[str, list[str]]]:
    """Per type, the ``limit`` most frequent masked snippets of misses (fn) and false positives (fp)."""
    from coatcheck.detect.evaluate import mask_snippet

    counters: dict[str, dict[str, Counter[str]]] = {}
    for case in report.errors:
        record = records[case.record]
        snippet = mask_snippet(record.text, case.start, case.end, hide=record.spans)
        counters.setdefault(case.type, {}).setdefault(case.kind, Counter())[snippet] += 1
    return {
        name: {kind: [s for s, _ in counter.most_common(limit)] for kind, counter in sorted(kinds.items())}
        for name, kinds in sorted(counters.items())
    }


def _print_errors(common: dict[str, dict[str, list[str]]]) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    for name, kinds in common.items():
        for kind, snippets in kinds.items():
            label = "missed" if kind == "fn" else "false positive"
            for snippet in snippets:
                console.print(f"{name} {label}: {escape(snippet)}")


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
