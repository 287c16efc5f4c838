"""Spark on local[2]: the same keyed consistency on every executor, and the same output as protect_file."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from coatcheck.batch import protect_file
from coatcheck.errors import InputError

from .conftest import EMAILS, METHODS, NAMES, make_records

pyspark = pytest.importorskip("pyspark")
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # loopback only
    session = (
        SparkSession.builder.master("local[2]")
        .appName("coatcheck-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_same_values_same_stand_ins_on_every_executor_and_as_protect_file(
    spark, tmp_path: Path, key_file: Path
) -> None:
    from coatcheck.spark import protect_dataframe

    records = [{"id": r["id"], "email": r["email"], "text": r["text"]} for r in make_records(40)]
    df = spark.createDataFrame(records, "id long, email string, text string").repartition(4)
    out = protect_dataframe(df, METHODS, key_file=key_file).orderBy("id").collect()
    assert [row["id"] for row in out] == list(range(40))
    assert df.rdd.getNumPartitions() == 4
    by_email: dict[str, set[str]] = {}
    for before, after in zip(records, out, strict=True):
        by_email.setdefault(str(before["email"]), set()).add(after["email"])
        for value in (*EMAILS, *NAMES):
            assert value not in after["text"]
    assert all(len(tokens) == 1 for tokens in by_email.values())
    # the same rows through protect_file give the same values
    src = tmp_path / "rows.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    protect_file(src, tmp_path / "rows.out.jsonl", methods=METHODS, key_file=key_file, jobs=1)
    expected = [json.loads(line) for line in (tmp_path / "rows.out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row.asDict() for row in out] == expected


def test_non_string_columns_are_refused(spark) -> None:
    from coatcheck.spark import protect_dataframe

    df = spark.createDataFrame([(1, "a")], "id long, note string")
    with pytest.raises(InputError, match="'id'"):
        protect_dataframe(df, {"default": "redact"}, columns=["id"])
