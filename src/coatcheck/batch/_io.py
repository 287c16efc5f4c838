"""Opening inputs: format by suffix, gzip by magic bytes, and a byte position for progress and resume."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import BinaryIO, Literal, cast

from coatcheck.errors import InputError

__all__ = ["FORMATS", "Format", "Source", "infer_format", "is_gzip", "iter_files", "open_binary"]

Format = Literal["text", "jsonl", "json", "csv", "tsv", "parquet"]
FORMATS: tuple[Format, ...] = ("text", "jsonl", "json", "csv", "tsv", "parquet")
_SUFFIXES: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_BY_NAME: dict[str, Format] = {f: f for f in FORMATS}
_GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | os.PathLike[str]) -> bool:
    """Whether the file starts with the gzip magic bytes (the suffix is not trusted)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == _GZIP_MAGIC
    except OSError:
        return False


def infer_format(path: str | os.PathLike[str], explicit: str | None = None) -> Format:
    """The record format: ``explicit`` when given, else from the suffix (``.jsonl.gz`` is jsonl), else text.

    Raises:
        InputError: ``explicit`` names no known format.
    """
    if explicit and explicit != "auto":
        known = _BY_NAME.get(explicit)
        if known is None:
            raise InputError(f"unknown format {explicit!r}; choose one of {', '.join(FORMATS)}")
        return known
    name = Path(path).name.lower()
    if name.endswith((".gz", ".gzip")):
        name = name.rsplit(".", 1)[0]
    return _SUFFIXES.get(Path(name).suffix, "text")


class Source:
    """A binary input stream, gunzipped when needed, that knows how many input bytes it has consumed.

    ``position`` counts bytes of the file on disk (compressed bytes for gzip), which is what progress bars
    and throughput are measured in.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        try:
            self._raw: BinaryIO = open(path, "rb")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read ({exc.strerror})") from None
        self.size = os.fstat(self._raw.fileno()).st_size
        self.compressed = self._raw.read(2) == _GZIP_MAGIC
        self._raw.seek(0)
        self.stream: BinaryIO = (
            cast(BinaryIO, gzip.GzipFile(fileobj=self._raw, mode="rb")) if self.compressed else self._raw
        )

    @property
    def position(self) -> int:
        """Bytes of the file consumed so far."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return self.size

    def close(self) -> None:
        if self.stream is not self._raw:
            self.stream.close()
        self._raw.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_binary(path: str | os.PathLike[str]) -> Source:
    """A `Source` for ``path`` (see there)."""
    return Source(path)


def iter_files(paths: list[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Every regular file under ``paths`` (folders walked in sorted order, hidden entries skipped), and the
    paths that do not exist."""
    files: list[Path] = []
    missing: list[str] = []
    for given in paths:
        root = Path(given)
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            for folder, dirs, names in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(Path(folder) / n for n in sorted(names) if not n.startswith("."))
        else:
            missing.append(str(given))
    return files, missing
