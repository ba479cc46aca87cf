"""Wiring: sources, sinks, checkpoints and triggers of the two shapes (the transforms are elsewhere, pure).

**Chain shape** (the Workflow DAG: three tasks, each ``available-now`` or a processing-time trigger):

- ``bronze``: source -> foreachBatch: append ``bronze.orders_raw`` (+ ``batch_id``), txnAppId/txnVersion.
- ``silver``: ``bronze.orders_raw`` as a Delta stream -> foreachBatch: validate, MERGE new orders into
  ``silver.order_items``, append ``silver.quarantine`` (txn).
- ``gold``: ``silver.order_items`` as a Delta stream -> watermark -> the three aggregations -> foreachBatch.

**Stream shape** (``stream.py``: one Spark application, all layers per micro-batch):

- query ``ingest``: source -> foreachBatch(N): MERGE silver, append quarantine, then append bronze (last,
  one file per batch). Bronze being last means a bronze commit is only ever visible once its silver rows are.
- query ``gold``: ``bronze.orders_raw`` as a Delta stream (``maxFilesPerTrigger=1`` from version 0: exactly one
  ingest batch per gold batch) joined with the *static* ``silver.order_items`` on (source_partition,
  source_offset, ingestion_timestamp): gold batch N sees exactly the silver lines that input batch N inserted
  — also when it inserted none (the batch still runs and the watermark steps as the embedded engine's). The
  ingestion timestamp is Spark's batch timestamp (from the offset log), so a re-run batch matches the same rows.
  With ``--trigger available-now`` the ingest query runs to its end first and gold then runs batch after batch
  with data always available: no no-data batch falls between two data batches (as in one Spark query over
  files of N lines with maxFilesPerTrigger=1, the reference the embedded engine is compared with). With a
  processing-time trigger both run side by side, as an always-on stream.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Protocol, TypeVar

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming.query import StreamingQuery
from pyspark.sql.streaming.readwriter import DataStreamWriter

from brewline_pipeline.bronze import read_source, with_batch_id
from brewline_pipeline.catalog import Catalog, load_catalog
from brewline_pipeline.checkpoint import late_events_watermark_ms
from brewline_pipeline.config import PipelineArgs, parse_args
from brewline_pipeline.gold import GoldSpec, gold_aggregates, write_gold_batch
from brewline_pipeline.progress import ProgressWriter, emit
from brewline_pipeline.session import get_spark, on_databricks
from brewline_pipeline.silver import write_silver_batch
from brewline_pipeline.tables import Lakehouse

JOIN_KEYS = ("source_partition", "source_offset", "ingestion_timestamp")


def lakehouse_of(args: PipelineArgs) -> Lakehouse:
    return Lakehouse(root=args.lakehouse, catalog=args.catalog)


def gold_spec(args: PipelineArgs) -> GoldSpec:
    return GoldSpec(args.window_ms, args.window_offset_ms, args.watermark_delay_ms, args.output_mode)


class QueryIds:
    """The running query's id by name (stable across restarts: it lives in the checkpoint), for txnAppId."""

    def __init__(self, spark: SparkSession) -> None:
        self._spark = spark
        self._ids: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name not in self._ids:
            for query in self._spark.streams.active:
                if query.name == name:
                    self._ids[name] = str(query.id)
        if name not in self._ids:
            raise RuntimeError(f"streaming query {name} is not active")
        return self._ids[name]


def with_trigger(writer: DataStreamWriter, args: PipelineArgs) -> DataStreamWriter:
    if args.available_now:
        return writer.trigger(availableNow=True)
    return writer.trigger(processingTime=f"{args.trigger_ms} milliseconds")


def _start(
    stream: DataFrame,
    name: str,
    args: PipelineArgs,
    lakehouse: Lakehouse,
    batch: Callable[[DataFrame, int], None],
    output_mode: str = "append",
) -> StreamingQuery:
    writer = (
        stream.writeStream.queryName(name)
        .outputMode(output_mode)
        .option("checkpointLocation", lakehouse.checkpoint(args.checkpoint, name))
        .foreachBatch(batch)
    )
    return with_trigger(writer, args).start()


