"""The only places that know they may run on Databricks: secrets (``dbutils``) — with a local fallback."""

from __future__ import annotations

import os
from typing import Any

from brewline_pipeline.session import on_databricks


def _dbutils() -> Any:
    from pyspark.dbutils import DBUtils  # type: ignore[import-not-found]  # only on Databricks
    from pyspark.sql import SparkSession

    return DBUtils(SparkSession.builder.getOrCreate())


def secret(scope: str | None, key: str, env: str) -> str:
    """A secret from a Databricks secret scope, or locally from the environment variable ``env``."""
    if scope and on_databricks():
        return str(_dbutils().secrets.get(scope=scope, key=key))
    value = os.environ.get(env)
    if not value:
        where = f"secret scope {scope!r} key {key!r}" if scope else f"environment variable {env}"
        raise RuntimeError(f"missing secret: set {where} (locally: export {env}=...)")
    return value
