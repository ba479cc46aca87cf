"""One local SparkSession for the whole run (JVM start is the expensive part), and content comparison helpers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession

from brewline_pipeline.session import get_spark


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = get_spark("brewline-pytest")
    yield session
    session.stop()


def _key(row: Sequence[Any]) -> tuple[str, ...]:
    return tuple("\x00" if v is None else repr(v) for v in row)


def assert_rows_equal(
    actual: DataFrame, expected: Sequence[Sequence[Any]], columns: Sequence[str] | None = None
) -> None:
    """Rows equal as multisets (order-independent), chispa-style, with a readable diff."""
    cols = list(columns or actual.columns)
    got = sorted((tuple(r) for r in actual.select(*cols).collect()), key=_key)
    want = sorted((tuple(r) for r in expected), key=_key)
    missing = [r for r in want if r not in got]
    extra = [r for r in got if r not in want]
    assert (
        not missing and not extra
    ), f"rows differ on {cols}:\n missing {missing[:10]}\n extra   {extra[:10]}"


def assert_schema(actual: DataFrame, expected: Sequence[tuple[str, str]]) -> None:
    """Column names and Spark SQL types, in order."""
    got = [(f.name, f.dataType.simpleString()) for f in actual.schema.fields]
    assert got == list(expected), f"schema differs:\n got  {got}\n want {list(expected)}"


def assert_df_equal(actual: DataFrame, expected: DataFrame) -> None:
    """Same schema (names and types) and the same rows in any order."""
    assert_schema(actual, [(f.name, f.dataType.simpleString()) for f in expected.schema.fields])
    assert_rows_equal(actual, [tuple(r) for r in expected.collect()])
