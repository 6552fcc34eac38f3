"""Read any supported source (file, database URL, DataFrame) into a :class:`RawTable`.

Supported sources
-----------------
* CSV/TXT/TSV, Excel ``.xlsx``/``.xlsm`` and Parquet files (:mod:`workbench.io.readers`).
* SQL through SQLAlchemy (:mod:`workbench.io.sql_source`): a URL (``sqlite:///orders.db``)
  with ``table=`` or ``query=``; a ``.db``/``.sqlite`` file path is opened as SQLite.
* A pandas DataFrame (for notebooks and tests).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.exceptions import FileContentError, SourceError, SourceNotFoundError
from workbench.io.content import CONTENT_NAMES, sniff_file
from workbench.io.readers import (
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    PARQUET_SUFFIXES,
    SQLITE_SUFFIXES,
    RawTable,
    is_url,
    read_csv_raw,
    read_excel_raw,
    read_parquet_raw,
    unique_headers,
)
from workbench.io.sql_source import read_sql_raw

__all__ = ["read_raw"]


def read_raw(source: object, *, table: str | None = None, query: str | None = None,
             sheet: str | int | None = 0, encoding: str | None = None,
             delimiter: str | None = None, known_headers: set[str] | None = None,
             header_scan: int = 20, coded: bool = False) -> RawTable:
    """Read any supported source into a :class:`RawTable`.

    Parameters
    ----------
    source
        Path to a CSV/Excel/Parquet/SQLite file, an SQLAlchemy URL, or a DataFrame.
    table, query
        For SQL sources: the table name or an SQL query.
    sheet
        For Excel: sheet name or index.
    encoding, delimiter
        For text files: override detection.
    known_headers
        Normalized header names that help find the header row below a title block.
    header_scan
        Rows of a text file or sheet searched for the header row.
    coded
        Hold the text columns of a CSV or Parquet file that repeat few values (dates,
        quantities, flags, sites) as codes: pandas ``Categorical`` columns of
        strings (see :func:`workbench.io.parsing.is_coded_text`), read and
        parsed faster and in less memory. The loaders ask for it; other callers
        get text columns.
    """
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True)
        frame.columns = unique_headers(frame.columns)
        return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64), "<DataFrame>",
                        meta={"format": "dataframe"})
    if is_url(source):
        return read_sql_raw(source, table=table, query=query)
    if not isinstance(source, (str, os.PathLike)):
        raise SourceError(f"unsupported source type {type(source).__name__}",
                          fix="pass a file path, an SQLAlchemy URL or a pandas DataFrame.")
    path = Path(source).expanduser()
    if not path.exists():
        raise SourceNotFoundError("file not found", path=str(path),
                                  fix="check the path; notebooks resolve sample paths with "
                                      "workbench.data_path('samples/...').")
    if path.is_dir():
        raise SourceError("is a folder, not a file", source=str(path),
                          fix="pass one file, or a list of files.")
    return _read_file(path, table=table, query=query, sheet=sheet, encoding=encoding,
                      delimiter=delimiter, known_headers=known_headers, header_scan=header_scan,
                      coded=coded)


def _named_kind(suffix: str) -> str | None:
    """Return what the file name says the content is (a key of ``CONTENT_NAMES``), or None."""
    if suffix in EXCEL_SUFFIXES:
        return "xlsx"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in SQLITE_SUFFIXES:
        return "sqlite"
    if suffix == ".xls":
        return "xls"
    if suffix in CSV_SUFFIXES or suffix == "":
        return "text"
    return None


_FIXES = {
    "xls": "open it in Excel and save it as .xlsx (or CSV), then load that file.",
    "ods": "open it in LibreOffice and save it as .xlsx or CSV.",
    "zip": "unpack the archive and load the file inside.",
    "gzip": "decompress it (gunzip) and load the file inside.",
    "pdf": "export the data itself (CSV or .xlsx), not a printed report.",
    "html": "open it in Excel and save it as .xlsx or CSV, or export CSV from the source system.",
}


def _read_file(path: Path, **options) -> RawTable:
    """Pick the reader by the file's content; a name that disagrees is noted or named."""
    suffix = path.suffix.lower()
    named = _named_kind(suffix)
    if not path.stat().st_size:
        raise SourceError("the file is empty (0 bytes): it has no header and no rows",
                          source=str(path), fix="check the export and load the file it wrote.")
    if named == "sqlite":  # a database file that is not one is a corrupt database, named so
        return _read_kind(path, "sqlite", suffix, **options)
    actual = sniff_file(path)
    if actual in _FIXES:
        what = CONTENT_NAMES[actual]
        message = ("legacy .xls workbooks are not supported" if named == actual == "xls"
                   else f"the file is {what}" + (f", not {CONTENT_NAMES[named]} as its name "
                                                 f"{path.name!r} says" if named and named != actual
                                                 else ""))
        raise FileContentError(message, actual=actual, source=str(path), fix=_FIXES[actual])
    if named is None and actual == "text":
        raise SourceError(f"unknown file type {suffix!r}", source=str(path),
                          fix="use .csv, .txt, .tsv, .xlsx, .parquet, .db/.sqlite or an SQL URL.")
    raw = _read_kind(path, actual, suffix, **options)
    if named is not None and named != actual:
        raw.meta.setdefault("notes", []).append(
            f"{path.name} is named like {CONTENT_NAMES[named]} but is {CONTENT_NAMES[actual]}: "
            f"read as such")
    return raw


def _read_kind(path: Path, kind: str, suffix: str, *, table: str | None, query: str | None,
               sheet: str | int | None, encoding: str | None, delimiter: str | None,
               known_headers: set[str] | None, header_scan: int = 20,
               coded: bool = False) -> RawTable:
    if kind == "xlsx":
        return read_excel_raw(path, sheet=sheet, known_headers=known_headers,
                              header_scan=header_scan)
    if kind == "parquet":
        return read_parquet_raw(path, coded=coded)
    if kind == "sqlite":
        return read_sql_raw(f"sqlite:///{path.resolve()}", table=table, query=query)
    delim = "\t" if suffix == ".tsv" and delimiter is None else delimiter
    return read_csv_raw(path, encoding=encoding, delimiter=delim, known_headers=known_headers,
                        header_scan=header_scan, coded=coded)