def start_bronze(spark: SparkSession, args: PipelineArgs, lakehouse: Lakehouse) -> StreamingQuery:
    name = f"{args.query_prefix}bronze"
    ids = QueryIds(spark)

    def batch(df: DataFrame, batch_id: int) -> None:
        lakehouse.append(with_batch_id(df, batch_id), "bronze.orders_raw", ids(name), batch_id)

    return _start(read_source(spark, args), name, args, lakehouse, batch)


def start_silver(
    spark: SparkSession, args: PipelineArgs, lakehouse: Lakehouse, catalog: Catalog
) -> StreamingQuery:
    name = f"{args.query_prefix}silver"
    ids = QueryIds(spark)

    def batch(df: DataFrame, batch_id: int) -> None:
        stats = write_silver_batch(spark, lakehouse, df.drop("batch_id"), catalog, ids(name), batch_id)
        emit({"event": "silver", "queryName": name, "batchId": batch_id, **stats})

    return _start(lakehouse.read_stream(spark, "bronze.orders_raw"), name, args, lakehouse, batch)


def start_ingest(
    spark: SparkSession, args: PipelineArgs, lakehouse: Lakehouse, catalog: Catalog
) -> StreamingQuery:
    """Stream shape, first query: source -> silver + quarantine + bronze per micro-batch."""
    name = f"{args.query_prefix}ingest"
    ids = QueryIds(spark)

    def batch(df: DataFrame, batch_id: int) -> None:
        rows = df.persist()
        try:
            app = ids(name)
            stats = write_silver_batch(spark, lakehouse, rows, catalog, app, batch_id)
            lakehouse.append(with_batch_id(rows, batch_id).coalesce(1), "bronze.orders_raw", app, batch_id)
            emit({"event": "silver", "queryName": name, "batchId": batch_id, **stats})
        finally:
            rows.unpersist()

    return _start(read_source(spark, args), name, args, lakehouse, batch)


def gold_input(spark: SparkSession, lakehouse: Lakehouse, driver: str) -> DataFrame:
    """Gold's streaming input: silver as a Delta stream (chain) or bronze batches joined with silver (stream)."""
    if driver == "silver":
        return lakehouse.read_stream(spark, "silver.order_items")
    keys = lakehouse.read_stream(
        spark, "bronze.orders_raw", maxFilesPerTrigger="1", startingVersion="0"
    ).select(
        F.col("partition").alias("source_partition"),
        F.col("offset").alias("source_offset"),
        F.col("ingestion_timestamp"),
    )
    return keys.join(lakehouse.read(spark, "silver.order_items"), list(JOIN_KEYS), "inner")


ALLOW_MULTIPLE = "spark.sql.streaming.statefulOperator.allowMultiple"


def record_query_settings(spark: SparkSession, lakehouse: Lakehouse, name: str, spec: GoldSpec) -> bool:
    """``ops.query_settings``: the rule this gold query runs with (upserted on its name), for ``verify``.
    Returns ``statefulOperator.allowMultiple`` (which watermark filters late rows)."""
    allow_multiple = str(spark.conf.get(ALLOW_MULTIPLE, "true")).lower() == "true"
    row = spark.createDataFrame(
        [
            (
                name,
                spec.output_mode,
                allow_multiple,
                spec.window_ms,
                spec.window_offset_ms,
                spec.watermark_delay_ms,
            )
        ],
        "query_name string, output_mode string, stateful_operator_allow_multiple boolean, "
        "window_duration_ms long, window_offset_ms long, watermark_delay_ms long",
    ).withColumn("updated_at", F.current_timestamp())
    (
        lakehouse.delta(spark, "ops.query_settings")
        .alias("t")
        .merge(row.alias("s"), "t.query_name = s.query_name")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute()
    )
    return allow_multiple


def start_gold(spark: SparkSession, args: PipelineArgs, lakehouse: Lakehouse, driver: str) -> StreamingQuery:
    name = f"{args.query_prefix}gold"
    ids = QueryIds(spark)
    spec = gold_spec(args)
    checkpoint = lakehouse.checkpoint(args.checkpoint, name)
    allow_multiple = record_query_settings(spark, lakehouse, name, spec)

    def batch(df: DataFrame, batch_id: int) -> None:
        late_ms = (
            late_events_watermark_ms(spark, checkpoint, batch_id, allow_multiple)
            if spec.output_mode == "update"
            else 0
        )
        write_gold_batch(spark, lakehouse, df, spec.output_mode, ids(name), batch_id, name, late_ms)

    aggregated = gold_aggregates(gold_input(spark, lakehouse, driver), spec)
    return _start(aggregated, name, args, lakehouse, batch, output_mode=spec.output_mode)


