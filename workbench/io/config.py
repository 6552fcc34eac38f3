"""Dataset descriptions: one YAML file saying where each data-model table is.

A dataset description (``dataset.yaml``) names, per table, its source (a file,
a glob of files, a folder of files, or an SQL URL with a table or a read-only
query), its column mapping and reading options, plus dataset-wide settings
(currency, as-of date, period, sender of customer notices)::

    name: ACME order history
    settings:
      currency: EUR            # ISO code; shown with amounts in every report
      as_of: 2026-06-29        # the export's date (empty: the latest date in the data)
      period: M                # default KPI period: W, M or Q
      language: en             # default report language: en or zh
      sender: {name: Customer service, email: service@acme.example, phone: "+49 40 1234"}
    targets: service_targets.csv          # per-tier service targets (empty: generic defaults, labelled)
    expedite_options: expedite_options.csv  # expedite modes for early-warning notices (empty: none offered)
    tables:
      order_lines:
        source: exports/orders_*.csv       # relative to this file; a glob loads every match together
        mapping: sap_va05_en               # a name under data/mappings/, a path, or an inline mapping
        options: {encoding: gb18030, sheet: Orders, delimiter: ";"}
      customers: {source: customers.xlsx}
      supply_plan: {source: "postgresql+psycopg://reader@erp/erp", sql_table: mps.receipts}

Only ``order_lines`` is required; every other table is optional and analyses
that need a missing one say so. Paths are relative to the YAML file's folder.

:func:`open_dataset` takes what a notebook's ``data`` parameter holds: a
dataset YAML, a folder of model tables (with or without a ``dataset.yaml``),
or a single order-lines file or URL (with an optional mapping).
"""

from __future__ import annotations

import datetime as dt
import glob
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from workbench.exceptions import ConfigError, SourceError, SourceNotFoundError
from workbench.io.dataset import TABLE_ORDER, Dataset, DatasetSettings, Sender, find_table_file
from workbench.io.load import load_table
from workbench.io.readers import is_url
from workbench.io.schema import TABLES
from workbench.paths import resolve_source

__all__ = [
    "CONFIG_NAMES",
    "DatasetConfig",
    "TableSource",
    "config_from_dict",
    "dataset_config",
    "open_dataset",
    "read_config",
]

CONFIG_NAMES = ("dataset.yaml", "workbench.yaml", "dataset.yml", "workbench.yml")
"""File names recognised as a folder's dataset description, in order."""

_TABLE_KEYS = {"source", "mapping", "sql_table", "query", "options"}
_OPTION_KEYS = {"encoding", "sheet", "delimiter", "decimal", "dayfirst"}
_SETTING_KEYS = {"currency", "as_of", "period", "language", "sender", "calendar"}
_TOP_KEYS = {"name", "description", "settings", "tables", "targets", "expedite_options"}
_PERIODS = ("D", "W", "M", "Q")


@dataclass(frozen=True)
class TableSource:
    """Where one table comes from and how to read it."""

    table: str
    sources: tuple[str, ...]
    """Resolved file paths (a glob or folder expanded) or one URL."""
    mapping: object = None
    sql_table: str | None = None
    query: str | None = None
    options: dict = field(default_factory=dict)

    def load(self, *, as_of: pd.Timestamp | None = None, **masters: object) -> object:
        """Load this table (a :class:`~workbench.io.load.LoadResult`).

        ``as_of`` is the export's date (the dataset's setting): a mapping's
        ``actual()`` treats later dates as plans. ``masters`` are the
        customer and item masters order lines are checked against.
        """
        opts = dict(self.options)
        mapping = self.mapping
        decimal, dayfirst = opts.pop("decimal", None), opts.pop("dayfirst", None)
        if decimal is not None or dayfirst is not None:
            mapping = _with_reading_options(mapping, self.table, decimal, dayfirst)
        src: object = list(self.sources) if len(self.sources) > 1 else self.sources[0]
        return load_table(src, self.table, mapping, sql_table=self.sql_table, query=self.query,
                          as_of=as_of, **opts, **masters)


@dataclass(frozen=True)
class DatasetConfig:
    """A parsed, validated dataset description (see the module docstring)."""

    name: str
    tables: dict[str, TableSource]
    settings: DatasetSettings = field(default_factory=DatasetSettings)
    targets: Path | None = None
    expedite_options: Path | None = None
    path: Path | None = None
    """The YAML file (``None`` for a description built from a folder or a file)."""


