"""Himalayan Java's medallion pipeline (bronze -> silver -> gold) as Spark Structured Streaming.

Pure ``DataFrame -> DataFrame`` transforms live in :mod:`bronze`, :mod:`silver`, :mod:`gold`; the entry
points under :mod:`brewline_pipeline.tasks` only wire sources, sinks, checkpoints and triggers.
See ``databricks/README.md`` for the design.
"""

__version__ = "0.1.0"
