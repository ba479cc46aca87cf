"""Silver: the event contract, exact dedup on ``order_id`` against all history, one row per order line.

- Validation is :func:`brewline_pipeline.contract.validate` (the same rules and reasons as the TypeScript
  validator) over the raw bytes, in a Python UDF; money travels as exact decimal strings and is cast to
  DECIMAL(10,2)/(12,2), the event time as microseconds to TIMESTAMP.
- Within a batch the first occurrence of an order id (lowest partition, then offset) wins; against history
  it is insert-if-absent: ``MERGE INTO silver.order_items USING batch ON order_id WHEN NOT MATCHED INSERT``.
  Never a watermark: a late sale is never dropped here, a duplicate always is (SEMANTICS.md).
- Everything else goes to ``silver.quarantine`` with the reason (``"<rule>: ..."``) and the raw bytes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from brewline_pipeline.catalog import Catalog
from brewline_pipeline.contract import paisa_text, validate
from brewline_pipeline.tables import SILVER_SCHEMA, Lakehouse

LINE_TYPE = StructType(
    [
        StructField("line_no", IntegerType(), False),
        StructField("item_id", StringType(), False),
        StructField("item_name", StringType(), False),
        StructField("category", StringType(), False),
        StructField("unit_price", StringType(), False),
        StructField("quantity", IntegerType(), False),
        StructField("line_amount", StringType(), False),
    ]
)
VERDICT_TYPE = StructType(
    [
        StructField("ok", BooleanType(), False),
        StructField("reason", StringType(), True),
        StructField("order_id", StringType(), True),
        StructField("event_time_us", LongType(), True),
        StructField("branch", StringType(), True),
        StructField("terminal_id", StringType(), True),
        StructField("mode_of_payment", StringType(), True),
        StructField("order_total", StringType(), True),
        StructField("lines", ArrayType(LINE_TYPE), True),
    ]
)


def verdict_row(raw: bytes | bytearray | None, catalog: Catalog) -> tuple[Any, ...]:
    """The UDF's result for one message: a tuple shaped like VERDICT_TYPE. Pure."""
    verdict = validate(raw, catalog)
    order = verdict.order
    if order is None:
        return (False, verdict.reason, None, None, None, None, None, None, None)
    lines = [
        (
            line.line_no,
            line.item_id,
            line.item_name,
            line.category,
            paisa_text(line.price_paisa),
            line.quantity,
            paisa_text(line.amount_paisa),
        )
        for line in order.lines
    ]
    return (
        True,
        None,
        order.order_id,
        order.event_time_us,
        order.branch,
        order.terminal_id,
        order.payment,
        paisa_text(order.total_paisa),
        lines,
    )


def with_verdicts(bronze: DataFrame, catalog: Catalog) -> DataFrame:
    """Bronze rows + a ``verdict`` struct column (VERDICT_TYPE)."""

    def judge(raw: bytes | bytearray | None) -> tuple[Any, ...]:
        return verdict_row(raw, catalog)

    judge_udf = F.udf(judge, VERDICT_TYPE)
    return bronze.withColumn("verdict", judge_udf(F.col("value")))


def quarantine_rows(verdicts: DataFrame) -> DataFrame:
    """The messages that broke the contract, as ``silver.quarantine`` rows."""
    return verdicts.where(~F.col("verdict.ok")).select(
        F.col("partition").alias("source_partition"),
        F.col("offset").alias("source_offset"),
        F.col("value"),
        F.col("verdict.reason").alias("reason"),
        F.col("ingestion_timestamp"),
    )


def first_per_order(verdicts: DataFrame) -> DataFrame:
    """Valid messages, the first occurrence (lowest partition, then offset) of each order id in the batch."""
    valid = verdicts.where(F.col("verdict.ok"))
    rank = Window.partitionBy(F.col("verdict.order_id")).orderBy(F.col("partition"), F.col("offset"))
    return valid.withColumn("_rank", F.row_number().over(rank)).where(F.col("_rank") == 1).drop("_rank")


