"""Writes small Delta tables with real pyspark + delta-spark for the Delta reader's tests.

usage: python write-delta-tables.py OUT_DIR BAD_DIR JAR[,JAR...]

OUT_DIR/gold/hourly_sales   6 commits of MERGE upserts (a Parquet checkpoint at version 4 + JSON after it)
OUT_DIR/silver/order_items  appends, one of them overwritten away (remove actions), one partitioned copy
OUT_DIR/silver/by_branch    partitioned by branch (partition values live only in the log)
OUT_DIR/ops/empty           a table with a schema and no files
BAD_DIR/cm/s/column_mapping column mapping mode 'name' (the reader must refuse it)
BAD_DIR/dv/s/deletion_vectors a DELETE with deletion vectors enabled (the reader must refuse it)
"""

import sys
from decimal import Decimal
from datetime import datetime, timezone

from pyspark.sql import SparkSession
from pyspark.sql.types import (
    BinaryType,
    DecimalType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

out, bad, jars = sys.argv[1], sys.argv[2], sys.argv[3]
spark = (
    SparkSession.builder.master("local[1]")
    .config("spark.jars", jars)
    .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
    .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.sql.shuffle.partitions", "1")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.databricks.delta.snapshotPartitions", "1")
    .config("spark.databricks.delta.properties.defaults.checkpointInterval", "4")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .getOrCreate()
)
from delta.tables import DeltaTable  # noqa: E402

def ts(h: int) -> datetime:
    return datetime(2026, 11, 20, h, 15, tzinfo=timezone.utc)

hourly_schema = StructType(
    [
        StructField("window_start", TimestampType(), False),
        StructField("window_end", TimestampType(), False),
        StructField("revenue", DecimalType(18, 2)),
        StructField("orders", LongType()),
        StructField("items", LongType()),
        StructField("avg_order_value", DecimalType(18, 2)),
    ]
)
hourly = f"{out}/gold/hourly_sales"
for i in range(6):
    rows = [(ts(i % 5), ts(i % 5 + 1), Decimal(f"{100 + i}.25"), i + 1, 2 * i + 1, Decimal("10.50"))]
    df = spark.createDataFrame(rows, hourly_schema)
    if i == 0:
        df.write.format("delta").save(hourly)
    else:
        (
            DeltaTable.forPath(spark, hourly)
            .alias("t")
            .merge(df.alias("s"), "t.window_start = s.window_start")
            .whenMatchedUpdateAll()
            .whenNotMatchedInsertAll()
            .execute()
        )

items_schema = StructType(
    [
        StructField("order_id", StringType(), False),
        StructField("branch", StringType()),
        StructField("line_no", IntegerType()),
        StructField("line_amount", DecimalType(12, 2)),
        StructField("event_time", TimestampType()),
        StructField("raw", BinaryType()),
    ]
)
items = f"{out}/silver/order_items"
def item_rows(prefix: str, n: int):
    return [(f"{prefix}-{k}", "Thamel" if k % 2 else "Patan", k, Decimal(f"{k}.05"), ts(k % 3), bytes([k, 0xFF])) for k in range(n)]
spark.createDataFrame(item_rows("a", 3), items_schema).write.format("delta").save(items)
spark.createDataFrame(item_rows("b", 4), items_schema).write.format("delta").mode("overwrite").save(items)
spark.createDataFrame(item_rows("c", 2), items_schema).write.format("delta").mode("append").save(items)

spark.createDataFrame(item_rows("p", 5), items_schema).write.format("delta").partitionBy("branch").save(
    f"{out}/silver/by_branch"
)
spark.createDataFrame([], items_schema).write.format("delta").save(f"{out}/ops/empty")

spark.sql(
    f"CREATE TABLE delta.`{bad}/cm/s/column_mapping` (a STRING, b INT) USING delta "
    "TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')"
)
spark.sql(f"INSERT INTO delta.`{bad}/cm/s/column_mapping` VALUES ('x', 1)")
dv = f"{bad}/dv/s/deletion_vectors"
spark.sql(
    f"CREATE TABLE delta.`{dv}` (a STRING, b INT) USING delta TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')"
)
spark.sql(f"INSERT INTO delta.`{dv}` VALUES ('x', 1), ('y', 2), ('z', 3)")
spark.sql(f"DELETE FROM delta.`{dv}` WHERE b = 2")
spark.stop()
