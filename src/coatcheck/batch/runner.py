"""`protect_file`: stream a big file through every core, in order, in constant memory, resumably.

The main process reads whole-record chunks and writes results in input order; worker processes protect.
At most ``2 x jobs`` chunks are in flight, so memory stays flat whatever the input size. Output goes to a
partial file next to the target with a sidecar checkpoint (see `coatcheck.batch.checkpoint`); the target
appears (``os.replace``) only when the job is complete.
"""

from __future__ import annotations

import csv
import gzip
import io
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from coatcheck.batch._chunks import iter_chunks, read_header
from coatcheck.batch._io import Source, infer_format
from coatcheck.batch.checkpoint import Checkpoint, checkpoint_path, partial_path, source_fingerprint
from coatcheck.batch.worker import ChunkResult, ProtectSpec, RecordProtector, protect_chunk
from coatcheck.errors import CoatcheckError, InputError, ProtectError

__all__ = ["BatchResult", "ProgressFn", "protect_file"]

ProgressFn = Callable[[int, int], None]
_CHUNK_BYTES = 2 << 20
_CHUNK_RECORDS = 2000


@dataclass(slots=True)
class BatchResult:
    """What a job did.

    Attributes:
        records: records protected (including those of earlier, interrupted runs).
        counts: entities protected by type.
        chunks: chunks committed in total; ``resumed_chunks`` of them by an earlier run.
    """

    output: Path
    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    chunks: int = 0
    resumed_chunks: int = 0
    seconds: float = 0.0
    jobs: int = 1


@dataclass(frozen=True, slots=True)
class _Layout:
    """How to read and write the chunks of one file (sent to workers once)."""

    fmt: str
    name: str
    header: list[str] | None = None
    delimiter: str = ","
    terminator: str = "\n"
    parts: str | None = None  # Parquet: the folder the workers write parts into


@dataclass(frozen=True, slots=True)
class _Task:
    index: int
    end: int
    line: int
    data: bytes = field(repr=False)


# -- workers -----------------------------------------------------------------------------------------------

_STATE: dict[str, Any] = {}


def _init(spec: ProtectSpec, layout: _Layout) -> None:
    """Worker initializer: build the protector once; a failure is raised by the first task, with its message."""
    _STATE["layout"] = layout
    try:
        _STATE["worker"] = spec.build()
    except CoatcheckError as exc:
        _STATE["error"] = exc


def _remote(task: _Task) -> ChunkResult:
    error = _STATE.get("error")
    if error is not None:
        raise error
    return _run(_STATE["worker"], _STATE["layout"], task)


def _run(worker: RecordProtector, layout: _Layout, task: _Task) -> ChunkResult:
    if layout.fmt == "parquet":
        from coatcheck.batch.parquet import protect_part

        return protect_part(worker, task.data, task.index, task.line, layout.name, Path(str(layout.parts)))
    return protect_chunk(
        worker,
        task.data,
        fmt=layout.fmt,
        name=layout.name,
        first_line=task.line,
        header=layout.header,
        delimiter=layout.delimiter,
        terminator=layout.terminator,
    )


def _pipeline(
    tasks: Iterator[_Task], spec: ProtectSpec, layout: _Layout, jobs: int
) -> Iterator[tuple[_Task, ChunkResult]]:
    """Results in task order; at most ``2 * jobs`` tasks in flight."""
    if jobs <= 1:
        worker = spec.build()
        for task in tasks:
            yield task, _run(worker, layout, task)
        return
    context = multiprocessing.get_context("spawn")  # no inherited threads or locks; same on every OS
    pending: deque[tuple[_Task, Future[ChunkResult]]] = deque()
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init, initargs=(spec, layout)) as pool:
        try:
            for task in tasks:
                pending.append((task, pool.submit(_remote, task)))
                if len(pending) >= 2 * jobs:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        except BrokenProcessPool:
            raise ProtectError("a worker process died (out of memory or killed); resume to continue") from None
        finally:
            for _, future in pending:
                future.cancel()


