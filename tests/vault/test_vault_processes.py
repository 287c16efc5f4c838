"""Several real processes on one store: nothing lost, and a process killed mid-write leaves nothing behind."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

WORKERS, PER_WORKER, SHARED = 4, 200, 20


def _start(worker: Any, job: dict[str, Any]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, worker.__file__, json.dumps(job)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=180)
    return proc.returncode, err.decode(errors="replace")[-2000:]


@pytest.mark.slow
def test_processes_writing_at_once_lose_nothing(harness, keyring_file: Path, worker) -> None:
    # The children start writing at the same moment, and race to create the table on first use.
    job = {"task": "write", "spec": harness.spec, "keyring": str(keyring_file), "n": PER_WORKER}
    start_at = time.time() + 1.0
    procs = [_start(worker, {**job, "worker": w, "start_at": start_at}) for w in range(WORKERS)]
    results = [_finish(p) for p in procs]
    assert [code for code, _ in results] == [0] * WORKERS, [err for _, err in results]
    vault = harness.open()
    expected = dict(worker.entry(w, i) for w in range(WORKERS) for i in range(PER_WORKER))
    expected |= {f"[SHARED_{i}]": f"shared value {i}" for i in range(SHARED)}
    assert vault.count("acme") == WORKERS * PER_WORKER + SHARED
    assert vault.get_many("acme", list(expected)) == expected


@pytest.mark.slow
def test_process_killed_mid_put_many_leaves_nothing(harness, keyring_file: Path, worker) -> None:
    harness.open().put("acme", "[BEFORE]", "committed before the crash")
    # Killed at the 2,501st encryption: the SQL backends have sent 2,500 rows inside the open transaction.
    code, err = _finish(
        _start(worker, {"task": "crash", "spec": harness.spec, "keyring": str(keyring_file), "n": 3000, "after": 2500})
    )
    assert code == worker.CRASH_EXIT, err
    vault = harness.open()
    assert vault.count("acme") == 1
    assert vault.get_many("acme", [worker.entry(0, i)[0] for i in range(3000)], strict=False) == {}
    vault.put("acme", "[AFTER]", "written after the crash")  # no lock or half-row left behind
    assert vault.get_many("acme", ["[BEFORE]", "[AFTER]"]) == {
        "[BEFORE]": "committed before the crash",
        "[AFTER]": "written after the crash",
    }
