"""The playground: detect, explain, decide and protect one sample for every destination of a (draft) policy.

The sample is what the user typed and it goes back only to them. Keys are the console's own ephemeral keyring,
never the deployed one: stand-ins and hashes here cannot be used to guess production values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from coatcheck.detect.engine import Candidate
from coatcheck.detect.types import Entity
from coatcheck.errors import InputError
from coatcheck.policy import EffectivePolicy
from coatcheck.policy.effective import selects
from coatcheck.policy.preview import collect_leaves
from coatcheck.protect import KeyMaterial, MethodTable, ProtectContext, protect_text
from coatcheck.protect.structured import Leaf, rebuild, restore_type

__all__ = ["MAX_INPUT_CHARS", "ListLookup", "in_review_band", "parse_sample", "run_preview", "run_turns"]

MAX_INPUT_CHARS = 100_000
MAX_TURNS = 20
# (entity type, value) -> "allow", "deny" or None: the review lists of the tenant.
ListLookup = Callable[[str, str], str | None]


def parse_sample(raw: str, fmt: str = "auto") -> Any:
    """The sample as a text or a JSON record (``fmt``: auto, text or json).

    Raises:
        InputError: too long, or not JSON when JSON was asked for (says line and column).
    """
    if len(raw) > MAX_INPUT_CHARS:
        raise InputError(f"a sample of more than {MAX_INPUT_CHARS} characters is not accepted here")
    if fmt not in ("auto", "text", "json"):
        raise InputError("format must be auto, text or json")
    stripped = raw.strip()
    if fmt == "json" or (fmt == "auto" and stripped[:1] in ("{", "[")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            if fmt == "auto":
                return raw
            raise InputError(
                f"the sample is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
        if isinstance(data, dict | list):
            return data
    return raw


def in_review_band(effective: EffectivePolicy, entity: Entity) -> bool:
    """Whether a kept detection lies in the policy's review band (``decisions.review``)."""
    review = effective.review
    if review is None or not review.low <= entity.score < review.high:
        return False
    sensitivity = effective.sensitivity(entity.type)
    if selects(effective.block, entity.type, sensitivity) is not None:
        return False
    return not review.targets or selects(review.targets, entity.type, sensitivity) is not None


