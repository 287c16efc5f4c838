"""The sidecar checkpoint of a resumable job: what input and configuration, how far, what was done.

A chunk counts as done only once its output is on disk (flushed and fsynced) AND the checkpoint naming it has
been atomically replaced. Output written after the last checkpoint is cut off on resume, so a crash at any
instant leaves a job that resumes without duplicates or gaps.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Checkpoint", "checkpoint_path", "partial_path", "source_fingerprint"]

_VERSION = 1


def checkpoint_path(output: Path) -> Path:
    return output.with_name(output.name + ".ckpt.json")


def partial_path(output: Path) -> Path:
    return output.with_name(output.name + ".partial")


def source_fingerprint(path: Path) -> dict[str, Any]:
    """Identity of the input: a checkpoint of another (or a changed) file is never resumed."""
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


@dataclass(slots=True)
class Checkpoint:
    """Progress of one job.

    Attributes:
        source: `source_fingerprint` of the input.
        config: `ProtectSpec.fingerprint` plus format options.
        in_offset: input bytes (decompressed) fully processed.
        line: the line number at ``in_offset``.
        out_offset: output bytes committed; the partial output is truncated to this on resume.
        chunks: chunks committed (line formats), or the indexes of committed parts (Parquet).
        records: records committed.
        counts: entities protected by type.
        matched: field-policy paths that matched something.
    """

    source: dict[str, Any]
    config: str
    in_offset: int = 0
    line: int = 1
    out_offset: int = 0
    chunks: int = 0
    parts: list[int] = field(default_factory=list)
    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    matched: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, source: dict[str, Any], config: str) -> Checkpoint | None:
        """The checkpoint at ``path`` if it belongs to this input and configuration, else None."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.pop("version", None) != _VERSION:
            return None
        try:
            found = cls(**data)
        except TypeError:
            return None
        if found.source != source or found.config != config:
            return None
        return found

    def save(self, path: Path) -> None:
        """Atomically replace the checkpoint file."""
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"version": _VERSION, **asdict(self)}, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
