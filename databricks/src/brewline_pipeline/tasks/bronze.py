"""Bronze task: the source (Kafka / Event Hubs' Kafka endpoint / NDJSON files) into bronze.orders_raw, raw and checkpointed.

Runs as a Databricks `spark_python_task` file or locally::

    python databricks/src/brewline_pipeline/tasks/bronze.py --lakehouse DIR [options]
    python -m brewline_pipeline.tasks.bronze --lakehouse DIR [options]

Options: see ``--help`` (named like brewline's flags; PLAN.md §4).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file (spark_python_task, or by path): make the package importable from its source folder.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from brewline_pipeline.pipeline import main

DESCRIPTION = "Bronze task: the source (Kafka / Event Hubs' Kafka endpoint / NDJSON files) into bronze.orders_raw, raw and checkpointed."

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], "bronze", DESCRIPTION))
