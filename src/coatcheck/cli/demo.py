"""`coatcheck demo`: detection on built-in sample messages, for a first look on a fresh machine."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["SAMPLES", "register"]

SAMPLES = (
    "Hi, I'm Sarah Chen. My card 4532 0151 1283 0366 was charged twice; reach me at sarah.chen@example.com "
    "or (415) 555-0132.",
    "Patient: Dr. Michael Brown saw Mrs. Alice Walker (DOB 03/12/1984, MRN 00482913) for type 2 diabetes; "
    "started metformin 500 mg.",
    "deploy failed: export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE and DATABASE_URL=postgres://app:s3cretpw@db:5432/prod",
    "Order #A-7731 shipped on 2024-03-12; tracking 1Z999AA10123456784, version 2.3.1, no personal data here.",
    "Wire to IBAN DE89 3704 0044 0532 0130 00, SSN 536-22-8817, from 203.0.113.42 at 221B Baker Street.",
)


def demo_command(
    profile: Annotated[str, typer.Option(help="fast or accurate")] = "accurate",
) -> None:
    """Detect personal data in sample messages and show what was found."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from coatcheck.detect.engine import Detector

    console = Console()
    detector = Detector(profile)  # type: ignore[arg-type]  # checked by Detector
    for sample, entities in zip(SAMPLES, detector.detect_batch(SAMPLES), strict=True):
        shown = Text(sample)
        for entity in entities:
            shown.stylize("bold reverse", entity.start, entity.end)
        console.print(shown)
        table = Table("type", "span", "score", "recognizer", show_edge=False)
        for entity in entities:
            table.add_row(entity.type, f"{entity.start}-{entity.end}", f"{entity.score:.2f}", entity.recognizer)
        console.print(table)
        console.print()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
