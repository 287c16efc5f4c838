"""Batch protection and file reading: stream big files through every core, resumably; read messy inputs.

Typical use::

    from coatcheck.batch import protect_file

    protect_file("events.jsonl.gz", "events.safe.jsonl.gz", methods={"PERSON": "surrogate"},
                 default="hash", key_file="keys.json")

Spark jobs use `coatcheck.spark.protect_dataframe`, which applies the same per-record semantics.
"""

from __future__ import annotations

from coatcheck.batch._io import FORMATS, infer_format, iter_files
from coatcheck.batch.readers import Issue, Record, RecordReader, flatten
from coatcheck.batch.runner import BatchResult, ProgressFn, protect_file
from coatcheck.batch.worker import ProtectSpec, RecordProtector

__all__ = [
    "FORMATS",
    "BatchResult",
    "Issue",
    "ProgressFn",
    "ProtectSpec",
    "Record",
    "RecordProtector",
    "RecordReader",
    "flatten",
    "infer_format",
    "iter_files",
    "protect_file",
]
