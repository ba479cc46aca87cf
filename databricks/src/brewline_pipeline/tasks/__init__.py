"""Job task entry points: plain files, one per task."""