def _with_reading_options(mapping: object, table: str, decimal: object, dayfirst: object) -> object:
    from workbench.io.mapping import ColumnMapping

    cmap = ColumnMapping.from_any(mapping, table)
    changes: dict = {}
    if decimal is not None:
        changes["decimal"] = None if decimal == "auto" else decimal
    if dayfirst is not None:
        changes["dayfirst"] = dayfirst
    return replace(cmap, **changes)


def _err(message: str, path: Path | None, key: str, fix: str) -> ConfigError:
    return ConfigError(message, key=key, source=str(path) if path else None, fix=fix)


def _parse_date(value: object, path: Path | None, key: str) -> pd.Timestamp | None:
    if value in (None, ""):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return pd.Timestamp(value)
    try:
        return pd.Timestamp(dt.date.fromisoformat(str(value).strip()))
    except ValueError:
        raise _err(f"{key}: {value!r} is not a date", path, key,
                   "write the date as YYYY-MM-DD, e.g. 2026-06-29.") from None


def _settings(raw: object, path: Path | None) -> DatasetSettings:
    if raw is None:
        return DatasetSettings()
    if not isinstance(raw, dict):
        raise _err("settings must be a mapping (key: value)", path, "settings",
                   "write settings: {currency: EUR, period: M}.")
    unknown = set(raw) - _SETTING_KEYS
    if unknown:
        raise _err(f"unknown setting(s) {sorted(unknown)}", path, f"settings.{sorted(unknown)[0]}",
                   f"use only {', '.join(sorted(_SETTING_KEYS))}.")
    period = str(raw.get("period") or raw.get("calendar") or "M").upper()
    if period not in _PERIODS:
        raise _err(f"settings.period {period!r} is not one of {', '.join(_PERIODS)}", path,
                   "settings.period", "use D, W, M or Q.")
    language = str(raw.get("language") or "en").lower()
    if language not in ("en", "zh"):
        raise _err(f"settings.language {language!r} is not en or zh", path, "settings.language",
                   "use en or zh.")
    currency = str(raw.get("currency") or "").strip().upper()
    if currency and not (len(currency) == 3 and currency.isalpha()):
        raise _err(f"settings.currency {currency!r} is not an ISO 4217 code", path,
                   "settings.currency", "write a three-letter code such as EUR, USD or CNY.")
    sender = raw.get("sender") or {}
    if isinstance(sender, str):
        sender = {"name": sender}
    if not isinstance(sender, dict) or set(sender) - {"name", "name_zh", "email", "phone"}:
        raise _err("settings.sender must have name, name_zh, email and phone only", path,
                   "settings.sender", "write sender: {name: ..., name_zh: ..., email: ..., "
                   "phone: ...}.")
    return DatasetSettings(currency=currency, as_of=_parse_date(raw.get("as_of"), path,
                                                                 "settings.as_of"),
                           period=period, language=language,
                           sender=Sender(**{k: str(v) for k, v in sender.items()}))


def _expand(source: str, base: Path, path: Path | None, key: str) -> tuple[str, ...]:
    if is_url(source):
        return (source,)
    p = Path(os.path.expanduser(source))
    if not p.is_absolute():
        p = base / p
    if any(ch in source for ch in "*?["):
        hits = sorted(glob.glob(str(p), recursive=True))
        if not hits:
            raise SourceNotFoundError(f"{key}: no file matches {source!r}", path=str(p),
                                      fix="check the pattern; paths are relative to the "
                                          "dataset file's folder.")
        return tuple(hits)
    if p.is_dir():
        hits = sorted(str(f) for f in p.iterdir()
                      if f.is_file() and f.suffix.lower() in {".csv", ".txt", ".tsv", ".xlsx",
                                                               ".xlsm", ".parquet"})
        if not hits:
            raise SourceNotFoundError(f"{key}: the folder holds no data file", path=str(p),
                                      fix="point source at a file, a glob or a folder of "
                                          "CSV/Excel/Parquet files.")
        return tuple(hits)
    if not p.exists():
        raise SourceNotFoundError(f"{key}: file not found", path=str(p),
                                  fix="paths are relative to the dataset file's folder.")
    return (str(p),)