# -- the job -----------------------------------------------------------------------------------------------


def protect_file(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    methods: Mapping[str, Any] | None = None,
    default: Any = "redact",
    fields: Mapping[str, Any] | None = None,
    policy: str | os.PathLike[str] | None = None,
    destination: str = "training",
    tenant: str = "default",
    key_file: str | os.PathLike[str] | None = None,
    profile: str | None = None,
    locale: str = "en_US",
    spec: ProtectSpec | None = None,
    fmt: str | None = None,
    jobs: int | None = None,
    chunk_bytes: int = _CHUNK_BYTES,
    chunk_records: int = _CHUNK_RECORDS,
    resume: bool = True,
    on_progress: ProgressFn | None = None,
) -> BatchResult:
    """Protect a text/log, JSONL, CSV/TSV (any of them gzipped) or Parquet file into ``output``.

    Streams in constant memory, uses ``jobs`` processes (default: every core) and keeps input order. Each
    record is protected in its own session (placeholders numbered per record; keyed methods consistent across
    records, processes and machines through the keyring file), so the output is identical whatever ``jobs``
    and however often the job was interrupted and resumed. An ``output`` ending in ``.gz`` is gzipped.

    Args:
        methods, default, fields: what to apply (see `coatcheck.protect.Protector`); or ``policy`` (a file, or
            ``"default"``) and its ``destination``.
        key_file: the keyring file keyed methods need.
        spec: a ready `ProtectSpec` instead of the arguments above.
        fmt: the input format (default: by suffix).
        jobs: worker processes; 1 runs in this process.
        resume: continue an interrupted job with the same input and configuration (else start over).
        on_progress: called with (records, input bytes) after each committed chunk.

    Raises:
        InputError: unreadable input, bad records (file and line, never content).
        ProtectError: a field-policy path matched nothing, or a worker died (the job can be resumed).
    """
    started = time.monotonic()
    src, dst = Path(source), Path(output)
    if spec is None:
        spec = ProtectSpec(
            methods=dict(methods) if methods is not None else None,
            default=default,
            fields=dict(fields) if fields is not None else None,
            policy=None if policy is None else str(policy),
            destination=destination,
            tenant=tenant,
            key_file=None if key_file is None else str(Path(key_file).resolve()),
            profile=profile,
            locale=locale,
        )
    if src.resolve() == dst.resolve():
        raise InputError(f"{dst}: the output must not be the input")
    kind = infer_format(src, fmt)
    if kind == "json":
        raise InputError(f"{src}: a single JSON document cannot be streamed; convert it to JSON lines")
    workers = max(1, jobs if jobs is not None else os.cpu_count() or 1)
    result = BatchResult(dst, jobs=workers)
    if kind == "parquet":
        from coatcheck.batch.parquet import run_parquet

        run_parquet(src, dst, spec, workers, chunk_records, resume, on_progress, result, _pipeline)
    else:
        _run_lines(src, dst, kind, spec, workers, chunk_bytes, chunk_records, resume, on_progress, result)
    result.seconds = time.monotonic() - started
    return result


