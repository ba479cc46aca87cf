"""Gold: the three windowed aggregations as ONE streaming query with three of Spark's own stateful operators.

``silver lines -> withWatermark(event_time, delay) -> groupBy(window(event_time, w, w, offset), key).agg(...)``
three times (branch x window, item x window, window), unioned into one DataFrame so one query (one
checkpoint, one batch id) carries all three and its progress has one ``stateOperators`` entry per table
(positions 0, 1, 2 = ``GOLD_TABLES``). Late filtering (wm(N-1)), eviction (wm(N)), no-data batches and
``numRowsDroppedByWatermark`` are all Spark's own; nothing is re-implemented here.

Exact order counts in a streaming aggregation: Spark rejects ``countDistinct`` on streams (that is why the
original notebooks used ``approx_count_distinct``). Silver holds each order exactly once, as lines numbered
1..n, and an order's items are distinct (the contract rejects a repeated item), so:

- orders per (window, branch) and per window = the number of lines with ``line_no = 1`` (one per order);
- orders per (window, item) = the number of lines of that item (at most one per order).

Both are plain sums, exact and cheap in state (no sets of ids).

Sinks (foreachBatch, idempotent per batch): complete mode overwrites each table with the full result
(``txnAppId``/``txnVersion``); update mode MERGE-upserts the updated rows on the table's key.
``avg_order_value`` = revenue / orders rounded half-up to 2 decimals, computed on integer paisa.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from brewline_pipeline.config import OutputMode, spark_interval
from brewline_pipeline.tables import Lakehouse

GOLD_TABLES = ("gold.branch_revenue", "gold.product_popularity", "gold.hourly_sales")
GOLD_KEYS = {
    "gold.branch_revenue": ("window_start", "branch"),
    "gold.product_popularity": ("window_start", "item_id"),
    "gold.hourly_sales": ("window_start",),
}


@dataclass(frozen=True)
class GoldSpec:
    window_ms: int = 3_600_000
    window_offset_ms: int = 900_000
    watermark_delay_ms: int = 600_000
    output_mode: OutputMode = "complete"


def _window(spec: GoldSpec) -> Column:
    duration = spark_interval(spec.window_ms)
    return F.window(F.col("event_time"), duration, duration, spark_interval(spec.window_offset_ms)).alias(
        "window"
    )


def _typed_null(dtype: str) -> Column:
    return F.lit(None).cast(dtype)


#: ``tbl`` of the pass-through rows (update mode): the batch's own input lines, unaggregated, from which the
#: sink records the orders the late-row filter dropped. Not a gold table; no stateful operator.
LINES_TBL = "_lines"


def gold_aggregates(lines: DataFrame, spec: GoldSpec) -> DataFrame:
    """Silver lines (streaming or static) -> the three aggregations in one DataFrame with a ``tbl`` column.

    In update mode a fourth, stateless branch passes the batch's input lines through (``tbl = LINES_TBL``,
    with ``order_id`` and ``event_time``): Spark's operators drop late rows without saying which, and the sink
    needs them for ``ops.watermark_drops``. It reads ``lines`` before ``withWatermark``, so the watermark and
    the three operators (positions 0-2 of ``stateOperators``) are exactly those of the aggregations alone.
    """
    watermarked = lines.withWatermark("event_time", spark_interval(spec.watermark_delay_ms))
    first_line = F.when(F.col("line_no") == 1, F.lit(1)).otherwise(F.lit(0)).cast("long")
    revenue = F.sum("line_amount").alias("revenue")
    units = F.sum(F.col("quantity").cast("long")).alias("items")
    branch = watermarked.groupBy(_window(spec), F.col("branch")).agg(
        revenue, F.sum(first_line).alias("orders"), units
    )
    product = watermarked.groupBy(_window(spec), F.col("item_id")).agg(
        F.min("item_name").alias("item_name"),
        F.min("category").alias("category"),
        revenue,
        F.count(F.lit(1)).cast("long").alias("orders"),
        units,
    )
    hourly = watermarked.groupBy(_window(spec)).agg(revenue, F.sum(first_line).alias("orders"), units)
    columns = (
        "tbl",
        "window",
        "branch",
        "item_id",
        "item_name",
        "category",
        "revenue",
        "orders",
        "items",
        "order_id",
        "event_time",
    )
    types = {"order_id": "string", "event_time": "timestamp"}

    def shape(df: DataFrame, table: str) -> DataFrame:
        present = set(df.columns)
        return df.select(
            F.lit(table).alias("tbl"),
            *[
                F.col(c) if c in present else _typed_null(types.get(c, "string")).alias(c)
                for c in columns[1:]
            ],
        )

    result = (
        shape(branch, GOLD_TABLES[0])
        .unionByName(shape(product, GOLD_TABLES[1]))
        .unionByName(shape(hourly, GOLD_TABLES[2]))
    )
    if spec.output_mode != "update":
        return result
    passed = lines.select(
        _window(spec),
        F.col("order_id"),
        F.col("event_time"),
        F.lit(None).cast("decimal(22,2)").alias("revenue"),
        F.lit(None).cast("long").alias("orders"),
        F.lit(None).cast("long").alias("items"),
    )
    return result.unionByName(shape(passed, LINES_TBL))


def average_paisa_half_up(revenue: Column, orders: Column) -> Column:
    """revenue / orders rounded half-up to whole paisa, on exact integers (no decimal division rounding)."""
    paisa = (revenue * 100).cast("long")
    quotient = F.floor(paisa / orders).cast("long")
    remainder = paisa - quotient * orders
    rounded = quotient + F.when(remainder * 2 >= orders, F.lit(1)).otherwise(F.lit(0))
    return F.when(orders > 0, (rounded.cast("decimal(20,0)") / 100).cast("decimal(18,2)")).otherwise(
        F.lit(0).cast("decimal(18,2)")
    )


def split_gold(result: DataFrame) -> dict[str, DataFrame]:
    """The unioned aggregation output -> the three gold tables' rows with their schemas."""
    base = result.select(
        "*",
        F.col("window.start").alias("window_start"),
        F.col("window.end").alias("window_end"),
        F.col("revenue").cast("decimal(18,2)").alias("revenue_18"),
    )
    branch = base.where(F.col("tbl") == GOLD_TABLES[0]).select(
        "window_start",
        "window_end",
        "branch",
        F.col("revenue_18").alias("revenue"),
        F.col("orders").cast("long").alias("orders"),
        F.col("items").cast("long").alias("items"),
    )
    product = base.where(F.col("tbl") == GOLD_TABLES[1]).select(
        "window_start",
        "window_end",
        "item_id",
        "item_name",
        "category",
        F.col("items").cast("long").alias("quantity"),
        F.col("revenue_18").alias("revenue"),
        F.col("orders").cast("long").alias("orders"),
    )
    hourly = base.where(F.col("tbl") == GOLD_TABLES[2]).select(
        "window_start",
        "window_end",
        F.col("revenue_18").alias("revenue"),
        F.col("orders").cast("long").alias("orders"),
        F.col("items").cast("long").alias("items"),
        average_paisa_half_up(F.col("revenue_18"), F.col("orders").cast("long")).alias("avg_order_value"),
    )
    return {GOLD_TABLES[0]: branch, GOLD_TABLES[1]: product, GOLD_TABLES[2]: hourly}