def explode_lines(orders: DataFrame) -> DataFrame:
    """One ``silver.order_items`` row per order line, with the lakehouse types."""
    exploded = orders.select(
        F.col("verdict").alias("v"),
        F.col("partition"),
        F.col("offset"),
        F.col("ingestion_timestamp"),
        F.explode(F.col("verdict.lines")).alias("line"),
    )
    return exploded.select(
        F.col("v.order_id").alias("order_id"),
        F.expr("timestamp_micros(v.event_time_us)").alias("event_time"),
        F.col("v.branch").alias("branch"),
        F.col("v.terminal_id").alias("terminal_id"),
        F.col("v.mode_of_payment").alias("mode_of_payment"),
        F.col("line.line_no").alias("line_no"),
        F.col("line.item_id").alias("item_id"),
        F.col("line.item_name").alias("item_name"),
        F.col("line.category").alias("category"),
        F.col("line.unit_price").cast("decimal(10,2)").alias("unit_price"),
        F.col("line.quantity").alias("quantity"),
        F.col("line.line_amount").cast("decimal(12,2)").alias("line_amount"),
        F.col("v.order_total").cast("decimal(12,2)").alias("order_total"),
        F.col("partition").cast("int").alias("source_partition"),
        F.col("offset").cast("long").alias("source_offset"),
        F.col("ingestion_timestamp"),
    )


def silver_lines(verdicts: DataFrame) -> DataFrame:
    """The batch's candidate silver rows: first occurrence per order id, exploded (before the history check)."""
    return explode_lines(first_per_order(verdicts))


def merge_new_orders(spark: SparkSession, lakehouse: Lakehouse, lines: DataFrame) -> None:
    """Insert-if-absent on order_id against all of silver (idempotent: a re-run inserts nothing twice)."""
    target = lakehouse.delta(spark, "silver.order_items")
    (
        target.alias("t")
        .merge(lines.select(*SILVER_SCHEMA.fieldNames()).alias("s"), "t.order_id = s.order_id")
        .whenNotMatchedInsertAll()
        .execute()
    )


def write_silver_batch(
    spark: SparkSession,
    lakehouse: Lakehouse,
    bronze_batch: DataFrame,
    catalog: Catalog,
    txn_app_id: str,
    batch_id: int,
) -> dict[str, int]:
    """One batch of bronze rows into silver (MERGE) and quarantine (idempotent append). Returns what it did:
    ``rows`` (bronze rows), ``orders`` (orders of this batch now in silver), ``duplicates`` (valid messages not
    inserted: repeated in the batch or already in silver), ``quarantined``."""
    verdicts = with_verdicts(bronze_batch, catalog).persist()
    try:
        # The counts first: they compute (and cache) every verdict once; then the MERGE and the quarantine
        # append, independent tables, side by side (each is mostly driver-side planning on one core).
        counts = verdicts.agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum(F.when(F.col("verdict.ok"), 0).otherwise(1)).alias("quarantined"),
            F.sum(F.when(F.col("verdict.ok"), 1).otherwise(0)).alias("valid"),
            F.max("ingestion_timestamp").alias("ingested"),
        ).collect()[0]
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="brewline-silver") as pool:
            merged = pool.submit(merge_new_orders, spark, lakehouse, silver_lines(verdicts))
            quarantined = pool.submit(
                lakehouse.append, quarantine_rows(verdicts), "silver.quarantine", txn_app_id, batch_id
            )
            merged.result()
            quarantined.result()
        rows = int(counts["rows"] or 0)
        orders = 0
        if counts["ingested"] is not None and int(counts["valid"] or 0) > 0:
            orders = (
                lakehouse.read(spark, "silver.order_items")
                .where((F.col("ingestion_timestamp") == F.lit(counts["ingested"])) & (F.col("line_no") == 1))
                .count()
            )
        return {
            "rows": rows,
            "orders": orders,
            "duplicates": int(counts["valid"] or 0) - orders,
            "quarantined": int(counts["quarantined"] or 0),
        }
    finally:
        verdicts.unpersist()
