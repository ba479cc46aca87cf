"""Resolve the Spark packages into an ivy cache once: `python prefetch_jars.py IVY_DIR PKG[,PKG…]`.

Starting a throw-away local session with `spark.jars.packages` + `spark.jars.ivy` makes Spark's own ivy
resolver fetch the jars (and their dependencies) from Maven Central and copy them to `IVY_DIR/jars`,
exactly as every later session resolves them (then from the cache).
"""

import sys

from pyspark.sql import SparkSession


def main(ivy_dir: str, packages: str) -> None:
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("brewline-prefetch-jars")
        .config("spark.jars.packages", packages)
        .config("spark.jars.ivy", ivy_dir)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
