"""Local table creation: the first commit brewline writes itself is a Delta table Spark reads and writes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from brewline_pipeline.tables import TABLES, Lakehouse, create_local_table


def test_created_tables_are_delta_tables_with_the_schema_and_take_writes(
    spark: SparkSession, tmp_path: Path
) -> None:
    # Given the lakehouse's tables created by writing their first commits
    lakehouse = Lakehouse(root=str(tmp_path))
    lakehouse.ensure(spark)
    for table in TABLES:
        location = lakehouse.location(table)
        # Then Spark sees Delta tables with exactly the declared schema, empty
        assert DeltaTable.isDeltaTable(spark, location), table
        frame = lakehouse.read(spark, table)
        assert frame.schema == TABLES[table], table
        assert frame.count() == 0
    # And they take idempotent appends and report their history like any Delta table
    row = spark.sql(
        "SELECT TIMESTAMP'2026-01-01 00:15:00' AS window_start, TIMESTAMP'2026-01-01 01:15:00' AS window_end, "
        "CAST(1234.50 AS DECIMAL(18,2)) AS revenue, 3L AS orders, 7L AS items, "
        "CAST(411.50 AS DECIMAL(18,2)) AS avg_order_value"
    )
    frame = spark.createDataFrame(row.collect(), TABLES["gold.hourly_sales"])
    lakehouse.append(frame, "gold.hourly_sales", "app", 0)
    lakehouse.append(frame, "gold.hourly_sales", "app", 0)
    assert lakehouse.read(spark, "gold.hourly_sales").count() == 1
    history = lakehouse.delta(spark, "gold.hourly_sales").history().orderBy("version").collect()
    assert [h["version"] for h in history] == [0, 1]
    assert history[0]["operation"] == "CREATE TABLE"


def test_creating_is_idempotent_and_never_recreates_a_table_whose_first_commits_were_cleaned_up(
    tmp_path: Path,
) -> None:
    schema = TABLES["gold.hourly_sales"]
    # Given concurrent creators, exactly one writes version 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(lambda _: create_local_table(tmp_path / "t", schema), range(8)))
    assert created.count(True) == 1
    assert sorted(p.name for p in (tmp_path / "t" / "_delta_log").iterdir()) == ["00000000000000000000.json"]
    # And a table whose log holds only a checkpoint (commit 0 removed by log cleanup) is left alone
    log = tmp_path / "old" / "_delta_log"
    log.mkdir(parents=True)
    (log / "_last_checkpoint").write_text('{"version":10,"size":3}', encoding="utf-8")
    (log / "00000000000000000010.checkpoint.parquet").write_bytes(b"")
    assert create_local_table(tmp_path / "old", schema) is False
    assert not (log / "00000000000000000000.json").exists()
