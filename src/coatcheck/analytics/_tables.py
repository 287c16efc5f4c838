"""Reading a whole table (CSV, TSV, JSON lines, Parquet) into pandas, and writing one atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Literal

import pandas as pd

from coatcheck.errors import InputError

__all__ = ["read_table", "table_format", "write_table"]

TableFormat = Literal["csv", "tsv", "jsonl", "parquet"]
_SUFFIXES: dict[str, TableFormat] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def table_format(path: str | os.PathLike[str]) -> TableFormat:
    """The format named by the file's suffix (``.csv.gz`` is CSV)."""
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    found = _SUFFIXES.get(Path(name).suffix)
    if found is None:
        raise InputError(f"{Path(path).name}: unknown table format; use .csv, .tsv, .jsonl or .parquet")
    return found


def read_table(path: str | os.PathLike[str], *, as_text: bool = False) -> pd.DataFrame:
    """Read a table. ``as_text`` keeps every cell as written (ZIP ``02139`` stays text; empty stays ``""``).

    Raises:
        InputError: missing file, unknown format, or unreadable content (the message names the file, not data).
    """
    source = Path(path)
    fmt = table_format(source)
    if not source.is_file():
        raise InputError(f"no such file: {source}")
    try:
        if fmt == "parquet":
            frame = pd.read_parquet(source)
            return frame.astype("string").fillna("").astype(object) if as_text else frame
        if fmt == "jsonl":
            frame = pd.read_json(source, lines=True, dtype=False if as_text else True)
            return frame.astype("string").fillna("").astype(object) if as_text else frame
        sep = "\t" if fmt == "tsv" else ","
        if as_text:
            return pd.read_csv(source, sep=sep, dtype=str, keep_default_na=False)
        return pd.read_csv(source, sep=sep)
    except (ValueError, OSError, NotImplementedError) as exc:  # pandas and pyarrow parse errors subclass these
        raise InputError(f"{source}: cannot read as {fmt} ({type(exc).__name__})") from None


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write ``frame`` in the format of ``path``'s suffix, atomically (temp file in the same folder + replace)."""
    target = Path(path)
    fmt = table_format(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        if fmt == "parquet":
            frame.to_parquet(temp, index=False)
        elif fmt == "jsonl":
            frame.to_json(temp, orient="records", lines=True, force_ascii=False)
        else:
            gzip = target.name.lower().endswith(".gz")
            frame.to_csv(temp, sep="\t" if fmt == "tsv" else ",", index=False, compression="gzip" if gzip else None)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
