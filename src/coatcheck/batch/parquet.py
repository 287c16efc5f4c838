"""Parquet jobs: record batches in, one part file per batch out, merged in order once every part is done.

A Parquet file cannot be appended to and cut back like a line format, so progress is the set of parts on disk:
each part is written to a temporary name and renamed, so a part that exists is complete. Resuming skips them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coatcheck.batch.checkpoint import Checkpoint, checkpoint_path, source_fingerprint
from coatcheck.batch.worker import ChunkResult, ProtectSpec, RecordProtector
from coatcheck.errors import CoatcheckError, InputError

if TYPE_CHECKING:
    import pyarrow as pa

    from coatcheck.batch.runner import BatchResult, ProgressFn

__all__ = ["protect_part", "run_parquet"]


def _part(folder: Path, index: int) -> Path:
    return folder / f"part-{index:06d}.parquet"


def _ipc(batch: pa.RecordBatch) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return bytes(sink.getvalue().to_pybytes())


def _table(rows: list[Any], schema: pa.Schema) -> pa.Table:
    """Rows back into a table with the input schema; a column whose values no longer fit it becomes string."""
    import pyarrow as pa

    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    columns = {}
    fields = []
    for item in schema:
        values = [row.get(item.name) for row in rows]
        try:
            columns[item.name] = pa.array(values, type=item.type)
            fields.append(item)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            columns[item.name] = pa.array([None if v is None else str(v) for v in values], type=pa.string())
            fields.append(pa.field(item.name, pa.string()))
    return pa.Table.from_pydict(columns, schema=pa.schema(fields, metadata=schema.metadata))


def protect_part(
    worker: RecordProtector, data: bytes, index: int, first_row: int, name: str, folder: Path
) -> ChunkResult:
    """Protect one record batch (Arrow IPC bytes) and write it as part ``index`` (worker side)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    batch = pa.ipc.open_stream(data).read_next_batch()
    rows = batch.to_pylist()
    counts: Counter[str] = Counter()
    try:
        out = worker.records(rows, counts)
    except CoatcheckError as exc:
        raise type(exc)(f"{name}: rows {first_row}-{first_row + len(rows) - 1}: {exc}") from None
    table = _table(out, batch.schema)
    target = _part(folder, index)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with open(fd, "wb") as handle:
            pq.write_table(table, handle)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ChunkResult(b"", len(rows), dict(counts), set(worker.tracker.matched))


def _merge(parts: list[Path], target: Path) -> None:
    """Concatenate the parts in order into ``target`` (atomically), unifying types that diverged."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = [pq.read_schema(p) for p in parts]
    first = schemas[0]
    fields = []
    for item in first:
        types = {s.field(item.name).type for s in schemas}
        fields.append(item if len(types) == 1 else pa.field(item.name, pa.string()))
    schema = pa.schema(fields, metadata=first.metadata)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with open(fd, "wb") as handle, pq.ParquetWriter(handle, schema) as writer:
            for part in parts:
                writer.write_table(pq.read_table(part).cast(schema))
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_parquet(
    src: Path,
    dst: Path,
    spec: ProtectSpec,
    jobs: int,
    chunk_records: int,
    resume: bool,
    on_progress: ProgressFn | None,
    result: BatchResult,
    pipeline: Callable[..., Iterator[tuple[Any, ChunkResult]]],
) -> None:
    """The Parquet job behind `protect_file`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from coatcheck.batch.runner import _check_fields, _FieldsUnmatchedError, _Layout, _Task

    folder = dst.with_name(dst.name + ".parts")
    ckpt_file = checkpoint_path(dst)
    config = f"{spec.fingerprint()}:parquet:{chunk_records}"
    fingerprint = source_fingerprint(src)
    ckpt = Checkpoint.load(ckpt_file, fingerprint, config) if resume and folder.is_dir() else None
    if ckpt is None:
        shutil.rmtree(folder, ignore_errors=True)
        ckpt = Checkpoint(fingerprint, config)
    else:
        result.resumed_chunks = len(ckpt.parts)
    folder.mkdir(exist_ok=True)
    ckpt.save(ckpt_file)
    try:
        handle = pq.ParquetFile(src)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{src}: cannot read Parquet ({type(exc).__name__})") from None
    done = set(ckpt.parts)
    total = 0

    def tasks() -> Iterator[_Task]:
        nonlocal total
        row = 1
        for index, batch in enumerate(handle.iter_batches(batch_size=chunk_records)):
            total = index + 1
            if index not in done or not _part(folder, index).exists():
                yield _Task(index, 0, row, _ipc(batch))
            row += batch.num_rows

    layout = _Layout("parquet", str(src), parts=str(folder))
    counts = Counter(ckpt.counts)
    matched = set(ckpt.matched)
    try:
        with handle:
            for task, chunk in pipeline(tasks(), spec, layout, jobs):
                counts.update(chunk.counts)
                matched |= chunk.matched
                ckpt.parts = sorted({*ckpt.parts, task.index})
                ckpt.records += chunk.records
                ckpt.counts, ckpt.matched = dict(counts), sorted(matched)
                ckpt.save(ckpt_file)
                if on_progress is not None:
                    on_progress(chunk.records, 0)
            if total == 0:  # an empty file still has a schema to keep
                pq.write_table(handle.schema_arrow.empty_table(), _part(folder, 0))
                total = 1
        _check_fields(spec, ckpt, str(src))
    except (InputError, _FieldsUnmatchedError):
        shutil.rmtree(folder, ignore_errors=True)  # bad data: nothing to resume, the input must change first
        ckpt_file.unlink(missing_ok=True)
        raise
    _merge([_part(folder, i) for i in range(total)], dst)
    shutil.rmtree(folder, ignore_errors=True)
    ckpt_file.unlink(missing_ok=True)
    result.records, result.counts, result.chunks = ckpt.records, dict(ckpt.counts), total
