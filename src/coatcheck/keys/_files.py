"""Private files: created 0600, replaced atomically, locked across processes, warned about when too open."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from coatcheck.errors import KeyManagementError

__all__ = ["check_permissions", "file_lock", "replace_private_file", "write_new_private_file"]

logger = logging.getLogger("coatcheck.keys")


def check_permissions(path: Path, what: str) -> None:
    """Log a warning (no contents) when group or others may access a secret file."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("%s %s has permissions %04o; expected 0600", what, path, mode)


def _ensure_dir(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)


def write_new_private_file(path: Path, data: bytes) -> None:
    """Create ``path`` 0600 with ``data``; if another process created it first, keep theirs."""
    _ensure_dir(path)
    tmp = _write_temp(path, data)
    try:
        os.link(tmp, path)  # atomic create-if-absent: the loser of a race keeps the winner's file
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def replace_private_file(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` (temp file, fsync, os.replace) keeping mode 0600."""
    _ensure_dir(path)
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise KeyManagementError(f"cannot write {path}: {exc.strerror}") from None
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _write_temp(path: Path, data: bytes) -> str:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise KeyManagementError(f"cannot write in {path.parent}: {exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Exclusive advisory lock (fcntl.flock) on ``<path>.lock``, shared by every process using ``path``."""
    _ensure_dir(path)
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise KeyManagementError(f"cannot open lock file {lock_path}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
