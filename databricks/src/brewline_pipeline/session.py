"""SparkSession for local runs and on Databricks.

On Databricks (``DATABRICKS_RUNTIME_VERSION`` set) the runtime's session is used as it is. Locally:
``local[2]``, 2 shuffle partitions, no UI, UTC, loopback only, Delta's extensions, and the Delta + Kafka
jars — from the files ``node scripts/python/ensure-env.mjs`` prefetched into ``.cache/ivy/jars`` when they
are there (no resolution at start), else through ``spark.jars.packages`` with ``spark.jars.ivy=.cache/ivy``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

#: Keep in step with SPARK_PACKAGES in scripts/python/ensure-env.mjs.
SPARK_PACKAGES = ("io.delta:delta-spark_2.12:3.3.2", "org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.7")


def on_databricks() -> bool:
    return "DATABRICKS_RUNTIME_VERSION" in os.environ


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def ivy_dir() -> Path:
    return Path(os.environ.get("BREWLINE_IVY_DIR") or repo_root() / ".cache" / "ivy")


def prefetched_jars() -> list[str]:
    """The jars ensure-env.mjs fetched, if its stamp says they are the packages above."""
    ivy = ivy_dir()
    stamp = ivy / ".brewline-jars"
    try:
        if stamp.read_text(encoding="utf-8").strip() != ",".join(SPARK_PACKAGES):
            return []
    except OSError:
        return []
    return sorted(str(p) for p in (ivy / "jars").glob("*.jar"))


def local_conf(app_name: str) -> dict[str, str]:
    conf = {
        "spark.master": os.environ.get("BREWLINE_SPARK_MASTER", "local[2]"),
        "spark.app.name": app_name,
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.memory": os.environ.get("BREWLINE_SPARK_DRIVER_MEMORY", "2g"),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        # Small tables: Delta's default of 50 partitions for reading its own log is pure overhead here.
        "spark.databricks.delta.snapshotPartitions": "2",
        "spark.sql.streaming.metricsEnabled": "false",
        # The JVM for a local job that starts often and runs small batches (demo, tests, one laptop): the C1
        # compiler only and the serial collector. The cold start is mostly class loading, Catalyst planning
        # and code generation on the driver, and C2 compiling in the background competes for the same two
        # cores. Measured here (2 cores, load 3-5): `demo --engine spark` first gold 102-127 s before (median
        # of 4: 120 s), 74-102 s with these (median of 6: 89 s); bench:spark (20,000 orders) unchanged within
        # noise (147 s before, 143-150 s after).
        # BREWLINE_SPARK_CONF can set other options; Databricks never reads this (its cluster has its own).
        "spark.driver.extraJavaOptions": (
            "-Djava.net.preferIPv4Stack=true -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
        ),
        # Python workers run this interpreter (the venv, where brewline_pipeline is importable).
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
    }
    # Tuning without a code change: BREWLINE_SPARK_CONF="key=value;key=value" (applied last).
    for item in os.environ.get("BREWLINE_SPARK_CONF", "").split(";"):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            conf[key.strip()] = value.strip()
    jars = prefetched_jars()
    if jars:
        conf["spark.jars"] = ",".join(jars)
    else:
        conf["spark.jars.packages"] = ",".join(SPARK_PACKAGES)
        conf["spark.jars.ivy"] = str(ivy_dir())
    return conf


def ship_package(spark: SparkSession) -> None:
    """Makes brewline_pipeline importable on the executors when only the driver has it on its path (a task
    file run from workspace files on Databricks): a zip of the package through ``addPyFile``."""
    import shutil
    import tempfile

    package = Path(__file__).resolve().parent
    target = Path(tempfile.mkdtemp(prefix="brewline-pkg-")) / "brewline_pipeline"
    archive = shutil.make_archive(str(target), "zip", root_dir=package.parent, base_dir=package.name)
    spark.sparkContext.addPyFile(archive)


def get_spark(app_name: str = "brewline") -> SparkSession:
    """The runtime's session on Databricks, else a local one configured as above."""
    if on_databricks():
        spark = SparkSession.builder.getOrCreate()
        if os.environ.get("BREWLINE_SHIP_PACKAGE", "1") == "1":
            try:
                ship_package(spark)
            except (
                Exception
            ) as error:  # serverless compute has no addPyFile: the bundle's wheel is used there
                print(f"brewline: package not shipped to executors ({error})", file=sys.stderr)
        return spark
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # PySpark takes the workers' interpreter from the environment only (context.py: PYSPARK_PYTHON).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder
    for key, value in local_conf(app_name).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("BREWLINE_SPARK_LOG_LEVEL", "WARN"))
    return spark
