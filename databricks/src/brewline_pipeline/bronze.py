"""Bronze: every message exactly as it arrived, with where it came from and when it was ingested.

Sources (streaming DataFrames):

- **Kafka** (a local broker, or Event Hubs' Kafka endpoint): Spark's Kafka source; ``value`` stays BINARY.
- **Files** (``--source file:PATH``): NDJSON read as *bytes* with Spark's ``binaryFile`` source (so no byte is
  altered — the ``text`` source would decode and substitute invalid UTF-8), split into lines by a UDF. A
  record's ``partition`` is 0 and its ``offset`` is the **byte offset of the line's start**, as the embedded
  engine's FileSource gives it — counted from the start of the logical stream when the file's name is
  ``<digits>.ndjson`` (the digits are the byte offset at which that file starts in the original stream, e.g.
  ``00000000000000012345.ndjson``), else from the start of that file. ``topic`` is the file's name, ``key``
  null, ``timestamp`` the batch's ingestion time (``timestamp_type`` ``IngestTime``). A final line without a
  newline is kept (a file in the folder is complete by contract). PATH may be a folder (every file in it,
  oldest modification time first, one file per micro-batch with ``--max-records-per-batch``) or one file.

The pure transforms (:func:`kafka_to_bronze`, :func:`files_to_bronze`) add ``ingestion_timestamp`` with
``current_timestamp()`` in the *streaming* plan: Spark replaces it by the batch's timestamp recorded in the
offset log, so a re-run batch gets the same value. ``batch_id`` is added by the writer (foreachBatch).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from brewline_pipeline.config import PipelineArgs
from brewline_pipeline.seams import secret
from brewline_pipeline.session import on_databricks

BRONZE_COLUMNS = (
    "value",
    "key",
    "topic",
    "partition",
    "offset",
    "timestamp",
    "timestamp_type",
    "ingestion_timestamp",
)
_STREAM_FILE_NAME = re.compile(r"([0-9]+)\.ndjson")
BINARY_FILE_SCHEMA = StructType(
    [
        StructField("path", StringType(), False),
        StructField("modificationTime", TimestampType(), False),
        StructField("length", LongType(), False),
        StructField("content", BinaryType(), True),
    ]
)
_LINE_TYPE = ArrayType(
    StructType([StructField("pos", LongType(), False), StructField("line", BinaryType(), False)])
)


def file_base_offset(path: str) -> int:
    """Byte offset at which a split file starts in the logical stream: the digits of ``<digits>.ndjson``, else 0."""
    match = _STREAM_FILE_NAME.fullmatch(path.rsplit("/", 1)[-1])
    return int(match.group(1)) if match else 0


def split_lines(content: bytes | bytearray | None) -> list[tuple[int, bytes]]:
    """(byte offset of the line start, line bytes without its newline) for every line; pure."""
    if content is None:
        return []
    data = bytes(content)
    out: list[tuple[int, bytes]] = []
    start = 0
    size = len(data)
    while start < size:
        end = data.find(b"\n", start)
        if end < 0:
            out.append((start, data[start:]))
            break
        out.append((start, data[start:end]))
        start = end + 1
    return out


_split_udf = F.udf(split_lines, _LINE_TYPE)


def kafka_to_bronze(df: DataFrame) -> DataFrame:
    """Spark's Kafka source rows -> bronze columns (without batch_id)."""
    return df.select(
        F.col("value"),
        F.col("key").cast("string").alias("key"),
        F.col("topic"),
        F.col("partition").cast("int").alias("partition"),
        F.col("offset").cast("long").alias("offset"),
        F.col("timestamp"),
        F.when(F.col("timestampType") == 0, F.lit("CreateTime"))
        .when(F.col("timestampType") == 1, F.lit("LogAppendTime"))
        .otherwise(F.col("timestampType").cast("string"))
        .alias("timestamp_type"),
        F.current_timestamp().alias("ingestion_timestamp"),
    )


