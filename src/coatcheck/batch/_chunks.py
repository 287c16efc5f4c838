"""Cut a line-oriented input into chunks of whole records, each with its byte range and first line number.

Offsets count bytes of the (decompressed) stream, so a checkpoint can name exactly where the next chunk starts.
CSV records may span lines inside quotes; a record ends where the count of quote characters is even.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

__all__ = ["Chunk", "iter_chunks", "read_header"]


@dataclass(frozen=True, slots=True)
class Chunk:
    """Whole records: ``data`` is the input between byte ``start`` and ``end``; its first line is ``line``."""

    index: int
    start: int
    end: int
    line: int
    data: bytes = field(repr=False)


def _csv_records(stream: BinaryIO) -> Iterator[bytes]:
    """Whole CSV records (a quoted field may hold newlines): lines joined until the quotes balance."""
    pending: list[bytes] = []
    quotes = 0
    for line in stream:
        pending.append(line)
        quotes += line.count(b'"')
        if quotes % 2 == 0:
            yield b"".join(pending)
            pending, quotes = [], 0
    if pending:
        yield b"".join(pending)


def read_header(stream: BinaryIO, csv_like: bool) -> bytes:
    """The first record (a CSV header), read from the start of the stream."""
    records = _csv_records(stream) if csv_like else iter(stream)
    return next(records, b"")


def iter_chunks(
    stream: BinaryIO,
    *,
    start: int,
    first_line: int,
    csv_like: bool,
    max_bytes: int,
    max_records: int,
    first_index: int = 0,
) -> Iterator[Chunk]:
    """Chunks of at most ``max_bytes`` (or ``max_records`` records; at least one record) from ``start``.

    The stream must already be positioned at ``start``.
    """
    records = _csv_records(stream) if csv_like else iter(stream)
    index, offset, line = first_index, start, first_line
    buf: list[bytes] = []
    size = count = lines = 0
    for record in records:
        buf.append(record)
        size += len(record)
        count += 1
        lines += record.count(b"\n")
        if size >= max_bytes or count >= max_records:
            yield Chunk(index, offset, offset + size, line, b"".join(buf))
            index, offset, line = index + 1, offset + size, line + lines
            buf, size, count, lines = [], 0, 0, 0
    if buf:
        yield Chunk(index, offset, offset + size, line, b"".join(buf))
