"""The pure transforms on a few rows (a local SparkSession; static DataFrames)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from brewline_pipeline.bronze import file_base_offset, split_lines
from brewline_pipeline.catalog import load_catalog
from brewline_pipeline.contract import event_time_text
from brewline_pipeline.gold import GoldSpec, gold_aggregates, split_gold
from brewline_pipeline.silver import (
    explode_lines,
    first_per_order,
    quarantine_rows,
    silver_lines,
    with_verdicts,
)
from brewline_pipeline.tables import BRONZE_SCHEMA, SILVER_SCHEMA
from tests.conftest import assert_rows_equal, assert_schema
from tests.corpus import load_corpus
from tests.orders import order

CATALOG = load_catalog()


def micros_of(moment: datetime) -> int:
    """Epoch µs of a naive UTC datetime as Spark returns TIMESTAMP values (session time zone UTC)."""
    delta = moment - datetime(1970, 1, 1)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


INGESTED = datetime(2026, 1, 1, 3, 0, 0)


def bronze_rows(spark: SparkSession, values: list[bytes]) -> DataFrame:
    rows = [(v, None, "orders", 0, i, INGESTED, "CreateTime", INGESTED, 0) for i, v in enumerate(values)]
    return spark.createDataFrame(rows, BRONZE_SCHEMA).drop("batch_id")


def test_file_lines_keep_bytes_and_byte_offsets() -> None:
    assert split_lines(b'{"a":1}\n\xff\xfe\n\nlast') == [
        (0, b'{"a":1}'),
        (8, b"\xff\xfe"),
        (11, b""),
        (12, b"last"),
    ]
    assert split_lines(b"") == [] and split_lines(None) == []
    assert file_base_offset("/x/00000000000000012345.ndjson") == 12345
    assert file_base_offset("/x/orders.ndjson") == 0


def test_the_corpus_through_spark_gives_the_same_silver_rows_and_reasons(spark: SparkSession) -> None:
    cases = load_corpus()
    verdicts = with_verdicts(bronze_rows(spark, [c.raw for c in cases]), CATALOG)
    reasons = {r["source_offset"]: r["reason"] for r in quarantine_rows(verdicts).collect()}
    lines = explode_lines(verdicts.where(F.col("verdict.ok"))).collect()
    by_offset: dict[int, list[dict[str, Any]]] = {}
    for row in lines:
        by_offset.setdefault(row["source_offset"], []).append(row.asDict())
    for offset, case in enumerate(cases):
        if case.expect == "quarantine":
            assert offset not in by_offset, case.name
            assert reasons[offset].startswith(f"{case.rule}: "), (case.name, reasons[offset])
            continue
        assert offset not in reasons, (case.name, reasons.get(offset))
        want = case.order
        assert want is not None
        got = sorted(by_offset[offset], key=lambda r: int(str(r["line_no"])))
        assert len(got) == len(want["lines"])
        for silver_row, line in zip(got, want["lines"], strict=True):
            assert silver_row["order_id"] == want["order_id"]
            assert event_time_text(micros_of(silver_row["event_time"])) == want["event_time"]
            assert silver_row["branch"] == want["branch"] and silver_row["terminal_id"] == want["terminal_id"]
            assert silver_row["mode_of_payment"] == want["mode_of_payment"]
            assert silver_row["order_total"] == Decimal(want["order_total"])
            assert silver_row["unit_price"] == Decimal(line["unit_price"])
            assert silver_row["line_amount"] == Decimal(line["line_amount"])
            assert (
                silver_row["line_no"],
                silver_row["item_id"],
                silver_row["item_name"],
                silver_row["category"],
                silver_row["quantity"],
            ) == (
                line["line_no"],
                line["item_id"],
                line["item_name"],
                line["category"],
                line["quantity"],
            )


def test_silver_lines_have_the_lakehouse_types_and_the_first_occurrence_wins(spark: SparkSession) -> None:
    first = order("o-1", 5, items=(("HOT-1", 2), ("BRE-58", 1)))
    values = [b"healthcheck", first, order("o-2", 6), first]
    lines = silver_lines(with_verdicts(bronze_rows(spark, values), CATALOG))
    assert_schema(lines, [(f.name, f.dataType.simpleString()) for f in SILVER_SCHEMA.fields])
    assert_rows_equal(
        lines,
        [
            ("o-1", 1, "HOT-1", Decimal("185.00"), 2, Decimal("370.00"), Decimal("1145.00"), 1),
            ("o-1", 2, "BRE-58", Decimal("775.00"), 1, Decimal("775.00"), Decimal("1145.00"), 1),
            ("o-2", 1, "HOT-1", Decimal("185.00"), 2, Decimal("370.00"), Decimal("370.00"), 2),
        ],
        [
            "order_id",
            "line_no",
            "item_id",
            "unit_price",
            "quantity",
            "line_amount",
            "order_total",
            "source_offset",
        ],
    )
    assert first_per_order(with_verdicts(bronze_rows(spark, values), CATALOG)).count() == 2


def test_gold_aggregates_count_orders_exactly_and_round_half_up(spark: SparkSession) -> None:
    values = [
        order("a", 1, "Jhamsikhel", (("HOT-1", 2), ("BRE-58", 1))),  # 1145.00
        order("b", 2, "Jhamsikhel", (("HOT-1", 1),)),  # 185.00
        order("c", 3, "Boudha", (("HOT-2", 1),)),  # 135.00
        order("d", 61, "Boudha", (("HOT-1", 1),)),  # next window
    ]
    lines = silver_lines(with_verdicts(bronze_rows(spark, values), CATALOG))
    tables = split_gold(gold_aggregates(lines, GoldSpec()))
    w0, w1 = datetime(2026, 1, 1, 1, 15), datetime(2026, 1, 1, 2, 15)
    w2 = datetime(2026, 1, 1, 3, 15)
    assert_rows_equal(
        tables["gold.branch_revenue"],
        [
            (w0, w1, "Jhamsikhel", Decimal("1330.00"), 2, 4),
            (w0, w1, "Boudha", Decimal("135.00"), 1, 1),
            (w1, w2, "Boudha", Decimal("185.00"), 1, 1),
        ],
    )
    assert_rows_equal(
        tables["gold.product_popularity"],
        [
            (w0, w1, "HOT-1", "Americano", "hot_beverages", 3, Decimal("555.00"), 2),
            (w0, w1, "BRE-58", "Waffle", "breakfast", 1, Decimal("775.00"), 1),
            (w0, w1, "HOT-2", "Espresso", "hot_beverages", 1, Decimal("135.00"), 1),
            (w1, w2, "HOT-1", "Americano", "hot_beverages", 1, Decimal("185.00"), 1),
        ],
    )
    # 1465.00 / 3 = 488.333.. -> 488.33; 185.00 / 1
    assert_rows_equal(
        tables["gold.hourly_sales"],
        [
            (w0, w1, Decimal("1465.00"), 3, 5, Decimal("488.33")),
            (w1, w2, Decimal("185.00"), 1, 1, Decimal("185.00")),
        ],
    )


def test_average_order_value_rounds_half_up_on_exact_paisa(spark: SparkSession) -> None:
    from brewline_pipeline.gold import average_paisa_half_up

    df = spark.createDataFrame(
        [(Decimal("0.05"), 2), (Decimal("0.03"), 2), (Decimal("100.00"), 3), (Decimal("0.00"), 0)],
        "revenue decimal(18,2), orders long",
    )
    got = [r[0] for r in df.select(average_paisa_half_up(F.col("revenue"), F.col("orders"))).collect()]
    assert got == [Decimal("0.03"), Decimal("0.02"), Decimal("33.33"), Decimal("0.00")]
