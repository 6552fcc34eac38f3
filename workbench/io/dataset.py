"""Load a folder of data-model tables (e.g. ``data/samples/``) in one call.

A folder holds one file per table, named after the table: ``order_lines.csv``,
``customers.csv``, ``items.parquet``, ... (any format :func:`load_table`
reads). Masters are loaded first, so order lines naming an unknown customer or
item are quarantined.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.exceptions import SourceError, SourceNotFoundError
from workbench.io.load import LoadResult, load_table
from workbench.io.schema import TABLES
from workbench.paths import resolve_source

__all__ = [
    "TABLE_ORDER",
    "Dataset",
    "DatasetSettings",
    "Sender",
    "find_table_file",
    "load_dataset",
]

_SUFFIXES = (".csv", ".parquet", ".xlsx", ".txt", ".tsv")
TABLE_ORDER: tuple[str, ...] = ("customers", "items", "order_lines", "order_changes",
                                "supply_plan", "inventory", "forecast", "complaints")
"""Load order of a dataset's tables: masters first, so order lines can be checked against them."""


@dataclass(frozen=True)
class Sender:
    """Who signs customer notices: name, e-mail and phone (each may be empty).

    ``name_zh`` signs the Chinese notices (default: ``name``).
    """

    name: str = ""
    email: str = ""
    phone: str = ""
    name_zh: str = ""


@dataclass(frozen=True)
class DatasetSettings:
    """Dataset-wide settings used by every report (from the dataset description).

    Attributes
    ----------
    currency
        ISO 4217 code of the amounts (``""``: not stated; reports then show
        amounts without a currency).
    as_of
        The export's date (``None``: the latest date found in the data).
    period
        Default KPI period (``W``, ``M`` or ``Q``).
    language
        Default report language (``en`` or ``zh``).
    sender
        Signature of customer notices.
    """

    currency: str = ""
    as_of: pd.Timestamp | None = None
    period: str = "M"
    language: str = "en"
    sender: Sender = field(default_factory=Sender)


@dataclass
class Dataset:
    """The tables of one folder, each as a :class:`LoadResult`.

    Attributes
    ----------
    folder
        Where the files were found.
    results
        Table name -> load result, for the tables present.
    """

    folder: Path
    results: dict[str, LoadResult] = field(default_factory=dict)
    name: str = ""
    """A label for the data (the description's name, or the folder/file name)."""
    settings: DatasetSettings = field(default_factory=DatasetSettings)
    targets: Path | None = None
    """Per-tier service targets named by the description (``None``: generic defaults)."""
    expedite_options: Path | None = None
    """Expedite modes named by the description (``None``: none offered)."""
    description: Path | None = None
    """The dataset YAML the tables were described in (``None``: a bare folder or file)."""

    def table(self, name: str) -> pd.DataFrame | None:
        """Return the loaded rows of table ``name`` (``None`` when the folder has no such file)."""
        res = self.results.get(name)
        return None if res is None else res.data

    @property
    def orders(self) -> pd.DataFrame | None:
        """Loaded ``order_lines`` rows, or ``None`` when the folder has no such file."""
        return self.table("order_lines")

    @property
    def customers(self) -> pd.DataFrame | None:
        """Loaded ``customers`` rows, or ``None`` when the folder has no such file."""
        return self.table("customers")

    @property
    def items(self) -> pd.DataFrame | None:
        """Loaded ``items`` rows, or ``None`` when the folder has no such file."""
        return self.table("items")

    @property
    def order_changes(self) -> pd.DataFrame | None:
        """Loaded ``order_changes`` rows, or ``None`` when the folder has no such file."""
        return self.table("order_changes")

    @property
    def supply_plan(self) -> pd.DataFrame | None:
        """Loaded ``supply_plan`` rows, or ``None`` when the folder has no such file."""
        return self.table("supply_plan")

    @property
    def inventory(self) -> pd.DataFrame | None:
        """Loaded ``inventory`` rows, or ``None`` when the folder has no such file."""
        return self.table("inventory")

    @property
    def forecast(self) -> pd.DataFrame | None:
        """Loaded ``forecast`` rows, or ``None`` when the folder has no such file."""
        return self.table("forecast")

    @property
    def complaints(self) -> pd.DataFrame | None:
        """Loaded ``complaints`` rows, or ``None`` when the folder has no such file."""
        return self.table("complaints")

    def quality(self) -> pd.DataFrame:
        """Rows in / loaded / quarantined and issues per table."""
        rows = [(name, r.summary.rows_in, r.summary.rows_loaded, r.summary.rows_quarantined,
                 len(r.issues)) for name, r in self.results.items()]
        return pd.DataFrame(rows, columns=["table", "rows_in", "rows_loaded", "rows_quarantined",
                                           "issues"])


def find_table_file(folder: Path, table: str) -> Path | None:
    """Return the file holding ``table`` in ``folder`` (first of .csv, .parquet, .xlsx, ...)."""
    for suffix in _SUFFIXES:
        path = folder / f"{table}{suffix}"
        if path.exists():
            return path
    return None


def load_dataset(folder: str | os.PathLike[str] = "samples", *,
                 tables: tuple[str, ...] | None = None,
                 mappings: dict[str, object] | None = None) -> Dataset:
    """Load every data-model table found in ``folder``.

    Parameters
    ----------
    folder
        A folder below ``data/`` (e.g. ``"samples"``) or an absolute path.
    tables
        Only these tables (default: all found).
    mappings
        Table name -> column mapping, for folders whose headers differ from the model.

    Raises
    ------
    SourceNotFoundError
        When the folder does not exist (a :class:`SourceError`).
    SourceError
        When it holds none of the requested tables.
    """
    path = Path(resolve_source(folder))
    if not path.is_dir():
        raise SourceNotFoundError("data folder not found", path=str(path),
                                  fix="pass a folder below data/ (e.g. 'samples') or an "
                                      "absolute path.")
    wanted = [t for t in TABLE_ORDER if tables is None or t in tables]
    unknown = set(tables or ()) - set(TABLES)
    if unknown:
        raise SourceError(f"unknown table(s) {sorted(unknown)}", source=str(path),
                          fix=f"choose from {', '.join(TABLES)}.")
    mappings = mappings or {}
    ds = Dataset(path)
    for name in wanted:
        file = find_table_file(path, name)
        if file is None:
            continue
        kwargs = {}
        if name == "order_lines":
            kwargs = {"customers": ds.results.get("customers"), "items": ds.results.get("items")}
        ds.results[name] = load_table(file, name, mappings.get(name), **kwargs)
    if not ds.results:
        raise SourceError(f"no data-model table file in the folder (looked for "
                          f"{', '.join(f'{t}.csv' for t in wanted)})", source=str(path))
    return ds
