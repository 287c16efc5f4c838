"""A self-contained HTML report: inline CSS and SVG charts, no script and no network, opens offline anywhere.

Every string from the data (paths, field names, masked examples) is escaped; raw values are never in it.
"""

from __future__ import annotations

import math
from html import escape

from coatcheck.entities import Sensitivity
from coatcheck.scan.report import FileReport, ScanReport

__all__ = ["render_html"]

_PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#17becf",
)  # fmt: skip
_CLASS_COLOR = {
    Sensitivity.PUBLIC: "#9aa5b1",
    Sensitivity.INTERNAL: "#4e9fd1",
    Sensitivity.PERSONAL: "#e3b505",
    Sensitivity.SENSITIVE: "#f28e2b",
    Sensitivity.REGULATED: "#d1495b",
}
_MAX_FILES = 20
_MAX_HEAT_ROWS = 40
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2733;background:#f6f8fa}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}h3{font-size:15px;margin:18px 0 8px}
.meta{color:#5b6775}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:20px}.panel{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:14px;
overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:5px 8px;
border-bottom:1px solid #e8edf2;vertical-align:top}th{background:#eef2f6;font-weight:600}td.n{text-align:right;
font-variant-numeric:tabular-nums}code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f0f3f6;
padding:1px 4px;border-radius:4px}.legend span{display:inline-block;margin:0 12px 4px 0}.sw{display:inline-block;
width:10px;height:10px;border-radius:2px;margin-right:4px}.cls{padding:1px 6px;border-radius:9px;color:#fff;
font-size:12px}.warn{color:#a4262c}details{margin:8px 0}summary{cursor:pointer;font-weight:600}
svg text{font:12px system-ui,sans-serif;fill:#1d2733}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0.0%"


def _colors(report: ScanReport) -> dict[str, str]:
    order = sorted(report.types.items(), key=lambda kv: (-kv[1].count, kv[0]))
    return {name: _PALETTE[i % len(_PALETTE)] for i, (name, _) in enumerate(order)}


def _class_badge(cls: Sensitivity) -> str:
    return f'<span class="cls" style="background:{_CLASS_COLOR[cls]}">{_e(cls)}</span>'


def _types_by_file(report: ScanReport, colors: dict[str, str]) -> str:
    files = sorted((f for f in report.files if f.count), key=lambda f: -f.count)[:_MAX_FILES]
    if not files:
        return "<p>No personal data or secrets found.</p>"
    label_w, bar_w, row_h = 260, 640, 24
    top = max(f.count for f in files)
    rows = []
    for i, f in enumerate(files):
        y = i * row_h
        x = float(label_w)
        name = f.path if len(f.path) <= 38 else "…" + f.path[-37:]
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{_e(name)}<title>{_e(f.path)}</title></text>'
        )
        for t, stats in sorted(f.types.items(), key=lambda kv: -kv[1].count):
            w = bar_w * stats.count / top
            rows.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{max(w, 0.5):.1f}" height="{row_h - 8}" fill="{colors[t]}">'
                f"<title>{_e(t)}: {stats.count:,} in {stats.records:,} records</title></rect>"
            )
            x += w
        rows.append(f'<text x="{x + 6:.1f}" y="{y + 16}">{f.count:,}</text>')
    height = len(files) * row_h + 4
    legend = "".join(
        f'<span><i class="sw" style="background:{c}"></i>{_e(t)}</span>' for t, c in colors.items()
    )
    svg = (
        f'<svg role="img" aria-label="entity types by file" width="{label_w + bar_w + 80}" height="{height}" '
        f'viewBox="0 0 {label_w + bar_w + 80} {height}">{"".join(rows)}</svg>'
    )
    return f'<div class="legend">{legend}</div>{svg}'


