"""Customer-service analytics workbench for supply chains.

Data flows one way: load -> validate -> model -> compute -> chart/report.

Public entry points
-------------------
load_orders, load_table, load_dataset
    Read order histories (and the other data-model tables) from CSV, Excel,
    Parquet or SQL into the documented data model, without losing a row.
scan_orders
    A lazy scan of a folder of Parquet order lines too large for pandas: streamed
    validation, and the KPI table and PAB computed out of core (DuckDB).
project_root, data_path
    Paths anchored at the project root, for notebooks run from anywhere.
WorkbenchError
    Root of every error the package raises on purpose.
"""

from __future__ import annotations

from workbench.exceptions import (
    ConfigError,
    MappingError,
    MissingColumnsError,
    NotAvailableError,
    SourceError,
    WorkbenchError,
)
from workbench.io.config import open_dataset
from workbench.io.dataset import Dataset, load_dataset
from workbench.io.load import LoadResult, LoadSummary, load_orders, load_table
from workbench.io.scan import OrderScan, scan_orders
from workbench.paths import data_path, project_path, project_root

__version__ = "0.1.0"


__all__ = [
    "ConfigError",
    "Dataset",
    "LoadResult",
    "LoadSummary",
    "MappingError",
    "MissingColumnsError",
    "NotAvailableError",
    "OrderScan",
    "SourceError",
    "WorkbenchError",
    "data_path",
    "load_dataset",
    "open_dataset",
    "scan_orders",
    "load_orders",
    "load_table",
    "project_path",
    "project_root",
]

