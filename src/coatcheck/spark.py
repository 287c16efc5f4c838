"""`coatcheck.spark`: protect Spark DataFrames on the executors (see `coatcheck.batch.spark`)."""

from __future__ import annotations

from coatcheck.batch.spark import protect_dataframe

__all__ = ["protect_dataframe"]
