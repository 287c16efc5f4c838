"""The terminal summary of a scan: rich tables of types, files, fields and input problems."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from coatcheck.entities import Sensitivity
from coatcheck.scan.report import ScanReport

__all__ = ["render_terminal"]

_CLASS_STYLE = {
    Sensitivity.PUBLIC: "dim",
    Sensitivity.INTERNAL: "cyan",
    Sensitivity.PERSONAL: "yellow",
    Sensitivity.SENSITIVE: "dark_orange",
    Sensitivity.REGULATED: "bold red",
}
_MAX_FIELDS = 12
_MAX_ISSUES = 20


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def render_terminal(report: ScanReport, console: Console | None = None, *, fields: bool = True) -> None:
    """Print the summary: types found (class, method), files, top fields per file, problems."""
    out = console or Console()
    types = report.types
    head = (
        f"[bold]{len(report.files)}[/] files, [bold]{report.records_scanned:,}[/] records scanned, "
        f"[bold]{report.affected:,}[/] with personal data or secrets, "
        f"[bold]{sum(s.count for s in types.values()):,}[/] findings in {report.seconds:.1f} s "
        f"(profile {report.profile}, methods for {report.destination})"
    )
    if report.sampling.get("mode") != "all":
        head += f" [dim]sampled: {report.sampling}[/]"
    out.print(head, highlight=False)
    if types:
        table = Table(title="Entity types", title_justify="left")
        for column in ("type", "class", "findings", "records", "example", "suggested method"):
            table.add_column(column, justify="right" if column in ("findings", "records") else "left")
        for name, stats in sorted(types.items(), key=lambda kv: (-kv[1].count, kv[0])):
            cls = report.classes.get(name, Sensitivity.REGULATED)
            table.add_row(
                name,
                f"[{_CLASS_STYLE[cls]}]{cls}[/]",
                f"{stats.count:,}",
                f"{stats.records:,}",
                escape(stats.example),
                report.methods.get(name, ""),
            )
        out.print(table)
    files = Table(title="Files", title_justify="left")
    for column in ("file", "format", "records", "affected", "types", "issues"):
        files.add_column(column, justify="right" if column in ("records", "affected", "issues") else "left")
    for f in report.files:
        kind = f.format + (".gz" if f.compressed else "")
        top = ", ".join(f"{t} {s.count:,}" for t, s in sorted(f.types.items(), key=lambda kv: -kv[1].count)[:4])
        files.add_row(
            escape(f.path) + ("" if f.complete else " [red](incomplete)[/]"),
            kind,
            f"{f.records_scanned:,}",
            _pct(f.share),
            top or "-",
            str(len(f.issues)) if f.issues else "",
        )
    out.print(files)
    if fields:
        for f in report.files:
            hot = sorted((fr for fr in f.fields.values() if fr.affected), key=lambda fr: (-fr.affected, fr.name))
            if not hot or (len(hot) == 1 and hot[0].name == "text"):
                continue
            table = Table(title=f"Fields of {escape(f.path)}", title_justify="left")
            for column in ("field", "affected", "types", "example"):
                table.add_column(column, justify="right" if column == "affected" else "left")
            for fr in hot[:_MAX_FIELDS]:
                ordered = sorted(fr.types.items(), key=lambda kv: -kv[1].count)
                table.add_row(
                    escape(fr.name),
                    _pct(fr.share),
                    ", ".join(f"{t} {s.count:,}" for t, s in ordered),
                    escape(ordered[0][1].example) if ordered else "",
                )
            if len(hot) > _MAX_FIELDS:
                table.caption = f"{len(hot) - _MAX_FIELDS} more fields in the JSON/HTML report"
            out.print(table)
    issues = report.issues
    if issues or report.missing:
        out.print(f"[yellow]{len(issues)} input problem(s)[/]", highlight=False)
        for path in report.missing:
            out.print(f"  {path}: no such file or folder", highlight=False, markup=False)
        for issue in issues[:_MAX_ISSUES]:
            out.print(f"  {issue}", highlight=False, markup=False)
        if len(issues) > _MAX_ISSUES:
            out.print(f"  ... and {len(issues) - _MAX_ISSUES} more (see --json)", highlight=False)
