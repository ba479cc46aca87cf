"""Both shapes end to end on small NDJSON files with ``available-now``: real Structured Streaming + Delta."""

from __future__ import annotations

import json
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from brewline_pipeline.config import parse_args
from brewline_pipeline.pipeline import run_layers
from brewline_pipeline.tables import Lakehouse
from tests.conftest import assert_rows_equal
from tests.orders import order

W = [datetime(2026, 1, 1, h, 15) for h in range(0, 5)]  # 00:15 .. 04:15 UTC window bounds
W_PREV = datetime(2025, 12, 31, 23, 15)
VERY_LATE = order("very-late", -70, "Boudha", (("HOT-1", 1), ("BRE-58", 1)))  # 00:05: window [23:15, 00:15)


def batches() -> list[list[bytes]]:
    """Three input batches; the watermark (10 min) after batch 0 is 01:15, after batch 1 03:15."""
    a = order("a", 5, items=(("HOT-1", 2), ("BRE-58", 1)))  # window [01:15, 02:15)
    return [
        [a, order("b", 10, "Boudha")],
        [order("c", 130), a, b"healthcheck"],  # window [03:15, 04:15); a duplicate; not JSON
        # [02:15, 03:15) ends at 03:15 = wm(2): late only under allowMultiple=false; VERY_LATE is late under wm(1)
        [order("late-kept", 61), VERY_LATE, b'{"order_id": 1}'],
    ]


def write_split_files(folder: Path, parts: list[list[bytes]]) -> list[int]:
    """Files named by the byte offset where they start in the logical stream, mtimes in name order."""
    folder.mkdir(parents=True)
    offset = 0
    starts = []
    for index, lines in enumerate(parts):
        data = b"".join(line + b"\n" for line in lines)
        path = folder / f"{offset:020d}.ndjson"
        path.write_bytes(data)
        os.utime(path, (1_700_000_000 + index, 1_700_000_000 + index))
        starts.append(offset)
        offset += len(data)
    return starts


def gold_rows(spark: SparkSession, lakehouse: Lakehouse, table: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in lakehouse.read(spark, table).collect()]


def progress_of(spark: SparkSession, lakehouse: Lakehouse, query: str) -> dict[int, dict[str, object]]:
    rows = lakehouse.read(spark, "ops.stream_progress").where(f"query_name = '{query}'").collect()
    return {r["batch_id"]: r.asDict() for r in rows}


@pytest.fixture(scope="module")
def input_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("input") / "orders"
    write_split_files(folder, batches())
    return folder