def _mapping(raw: object, base: Path) -> object:
    if isinstance(raw, str) and raw.strip():
        local = base / raw
        return str(local) if local.is_file() else raw
    return raw or None


def _table(name: str, raw: object, base: Path, path: Path | None) -> TableSource:
    if name not in TABLES:
        raise _err(f"tables: {name!r} is not a data-model table", path, f"tables.{name}",
                   f"use one of {', '.join(TABLES)}.")
    if isinstance(raw, str):
        raw = {"source": raw}
    if not isinstance(raw, dict) or "source" not in raw:
        raise _err(f"tables.{name} needs a source", path, f"tables.{name}",
                   f"write tables: {{{name}: {{source: {name}.csv}}}}.")
    unknown = set(raw) - _TABLE_KEYS
    if unknown:
        raise _err(f"unknown key(s) {sorted(unknown)} in tables.{name}", path,
                   f"tables.{name}.{sorted(unknown)[0]}", f"use only {', '.join(sorted(_TABLE_KEYS))}.")
    options = raw.get("options") or {}
    if not isinstance(options, dict) or set(options) - _OPTION_KEYS:
        bad = sorted(set(options) - _OPTION_KEYS) if isinstance(options, dict) else options
        raise _err(f"tables.{name}.options: unknown option(s) {bad}", path,
                   f"tables.{name}.options", f"use only {', '.join(sorted(_OPTION_KEYS))}.")
    if options.get("decimal") not in (None, ".", ",", "auto"):
        raise _err(f"tables.{name}.options.decimal {options['decimal']!r} is not '.', ',' or auto",
                   path, f"tables.{name}.options.decimal", 'write decimal: "," for 1.234,50.')
    return TableSource(name, _expand(str(raw["source"]), base, path, f"tables.{name}.source"),
                       _mapping(raw.get("mapping"), base), raw.get("sql_table"), raw.get("query"),
                       dict(options))


def _optional_file(raw: object, base: Path, path: Path | None, key: str) -> Path | None:
    if raw in (None, ""):
        return None
    p = Path(os.path.expanduser(str(raw)))
    p = p if p.is_absolute() else base / p
    if not p.is_file():
        raise SourceNotFoundError(f"{key}: file not found", path=str(p),
                                  fix=f"paths are relative to the dataset file's folder; remove "
                                      f"{key} to use no such file.")
    return p


def config_from_dict(spec: dict, base: Path, path: Path | None = None) -> DatasetConfig:
    """Build a :class:`DatasetConfig` from a parsed YAML dict (paths relative to ``base``)."""
    if not isinstance(spec, dict):
        raise _err("a dataset description must be a YAML mapping", path, "",
                   "start with tables: {order_lines: {source: orders.csv}}.")
    unknown = set(spec) - _TOP_KEYS
    if unknown:
        raise _err(f"unknown key(s) {sorted(unknown)}", path, sorted(unknown)[0],
                   f"use only {', '.join(sorted(_TOP_KEYS))}.")
    raw_tables = spec.get("tables") or {}
    if not isinstance(raw_tables, dict) or "order_lines" not in raw_tables:
        raise _err("the dataset has no order_lines table", path, "tables.order_lines",
                   "add tables: {order_lines: {source: <your export>}}.")
    tables = {n: _table(n, raw_tables[n], base, path) for n in TABLE_ORDER if n in raw_tables}
    unknown_tables = set(raw_tables) - set(tables)
    if unknown_tables:
        name = sorted(unknown_tables)[0]
        _table(name, raw_tables[name], base, path)  # raises the error naming it
    return DatasetConfig(name=str(spec.get("name") or (path.parent.name if path else base.name)),
                         tables=tables, settings=_settings(spec.get("settings"), path),
                         targets=_optional_file(spec.get("targets"), base, path, "targets"),
                         expedite_options=_optional_file(spec.get("expedite_options"), base, path,
                                                         "expedite_options"),
                         path=path)


def read_config(path: str | os.PathLike[str]) -> DatasetConfig:
    """Read and validate a dataset description (YAML).

    Raises
    ------
    SourceNotFoundError
        When the file (or a file it names) does not exist.
    ConfigError
        When a key, a table name, an option or a setting is not valid.
    """
    p = Path(resolve_source(path))
    if not p.is_file():
        raise SourceNotFoundError("dataset description not found", path=str(p),
                                  fix="pass a dataset YAML, a folder of tables or an order-lines "
                                      "file; `workbench init FOLDER` writes a first description.")
    try:
        spec = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"the dataset description is not valid YAML: {exc}", source=str(p),
                          fix="check indentation; quote values with ':' or '#'.") from exc
    return config_from_dict(spec, p.parent, p)


