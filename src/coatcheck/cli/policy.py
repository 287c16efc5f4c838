"""`coatcheck policy`: check, explain, test and observe a policy file; print its JSON Schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coatcheck.errors import CoatcheckError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from coatcheck.policy import EffectivePolicy, Policy
    from coatcheck.policy.preview import Preview

__all__ = ["register"]

policy_app = typer.Typer(
    help="Policy as code: validate a policy, see why text is flagged, try it on samples, observe before enforcing.",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(help="The policy YAML file.")]
SamplesArg = Annotated[Path, typer.Argument(help="Samples: one text per line, or JSON lines (text or record).")]
TenantOpt = Annotated[str | None, typer.Option("--tenant", "-t", help="Tenant (default: the base policy).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Write JSON instead of tables.")]


def _console() -> Console:
    from rich.console import Console

    return Console(soft_wrap=False, markup=False, highlight=False)  # printed data must never be read as markup


def _fail(exc: CoatcheckError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


def _load(file: Path) -> Policy:
    from coatcheck.policy import load_policy

    return load_policy(file)


def _table(title: str, *columns: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


@policy_app.command("check")
def check_command(
    file: FileArg,
    tenant: TenantOpt = None,
    full: Annotated[bool, typer.Option(help="Show every type for tenants too, not only what they change.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit 1 when there are warnings.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Validate a policy and print the effective policy of the base and of each tenant."""
    from rich.text import Text

    from coatcheck.policy import effective_policy
    from coatcheck.policy.lint import lint

    try:
        policy = _load(file)
        names = [tenant] if tenant is not None else [None, *policy.tenant_names()]
        views = [effective_policy(policy, name) for name in names]
        warnings = lint(policy)
    except CoatcheckError as exc:
        raise _fail(exc) from None
    if json_out:
        sys.stdout.write(json.dumps({"policies": [v.as_dict() for v in views], "warnings": warnings}, indent=2))
        sys.stdout.write("\n")
    else:
        console = _console()
        console.print(
            Text.assemble(("ok", "bold green"), f": {file} is a valid policy ({len(policy.tenants)} tenant(s))")
        )
        for view in views:
            parent = None if view.tenant is None or full else _parent(policy, view)
            _print_effective(console, view, parent)
        for warning in warnings:
            console.print(Text.assemble(("warning", "yellow"), f": {warning}"))
    if strict and warnings:
        raise typer.Exit(1)


def _parent(policy: Policy, view: EffectivePolicy) -> EffectivePolicy:
    from coatcheck.policy import effective_policy

    return effective_policy(policy, None if len(view.lineage) == 2 else view.lineage[-2])


def _print_effective(console: Console, view: EffectivePolicy, parent: EffectivePolicy | None) -> None:
    from rich.rule import Rule

    data = view.as_dict()
    title = "base policy" if view.tenant is None else f"tenant {view.tenant} ({' -> '.join(view.lineage)})"
    console.print(Rule(title))
    detection = data["detection"]
    console.print(
        f"mode: {view.mode}   profile: {view.profile}   min_score: {view.min_score}   "
        f"allow: {detection['allow_values']} value(s)   deny: {detection['deny_values']} value(s)"
    )
    if detection["recognizers"]:
        console.print("recognizers: " + ", ".join(detection["recognizers"]))
    destinations = view.destination_names()
    table = _table("method per entity type", "type", "class", "threshold", *destinations)
    for name, sensitivity in sorted(view.classification.items(), key=lambda kv: (-kv[1], kv[0])):
        cells = [str(view.rules_for(d)[name]) for d in destinations]
        threshold = f"{view.threshold_for(name):g}"
        if parent is not None:
            before = [str(parent.rules_for(d)[name]) if d in parent.destinations else "" for d in destinations]
            unchanged = before == cells and parent.sensitivity(name) == sensitivity
            if unchanged and parent.threshold_for(name) == view.threshold_for(name):
                continue
        table.add_row(name, str(sensitivity), threshold, *cells)
    if table.row_count:
        console.print(table)
    elif parent is not None:
        console.print("methods, classes and thresholds: as its parent")
    review = data["decisions"]["review"]
    console.print(f"block: {', '.join(view.block) or '(nothing)'}")
    if review:
        targets = ", ".join(review["targets"]) or "all types"
        console.print(f"review: scores in [{review['low']:g}, {review['high']:g}) for {targets}")
    console.print(f"response (new data in model output): {view.response.action} {', '.join(view.response.targets)}")
    persistent = "never" if view.retention_persistent is None else f"{view.retention_persistent}s"
    console.print(f"retention: request {view.retention_request}s, persistent {persistent}")
    for grant in view.access:
        console.print(
            f"access: {grant.role} may {'/'.join(grant.may)} {', '.join(grant.targets)} for {', '.join(grant.purposes)}"
        )
    for rule in view.fields:
        console.print(f"field {rule.path}: " + json.dumps(rule.model_dump(exclude_defaults=True, exclude={"path"})))