def test_chain_shape_complete_mode(spark: SparkSession, input_dir: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    args = parse_args(["--source", f"file:{input_dir}", "--lakehouse", str(lake)], "t", "t")
    assert run_layers(args, ["bronze", "silver", "gold"], "t", spark) == 0
    lakehouse = Lakehouse(root=str(lake))

    bronze = lakehouse.read(spark, "bronze.orders_raw")
    raw = [line for part in batches() for line in part]
    assert sorted(bytes(r["value"]) for r in bronze.collect()) == sorted(raw)
    first = bronze.where("offset = 0").collect()[0]
    assert (first["partition"], first["topic"], first["timestamp_type"]) == (
        0,
        "00000000000000000000.ndjson",
        "IngestTime",
    )

    quarantine = lakehouse.read(spark, "silver.quarantine")
    assert sorted(r["reason"].split(":")[0] for r in quarantine.collect()) == ["not_json", "order_id"]
    silver = lakehouse.read(spark, "silver.order_items")
    assert sorted(r["order_id"] for r in silver.select("order_id").distinct().collect()) == [
        "a",
        "b",
        "c",
        "late-kept",
        "very-late",
    ]
    assert silver.count() == 7  # a has 2 lines, very-late 2, the others 1; the duplicate of a is not there

    # Complete mode counts the very late order too.
    assert_rows_equal(
        lakehouse.read(spark, "gold.branch_revenue"),
        [
            (W_PREV, W[0], "Boudha", Decimal("960.00"), 1, 2),
            (W[1], W[2], "Jhamsikhel", Decimal("1145.00"), 1, 3),
            (W[1], W[2], "Boudha", Decimal("370.00"), 1, 2),
            (W[2], W[3], "Jhamsikhel", Decimal("370.00"), 1, 2),
            (W[3], W[4], "Jhamsikhel", Decimal("370.00"), 1, 2),
        ],
    )
    assert_rows_equal(
        lakehouse.read(spark, "gold.hourly_sales"),
        [
            (W_PREV, W[0], Decimal("960.00"), 1, 2, Decimal("960.00")),
            (W[1], W[2], Decimal("1515.00"), 2, 5, Decimal("757.50")),
            (W[2], W[3], Decimal("370.00"), 1, 2, Decimal("370.00")),
            (W[3], W[4], Decimal("370.00"), 1, 2, Decimal("370.00")),
        ],
    )
    gold_progress = progress_of(spark, lakehouse, "gold")
    assert gold_progress, "no ops.stream_progress rows for gold"
    operators = json.loads(str(next(iter(gold_progress.values()))["state_operators"]))
    assert [op["operatorName"] for op in operators] == [
        "gold.branch_revenue",
        "gold.product_popularity",
        "gold.hourly_sales",
    ]
    assert {"bronze", "silver", "gold"} <= {
        r["query_name"] for r in lakehouse.read(spark, "ops.stream_progress").select("query_name").collect()
    }


def test_stream_shape_update_mode_drops_the_very_late_order_with_wm_n_minus_1(
    spark: SparkSession, input_dir: Path, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    args = parse_args(
        [
            "--source",
            f"file:{input_dir}",
            "--lakehouse",
            str(lake),
            "--output-mode",
            "update",
            "--max-records-per-batch",
            "3",
        ],
        "t",
        "t",
    )
    assert run_layers(args, ["stream"], "t", spark) == 0
    lakehouse = Lakehouse(root=str(lake))

    # Silver keeps every valid sale, the very late one included; gold (update) drops it.
    assert lakehouse.read(spark, "silver.order_items").where("order_id = 'very-late'").count() == 2
    assert_rows_equal(
        lakehouse.read(spark, "gold.branch_revenue"),
        [
            (W[1], W[2], "Jhamsikhel", Decimal("1145.00"), 1, 3),
            (W[1], W[2], "Boudha", Decimal("370.00"), 1, 2),
            (W[2], W[3], "Jhamsikhel", Decimal("370.00"), 1, 2),
            (W[3], W[4], "Jhamsikhel", Decimal("370.00"), 1, 2),
        ],
    )
    assert_rows_equal(
        lakehouse.read(spark, "gold.product_popularity"),
        [
            (W[1], W[2], "HOT-1", "Americano", "hot_beverages", 4, Decimal("740.00"), 2),
            (W[1], W[2], "BRE-58", "Waffle", "breakfast", 1, Decimal("775.00"), 1),
            (W[2], W[3], "HOT-1", "Americano", "hot_beverages", 2, Decimal("370.00"), 1),
            (W[3], W[4], "HOT-1", "Americano", "hot_beverages", 2, Decimal("370.00"), 1),
        ],
    )

    ingest = progress_of(spark, lakehouse, "ingest")
    assert sorted(b for b, p in ingest.items() if p["num_input_rows"]) == [0, 1, 2]
    gold = progress_of(spark, lakehouse, "gold")
    # Gold batch N = input batch N: the watermark in effect steps 0 -> 01:15 -> 03:15.
    assert [gold[b]["watermark"] for b in (0, 1, 2)] == [datetime(1970, 1, 1), W[1], W[3]]
    dropped = {
        op["operatorName"]: op["numRowsDroppedByWatermark"]
        for op in json.loads(str(gold[2]["state_operators"]))
    }
    # Late (window, key) groups after partial aggregation: 1 branch, 2 items, 1 hour.
    assert dropped == {"gold.branch_revenue": 1, "gold.product_popularity": 2, "gold.hourly_sales": 1}
    assert gold[2]["num_rows_dropped_by_watermark"] == 4
    assert all(gold[b]["num_rows_dropped_by_watermark"] == 0 for b in (0, 1))
    # The dropped order is recorded for verify: which order, its window, the watermark that filtered it
    drops = lakehouse.read(spark, "ops.watermark_drops").collect()
    assert [
        (
            d["query_name"],
            d["batch_id"],
            d["order_id"],
            d["event_time"],
            d["window_start"],
            d["watermark"],
            d["lines"],
        )
        for d in drops
    ] == [("gold", 2, "very-late", datetime(2026, 1, 1, 0, 5), W_PREV, W[1], 2)]
    settings = lakehouse.read(spark, "ops.query_settings").collect()
    assert [(s["query_name"], s["output_mode"], s["stateful_operator_allow_multiple"]) for s in settings] == [
        ("gold", "update", True)
    ]
