"""Interrupted jobs resume without redoing committed chunks and give byte-identical output."""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from coatcheck.batch import protect_file
from coatcheck.batch.checkpoint import checkpoint_path, partial_path

from .conftest import METHODS, make_records


class CrashError(Exception):
    pass


def _crash_after(n: int):  # type: ignore[no-untyped-def]
    seen = []

    def on_progress(records: int, size: int) -> None:
        seen.append(records)
        if len(seen) >= n:
            raise CrashError

    return on_progress


def _run(src: Path, dst: Path, key_file: Path, **kwargs) -> object:  # type: ignore[no-untyped-def]
    opts = {"methods": METHODS, "default": "redact", "key_file": key_file, "jobs": 1, "chunk_records": 7}
    opts.update(kwargs)
    return protect_file(src, dst, **opts)


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_resume_after_crash_is_byte_identical(jsonl: Path, tmp_path: Path, key_file: Path, suffix: str) -> None:
    whole = tmp_path / f"whole{suffix}"
    _run(jsonl, whole, key_file)
    out = tmp_path / f"out{suffix}"
    with pytest.raises(CrashError):
        _run(jsonl, out, key_file, on_progress=_crash_after(3))
    assert not out.exists()
    assert partial_path(out).exists()
    assert checkpoint_path(out).exists()
    result = _run(jsonl, out, key_file)
    assert result.resumed_chunks == 3  # type: ignore[attr-defined]
    assert result.records == 60  # type: ignore[attr-defined]
    assert out.read_bytes() == whole.read_bytes()
    assert not partial_path(out).exists()
    assert not checkpoint_path(out).exists()
    if suffix.endswith(".gz"):
        assert gzip.decompress(out.read_bytes()).count(b"\n") == 60


def test_torn_write_after_the_last_checkpoint_is_cut_off(jsonl: Path, tmp_path: Path, key_file: Path) -> None:
    whole = tmp_path / "whole.jsonl"
    _run(jsonl, whole, key_file)
    out = tmp_path / "out.jsonl"
    with pytest.raises(CrashError):
        _run(jsonl, out, key_file, on_progress=_crash_after(2))
    with partial_path(out).open("ab") as handle:  # a chunk written, its checkpoint never saved
        handle.write(b'{"half": "a rec')
    _run(jsonl, out, key_file)
    assert out.read_bytes() == whole.read_bytes()


def test_killed_process_resumes_without_duplicates(jsonl: Path, tmp_path: Path, key_file: Path) -> None:
    whole = tmp_path / "whole.jsonl"
    _run(jsonl, whole, key_file)
    out = tmp_path / "out.jsonl"
    script = textwrap.dedent(
        f"""
        import os
        from coatcheck.batch import protect_file
        done = []
        def die(records, size):
            done.append(records)
            if len(done) == 4:
                os._exit(9)  # no cleanup at all, as with SIGKILL
        protect_file({str(jsonl)!r}, {str(out)!r}, methods={METHODS!r}, key_file={str(key_file)!r}, jobs=1,
                     chunk_records=7, on_progress=die)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    result = _run(jsonl, out, key_file)
    assert result.resumed_chunks == 4  # type: ignore[attr-defined]
    assert out.read_bytes() == whole.read_bytes()


def test_changed_configuration_starts_over(jsonl: Path, tmp_path: Path, key_file: Path) -> None:
    out = tmp_path / "out.jsonl"
    with pytest.raises(CrashError):
        _run(jsonl, out, key_file, on_progress=_crash_after(2))
    result = _run(jsonl, out, key_file, default="mask")
    assert result.resumed_chunks == 0  # type: ignore[attr-defined]
    fresh = tmp_path / "fresh.jsonl"
    _run(jsonl, fresh, key_file, default="mask")
    assert out.read_bytes() == fresh.read_bytes()


def test_parquet_resume_skips_finished_parts(tmp_path: Path, key_file: Path) -> None:
    src = tmp_path / "in.parquet"
    records = make_records(40)
    pq.write_table(pa.Table.from_pylist([{k: v for k, v in r.items() if k != "tags"} for r in records]), src)
    whole = tmp_path / "whole.parquet"
    _run(src, whole, key_file)
    out = tmp_path / "out.parquet"
    with pytest.raises(CrashError):
        _run(src, out, key_file, on_progress=_crash_after(2))
    result = _run(src, out, key_file)
    assert result.resumed_chunks == 2  # type: ignore[attr-defined]
    assert pq.read_table(out).equals(pq.read_table(whole))
    assert pq.read_table(out).num_rows == 40
    assert pq.read_table(out).schema == pq.read_table(src).schema