def _classes(report: ScanReport) -> str:
    counts = report.by_class()
    top = max(counts.values()) or 1
    label_w, bar_w, row_h = 110, 520, 26
    rows = []
    for i, cls in enumerate(sorted(counts, reverse=True)):
        y = i * row_h
        w = bar_w * counts[cls] / top
        rows.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{_e(cls)}</text>')
        rows.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{max(w, 0.5):.1f}" height="{row_h - 10}" '
            f'fill="{_CLASS_COLOR[cls]}"><title>{_e(cls)}: {counts[cls]:,} findings</title></rect>'
        )
        rows.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 17}">{counts[cls]:,}</text>')
    height = len(counts) * row_h
    return (
        f'<svg role="img" aria-label="findings by sensitivity class" width="{label_w + bar_w + 80}" '
        f'height="{height}" viewBox="0 0 {label_w + bar_w + 80} {height}">{"".join(rows)}</svg>'
    )


def _heat_map(report: ScanReport) -> str:
    cells = [
        (f, fr)
        for f in report.files
        for fr in f.fields.values()
        if fr.affected
    ]
    if not cells:
        return "<p>No field holds personal data or secrets.</p>"
    cells.sort(key=lambda c: (-c[1].affected, c[0].path, c[1].name))
    cells = cells[:_MAX_HEAT_ROWS]
    types = sorted({t for _, fr in cells for t in fr.types}, key=lambda t: -report.types[t].count)
    label_w, cell, head_h = 300, 34, 130
    parts = []
    for j, t in enumerate(types):
        x = label_w + j * cell + cell / 2
        parts.append(
            f'<text transform="translate({x:.0f},{head_h - 6}) rotate(-60)">{_e(t)}</text>'
        )
    multi = len(report.files) > 1
    for i, (f, fr) in enumerate(cells):
        y = head_h + i * cell
        label = f"{f.path.rsplit('/', 1)[-1]}: {fr.name}" if multi else fr.name
        label = label if len(label) <= 42 else "…" + label[-41:]
        parts.append(
            f'<text x="{label_w - 8}" y="{y + cell / 2 + 4:.0f}" text-anchor="end">{_e(label)}'
            f"<title>{_e(f.path)} / {_e(fr.name)}</title></text>"
        )
        for j, t in enumerate(types):
            stats = fr.types.get(t)
            x = label_w + j * cell
            if stats is None:
                parts.append(
                    f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="#f0f3f6"/>'
                )
                continue
            share = stats.records / fr.records if fr.records else 0.0
            alpha = 0.15 + 0.85 * math.sqrt(share)
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="#d1495b" '
                f'fill-opacity="{alpha:.2f}"><title>{_e(fr.name)} / {_e(t)}: {stats.count:,} findings, '
                f"{100 * share:.1f}% of its records</title></rect>"
            )
            text = f"{stats.count:,}" if stats.count < 10_000 else f"{stats.count / 1000:.0f}k"
            fill = "#fff" if alpha > 0.6 else "#1d2733"
            parts.append(
                f'<text x="{x + (cell - 2) / 2:.0f}" y="{y + cell / 2 + 3:.0f}" text-anchor="middle" '
                f'style="font-size:10px;fill:{fill}">{text}</text>'
            )
    width = label_w + len(types) * cell + 10
    height = head_h + len(cells) * cell
    return (
        f'<svg role="img" aria-label="heat map of fields by entity type" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
        "<p class=meta>Shade: share of the field's records holding the type; number: findings.</p>"
    )


def _types_table(report: ScanReport, colors: dict[str, str]) -> str:
    rows = []
    for name, stats in sorted(report.types.items(), key=lambda kv: (-kv[1].count, kv[0])):
        cls = report.classes.get(name, Sensitivity.REGULATED)
        rows.append(
            f'<tr><td><i class="sw" style="background:{colors[name]}"></i><code>{_e(name)}</code></td>'
            f"<td>{_class_badge(cls)}</td><td class=n>{stats.count:,}</td><td class=n>{stats.records:,}</td>"
            f"<td><code>{_e(stats.example)}</code></td><td><code>{_e(report.methods.get(name, ''))}</code></td></tr>"
        )
    if not rows:
        return "<p>Nothing found.</p>"
    return (
        "<table><tr><th>type</th><th>class</th><th>findings</th><th>records</th><th>masked example</th>"
        f"<th>suggested method ({_e(report.destination)})</th></tr>{''.join(rows)}</table>"
    )


