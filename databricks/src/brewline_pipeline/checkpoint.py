"""What a streaming query's checkpoint says about its batches (Spark's offset log, ``<checkpoint>/offsets/N``).

Each offset file is ``v1``, then the batch's metadata as JSON (``batchWatermarkMs``: the watermark in effect
for that batch, wm(N); ``batchTimestampMs``; ``conf``), then one line per source. Spark writes it before the
batch runs, so inside ``foreachBatch(N)`` the files of N and every earlier retained batch are there.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

from pyspark.sql import SparkSession


def _read_text(spark: SparkSession, path: str) -> str:
    """A small file of a local path, or of any Hadoop file system path (dbfs:/, abfss://, s3://)."""
    if urlparse(path).scheme in ("", "file"):
        return Path(path.removeprefix("file:")).read_text(encoding="utf-8")
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = fs.open(hadoop_path)
    try:
        return str(jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
    finally:
        stream.close()


def parse_batch_watermark_ms(offset_file: str) -> int:
    """``batchWatermarkMs`` of one offset file's text."""
    lines = offset_file.splitlines()
    if len(lines) < 2 or not lines[0].startswith("v"):
        raise ValueError("not a Spark offset log file (expected a version line, then the batch metadata)")
    return int(json.loads(lines[1]).get("batchWatermarkMs", 0))


def late_events_watermark_ms(
    spark: SparkSession, checkpoint: str, batch_id: int, allow_multiple: bool = True
) -> int:
    """The watermark that filters late rows in batch N: wm(N-1) with ``statefulOperator.allowMultiple``
    (Spark >= 3.4's default), wm(N) without (SEMANTICS.md); 0 before any batch."""
    source = batch_id - 1 if allow_multiple else batch_id
    if source < 0:
        return 0
    return parse_batch_watermark_ms(_read_text(spark, f"{checkpoint.rstrip('/')}/offsets/{source}"))
