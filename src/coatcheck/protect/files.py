"""Protect whole files (text, JSONL, CSV, Parquet) or streams, written atomically, one or several views.

Errors name the file, line and field, never a value. Outputs go to temporary files next to their targets and
are moved into place only when every output is complete.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from coatcheck.errors import CoatcheckError, InputError
from coatcheck.protect.protector import Protector, ViewSet
from coatcheck.protect.structured import PathTracker

__all__ = ["FORMATS", "FileJob", "Summary", "infer_format", "view_path"]

Format = Literal["text", "jsonl", "csv", "parquet"]
FORMATS: tuple[Format, ...] = ("text", "jsonl", "csv", "parquet")
_SUFFIXES: dict[str, Format] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
_PARAGRAPH = re.compile(r"(\n[ \t]*\n)")
_BATCH = 64


@dataclass(slots=True)
class Summary:
    """What a run did: records, entities by type, seconds."""

    records: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def infer_format(path: str | None, explicit: str | None = None) -> Format:
    """The input format: ``explicit``, else from the file suffix, else text."""
    if explicit and explicit != "auto":
        if explicit not in FORMATS:
            raise InputError(f"unknown format {explicit!r}; choose one of {', '.join(FORMATS)}")
        return explicit
    if path is None or path == "-":
        return "text"
    return _SUFFIXES.get(Path(path).suffix.lower(), "text")


def view_path(output: Path, view: str) -> Path:
    """``out.jsonl`` + ``training`` -> ``out.training.jsonl``."""
    return output.with_name(f"{output.stem}.{view}{output.suffix}")


def _located(exc: CoatcheckError, where: str) -> CoatcheckError:
    try:
        return type(exc)(f"{where}: {exc}")
    except TypeError:  # pragma: no cover - an error class with a different constructor
        return exc


class FileJob:
    """One protect run over one input, to one output per view (or a single output).

    Args:
        protector: the configured protector (its session spans the whole file: consistent placeholders).
        fmt: input and output format.
        views: named views (None: one output protected with the protector's own methods).
        on_record: called after each record (progress).
    """

    def __init__(
        self,
        protector: Protector,
        fmt: Format,
        views: ViewSet | None = None,
        on_record: Callable[[int], None] | None = None,
    ) -> None:
        self.protector = protector
        self.fmt = fmt
        self.views = views
        self.on_record = on_record or (lambda n: None)
        self.summary = Summary()

    # -- driving -----------------------------------------------------------------------------------------

    def run(self, source: str | None, output: Path | None) -> Summary:
        """Protect ``source`` (a path, or None/"-" for stdin) into ``output`` (None: stdout)."""
        started = time.monotonic()
        name = "<stdin>" if source in (None, "-") else str(source)
        if self.fmt == "parquet" and (source in (None, "-") or output is None):
            raise InputError("parquet needs an input file and -o OUTPUT")
        names = self._names()
        if output is None:
            self._to_stdout(source, name, names)
        else:
            targets = {v: (view_path(output, v) if v else output) for v in names}
            self._to_files(source, name, targets)
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def _to_stdout(self, source: str | None, name: str, names: list[str | None]) -> None:
        if self.fmt == "text" and self.views:
            chunks: dict[str, list[str]] = {str(v): [] for v in names}
            for view, piece in self._text(source, name):
                chunks[str(view)].append(piece)
            sys.stdout.write(json.dumps({v: "".join(p) for v, p in chunks.items()}, ensure_ascii=False) + "\n")
            return
        if self.views:
            raise InputError("--views with JSONL or CSV input needs -o OUTPUT (one file per view)")
        sinks: dict[str | None, IO[str]] = {None: sys.stdout}
        self._stream(source, name, sinks)

    def _to_files(self, source: str | None, name: str, targets: dict[str | None, Path]) -> None:
        temps: dict[str | None, Path] = {}
        try:
            with ExitStack() as stack:
                for view, target in targets.items():
                    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
                    os.close(fd)
                    temps[view] = Path(tmp)
                if self.fmt == "parquet":
                    self._parquet(str(source), name, temps)
                else:
                    sinks: dict[str | None, IO[str]] = {}
                    for view, path in temps.items():
                        sinks[view] = stack.enter_context(open(path, "w", encoding="utf-8", newline=""))
                    self._stream(source, name, sinks)
            for view, done in temps.items():
                os.replace(done, targets[view])
        finally:
            for leftover in temps.values():
                leftover.unlink(missing_ok=True)

    def _stream(self, source: str | None, name: str, sinks: dict[str | None, IO[str]]) -> None:
        if self.fmt == "text":
            for view, piece in self._text(source, name):
                sinks[view].write(piece)
        elif self.fmt == "jsonl":
            self._jsonl(source, name, sinks)
        else:
            self._csv(source, name, sinks)

    # -- readers -----------------------------------------------------------------------------------------

    def _open(self, source: str | None, name: str) -> IO[str]:
        if source in (None, "-"):
            return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="strict", newline="")
        try:
            return open(str(source), encoding="utf-8", errors="strict", newline="")
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror})") from None

    def _read_all(self, source: str | None, name: str) -> str:
        handle = self._open(source, name)
        try:
            return handle.read()
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not valid UTF-8 (byte offset {exc.start})") from None
        finally:
            if source not in (None, "-"):
                handle.close()

    def _lines(self, source: str | None, name: str) -> Iterator[tuple[int, str]]:
        handle = self._open(source, name)
        try:
            yield from enumerate(handle, 1)
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not valid UTF-8 (byte offset {exc.start})") from None
        finally:
            if source not in (None, "-"):
                handle.close()

    def _text(self, source: str | None, name: str) -> Iterator[tuple[str | None, str]]:
        parts = _PARAGRAPH.split(self._read_all(source, name))
        for start in range(0, len(parts), _BATCH * 2):
            chunk = parts[start : start + _BATCH * 2]
            texts = chunk[0::2]
            try:
                found = self.protector.detector.detect_batch(texts)
            except CoatcheckError as exc:
                raise _located(exc, name) from None
            for i, piece in enumerate(chunk):
                if i % 2:
                    for view in self._names():
                        yield view, piece
                    continue
                entities = found[i // 2]
                self.summary.records += 1
                self.on_record(1)
                if self.views:
                    for view, table in self.views.tables.items():
                        yield view, self.protector.protect(piece, entities, methods=table).text
                    self.summary.counts.update(e.type for e in entities)
                else:
                    result = self.protector.protect(piece, entities)
                    self.summary.counts.update(result.counts)
                    yield None, result.text

    def _names(self) -> list[str | None]:
        return list(self.views.tables) if self.views else [None]

    def _records(
        self, batch: list[tuple[int, Any]], name: str, tracker: PathTracker
    ) -> Iterator[dict[str | None, Any]]:
        where = f"{name}:{batch[0][0]}" if len(batch) == 1 else f"{name}: lines {batch[0][0]}-{batch[-1][0]}"
        try:
            if self.views:
                outputs = [self.protector.views(record, self.views) for _, record in batch]
                for out in outputs:
                    yield dict(out.items())
            else:
                records = self.protector.protect_records(
                    [r for _, r in batch], counts=self.summary.counts, tracker=tracker, batch_size=len(batch)
                )
                for record in records:
                    yield {None: record}
        except CoatcheckError as exc:
            raise _located(exc, where) from None
        self.summary.records += len(batch)
        self.on_record(len(batch))

    def _jsonl(self, source: str | None, name: str, sinks: dict[str | None, IO[str]]) -> None:
        tracker = PathTracker(self.protector.fields)
        batch: list[tuple[int, Any]] = []

        def flush() -> None:
            for outputs in self._records(batch, name, tracker):
                for view, record in outputs.items():
                    sinks[view].write(json.dumps(record, ensure_ascii=False) + "\n")
            batch.clear()

        for number, line in self._lines(source, name):
            if not line.strip():
                continue
            try:
                batch.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise InputError(f"{name}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
            if len(batch) >= _BATCH:
                flush()
        if batch:
            flush()
        if self.protector.fields is not None:
            tracker.check(name)

    def _csv(self, source: str | None, name: str, sinks: dict[str | None, IO[str]]) -> None:
        handle = self._open(source, name)
        try:
            reader = csv.reader(handle)
            try:
                header = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(f"{name}:1: malformed CSV ({exc})") from None
            terminator = "\r\n" if getattr(reader.dialect, "lineterminator", "\n") == "\r\n" else "\n"
            writers = {v: csv.writer(s, lineterminator=terminator) for v, s in sinks.items()}
            for w in writers.values():
                w.writerow(header)
            tracker = PathTracker(self.protector.fields)
            batch: list[tuple[int, Any]] = []

            def flush() -> None:
                for outputs in self._records(batch, name, tracker):
                    for view, record in outputs.items():
                        writers[view].writerow(["" if record[h] is None else record[h] for h in header])
                batch.clear()

            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    raise InputError(f"{name}:{reader.line_num}: malformed CSV ({exc})") from None
                except UnicodeDecodeError as exc:
                    raise InputError(f"{name}: not valid UTF-8 (byte offset {exc.start})") from None
                if len(row) != len(header):
                    raise InputError(f"{name}:{reader.line_num}: expected {len(header)} fields, found {len(row)}")
                batch.append((reader.line_num, dict(zip(header, row, strict=True))))
                if len(batch) >= _BATCH:
                    flush()
            if batch:
                flush()
            if self.protector.fields is not None:
                tracker.check(name)
        finally:
            if source not in (None, "-"):
                handle.close()

    def _parquet(self, source: str, name: str, temps: dict[str | None, Path]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(source)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"{name}: cannot read Parquet ({type(exc).__name__})") from None
        try:
            if self.views is None:
                out = self.protector.protect_table(table, counts=self.summary.counts)
                pq.write_table(out, temps[None])
            else:
                rows = table.to_pylist()
                per_view: dict[str, list[Any]] = {v: [] for v in self.views.tables}
                for row in rows:
                    for view, record in self.protector.views(row, self.views).items():
                        per_view[view].append(record)
                for view, records in per_view.items():
                    try:
                        out = pa.Table.from_pylist(records, schema=table.schema)
                    except (pa.ArrowInvalid, pa.ArrowTypeError):
                        out = pa.Table.from_pylist(records)
                    pq.write_table(out, temps[view])
        except CoatcheckError as exc:
            raise _located(exc, name) from None
        self.summary.records += table.num_rows
        self.on_record(table.num_rows)
