"""DOMAIN.md's tables as Delta tables: local folders ``DIR/<schema>/<table>`` or Unity Catalog names.

Types are those of the embedded lakehouse (``src/backends/duckdb/schema.ts``), except that the raw message
``value`` is BINARY here (Spark's Kafka source keeps it so; DuckDB: BLOB) in bronze and in quarantine.
JSON columns of ``ops.stream_progress`` are STRING holding JSON text.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, DataFrameReader, SparkSession
from pyspark.sql.streaming.readwriter import DataStreamReader
from pyspark.sql.types import (
    BinaryType,
    BooleanType,
    DecimalType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)


def _schema(*fields: tuple[str, object, bool]) -> StructType:
    return StructType([StructField(name, dtype, nullable) for name, dtype, nullable in fields])  # type: ignore[arg-type]


BRONZE_SCHEMA = _schema(
    ("value", BinaryType(), True),
    ("key", StringType(), True),
    ("topic", StringType(), True),
    ("partition", IntegerType(), True),
    ("offset", LongType(), True),
    ("timestamp", TimestampType(), True),
    ("timestamp_type", StringType(), True),
    ("ingestion_timestamp", TimestampType(), True),
    ("batch_id", LongType(), True),
)
SILVER_SCHEMA = _schema(
    ("order_id", StringType(), False),
    ("event_time", TimestampType(), False),
    ("branch", StringType(), True),
    ("terminal_id", StringType(), True),
    ("mode_of_payment", StringType(), True),
    ("line_no", IntegerType(), True),
    ("item_id", StringType(), True),
    ("item_name", StringType(), True),
    ("category", StringType(), True),
    ("unit_price", DecimalType(10, 2), True),
    ("quantity", IntegerType(), True),
    ("line_amount", DecimalType(12, 2), True),
    ("order_total", DecimalType(12, 2), True),
    ("source_partition", IntegerType(), True),
    ("source_offset", LongType(), True),
    ("ingestion_timestamp", TimestampType(), True),
)
QUARANTINE_SCHEMA = _schema(
    ("source_partition", IntegerType(), True),
    ("source_offset", LongType(), True),
    ("value", BinaryType(), True),
    ("reason", StringType(), True),
    ("ingestion_timestamp", TimestampType(), True),
)
BRANCH_REVENUE_SCHEMA = _schema(
    ("window_start", TimestampType(), False),
    ("window_end", TimestampType(), False),
    ("branch", StringType(), False),
    ("revenue", DecimalType(18, 2), True),
    ("orders", LongType(), True),
    ("items", LongType(), True),
)
PRODUCT_POPULARITY_SCHEMA = _schema(
    ("window_start", TimestampType(), False),
    ("window_end", TimestampType(), False),
    ("item_id", StringType(), False),
    ("item_name", StringType(), True),
    ("category", StringType(), True),
    ("quantity", LongType(), True),
    ("revenue", DecimalType(18, 2), True),
    ("orders", LongType(), True),
)
HOURLY_SALES_SCHEMA = _schema(
    ("window_start", TimestampType(), False),
    ("window_end", TimestampType(), False),
    ("revenue", DecimalType(18, 2), True),
    ("orders", LongType(), True),
    ("items", LongType(), True),
    ("avg_order_value", DecimalType(18, 2), True),
)
STREAM_PROGRESS_SCHEMA = _schema(
    ("query_name", StringType(), True),
    ("batch_id", LongType(), True),
    ("timestamp", TimestampType(), True),
    ("num_input_rows", LongType(), True),
    ("input_rows_per_second", DoubleType(), True),
    ("processed_rows_per_second", DoubleType(), True),
    ("duration_ms", StringType(), True),
    ("event_time_min", TimestampType(), True),
    ("event_time_max", TimestampType(), True),
    ("watermark", TimestampType(), True),
    ("num_rows_dropped_by_watermark", LongType(), True),
    ("state_rows", LongType(), True),
    ("sources", StringType(), True),
    ("state_operators", StringType(), True),
    ("query_id", StringType(), True),
    ("run_id", StringType(), True),
)

#: The orders update mode's late-row filter dropped (one row per order), so ``brewline verify`` can account
#: for them: as the embedded engine's ``ops.watermark_drops`` (src/backends/duckdb/schema.ts).
WATERMARK_DROPS_SCHEMA = _schema(
    ("query_name", StringType(), True),
    ("batch_id", LongType(), True),
    ("order_id", StringType(), True),
    ("event_time", TimestampType(), True),
    ("window_start", TimestampType(), True),
    ("watermark", TimestampType(), True),
    ("lines", IntegerType(), True),
)
#: The rule a gold query runs with (one row per query), so ``verify`` holds it to the right one.
QUERY_SETTINGS_SCHEMA = _schema(
    ("query_name", StringType(), False),
    ("output_mode", StringType(), False),
    ("stateful_operator_allow_multiple", BooleanType(), False),
    ("window_duration_ms", LongType(), True),
    ("window_offset_ms", LongType(), True),
    ("watermark_delay_ms", LongType(), True),
    ("updated_at", TimestampType(), True),
)

TABLES: dict[str, StructType] = {
    "bronze.orders_raw": BRONZE_SCHEMA,
    "silver.order_items": SILVER_SCHEMA,
    "silver.quarantine": QUARANTINE_SCHEMA,
    "gold.branch_revenue": BRANCH_REVENUE_SCHEMA,
    "gold.product_popularity": PRODUCT_POPULARITY_SCHEMA,
    "gold.hourly_sales": HOURLY_SALES_SCHEMA,
    "ops.stream_progress": STREAM_PROGRESS_SCHEMA,
    "ops.watermark_drops": WATERMARK_DROPS_SCHEMA,
    "ops.query_settings": QUERY_SETTINGS_SCHEMA,
}


ENGINE_INFO = "brewline_pipeline"


def create_local_table(path: Path, schema: StructType) -> bool:
    """Creates an empty Delta table in a local folder by writing its first commit (protocol 1/2, the schema,
    no partitions) as the Delta protocol specifies; False if the table exists. Milliseconds, where Spark's
    ``DeltaTable.createIfNotExists`` takes about 2 s per table (a job and a checkpoint scan each): seven
    tables were 12-16 s of every local start. Atomic and safe against a concurrent creator: the commit is
    written aside and linked into place, which fails if version 0 exists (what Delta's local log store does).
    """
    log = path / "_delta_log"
    first = log / f"{0:020d}.json"
    if log.is_dir() and any(_is_log_file(p.name) for p in log.iterdir()):
        return False  # a table (its early commits may be gone after log cleanup: checkpoints remain)
    log.mkdir(parents=True, exist_ok=True)
    now = int(time.time() * 1000)
    actions = [
        {
            "commitInfo": {
                "timestamp": now,
                "operation": "CREATE TABLE",
                "operationParameters": {
                    "partitionBy": "[]",
                    "description": None,
                    "isManaged": "false",
                    "properties": "{}",
                },
                "isolationLevel": "Serializable",
                "isBlindAppend": True,
                "operationMetrics": {},
                "engineInfo": ENGINE_INFO,
                "txnId": str(uuid.uuid4()),
            }
        },
        {
            "metaData": {
                "id": str(uuid.uuid4()),
                "format": {"provider": "parquet", "options": {}},
                "schemaString": schema.json(),
                "partitionColumns": [],
                "configuration": {},
                "createdTime": now,
            }
        },
        {"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}},
    ]
    aside = log / f".{first.name}.{uuid.uuid4().hex}.tmp"
    aside.write_text("".join(json.dumps(a, separators=(",", ":")) + "\n" for a in actions), encoding="utf-8")
    try:
        os.link(aside, first)
        return True
    except FileExistsError:
        return False
    finally:
        aside.unlink(missing_ok=True)


def _is_log_file(name: str) -> bool:
    """A commit, checkpoint or checksum of a Delta log (``000…N.json``, ``.checkpoint…parquet``, ``_last_checkpoint``)."""
    return name[:1].isdigit() or name == "_last_checkpoint"


@dataclass(frozen=True)
class Lakehouse:
    """Where the tables live: a local folder (``root``) or a Unity Catalog (``catalog``)."""

    root: str | None = None
    catalog: str | None = None

    def __post_init__(self) -> None:
        if (self.root is None) == (self.catalog is None):
            raise ValueError("give exactly one of --lakehouse DIR or --catalog NAME")

    def location(self, table: str) -> str:
        """``DIR/<schema>/<table>`` or ``NAME.<schema>.<table>``."""
        if self.catalog is not None:
            return f"{self.catalog}.{table}"
        schema, name = table.split(".")
        return str(Path(self.root or ".").resolve() / schema / name)

    def checkpoint(self, base: str | None, query: str) -> str:
        if base:
            return str(Path(base) / query) if "://" not in base else f"{base.rstrip('/')}/{query}"
        if self.root is None:
            raise ValueError("--checkpoint is required with --catalog (e.g. a Unity Catalog volume path)")
        return str(Path(self.root).resolve() / "_checkpoints" / query)

    def ensure(self, spark: SparkSession, tables: list[str] | None = None) -> None:
        """Creates the tables (empty, with their schema) that do not exist yet (a few at a time: each is a commit)."""
        from concurrent.futures import ThreadPoolExecutor

        wanted = tables or list(TABLES)
        if self.catalog is not None:
            for schema in sorted({t.split(".")[0] for t in wanted}):
                spark.sql(f"CREATE SCHEMA IF NOT EXISTS {self.catalog}.{schema}")

        def create(table: str) -> None:
            if self.catalog is None:
                create_local_table(Path(self.location(table)), TABLES[table])
                return
            builder = DeltaTable.createIfNotExists(spark)
            if self.catalog is not None:
                builder = builder.tableName(self.location(table))
            else:
                builder = builder.location(self.location(table))
            builder.addColumns(TABLES[table]).execute()

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(create, wanted))

    def delta(self, spark: SparkSession, table: str) -> DeltaTable:
        if self.catalog is not None:
            return DeltaTable.forName(spark, self.location(table))
        return DeltaTable.forPath(spark, self.location(table))

    def read(self, spark: SparkSession, table: str) -> DataFrame:
        reader: DataFrameReader = spark.read.format("delta")
        if self.catalog is not None:
            return reader.table(self.location(table))
        return reader.load(self.location(table))

    def read_stream(self, spark: SparkSession, table: str, **options: str) -> DataFrame:
        reader: DataStreamReader = spark.readStream.format("delta").options(**options)
        if self.catalog is not None:
            return reader.table(self.location(table))
        return reader.load(self.location(table))

    def append(
        self, df: DataFrame, table: str, txn_app_id: str | None = None, txn_version: int | None = None
    ) -> None:
        """Appends ``df``; with ``txn_app_id``/``txn_version`` Delta skips a (app, version) it already committed."""
        writer = df.write.format("delta").mode("append")
        if txn_app_id is not None and txn_version is not None:
            writer = writer.option("txnAppId", txn_app_id).option("txnVersion", txn_version)
        if self.catalog is not None:
            writer.saveAsTable(self.location(table))
        else:
            writer.save(self.location(table))

    def overwrite(self, df: DataFrame, table: str, txn_app_id: str, txn_version: int) -> None:
        writer = (
            df.write.format("delta")
            .mode("overwrite")
            .option("txnAppId", txn_app_id)
            .option("txnVersion", txn_version)
        )
        if self.catalog is not None:
            writer.saveAsTable(self.location(table))
        else:
            writer.save(self.location(table))
