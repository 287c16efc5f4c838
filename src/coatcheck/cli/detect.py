"""`coatcheck detect`: JSON lines in, one JSON line of entities out per input."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from coatcheck.cli._io import exit_on_error, iter_text_lines, progress

__all__ = ["register"]

_BATCH = 64


def detect_command(
    path: Annotated[Path | None, typer.Argument(help="JSON lines or text file; stdin when omitted.")] = None,
    profile: Annotated[str, typer.Option(help="fast (no ML model) or accurate (adds NER).")] = "accurate",
) -> None:
    """Read `{"text": ...}` lines (or plain text lines) and write `{"entities": [...]}` per line."""
    from coatcheck.detect.engine import Detector

    with exit_on_error():
        detector = Detector(profile)  # type: ignore[arg-type]  # checked by Detector
        stream = path.open(encoding="utf-8") if path else sys.stdin
        texts = iter_text_lines(stream, str(path) if path else "<stdin>")
        with progress() as bar:
            task = bar.add_task("detecting", total=None)
            while batch := list(itertools.islice(texts, _BATCH)):
                for entities in detector.detect_batch(batch):
                    line = {"entities": [e.as_dict() for e in entities]}
                    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
                bar.advance(task, len(batch))


def register(app: typer.Typer) -> None:
    app.command("detect")(detect_command)
