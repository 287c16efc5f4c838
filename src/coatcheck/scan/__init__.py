"""Discovery: where personal data and secrets are in files and folders, how much, and what the policy would do.

Typical use::

    report = scan_paths(["exports/", "app.log.gz"], sample_rate=0.1)
    write_json(report, "scan.json")
    write_html(report, "scan.html")
"""

from __future__ import annotations

from coatcheck.scan.report import FieldReport, FileReport, ScanReport, TypeStats
from coatcheck.scan.scanner import Scanner, masked_example, scan_paths
from coatcheck.scan.writers import write_html, write_json

__all__ = [
    "FieldReport",
    "FileReport",
    "ScanReport",
    "Scanner",
    "TypeStats",
    "masked_example",
    "scan_paths",
    "write_html",
    "write_json",
]