def _path_name(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _overlaps(entity: Entity, kept: Sequence[Entity]) -> bool:
    return any(entity.start < k.end and k.start < entity.end for k in kept)


def _apply_lists(
    candidates: list[Candidate], lookup: ListLookup | None
) -> tuple[list[Candidate], dict[int, str]]:
    """Reviewed false positives are dropped; reviewed values found below their threshold are kept."""
    if lookup is None:
        return candidates, {}
    marks: dict[int, str] = {}
    out: list[Candidate] = []
    for candidate in candidates:
        entity = candidate.entity
        kind = lookup(entity.type, entity.text) if entity.text else None
        if kind == "allow" and candidate.dropped is None:
            candidate = replace(candidate, dropped="allow_list")
        if kind is not None:
            marks[len(out)] = kind
        out.append(candidate)
    kept = [c.entity for c in out if c.dropped is None]
    for index, candidate in enumerate(out):
        if marks.get(index) == "deny" and candidate.dropped == "below_threshold":
            if not _overlaps(candidate.entity, kept):
                out[index] = replace(candidate, dropped=None)
                kept.append(candidate.entity)
    return out, marks


def _candidates(leaf: Leaf, effective: EffectivePolicy) -> list[Candidate]:
    if leaf.entity_type is not None:
        if not leaf.text.strip():
            return []
        entity = Entity(leaf.entity_type, 0, len(leaf.text), 1.0, "field", leaf.text)
        return [Candidate(entity, effective.threshold_for(leaf.entity_type))]
    if not leaf.text.strip():
        return []
    return effective.detector().explain(leaf.text)


def _entity_json(effective: EffectivePolicy, c: Candidate, ident: str, mark: str | None) -> dict[str, Any]:
    e = c.entity
    return {
        "id": ident,
        "type": e.type,
        "start": e.start,
        "end": e.end,
        "score": round(e.score, 4),
        "threshold": round(c.threshold, 4),
        "recognizer": e.recognizer,
        "context": list(e.context),
        "sensitivity": str(effective.sensitivity(e.type)),
        "kept": c.dropped is None,
        "dropped": c.dropped,
        "lost_to": c.lost_to,
        "reviewed": mark,
        "review_band": c.dropped is None and in_review_band(effective, e),
    }


def _protect_leaves(
    effective: EffectivePolicy, destination: str, data: Any, leaves: list[Leaf], keys: KeyMaterial
) -> dict[str, Any]:
    ctx = ProtectContext(keys=keys, tenant=effective.tenant or "default")
    table = effective.method_table(destination)
    if isinstance(data, str):
        result = protect_text(data, leaves[0].entities, table, ctx)
        spans = [
            {"type": r.type, "method": r.method, "start": r.out_start, "end": r.out_end}
            for r in result.replacements
        ]
        return {"text": result.text, "replacements": spans}
    replacements: dict[tuple[str | int, ...], Any] = {}
    for leaf in leaves:
        if not leaf.entities:
            continue
        rule = effective.field_rule(leaf.path)
        override = rule.destinations.get(destination) if rule is not None else None
        methods = MethodTable(override.spec) if override is not None else table
        bound = leaf.field_name if leaf.entity_type is not None else None
        out = protect_text(leaf.text, leaf.entities, methods, ctx, field=bound)
        if out.text != leaf.text:
            replacements[leaf.path] = restore_type(leaf.value, out.text)
    return {"text": json.dumps(rebuild(data, replacements), indent=2, ensure_ascii=False), "replacements": []}


def run_preview(
    effective: EffectivePolicy, data: Any, keys: KeyMaterial, lookup: ListLookup | None = None
) -> dict[str, Any]:
    """Findings with explanations, the decision, and every destination's output, as the page's JSON."""
    leaves = collect_leaves(effective, data)
    shown = []
    kept_all: list[Entity] = []
    for index, leaf in enumerate(leaves):
        candidates, marks = _apply_lists(_candidates(leaf, effective), lookup)
        leaf.entities = [c.entity for c in candidates if c.dropped is None]
        kept_all += leaf.entities
        ordered = sorted(
            range(len(candidates)),
            key=lambda i: (candidates[i].dropped is not None, candidates[i].entity.start),
        )
        entities = [
            _entity_json(effective, candidates[i], f"e{index}-{n}", marks.get(i))
            for n, i in enumerate(ordered)
        ]
        shown.append({"path": _path_name(leaf.path), "text": leaf.text, "entities": entities})
    decision = effective.decide(kept_all)
    blocked = decision.action == "block" and not effective.is_observe
    outputs: dict[str, Any] = {}
    for name in effective.destination_names():
        outputs[name] = {"blocked": True} if blocked else _protect_leaves(effective, name, data, leaves, keys)
    counts: dict[str, int] = {}
    for e in kept_all:
        counts[e.type] = counts.get(e.type, 0) + 1
    return {
        "kind": "text" if isinstance(data, str) else "record",
        "leaves": shown,
        "counts": counts,
        "decision": {
            "action": decision.action,
            "types": list(decision.entity_types),
            "reasons": list(decision.reasons),
            "observe": decision.observe,
        },
        "outputs": outputs,
    }


def run_turns(
    effective: EffectivePolicy,
    turns: Sequence[str],
    destinations: Sequence[str],
    keys: KeyMaterial,
    lookup: ListLookup | None = None,
) -> dict[str, Any]:
    """Protect the turns of one conversation in order, with one session per destination, and show which
    detected values got which stand-in in every turn (the same value should get the same one)."""
    if not 1 <= len(turns) <= MAX_TURNS:
        raise InputError(f"between 1 and {MAX_TURNS} turns")
    if sum(len(t) for t in turns) > MAX_INPUT_CHARS:
        raise InputError(f"turns of more than {MAX_INPUT_CHARS} characters in all are not accepted here")
    for name in destinations:
        effective.rules_for(name)
    tenant = effective.tenant or "default"
    contexts = {name: ProtectContext(keys=keys, tenant=tenant) for name in destinations}
    detector = effective.detector()
    links: dict[tuple[str, str], dict[str, Any]] = {}
    per_type: dict[str, int] = {}
    out_turns = []
    for number, text in enumerate(turns):
        candidates, _ = _apply_lists(detector.explain(text) if text.strip() else [], lookup)
        entities = sorted((c.entity for c in candidates if c.dropped is None), key=lambda e: e.start)
        found: dict[int, dict[str, Any]] = {}  # entity start -> its link
        for e in entities:
            key = (e.type, " ".join(e.text.split()).casefold())
            link = links.get(key)
            if link is None:
                per_type[e.type] = per_type.get(e.type, 0) + 1
                outs: dict[str, list[str]] = {name: [] for name in destinations}
                link = links[key] = {
                    "id": f"{e.type} {per_type[e.type]}",
                    "type": e.type,
                    "turns": [],
                    "outputs": outs,
                }
            if number not in link["turns"]:
                link["turns"].append(number)
            found[e.start] = link
        outputs = {}
        for name in destinations:
            result = protect_text(text, entities, effective.method_table(name), contexts[name])
            spans = []
            for r in result.replacements:
                link = found.get(r.start)
                piece = result.text[r.out_start : r.out_end]
                spans.append({"type": r.type, "method": r.method, "start": r.out_start, "end": r.out_end,
                              "link": link["id"] if link else None})  # fmt: skip
                if link is not None and piece not in link["outputs"][name]:
                    link["outputs"][name].append(piece)
            outputs[name] = {"text": result.text, "replacements": spans}
        shown = [
            {"type": e.type, "start": e.start, "end": e.end, "link": found[e.start]["id"]} for e in entities
        ]
        out_turns.append({"entities": shown, "outputs": outputs})
    rows = []
    for link in links.values():
        link["consistent"] = {name: len(link["outputs"][name]) <= 1 for name in destinations}
        rows.append(link)
    return {"destinations": list(destinations), "turns": out_turns, "links": rows}
