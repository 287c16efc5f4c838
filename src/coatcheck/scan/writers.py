"""Write reports atomically: a temporary file next to the target, then `os.replace`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from coatcheck.errors import InputError
from coatcheck.scan.html import render_html
from coatcheck.scan.report import ScanReport

__all__ = ["atomic_write_text", "write_html", "write_json"]


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one, never a part.

    Raises:
        InputError: the folder is missing or not writable.
    """
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"{target}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(report: ScanReport, path: str | os.PathLike[str]) -> None:
    """The JSON report (see `ScanReport.as_dict`)."""
    atomic_write_text(path, json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")


def write_html(report: ScanReport, path: str | os.PathLike[str]) -> None:
    """The self-contained HTML report."""
    atomic_write_text(path, render_html(report))
