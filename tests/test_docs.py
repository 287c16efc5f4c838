"""The README's taxonomy table is generated from entities.py and must not drift."""

from __future__ import annotations

from pathlib import Path

from coatcheck.entities import taxonomy_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_taxonomy_matches_entities_table() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- taxonomy:start -->\n", 1)[1].split("\n<!-- taxonomy:end -->", 1)[0]
    assert block == taxonomy_markdown()