@policy_app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of policy files (for editors)."""
    from coatcheck.policy import policy_schema

    sys.stdout.write(json.dumps(policy_schema(), indent=2) + "\n")


@policy_app.command("explain")
def explain_command(
    file: FileArg,
    text: Annotated[str, typer.Argument(help="The text to explain.")],
    tenant: TenantOpt = None,
    show_values: Annotated[bool, typer.Option(help="Print matched values (default: their shape only).")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Why each entity was found, and why each other candidate was dropped."""
    from coatcheck.policy import effective_policy
    from coatcheck.policy.observe import mask_shape

    try:
        view = effective_policy(_load(file), tenant)
        candidates = view.detector().explain(text)
    except CoatcheckError as exc:
        raise _fail(exc) from None
    candidates.sort(key=lambda c: (c.entity.start, c.dropped is not None))
    rows: list[dict[str, Any]] = []
    for c in candidates:
        e = c.entity
        value = e.text if show_values else mask_shape(e.text)
        status = "kept" if c.dropped is None else f"dropped: {_reason(c.dropped, c.lost_to)}"
        rows.append(
            {
                "status": status,
                "type": e.type,
                "start": e.start,
                "end": e.end,
                "value": value,
                "score": round(e.score, 4),
                "threshold": c.threshold,
                "recognizer": e.recognizer,
                "context": list(e.context),
            }
        )
    decision = view.decide([c.entity for c in candidates if c.dropped is None])
    if json_out:
        out = {"entities": rows, "decision": {"action": decision.action, "reasons": list(decision.reasons)}}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return
    from rich.text import Text

    table = _table("candidates", "status", "type", "span", "value", "score", "threshold", "recognizer", "context")
    for c, row in zip(candidates, rows, strict=True):
        e = c.entity
        cells = [
            row["status"],
            e.type,
            f"{e.start}-{e.end}",
            row["value"],
            f"{e.score:.2f}",
            f"{c.threshold:g}",
            e.recognizer,
            ", ".join(e.context),
        ]
        table.add_row(*(Text(str(cell)) for cell in cells))
    console = _console()
    console.print(table if rows else "no candidates")
    console.print(Text(f"decision: {decision.action}" + "".join(f"\n  {r}" for r in decision.reasons)))


def _reason(dropped: str, lost_to: str | None) -> str:
    return {
        "validator": "its validator rejected it",
        "below_threshold": "score below the threshold",
        "allow_list": "allow-listed",
        "overlap": f"overlap lost to {lost_to}",
        "type_filter": "type not requested",
    }.get(dropped, dropped)