def files_to_bronze(df: DataFrame, topic: str | None = None) -> DataFrame:
    """``binaryFile`` rows (path, content) -> one bronze row per line (without batch_id)."""
    name: Column = F.element_at(F.split(F.col("path"), "/"), -1)
    base: Column = F.when(
        name.rlike(r"^[0-9]+\.ndjson$"), F.regexp_extract(name, r"^([0-9]+)\.ndjson$", 1).cast("long")
    ).otherwise(F.lit(0).cast("long"))
    lines = df.select(
        name.alias("file_name"), base.alias("base"), F.explode(_split_udf(F.col("content"))).alias("l")
    )
    now = F.current_timestamp()
    return lines.select(
        F.col("l.line").alias("value"),
        F.lit(None).cast("string").alias("key"),
        (F.lit(topic) if topic else F.col("file_name")).alias("topic"),
        F.lit(0).alias("partition"),
        (F.col("base") + F.col("l.pos")).alias("offset"),
        now.alias("timestamp"),
        F.lit("IngestTime").alias("timestamp_type"),
        now.alias("ingestion_timestamp"),
    )


def with_batch_id(df: DataFrame, batch_id: int) -> DataFrame:
    return df.withColumn("batch_id", F.lit(batch_id).cast("long"))


def kafka_options(args: PipelineArgs) -> dict[str, str]:
    """Kafka source options: the broker, the batch size, and Event Hubs' Kafka-endpoint authentication."""
    options: dict[str, str] = {
        "kafka.bootstrap.servers": args.brokers,
        "subscribe": args.topic or "orders",
        "startingOffsets": args.starting_offsets,
        "failOnDataLoss": "true",
        "includeHeaders": "false",
    }
    if args.max_records_per_batch:
        options["maxOffsetsPerTrigger"] = str(args.max_records_per_batch)
    # Kafka's own clients on Databricks are shaded: class names in JAAS configs need the prefix.
    shaded = "kafkashaded." if on_databricks() else ""
    if args.kafka_auth == "connection-string":
        connection = secret(args.secret_scope, args.secret_key, "EVENTHUB_CONNECTION_STRING")
        escaped = connection.replace("\\", "\\\\").replace('"', '\\"')
        options.update(
            {
                "kafka.security.protocol": "SASL_SSL",
                "kafka.sasl.mechanism": "PLAIN",
                "kafka.sasl.jaas.config": f"{shaded}org.apache.kafka.common.security.plain.PlainLoginModule required "
                f'username="$ConnectionString" password="{escaped}";',
                "kafka.request.timeout.ms": "60000",
                "kafka.session.timeout.ms": "30000",
            }
        )
    elif args.kafka_auth == "service-credential":
        # Keyless: a Unity Catalog service credential (Databricks Runtime 16.1+) signs in to Event Hubs.
        if not args.service_credential:
            raise ValueError("--kafka-auth service-credential needs --service-credential NAME")
        options["databricks.serviceCredential"] = args.service_credential
    elif args.kafka_auth == "oauth":
        # Entra ID client credentials (OAUTHBEARER); the secret comes from the scope or the environment.
        import os

        tenant = os.environ.get("AZURE_TENANT_ID", "")
        client = os.environ.get("AZURE_CLIENT_ID", "")
        client_secret = secret(args.secret_scope, "azure-client-secret", "AZURE_CLIENT_SECRET")
        namespace = args.brokers.split(":", 1)[0]
        options.update(
            {
                "kafka.security.protocol": "SASL_SSL",
                "kafka.sasl.mechanism": "OAUTHBEARER",
                "kafka.sasl.jaas.config": f"{shaded}org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule "
                f'required clientId="{client}" clientSecret="{client_secret}" '
                f'scope="https://{namespace}/.default";',
                "kafka.sasl.oauthbearer.token.endpoint.url": f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
                "kafka.sasl.login.callback.handler.class": f"{shaded}org.apache.kafka.common.security.oauthbearer."
                "secured.OAuthBearerLoginCallbackHandler",
            }
        )
    return options


def read_source(spark: SparkSession, args: PipelineArgs) -> DataFrame:
    """The configured source as a streaming DataFrame of bronze columns (without batch_id)."""
    path = args.file_path
    if path is None:
        return kafka_to_bronze(spark.readStream.format("kafka").options(**kafka_options(args)).load())
    reader = spark.readStream.format("binaryFile").schema(BINARY_FILE_SCHEMA)
    options: dict[str, Any] = {}
    target = Path(path)
    if target.is_file():
        options["pathGlobFilter"] = target.name
        folder = str(target.parent)
    else:
        folder = path
    options["maxFilesPerTrigger"] = 1 if args.max_records_per_batch else 10_000
    # Only the newest file decides the age limit; a folder of split files may be older than a week.
    options["maxFileAge"] = "3650d"
    return files_to_bronze(reader.options(**options).load(folder), args.topic)