def _file_section(f: FileReport) -> str:
    kind = f.format + (" (gzip)" if f.compressed else "")
    status = "" if f.complete else ' <span class="warn">incomplete</span>'
    head = (
        f"<summary><code>{_e(f.path)}</code> {_e(kind)}, {f.records_scanned:,} records, "
        f"{_pct(f.affected, f.records_scanned)} affected{status}</summary>"
    )
    rows = []
    for fr in sorted(f.fields.values(), key=lambda fr: (-fr.affected, fr.name)):
        types = ", ".join(
            f"{_e(t)} {s.count:,}" for t, s in sorted(fr.types.items(), key=lambda kv: -kv[1].count)
        )
        examples = " ".join(f"<code>{_e(s.example)}</code>" for s in fr.types.values())
        rows.append(
            f"<tr><td><code>{_e(fr.name)}</code></td><td class=n>{fr.records:,}</td>"
            f"<td class=n>{_pct(fr.affected, fr.records)}</td><td>{types or '-'}</td><td>{examples}</td></tr>"
        )
    table = (
        "<table><tr><th>field</th><th>records</th><th>affected</th><th>types</th><th>masked examples</th></tr>"
        f"{''.join(rows)}</table>"
        if rows
        else "<p>No records.</p>"
    )
    issues = ""
    if f.issues:
        items = "".join(
            f"<tr><td class=n>{_e(i.line if i.line is not None else '-')}</td><td>{_e(i.kind)}</td>"
            f"<td>{_e(i.message)}</td></tr>"
            for i in f.issues[:200]
        )
        more = f"<p class=meta>{len(f.issues) - 200} more in the JSON report.</p>" if len(f.issues) > 200 else ""
        issues = (
            f"<h3>Input problems</h3><table><tr><th>{_e(f.issues[0].unit)}</th><th>kind</th><th>problem</th></tr>"
            f"{items}</table>{more}"
        )
    return f"<details{' open' if f.count else ''}>{head}{table}{issues}</details>"


def render_html(report: ScanReport) -> str:
    """The whole report as one HTML document (no external resources, no script)."""
    colors = _colors(report)
    types = report.types
    findings = sum(s.count for s in types.values())
    highest = report.highest_class()
    cards = [
        ("files", f"{len(report.files):,}"),
        ("records scanned", f"{report.records_scanned:,}"),
        ("with findings", f"{report.affected:,} ({_pct(report.affected, report.records_scanned)})"),
        ("findings", f"{findings:,}"),
        ("highest class", str(highest) if highest is not None else "none"),
        ("input problems", f"{len(report.issues):,}"),
    ]
    sampling = "" if report.sampling.get("mode") == "all" else f" Sampled: {_e(report.sampling)}."
    missing = "".join(f"<li><code>{_e(p)}</code>: no such file or folder</li>" for p in report.missing)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>coatcheck scan report</title><style>{_CSS}</style></head><body><main>"
        "<h1>coatcheck scan report</h1>"
        f'<p class="meta">Generated {_e(report.generated)} in {report.seconds:.1f} s; profile {_e(report.profile)}; '
        f"policy {_e(report.policy)}; methods for destination <code>{_e(report.destination)}</code>.{sampling} "
        "Examples are masked; no raw value is in this report.</p>"
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{_e(v)}</b>{_e(k)}</div>' for k, v in cards)
        + "</div>"
        f'<h2>Entity types</h2><div class="panel">{_types_table(report, colors)}</div>'
        f'<h2>Types by file</h2><div class="panel">{_types_by_file(report, colors)}</div>'
        f'<h2>Sensitivity classes</h2><div class="panel">{_classes(report)}</div>'
        f'<h2>Fields</h2><div class="panel">{_heat_map(report)}</div>'
        "<h2>Files</h2>" + "".join(_file_section(f) for f in report.files)
        + (f"<h2>Missing paths</h2><ul>{missing}</ul>" if missing else "")
        + "</main></body></html>\n"
    )