def _folder_config(folder: Path) -> DatasetConfig:
    for name in CONFIG_NAMES:
        if (folder / name).is_file():
            return read_config(folder / name)
    tables = {}
    for name in TABLE_ORDER:
        file = find_table_file(folder, name)
        if file is not None:
            tables[name] = TableSource(name, (str(file),))
    if not tables:
        raise SourceError(f"no data-model table file in the folder (looked for "
                          f"{', '.join(f'{t}.csv' for t in TABLE_ORDER)} and {CONFIG_NAMES[0]})",
                          source=str(folder),
                          fix="name the files after the tables, or describe them in a "
                              "dataset.yaml (`workbench init FOLDER` writes one).")
    return DatasetConfig(name=folder.name, tables=tables, path=None)


def dataset_config(data: object, mapping: object = None, *, sql_table: str | None = None,
                   query: str | None = None) -> DatasetConfig:
    """Return the description of what ``data`` names (YAML, folder, file or URL)."""
    if isinstance(data, DatasetConfig):
        return data
    text = str(data)
    if is_url(text):
        return DatasetConfig(name=text.split("/")[-1] or "database",
                             tables={"order_lines": TableSource("order_lines", (text,), mapping,
                                                                sql_table, query)})
    p = Path(resolve_source(text))
    if p.is_dir():
        cfg = _folder_config(p)
        if mapping and "order_lines" in cfg.tables:
            cfg = replace(cfg, tables={**cfg.tables, "order_lines": replace(
                cfg.tables["order_lines"], mapping=mapping)})
        return cfg
    if not p.exists():
        raise SourceNotFoundError("data not found", path=str(p),
                                  fix="pass a dataset YAML, a folder of tables (below data/ or "
                                      "absolute) or an order-lines file.")
    if p.suffix.lower() in (".yaml", ".yml"):
        return read_config(p)
    return DatasetConfig(name=p.stem, tables={"order_lines": TableSource(
        "order_lines", (str(p),), mapping, sql_table, query)})


def open_dataset(data: object = "samples", mapping: object = None, *,
                 tables: tuple[str, ...] | None = None, sql_table: str | None = None,
                 query: str | None = None) -> Dataset:
    """Load the dataset a notebook's ``data`` parameter names.

    Parameters
    ----------
    data
        A dataset YAML, a folder of data-model tables (its ``dataset.yaml`` is
        used when present), a single order-lines file (CSV, Excel, Parquet) or
        an SQL URL. Relative paths are taken below ``data/`` in the project.
    mapping
        Column mapping of the order lines when ``data`` is a file, URL or
        folder (a YAML description names its own mappings).
    tables
        Load only these tables (default: all described).
    sql_table, query
        For an SQL URL: the table or the read-only query.

    Returns
    -------
    Dataset
        The loaded tables plus the description's settings (currency, as-of,
        period, sender), targets and expedite options, when given.

    Examples
    --------
    >>> ds = open_dataset("samples", tables=("customers",))
    >>> list(ds.results), ds.settings.currency
    (['customers'], 'EUR')
    """
    cfg = dataset_config(data, mapping, sql_table=sql_table, query=query)
    unknown = set(tables or ()) - set(TABLES)
    if unknown:
        raise SourceError(f"unknown table(s) {sorted(unknown)}", source=str(data),
                          fix=f"choose from {', '.join(TABLES)}.")
    folder = cfg.path.parent if cfg.path else Path(str(resolve_source(str(data))))
    ds = Dataset(folder, name=cfg.name, settings=cfg.settings, targets=cfg.targets,
                 expedite_options=cfg.expedite_options, description=cfg.path)
    for name, ts in cfg.tables.items():
        if tables is not None and name not in tables:
            continue
        masters = {}
        if name == "order_lines":
            masters = {"customers": ds.results.get("customers"), "items": ds.results.get("items")}
        ds.results[name] = ts.load(as_of=cfg.settings.as_of, **masters)
    if not ds.results:
        raise SourceError("none of the requested tables is in the dataset", source=str(data),
                          fix=f"the dataset has {', '.join(cfg.tables)}.")
    return ds
