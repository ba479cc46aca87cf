"""Silver task: bronze.orders_raw as a stream -> contract, exact dedup (MERGE), silver.order_items + silver.quarantine.

Runs as a Databricks `spark_python_task` file or locally::

    python databricks/src/brewline_pipeline/tasks/silver.py --lakehouse DIR [options]
    python -m brewline_pipeline.tasks.silver --lakehouse DIR [options]

Options: see ``--help`` (named like brewline's flags; PLAN.md §4).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file (spark_python_task, or by path): make the package importable from its source folder.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from brewline_pipeline.pipeline import main

DESCRIPTION = "Silver task: bronze.orders_raw as a stream -> contract, exact dedup (MERGE), silver.order_items + silver.quarantine."

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], "silver", DESCRIPTION))