@policy_app.command("test")
def samples_command(
    file: FileArg,
    samples: SamplesArg,
    tenant: TenantOpt = None,
    destination: Annotated[
        list[str] | None, typer.Option("--destination", "-d", help="Only these destinations (repeatable).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Show, for each sample, what every destination would receive, side by side, with the detections."""
    from coatcheck.policy import effective_policy
    from coatcheck.policy.preview import preview
    from coatcheck.policy.samples import read_samples

    console = _console()
    try:
        policy = _load(file)
        for sample in read_samples(samples):
            view = effective_policy(policy, sample.tenant or tenant)
            result = preview(view, sample.data, destinations=destination)
            if json_out:
                sys.stdout.write(json.dumps(_preview_dict(sample.label, result), ensure_ascii=False) + "\n")
            else:
                _print_preview(console, sample.label, result)
    except CoatcheckError as exc:
        raise _fail(exc) from None


def _preview_dict(label: str, result: Preview) -> dict[str, Any]:
    return {
        "sample": label,
        "tenant": result.tenant,
        "observe": result.observe,
        "decision": {"action": result.decision.action, "reasons": list(result.decision.reasons)},
        "entities": [{"path": f.path, **f.entity.as_dict()} for f in result.findings],
        "outputs": dict(result.outputs),
    }


def _print_preview(console: Console, label: str, result: Preview) -> None:
    from rich.table import Table
    from rich.text import Text

    who = f" tenant {result.tenant}" if result.tenant else ""
    note = " (observe mode: destinations receive the original; this is what enforce would send)"
    title = f"{label}{who}: {result.decision.action}" + (note if result.observe else "")
    table = Table(title=Text(title), title_justify="left", show_lines=True)
    for name in result.outputs:
        table.add_column(name, overflow="fold")
    cells = []
    for output in result.outputs.values():
        if output is None:
            cells.append(Text("BLOCKED", style="red"))
        else:
            cells.append(Text(output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)))
    table.add_row(*cells)
    console.print(table)
    found = ", ".join(
        f"{f.path + ': ' if f.path else ''}{f.entity.type} {f.entity.start}-{f.entity.end} ({f.entity.score:.2f})"
        for f in result.findings
    )
    console.print(Text(f"entities: {found or '(none)'}"))
    for reason in result.decision.reasons:
        console.print(Text(f"  {reason}"))


@policy_app.command("observe")
def observe_command(
    file: FileArg,
    samples: SamplesArg,
    tenant: TenantOpt = None,
    margin: Annotated[float, typer.Option(help="Distance from the threshold that counts as low confidence.")] = 0.15,
    limit: Annotated[int, typer.Option(help="Low-confidence detections to list.")] = 20,
    json_out: JsonOpt = False,
) -> None:
    """Report, by tenant and type, what the policy would protect or block, changing nothing."""
    from rich.text import Text

    from coatcheck.policy.observe import observe
    from coatcheck.policy.samples import read_samples

    try:
        report = observe(_load(file), read_samples(samples), tenant=tenant, margin=margin, limit=limit)
    except CoatcheckError as exc:
        raise _fail(exc) from None
    if json_out:
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    console = _console()
    for name, tenant_report in report.tenants.items():
        d = tenant_report.decisions
        console.print(
            f"{name} ({tenant_report.mode}): {tenant_report.samples} sample(s); "
            f"would block {d['block']}, review {d['review']}, allow {d['allow']}"
        )
        if not tenant_report.types:
            continue
        destinations = list(next(iter(tenant_report.types.values())).methods)
        table = _table("", "type", "found", "samples", "blocked", *destinations)
        for entity_type, row in sorted(tenant_report.types.items()):
            methods = [row.methods[dest] for dest in destinations]
            table.add_row(entity_type, str(row.detected), str(row.samples), str(row.blocked_samples), *methods)
        console.print(table)
    if report.low_confidence:
        table = _table(
            f"low-confidence detections ({len(report.low_confidence)} of {report.low_confidence_total})",
            "tenant",
            "sample",
            "type",
            "score",
            "threshold",
            "status",
            "snippet",
        )
        for item in report.low_confidence:
            status = "kept" if item.kept else "dropped"
            cells = (
                item.tenant,
                item.sample,
                item.type,
                f"{item.score:.2f}",
                f"{item.threshold:g}",
                status,
                item.snippet,
            )
            table.add_row(*(Text(c) for c in cells))
        console.print(table)


def register(app: typer.Typer) -> None:
    """Add the `policy` command group."""
    app.add_typer(policy_app, name="policy")
