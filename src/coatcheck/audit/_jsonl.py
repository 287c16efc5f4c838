"""Audit events as JSON lines, for a SIEM: appended to a file (locked across processes) or written to stdout."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from coatcheck.audit._event import GENESIS_MAC, AuditEvent
from coatcheck.audit._sink import Builder, Filters, Record
from coatcheck.errors import AuditError

__all__ = ["JsonLinesAuditSink"]


def _line(event: AuditEvent) -> bytes:
    return json.dumps(event.as_dict(), sort_keys=True, separators=(",", ":")).encode() + b"\n"


def _record(line: bytes) -> Record:
    try:
        record = json.loads(line)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


class JsonLinesAuditSink:
    """One JSON object per line.

    Args:
        target: a file path (appended to, created 0600, flock-ed for each append so processes can share it) or
            a text stream such as ``sys.stdout`` (this process alone numbers the chain; cannot be read back).
        fsync: fsync the file after each event.
    """

    def __init__(self, target: str | Path | TextIO, *, fsync: bool = True) -> None:
        self._lock = threading.Lock()
        self._fsync = fsync
        self._head: tuple[int, str] = (0, GENESIS_MAC)
        self._size = 0
        self._stream: TextIO | None = None
        self._fd: int | None = None
        if isinstance(target, str | Path):
            self.path: Path | None = Path(target)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError as exc:
                raise AuditError(f"audit log {self.path} cannot be opened: {exc.strerror}") from None
            self._size = -1  # unknown: read the head at the first append
        else:
            self.path = None
            self._stream = target

    def __repr__(self) -> str:
        return f"JsonLinesAuditSink({str(self.path) if self.path else '<stream>'!r})"

    def _read_head(self, fd: int, size: int) -> tuple[int, str]:
        if size == 0:
            return 0, GENESIS_MAC
        chunk = min(size, 4096)
        while True:
            tail = os.pread(fd, chunk, size - chunk)
            lines = tail.rstrip(b"\n").split(b"\n")
            if len(lines) > 1 or chunk == size:
                last = _record(lines[-1])
                sequence, mac = last.get("sequence"), last.get("mac")
                if type(sequence) is not int or not isinstance(mac, str):
                    raise AuditError(f"audit log {self.path} ends with a malformed line")
                return sequence, mac
            chunk = min(size, chunk * 4)

    def append(self, build: Builder) -> AuditEvent:
        with self._lock:
            fd, stream = self._fd, self._stream
            try:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    try:
                        size = os.fstat(fd).st_size
                        if size != self._size:  # another process appended since our last write
                            self._head = self._read_head(fd, size)
                        event = build(self._head[0] + 1, self._head[1])
                        data = _line(event)
                        if os.write(fd, data) != len(data):
                            raise OSError(28, "short write")
                        if self._fsync:
                            os.fsync(fd)
                        self._size = size + len(data)
                    finally:
                        fcntl.flock(fd, fcntl.LOCK_UN)
                elif stream is not None:
                    event = build(self._head[0] + 1, self._head[1])
                    stream.write(_line(event).decode())
                    stream.flush()
                else:
                    raise AuditError("audit sink is closed")
            except (OSError, ValueError) as exc:
                raise AuditError(f"audit log {self!r} cannot write: {type(exc).__name__}") from None
            self._head = (event.sequence, event.mac)
        return event

    def records(self, filters: Filters = Filters()) -> Iterator[Record]:  # noqa: B008 - immutable default
        if self.path is None:
            raise AuditError("an audit stream cannot be read back")
        try:
            with self.path.open("rb") as fh:
                for line in fh:
                    if line.strip():
                        record = _record(line)
                        if filters.match(record):
                            yield record
        except OSError as exc:
            raise AuditError(f"audit log {self.path} cannot be read: {exc.strerror}") from None

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self._stream = None
