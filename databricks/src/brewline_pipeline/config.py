"""Job parameters, named like brewline's flags (PLAN.md §4), parsed the same way on a laptop and on Databricks."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")

OutputMode = Literal["complete", "update"]


def parse_duration_ms(text: str) -> int:
    """Parses "10m", "1h", "30s", "500ms", "1h30m" (brewline's parseDuration) into milliseconds."""
    total = 0.0
    pos = 0
    while pos < len(text):
        match = _DURATION.match(text, pos)
        if match is None:
            raise ValueError(f'not a duration: "{text}" (use e.g. 10m, 1h, 30s, 500ms, 1h30m)')
        total += float(match.group(1)) * _UNITS_MS[match.group(2)]
        pos = match.end()
    if not text:
        raise ValueError('not a duration: "" (use e.g. 10m, 1h, 30s, 500ms, 1h30m)')
    return round(total)


def spark_interval(ms: int) -> str:
    """A Spark interval string for a whole number of milliseconds ("3600 seconds", "900 seconds", "1500 milliseconds")."""
    if ms % 1000 == 0:
        return f"{ms // 1000} seconds"
    return f"{ms} milliseconds"


@dataclass(frozen=True)
class PipelineArgs:
    """Every job parameter; one dataclass for all four entry points (each uses the fields it needs)."""

    source: str = "kafka"
    brokers: str = "127.0.0.1:9092"
    topic: str | None = None
    lakehouse: str | None = None
    catalog: str | None = None
    checkpoint: str | None = None
    output_mode: OutputMode = "complete"
    window_ms: int = 3_600_000
    window_offset_ms: int = 900_000
    watermark_delay_ms: int = 600_000
    trigger: str = "available-now"
    max_records_per_batch: int | None = None
    starting_offsets: Literal["earliest", "latest"] = "earliest"
    secret_scope: str | None = None
    secret_key: str = "eventhub-connection-string"
    kafka_auth: Literal["none", "connection-string", "service-credential", "oauth"] = "none"
    service_credential: str | None = None
    query_prefix: str = ""
    catalog_dir: str | None = None

    @property
    def file_path(self) -> str | None:
        """The PATH of ``--source file:PATH``, else None."""
        return self.source[5:] if self.source.startswith("file:") else None

    @property
    def available_now(self) -> bool:
        return self.trigger == "available-now"

    @property
    def trigger_ms(self) -> int:
        return parse_duration_ms(self.trigger)


def _duration(text: str) -> int:
    try:
        return parse_duration_ms(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f'must be a positive integer, got "{text}"')
    return value


def _source(text: str) -> str:
    if text == "kafka" or (text.startswith("file:") and len(text) > 5):
        return text
    raise argparse.ArgumentTypeError(f'--source must be kafka or file:PATH, got "{text}"')


def _trigger(text: str) -> str:
    if text == "available-now":
        return text
    _duration(text)
    return text


def build_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    add = parser.add_argument
    add("--source", type=_source, default="kafka", help="kafka | file:PATH (NDJSON file or folder of them)")
    add(
        "--brokers",
        default="127.0.0.1:9092",
        help="Kafka bootstrap servers (Event Hubs: NS.servicebus.windows.net:9093)",
    )
    add(
        "--topic",
        help="Kafka topic / Event Hub name (default orders); for files: the bronze topic (default the file name)",
    )
    add("--lakehouse", help="local Delta lakehouse folder: tables at DIR/<schema>/<table>")
    add("--catalog", help="Unity Catalog name: tables NAME.<schema>.<table> (omit locally)")
    add(
        "--checkpoint",
        help="checkpoint root folder (one sub-folder per query); default LAKEHOUSE/_checkpoints",
    )
    add("--output-mode", choices=["complete", "update"], default="complete", help="gold output mode")
    add("--window", type=_duration, default=3_600_000, dest="window_ms", help="gold window length (1h)")
    add(
        "--window-offset",
        type=_duration,
        default=900_000,
        dest="window_offset_ms",
        help="window start offset (15m)",
    )
    add(
        "--watermark-delay",
        type=_duration,
        default=600_000,
        dest="watermark_delay_ms",
        help="watermark delay (10m)",
    )
    add(
        "--trigger",
        type=_trigger,
        default="available-now",
        help="available-now | a processing-time interval (1s)",
    )
    add(
        "--max-records-per-batch",
        type=_positive_int,
        help="records per micro-batch (Kafka maxOffsetsPerTrigger)",
    )
    add(
        "--starting-offsets",
        choices=["earliest", "latest"],
        default="earliest",
        help="where a new query starts",
    )
    add("--secret-scope", help="Databricks secret scope holding the Event Hubs connection string")
    add(
        "--secret-key", default="eventhub-connection-string", help="key of the connection string in the scope"
    )
    add(
        "--kafka-auth",
        choices=["none", "connection-string", "service-credential", "oauth"],
        default="none",
        help="none (local broker) | connection-string (Event Hubs SASL PLAIN) | service-credential (UC, DBR 16.1+) | oauth (Entra ID)",
    )
    add(
        "--service-credential", help="Unity Catalog service credential name (--kafka-auth service-credential)"
    )
    add("--query-prefix", default="", help="prefix for streaming query names (several pipelines in one app)")
    add("--catalog-dir", help="folder with branches.csv and menu.csv (default: the repository's catalog/)")
    return parser


def parse_args(argv: Sequence[str] | None, prog: str, description: str) -> PipelineArgs:
    namespace = build_parser(prog, description).parse_args(argv)
    return PipelineArgs(**vars(namespace))