def _run_lines(
    src: Path,
    dst: Path,
    kind: str,
    spec: ProtectSpec,
    jobs: int,
    chunk_bytes: int,
    chunk_records: int,
    resume: bool,
    on_progress: ProgressFn | None,
    result: BatchResult,
) -> None:
    csv_like = kind in ("csv", "tsv")
    gz_out = dst.name.lower().endswith((".gz", ".gzip"))
    ckpt_file, partial = checkpoint_path(dst), partial_path(dst)
    with Source(src) as input_:
        stream = input_.stream
        layout = _Layout(kind, str(src))
        header = b""
        if csv_like:
            header = read_header(stream, True)
            layout = _csv_layout(layout, header, "\t" if kind == "tsv" else ",")
        config = f"{spec.fingerprint()}:{kind}:{int(gz_out)}"
        fingerprint = source_fingerprint(src)
        ckpt = Checkpoint.load(ckpt_file, fingerprint, config) if resume and partial.exists() else None
        out: BinaryIO
        if ckpt is not None:
            out = open(partial, "r+b")
            out.truncate(ckpt.out_offset)
            out.seek(ckpt.out_offset)
            result.resumed_chunks = ckpt.chunks
        else:
            out = open(partial, "wb")
            if header:
                out.write(gzip.compress(header, mtime=0) if gz_out else header)
            ckpt = Checkpoint(fingerprint, config, in_offset=len(header), line=1 + header.count(b"\n"))
            ckpt.out_offset = out.tell()
            _durable(out)
            ckpt.save(ckpt_file)
        try:
            stream.seek(ckpt.in_offset)
            chunks = iter_chunks(
                stream,
                start=ckpt.in_offset,
                first_line=ckpt.line,
                csv_like=csv_like,
                max_bytes=chunk_bytes,
                max_records=chunk_records,
            )
            tasks = (_Task(c.index, c.end, c.line, c.data) for c in chunks)
            _commit_all(_pipeline(tasks, spec, layout, jobs), out, ckpt, ckpt_file, gz_out, on_progress)
            _check_fields(spec, ckpt, str(src))
        except (InputError, _FieldsUnmatchedError):
            out.close()
            _discard(partial, ckpt_file)  # bad data: nothing to resume, the input must change first
            raise
        finally:
            out.close()
    os.replace(partial, dst)
    ckpt_file.unlink(missing_ok=True)
    result.records, result.counts, result.chunks = ckpt.records, dict(ckpt.counts), ckpt.chunks


def _csv_layout(layout: _Layout, header: bytes, delimiter: str) -> _Layout:
    try:
        text = header.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{layout.name}:1: the CSV header is not valid UTF-8") from None
    try:
        names = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        raise InputError(f"{layout.name}:1: malformed CSV header") from None
    terminator = "\r\n" if header.endswith(b"\r\n") else "\n"
    return replace(layout, header=names, delimiter=delimiter, terminator=terminator)


def _durable(out: io.BufferedIOBase | Any) -> None:
    out.flush()
    os.fsync(out.fileno())


def _commit_all(
    results: Iterator[tuple[_Task, ChunkResult]],
    out: Any,
    ckpt: Checkpoint,
    ckpt_file: Path,
    gz_out: bool,
    on_progress: ProgressFn | None,
) -> None:
    counts = Counter(ckpt.counts)
    matched = set(ckpt.matched)
    for task, chunk in results:
        out.write(gzip.compress(chunk.data, mtime=0) if gz_out else chunk.data)
        _durable(out)
        before = ckpt.in_offset
        counts.update(chunk.counts)
        matched |= chunk.matched
        ckpt.in_offset, ckpt.out_offset = task.end, out.tell()
        ckpt.line = task.line + task.data.count(b"\n")
        ckpt.chunks += 1
        ckpt.records += chunk.records
        ckpt.counts, ckpt.matched = dict(counts), sorted(matched)
        ckpt.save(ckpt_file)
        if on_progress is not None:
            on_progress(chunk.records, task.end - before)


class _FieldsUnmatchedError(ProtectError):
    """A field-policy path matched nothing in the whole input."""


def _discard(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _check_fields(spec: ProtectSpec, ckpt: Checkpoint, name: str) -> None:
    if not spec.fields:
        return
    from coatcheck.protect.fields import FieldPolicy

    missing = [r.path for r in FieldPolicy.from_mapping(spec.fields).rules if r.path not in ckpt.matched]
    if missing:
        raise _FieldsUnmatchedError(f"field path(s) {', '.join(map(repr, missing))} matched nothing in {name}")
