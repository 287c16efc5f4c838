"""Tolerant record readers for discovery: every record as (field, text) pairs, every problem as an `Issue`.

Discovery must get through messy data, so readers never raise on bad content: a line that is not JSON, a ragged
CSV row, bytes that are not UTF-8 or a truncated gzip stream each become an `Issue` naming file and line, and
reading goes on where it can. Issues never quote the content.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from coatcheck.batch._io import Format, Source, infer_format
from coatcheck.errors import InputError

__all__ = ["Issue", "Record", "RecordReader", "flatten"]

IssueKind = Literal["unreadable", "encoding", "truncated", "json", "csv", "ragged", "binary", "parquet", "too_large"]
_JSON_MAX_BYTES = 256 << 20
_TEXT_FIELD = "text"
_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem with the input: where it is and what it is, never the content.

    Attributes:
        path: the file.
        line: the line (text, JSONL, CSV), row (Parquet) or item (JSON array) number, 1-based; None for the file.
        kind: a short machine-readable category.
        message: what is wrong, for people.
        unit: what ``line`` counts.
    """

    path: str
    line: int | None
    kind: IssueKind
    message: str
    unit: str = "line"

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        if self.unit == "line":
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.unit} {self.line}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "unit": self.unit, "kind": self.kind, "message": self.message}