def _await(queries: Sequence[StreamingQuery]) -> None:
    for query in queries:
        query.awaitTermination()
        error = query.exception()
        if error is not None:
            raise RuntimeError(f"query {query.name} failed: {error}")


class Stoppable(Protocol):
    @property
    def name(self) -> str: ...

    def stop(self) -> None: ...


Q = TypeVar("Q", bound=Stoppable)


class StopRequest:
    """SIGTERM (brewline's stop, a Databricks cancel) stops the queries from a helper thread.

    Raising in the signal handler instead would interrupt whatever py4j call the main thread is in (its
    ``awaitTermination``), leaving that gateway connection half-read ("KeyboardInterrupt while sending
    command") and the ``query.stop()`` after it slow or stuck. ``query.stop()`` from another thread lets each
    query end at its batch boundary while the main thread's wait returns normally. A second SIGTERM gives up
    waiting (KeyboardInterrupt), as a second Ctrl+C does.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self._queries: list[Stoppable] = []
        self._lock = threading.Lock()

    def watch(self, query: Q) -> Q:
        with self._lock:
            self._queries.append(query)
            stopping = self.event.is_set()
        if stopping:
            query.stop()
        return query

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.event.is_set():
            raise KeyboardInterrupt(f"signal {signum}")
        self.event.set()
        threading.Thread(target=self._stop_all, name="brewline-stop", daemon=True).start()

    def _stop_all(self) -> None:
        with self._lock:
            queries = list(self._queries)
        for query in queries:
            try:
                query.stop()
            except Exception as error:  # the query may already have ended or failed: nothing left to stop
                print(f"brewline: stopping {query.name}: {error}", file=sys.stderr, flush=True)


def run_layers(
    args: PipelineArgs, layers: Sequence[str], app_name: str, spark: SparkSession | None = None
) -> int:
    """Runs one task (``bronze``/``silver``/``gold``) or the stream shape (``stream``). Returns an exit code."""
    spark = spark or get_spark(app_name)
    lakehouse = lakehouse_of(args)
    lakehouse.ensure(spark)
    catalog = load_catalog(args.catalog_dir)
    prefix = args.query_prefix
    progress = ProgressWriter(spark, lakehouse, frozenset({f"{prefix}gold"}), echo=True)
    spark.streams.addListener(progress)
    queries: list[StreamingQuery] = []
    stop = StopRequest()
    try:
        stop.install()
        if "stream" in layers:
            queries.append(stop.watch(start_ingest(spark, args, lakehouse, catalog)))
            if args.available_now:
                _await(queries)
            if not stop.event.is_set():
                queries.append(stop.watch(start_gold(spark, args, lakehouse, driver="bronze")))
        else:
            for layer in layers:
                if stop.event.is_set():
                    break
                if layer == "bronze":
                    queries.append(stop.watch(start_bronze(spark, args, lakehouse)))
                elif layer == "silver":
                    queries.append(stop.watch(start_silver(spark, args, lakehouse, catalog)))
                elif layer == "gold":
                    queries.append(stop.watch(start_gold(spark, args, lakehouse, driver="silver")))
                if args.available_now:
                    _await(queries[-1:])
        _await(queries)
        return 0
    except KeyboardInterrupt:
        return (
            0  # stopped on request (SIGINT/SIGTERM): the queries stop after their batch, progress is flushed
        )
    finally:
        for query in queries:
            if query.isActive:
                query.stop()
        spark.streams.removeListener(progress)
        progress.close()


def main(argv: Sequence[str] | None, layer: str, description: str) -> int:
    """An entry point: parse the job parameters, run, stop a local session. Exit 0, 1 (failed), 2 (bad args), 130."""
    args = parse_args(argv, f"brewline_pipeline.tasks.{layer}", description)
    spark = get_spark(f"brewline-{layer}")
    try:
        return run_layers(args, [layer], f"brewline-{layer}", spark)
    except Exception as error:
        emit({"event": "terminated", "queryName": layer, "timestamp": "", "error": str(error)[:4000]})
        print(f"brewline: {layer} failed: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        if not on_databricks():
            spark.stop()
