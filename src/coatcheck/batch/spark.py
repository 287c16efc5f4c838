"""Spark: protect a DataFrame column by column on the executors, with the same keyed consistency everywhere.

Each executor's Python worker builds the protector once (from a picklable `ProtectSpec`) and protects Arrow
record batches with ``mapInArrow``. Keyed methods derive from the keyring file, so the same person becomes the
same stand-in on every executor, in every job, and in `protect_file` output: no shared state, no shuffle.

Ship the keyring with the job and name it by file name::

    spark-submit --files keys.json,keys.json.master job.py      # job.py calls
    protect_dataframe(df, {"PERSON": "surrogate", "default": "hash"}, key_file="keys.json")
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coatcheck.batch.worker import ProtectSpec, RecordProtector
from coatcheck.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

__all__ = ["protect_dataframe"]

_WORKERS: dict[str, RecordProtector] = {}


def _key_path(key_file: str) -> str:
    """The keyring on this machine: as given, else the copy Spark shipped with ``--files``."""
    if os.path.exists(key_file):
        return key_file
    from pyspark import SparkFiles

    return SparkFiles.get(Path(key_file).name)


def _worker(spec: ProtectSpec) -> RecordProtector:
    """One protector per Python worker process and spec (built on the first batch, then reused)."""
    key = spec.fingerprint()
    found = _WORKERS.get(key)
    if found is None:
        local = spec
        if spec.key_file is not None:
            from dataclasses import replace

            local = replace(spec, key_file=_key_path(spec.key_file))
        found = _WORKERS[key] = local.build()
    return found


def _protect_batches(
    batches: Iterator[pa.RecordBatch], spec: ProtectSpec, columns: Sequence[str]
) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    worker = _worker(spec)
    for batch in batches:
        if batch.num_rows == 0 or not columns:
            yield batch
            continue
        rows = batch.select(list(columns)).to_pylist()
        out = worker.records(rows, Counter())
        arrays = list(batch.columns)
        for name in columns:
            index = batch.schema.get_field_index(name)
            arrays[index] = pa.array([row[name] for row in out], type=batch.schema.field(index).type)
        yield pa.RecordBatch.from_arrays(arrays, schema=batch.schema)


def protect_dataframe(
    df: DataFrame,
    policy_or_methods: str | os.PathLike[str] | Mapping[str, Any] | ProtectSpec | None = None,
    *,
    key_file: str | os.PathLike[str] | None = None,
    columns: Sequence[str] | None = None,
    default: Any = "redact",
    fields: Mapping[str, Any] | None = None,
    destination: str = "training",
    tenant: str = "default",
    profile: str | None = None,
    locale: str = "en_US",
) -> DataFrame:
    """A DataFrame with its string columns protected on the executors; same schema, same row order.

    Each row is protected like one `protect_file` record (its own placeholder numbering, keyed methods
    consistent across rows, executors and jobs), so a DataFrame and a JSONL export of the same rows protect
    identically.

    Args:
        df: any DataFrame.
        policy_or_methods: a policy file (or ``"default"``) applied for ``destination``; or a mapping of entity
            type -> method (a ``"default"`` key sets the default); or a ready `ProtectSpec`.
        key_file: the keyring file (a local path, or the name of a file shipped with ``--files``).
        columns: the columns to protect (default: every string column). Columns whose names imply a type
            (``email``, ``ssn``) are protected whole; others are scanned.
        default, fields, tenant, profile, locale: as in `ProtectSpec`.

    Raises:
        InputError: a named column is missing or is not a string column.
    """
    from pyspark.sql.types import StringType

    if isinstance(policy_or_methods, ProtectSpec):
        spec = policy_or_methods
    else:
        is_policy = isinstance(policy_or_methods, str | os.PathLike)
        spec = ProtectSpec(
            methods=None if is_policy or policy_or_methods is None else dict(policy_or_methods),  # type: ignore[arg-type]
            default=default,
            fields=dict(fields) if fields is not None else None,
            policy=str(policy_or_methods) if is_policy else None,
            destination=destination,
            tenant=tenant,
            key_file=None if key_file is None else _shippable(str(key_file)),
            profile=profile,
            locale=locale,
        )
    strings = [f.name for f in df.schema.fields if isinstance(f.dataType, StringType)]
    chosen = list(columns) if columns is not None else strings
    wrong = [c for c in chosen if c not in strings]
    if wrong:
        raise InputError(f"columns {', '.join(map(repr, wrong))} are missing or not string columns")

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _protect_batches(batches, spec, chosen)

    return df.mapInArrow(run, df.schema)


def _shippable(key_file: str) -> str:
    """An absolute path when the file is here (local mode), else the bare name shipped with ``--files``."""
    path = Path(key_file)
    return str(path.resolve()) if path.exists() else path.name