@dataclass(slots=True)
class Record:
    """One record: where it starts and its scannable values as (field path, text) pairs."""

    line: int
    fields: list[tuple[str, str]] = field(repr=False)


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """The string and integer leaves of a JSON-like value, with list indexes generalized (``items[*].email``).

    Integers are included because identifiers (phone numbers, account numbers) are often stored as numbers.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from flatten(item, f"{prefix}[*]")
    elif isinstance(value, str):
        yield prefix or "$", value
    elif isinstance(value, int) and not isinstance(value, bool):
        yield prefix or "$", str(value)


class RecordReader:
    """Read one file as records, whatever its format, reporting problems as `Issue` items in the stream.

    Iterating yields `Record` and `Issue` objects in file order. ``position`` and ``size`` are in bytes of the
    file on disk, for progress.
    """

    def __init__(self, path: str, fmt: str | None = None) -> None:
        self.path = path
        self.format: Format = infer_format(path, fmt)
        self.unit = {"parquet": "row", "json": "item"}.get(self.format, "line")
        self._source: Source | None = None
        self._done_bytes = 0
        self.compressed = False
        try:
            self.size = os.stat(path).st_size
        except OSError:
            self.size = 0

    @property
    def position(self) -> int:
        if self._source is not None:
            return self._source.position
        return self._done_bytes

    def __iter__(self) -> Iterator[Record | Issue]:
        if self.format == "parquet":
            yield from self._parquet()
            self._done_bytes = self.size
            return
        try:
            source = Source(self.path)
        except InputError as exc:
            yield Issue(self.path, None, "unreadable", str(exc).removeprefix(f"{self.path}: "))
            return
        self._source = source
        self.compressed = source.compressed
        try:
            if self.format == "json":
                yield from self._json(source)
            elif self.format in ("csv", "tsv"):
                yield from self._csv(source)
            else:
                yield from self._lines_as_records(source)
        finally:
            self._done_bytes = self.size
            self._source = None
            source.close()

    # -- lines ---------------------------------------------------------------------------------------------

    def _raw_lines(self, source: Source, issues: list[Issue]) -> Iterator[tuple[int, str]]:
        """Decoded lines with their numbers; decoding and stream problems go to ``issues``."""
        stream = source.stream
        try:
            head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
        except (OSError, EOFError, zlib.error) as exc:
            issues.append(self._stream_issue(exc, 0))
            return
        if head.startswith(_BOMS):
            yield from self._utf16_lines(source, issues)
            return
        if self.format == "text" and b"\x00" in (stream.peek(8192)[:8192] if hasattr(stream, "peek") else b""):
            issues.append(Issue(self.path, None, "binary", "looks like a binary file (NUL bytes); skipped"))
            return
        number = 0
        lines = iter(stream)
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                return
            except (OSError, EOFError, zlib.error) as exc:
                issues.append(self._stream_issue(exc, number))
                return
            number += 1
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                text = raw.decode("cp1252", errors="replace")
                issues.append(
                    Issue(
                        self.path,
                        number,
                        "encoding",
                        f"not valid UTF-8 (byte {exc.start} of the line); read as Windows-1252",
                    )
                )
            yield number, text

    def _utf16_lines(self, source: Source, issues: list[Issue]) -> Iterator[tuple[int, str]]:
        wrapper = io.TextIOWrapper(source.stream, encoding="utf-16", errors="replace", newline="")
        number = 0
        try:
            for number, text in enumerate(wrapper, 1):
                yield number, text
        except (OSError, EOFError, zlib.error) as exc:
            issues.append(self._stream_issue(exc, number))
        finally:
            wrapper.detach()

    def _stream_issue(self, exc: BaseException, after: int) -> Issue:
        if isinstance(exc, EOFError):
            what = "truncated gzip stream: it ends before its end marker"
        elif isinstance(exc, zlib.error | OSError) and self.compressed:
            what = f"corrupt gzip stream ({type(exc).__name__})"
        else:
            what = f"read error ({type(exc).__name__})"
        return Issue(self.path, after + 1 if after else None, "truncated", f"{what}; stopped after line {after}")

    def _lines_as_records(self, source: Source) -> Iterator[Record | Issue]:
        issues: list[Issue] = []
        for number, text in self._raw_lines(source, issues):
            yield from issues
            issues.clear()
            line = text.rstrip("\r\n")
            if not line.strip():
                continue
            if self.format == "text":
                yield Record(number, [(_TEXT_FIELD, line)])
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Issue(self.path, number, "json", f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            yield Record(number, list(flatten(value)))
        yield from issues

    # -- whole JSON document -------------------------------------------------------------------------------

    def _json(self, source: Source) -> Iterator[Record | Issue]:
        try:
            data = source.stream.read(_JSON_MAX_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            yield self._stream_issue(exc, 0)
            return
        if len(data) > _JSON_MAX_BYTES:
            yield Issue(self.path, None, "too_large", "JSON document over 256 MB; convert it to JSON lines")
            return
        text = data.decode("utf-8-sig", errors="replace")
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":  # one object per line in a .json file: read it as JSON lines
                self.format = "jsonl"
                self.unit = "line"
                yield from self._jsonl_text(text)
                return
            yield Issue(self.path, exc.lineno, "json", f"not valid JSON ({exc.msg} at column {exc.colno})")
            return
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items, 1):
            yield Record(index, list(flatten(item)))

    def _jsonl_text(self, text: str) -> Iterator[Record | Issue]:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                yield Record(number, list(flatten(json.loads(line))))
            except json.JSONDecodeError as exc:
                yield Issue(self.path, number, "json", f"not valid JSON ({exc.msg} at column {exc.colno})")

    # -- CSV -----------------------------------------------------------------------------------------------

    def _csv(self, source: Source) -> Iterator[Record | Issue]:
        issues: list[Issue] = []
        lines = (text for _, text in self._raw_lines(source, issues))
        reader = csv.reader(lines, delimiter="\t" if self.format == "tsv" else ",", strict=False)
        header: list[str] | None = None
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield from issues
                issues.clear()
                yield Issue(self.path, reader.line_num, "csv", f"malformed CSV ({_csv_reason(exc)})")
                continue
            yield from issues
            issues.clear()
            if header is None:
                header = [name.strip() or f"column {i + 1}" for i, name in enumerate(row)]
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield Issue(
                    self.path, reader.line_num, "ragged", f"expected {len(header)} fields, found {len(row)}; skipped"
                )
                continue
            yield Record(reader.line_num, [(h, v) for h, v in zip(header, row, strict=True) if v])
        yield from issues

    # -- Parquet -------------------------------------------------------------------------------------------

    def _parquet(self) -> Iterator[Record | Issue]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            handle = pq.ParquetFile(self.path)
        except (OSError, pa.ArrowException) as exc:
            yield Issue(self.path, None, "parquet", f"cannot read Parquet ({type(exc).__name__})", "row")
            return
        row = 0
        total = max(1, handle.metadata.num_rows)
        try:
            for batch in handle.iter_batches(batch_size=2048):
                for item in batch.to_pylist():
                    row += 1
                    yield Record(row, list(flatten(item)))
                self._done_bytes = self.size * row // total
        except (OSError, pa.ArrowException) as exc:
            yield Issue(self.path, row + 1, "parquet", f"cannot read Parquet ({type(exc).__name__})", "row")
        finally:
            handle.close()


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    return text if len(text) < 80 and "'" not in text and '"' not in text else "parse error"
