"""``ops.stream_progress`` from Spark's real ``StreamingQueryProgress``, off the stream's critical path.

A ``StreamingQueryListener`` only parses ``event.progress.json`` into a row and puts it in a queue; a daemon
thread appends the queued rows to the Delta table every ``flush_seconds`` (and on :meth:`ProgressWriter.close`).
Rows have the embedded engine's columns (``src/backends/duckdb/duckdb-lakehouse.ts``) plus ``query_id`` and
``run_id``: offsets in ``sources`` are flattened to ``{"<partition>": offset}`` for Kafka (single topic), as the
embedded engine writes them, with Spark's source ``metrics`` (Kafka: ``min/max/avgOffsetsBehindLatest``)
kept; other sources' offsets (file log, Delta versions) are kept as Spark gives them. In the gold query's
``state_operators``, entry i is named after ``GOLD_TABLES[i]``.
"""

from __future__ import annotations

import json
import queue
import threading
from datetime import datetime, timezone
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql.streaming.listener import StreamingQueryListener

from brewline_pipeline.gold import GOLD_TABLES
from brewline_pipeline.tables import STREAM_PROGRESS_SCHEMA, Lakehouse

_emit_lock = threading.Lock()


def emit(event: dict[str, Any]) -> None:
    """One protocol line on stdout for brewline (src/backends/spark/PROTOCOL.md): ``BREWLINE {json}``."""
    text = "BREWLINE " + json.dumps(event, default=str)
    with _emit_lock:
        print(text, flush=True)


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).replace(tzinfo=None)


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        return number if number == number and abs(number) != float("inf") else None
    return None


def flatten_offsets(offset: Any) -> Any:
    """Kafka's ``{"topic": {"0": 12}}`` -> ``{"0": 12}``; a JSON string is parsed first; others unchanged."""
    if isinstance(offset, str):
        try:
            offset = json.loads(offset)
        except ValueError:
            return offset
    if isinstance(offset, dict) and offset and all(isinstance(v, dict) for v in offset.values()):
        flat: dict[str, Any] = {}
        for partitions in offset.values():
            for partition, value in partitions.items():
                flat[str(partition)] = value
        return flat
    return offset


def progress_row(progress: dict[str, Any], gold_query_names: frozenset[str] = frozenset()) -> dict[str, Any]:
    """One ``ops.stream_progress`` row from a parsed ``StreamingQueryProgress`` JSON. Pure."""
    name = progress.get("name") or ""
    operators = []
    for index, op in enumerate(progress.get("stateOperators") or []):
        entry = dict(op)
        if name in gold_query_names and index < len(GOLD_TABLES):
            entry["sparkOperatorName"] = entry.get("operatorName")
            entry["operatorName"] = GOLD_TABLES[index]
        operators.append(entry)
    sources = [
        {
            "description": s.get("description"),
            "startOffset": flatten_offsets(s.get("startOffset")),
            "endOffset": flatten_offsets(s.get("endOffset")),
            "latestOffset": flatten_offsets(s.get("latestOffset")),
            "numInputRows": s.get("numInputRows"),
            "inputRowsPerSecond": _number(s.get("inputRowsPerSecond")),
            "processedRowsPerSecond": _number(s.get("processedRowsPerSecond")),
            "metrics": s.get("metrics") or {},
        }
        for s in progress.get("sources") or []
    ]
    event_time = progress.get("eventTime") or {}
    return {
        "query_name": name,
        "batch_id": int(progress.get("batchId", -1)),
        "timestamp": _time(progress.get("timestamp")),
        "num_input_rows": int(progress.get("numInputRows") or 0),
        "input_rows_per_second": _number(progress.get("inputRowsPerSecond")),
        "processed_rows_per_second": _number(progress.get("processedRowsPerSecond")),
        "duration_ms": json.dumps(progress.get("durationMs") or {}, sort_keys=True),
        "event_time_min": _time(event_time.get("min")),
        "event_time_max": _time(event_time.get("max")),
        "watermark": _time(event_time.get("watermark")) or datetime(1970, 1, 1),
        "num_rows_dropped_by_watermark": sum(
            int(op.get("numRowsDroppedByWatermark") or 0) for op in operators
        ),
        "state_rows": sum(int(op.get("numRowsTotal") or 0) for op in operators),
        "sources": json.dumps(sources),
        "state_operators": json.dumps(operators),
        "query_id": progress.get("id"),
        "run_id": progress.get("runId"),
    }