def watermark_drops(result: DataFrame, query_name: str, batch_id: int, late_watermark_ms: int) -> DataFrame:
    """The orders of this batch's pass-through lines that the late-row filter dropped: window end <= the
    late-events watermark wm(N-1) (SEMANTICS.md), one ``ops.watermark_drops`` row per order."""
    watermark = F.timestamp_millis(F.lit(late_watermark_ms))
    late = result.where((F.col("tbl") == LINES_TBL) & (F.col("window.end") <= watermark))
    return (
        late.groupBy("order_id")
        .agg(
            F.min("event_time").alias("event_time"),
            F.min("window.start").alias("window_start"),
            F.count(F.lit(1)).cast("int").alias("lines"),
        )
        .select(
            F.lit(query_name).alias("query_name"),
            F.lit(batch_id).cast("long").alias("batch_id"),
            "order_id",
            "event_time",
            "window_start",
            watermark.alias("watermark"),
            "lines",
        )
    )


def write_gold_batch(
    spark: SparkSession,
    lakehouse: Lakehouse,
    result: DataFrame,
    mode: OutputMode,
    txn_app_id: str,
    batch_id: int,
    query_name: str = "gold",
    late_watermark_ms: int = 0,
) -> None:
    """One micro-batch of the aggregation's output into the three gold tables, idempotently; in update mode
    also the orders the watermark dropped (``late_watermark_ms`` = the watermark that filtered this batch).

    The output is computed once (the stateful operators run once per batch) and cached; then the tables are
    written side by side, since each write is mostly driver-side planning and Delta commit work on one core
    (no speed-up was measurable on a loaded 2-core machine; more cores are where it can help). Each write is
    idempotent on its own (txn or upsert), so a batch killed halfway re-runs to the same tables.
    """
    result = result.persist()
    try:
        result.count()
        writes: list[Callable[[], None]] = []
        if mode == "update" and late_watermark_ms > 0:
            drops = watermark_drops(result, query_name, batch_id, late_watermark_ms)
            writes.append(lambda: lakehouse.append(drops, "ops.watermark_drops", txn_app_id, batch_id))
        for table, rows in split_gold(result).items():
            writes.append(_writer(spark, lakehouse, table, rows, mode, txn_app_id, batch_id))
        with ThreadPoolExecutor(max_workers=len(writes), thread_name_prefix="brewline-gold") as pool:
            for future in [pool.submit(write) for write in writes]:
                future.result()
    finally:
        result.unpersist()


def _writer(
    spark: SparkSession,
    lakehouse: Lakehouse,
    table: str,
    rows: DataFrame,
    mode: OutputMode,
    txn_app_id: str,
    batch_id: int,
) -> Callable[[], None]:
    """One gold table's write of a batch: overwrite (complete mode, txn) or upsert on the key (update)."""
    if mode == "complete":
        return lambda: lakehouse.overwrite(rows, table, txn_app_id, batch_id)
    condition = " AND ".join(f"t.{k} = s.{k}" for k in GOLD_KEYS[table])

    def upsert() -> None:
        (
            lakehouse.delta(spark, table)
            .alias("t")
            .merge(rows.alias("s"), condition)
            .whenMatchedUpdateAll()
            .whenNotMatchedInsertAll()
            .execute()
        )

    return upsert
