"""The chain's catalog (branches and menu) from ``catalog/branches.csv`` and ``catalog/menu.csv``.

Both engines read the same two files (PLAN.md §2). On Databricks the folder is shipped with the bundle and
passed as ``--catalog-dir``; locally it defaults to the repository's ``catalog/``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MenuItem:
    item_id: str
    item_name: str
    category: str
    price: str


@dataclass(frozen=True)
class Catalog:
    branches: frozenset[str]
    items: dict[str, MenuItem]


def default_catalog_dir() -> Path:
    """``<repo>/catalog`` (this file is ``<repo>/databricks/src/brewline_pipeline/catalog.py``)."""
    return Path(__file__).resolve().parents[3] / "catalog"


def load_catalog(directory: str | Path | None = None) -> Catalog:
    folder = Path(directory) if directory is not None else default_catalog_dir()
    branches_csv = folder / "branches.csv"
    menu_csv = folder / "menu.csv"
    if not branches_csv.is_file() or not menu_csv.is_file():
        raise FileNotFoundError(
            f"catalog not found: {branches_csv} and {menu_csv} are needed (pass --catalog-dir DIR with both files)"
        )
    with branches_csv.open(newline="", encoding="utf-8") as handle:
        branches = frozenset(row["branch"] for row in csv.DictReader(handle) if row.get("branch"))
    with menu_csv.open(newline="", encoding="utf-8") as handle:
        items = {
            row["item_id"]: MenuItem(row["item_id"], row["item_name"], row["category"], row["price"])
            for row in csv.DictReader(handle)
        }
    return Catalog(branches=branches, items=items)