class ProgressWriter(StreamingQueryListener):
    """Buffers progress rows and appends them to ``ops.stream_progress`` from its own thread."""

    def __init__(
        self,
        spark: SparkSession,
        lakehouse: Lakehouse,
        gold_query_names: frozenset[str] = frozenset({"gold"}),
        flush_seconds: float = 2.0,
        echo: bool = False,
    ) -> None:
        super().__init__()
        self._spark = spark
        self._lakehouse = lakehouse
        self._gold = gold_query_names
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._flush_seconds = flush_seconds
        self._echo = echo
        self._lock = threading.Lock()
        self.rows_written = 0
        self._started: set[str] = set()
        self._terminated: set[str] = set()
        self._all_terminated = threading.Condition()
        self._names: dict[str, str] = {}
        self._thread = threading.Thread(target=self._run, name="brewline-progress", daemon=True)
        self._thread.start()

    # Listener callbacks: run on Spark's listener bus; they only enqueue (and echo one protocol line).
    def _now(self) -> str:
        return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def onQueryStarted(self, event: Any) -> None:  # noqa: N802 (Spark's names)
        with self._all_terminated:
            self._started.add(str(event.id))
            self._names[str(event.id)] = str(event.name)
        if self._echo:
            emit(
                {
                    "event": "started",
                    "queryName": event.name,
                    "queryId": str(event.id),
                    "runId": str(event.runId),
                    "timestamp": event.timestamp,
                }
            )

    def onQueryProgress(self, event: Any) -> None:  # noqa: N802 (Spark's names)
        parsed = json.loads(event.progress.json)
        self._queue.put(progress_row(parsed, self._gold))
        if self._echo:
            emit({"event": "progress", "progress": parsed})

    def onQueryIdle(self, event: Any) -> None:  # noqa: N802 (Spark's names)
        if self._echo:
            emit(
                {
                    "event": "idle",
                    "queryName": self._names.get(str(event.id), ""),
                    "timestamp": event.timestamp,
                }
            )

    def onQueryTerminated(self, event: Any) -> None:  # noqa: N802 (Spark's names)
        with self._all_terminated:
            self._terminated.add(str(event.id))
            self._all_terminated.notify_all()
        if self._echo:
            line: dict[str, Any] = {
                "event": "terminated",
                "queryName": self._names.get(str(event.id), ""),
                "timestamp": self._now(),
            }
            if event.exception:
                line["error"] = str(event.exception)[:4000]
            emit(line)

    def _drain(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        while True:
            try:
                rows.append(self._queue.get_nowait())
            except queue.Empty:
                return rows

    def flush(self) -> int:
        """Appends every queued row now; returns how many."""
        with self._lock:
            rows = self._drain()
            if rows:
                ordered = [tuple(r[f] for f in STREAM_PROGRESS_SCHEMA.fieldNames()) for r in rows]
                try:
                    df = self._spark.createDataFrame(ordered, STREAM_PROGRESS_SCHEMA)
                    self._lakehouse.append(df, "ops.stream_progress")
                except Exception:
                    for row in rows:  # keep them for the next flush
                        self._queue.put(row)
                    raise
                self.rows_written += len(rows)
            return len(rows)

    def _run(self) -> None:
        while not self._stop.wait(self._flush_seconds):
            try:
                self.flush()
            except Exception as error:  # keep the stream running; the next flush retries
                print(f"brewline: could not write ops.stream_progress: {error}", flush=True)

    def close(self, wait_seconds: float = 30.0) -> None:
        """Stops the flusher and writes what is left (call after the queries stopped). Spark's listener bus is
        asynchronous: it first waits (bounded) for every started query's terminated event, which Spark posts
        after that query's last progress event."""
        with self._all_terminated:
            self._all_terminated.wait_for(lambda: self._started <= self._terminated, timeout=wait_seconds)
        self._stop.set()
        self._thread.join(timeout=30)
        self.flush()
