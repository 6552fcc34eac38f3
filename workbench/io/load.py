"""Load order histories (and the other data-model tables) without losing a row.

Entry points: :func:`load_orders` for order lines and :func:`load_table` for
any table of the data model (``workbench.schema.TABLES``).

The contract
------------
* Every source record ends up in exactly one of ``result.orders`` (loaded)
  or ``result.quarantine`` (rejected, with a machine-readable ``reason``
  and the original values): ``rows_in == rows_loaded + rows_quarantined``.
* A required value that is missing or unusable, a negative quantity, a date
  out of order (e.g. delivery before order), a duplicate key, an unknown
  customer/item (when masters are given), a record with the wrong number of
  fields and a blank record all quarantine the row.
* An unusable value in an *optional* column costs only the value: it becomes
  missing and ``result.issues`` records the row, column, original value and
  reason. Doubtful dates (ambiguous ``03/04/2024``, a format that differs from
  the column's) are read and recorded in ``result.issues`` too.
* Every loaded, quarantined and issue row carries ``source_file`` and
  ``source_row`` (header = row 1).

Quarantine reasons (``reason`` column), in the order they are checked:
``empty_row``, ``malformed_row``, ``missing_required``, ``unusable_required``,
``negative_quantity``, ``<later>_before_<earlier>`` (e.g.
``delivery_date_before_order_date``), ``unknown_customer``, ``unknown_item``,
``duplicate_key``. Issue reasons: ``unusable_value``, ``negative_value``,
``date_ambiguous``, ``date_format_inconsistent``, ``date_out_of_range``,
``date_excel_serial``, ``number_ambiguous``, ``number_format_inconsistent``.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.exceptions import DerivedColumnError, MissingColumnsError, WorkbenchError
from workbench.io.allocation import load_allocation
from workbench.io.csv_records import check_record_count
from workbench.io.derive import (
    ISSUE_PLANNED_DATE,
    Derivation,
    DeriveContext,
    evaluate,
    typed_result,
)
from workbench.io.detect import detect_mapping, detection_headers, shipped_mappings
from workbench.io.keyhash import key_hashes, prepare
from workbench.io.mapping import LINEAGE_RENAMES, ColumnMapping, FieldSource, Resolved
from workbench.io.matching import match_columns
from workbench.io.parsing import (
    NumberContext,
    Parsed,
    decoded_text,
    factorize_text,
    flagged,
    infer_number_context,
    is_coded_text,
    parse_column,
    parse_number,
    parse_string,
    sharing_flags,
)
from workbench.io.readers import RawTable, normalize_header
from workbench.io.schema import Column, Table, get_table
from workbench.io.sources import read_raw
from workbench.validation import check_date

__all__ = [
    "ISSUE_COLUMNS",
    "LoadResult",
    "LoadSummary",
    "QUARANTINE_COLUMNS",
    "digest",
    "load_orders",
    "load_table",
]

_DTYPES = {"string": "str", "int": "Int64", "float": "float64", "date": "datetime64[ns]",
           "bool": "boolean"}
_PARSE_THREADS = 2
"""Columns parsed and checked at once while a source is staged (merged in column order)."""
_COLUMN_RULES = ("missing_required", "unusable_required", "negative_quantity")
"""Row rules a column's own values break (quarantine reasons), in the order they are kept."""
_AUTO_NUMBER = {"order_lines": ("line_no", "order_id")}
"""Tables whose line number may be generated: table -> (column, group column)."""

QUARANTINE_COLUMNS = ["source_file", "source_row", "reason", "reasons", "column", "value",
                      "detail"]
ISSUE_COLUMNS = ["source_file", "source_row", "column", "source_column", "value", "reason",
                 "detail"]


# --------------------------------------------------------------------------- results
@dataclass
class LoadSummary:
    """Data-quality summary of one load.

    Attributes
    ----------
    table
        Data-model table loaded.
    sources
        One dict per source: ``source``, ``format``, ``encoding``, ``delimiter``,
        ``header_row``, ``rows_in``.
    rows_in, rows_loaded, rows_quarantined
        Record counts; ``rows_in == rows_loaded + rows_quarantined``.
    quarantine_by_reason, issues_by_reason, issues_by_column
        Counts.
    column_map
        Model column -> source header(s) and how they were matched.
    unused_columns
        Source headers not used by the load.
    coverage
        Share of loaded rows with a value, per optional column (``None`` if absent).
    date_formats
        Detected format per date column.
    notes
        Other facts worth reading (generated line numbers, mapped headers not found).
    encodings
        Text encoding per text source, with its confidence and whether it is a guess.
    records_counted
        Records Python's ``csv`` module counts in the text sources, independently
        of the reader (``None`` without text sources); equal to their rows in.
    number_formats
        Decimal mark per number column whose values hold a separator, and where
        it came from (declared, inferred from the column or the file, default).
    """

    table: str
    sources: list[dict]
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    quarantine_by_reason: dict[str, int]
    issues_by_reason: dict[str, int]
    issues_by_column: dict[str, int]
    column_map: dict[str, str]
    unused_columns: list[str]
    coverage: dict[str, float | None]
    date_formats: dict[str, str]
    notes: list[str] = field(default_factory=list)
    number_formats: dict[str, str] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    records_counted: int | None = None

    @property
    def balanced(self) -> bool:
        """True when every input row is either loaded or quarantined."""
        return self.rows_in == self.rows_loaded + self.rows_quarantined

    def counts(self) -> pd.DataFrame:
        """Rows in / loaded / quarantined (total and by reason) as a tidy table."""
        rows = [("rows in", "", self.rows_in), ("rows loaded", "", self.rows_loaded),
                ("rows quarantined", "", self.rows_quarantined)]
        rows += [("quarantined", r, n) for r, n in self.quarantine_by_reason.items()]
        rows += [("issues", r, n) for r, n in self.issues_by_reason.items()]
        return pd.DataFrame(rows, columns=["measure", "reason", "rows"])

    def coverage_frame(self) -> pd.DataFrame:
        """Coverage of optional columns: share of loaded rows with a value."""
        return pd.DataFrame(
            [(c, "absent" if v is None else "mapped", v) for c, v in self.coverage.items()],
            columns=["column", "status", "share_filled"])

    def __str__(self) -> str:
        lines = [f"{self.table}: {self.rows_in:,} rows in = {self.rows_loaded:,} loaded + "
                 f"{self.rows_quarantined:,} quarantined"]
        for r, n in self.quarantine_by_reason.items():
            lines.append(f"  quarantined {r}: {n:,}")
        for r, n in self.issues_by_reason.items():
            lines.append(f"  issue {r}: {n:,}")
        lines += [f"  numbers in {c}: {v}" for c, v in self.number_formats.items()]
        lines += [f"  encoding of {src}: {enc}" for src, enc in self.encodings.items()]
        if self.records_counted is not None:
            lines.append(f"  records checked: {self.records_counted:,} counted by Python's csv "
                         f"in the text sources = rows in from them")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass
class LoadResult:
    """What a load returns.

    Attributes
    ----------
    data
        Loaded rows in the data model (alias :attr:`orders`).
    quarantine
        Rejected rows: ``source_file``, ``source_row``, ``reason`` (first rule
        broken), ``reasons`` (all, ``|``-separated), ``column``, ``value``,
        ``detail``, then the original source columns as text.
    issues
        Field-level problems in loaded rows: ``source_file``, ``source_row``,
        ``column``, ``source_column``, ``value``, ``reason``, ``detail``.
    summary
        :class:`LoadSummary`.
    """

    data: pd.DataFrame
    quarantine: pd.DataFrame
    issues: pd.DataFrame
    summary: LoadSummary

    @property
    def orders(self) -> pd.DataFrame:
        """The loaded rows (named for the common case of order lines)."""
        return self.data


# --------------------------------------------------------------------------- staging
_FEW_ROWS = 1000


def _take_few(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """Return ``values.iloc[rows]`` with a fresh index, the same dtype.

    A few rows of an Arrow text column are read value by value: Arrow's take on
    a column of many chunks (a CSV read in blocks) costs about as much for a
    handful of rows as for all of them (tens of ms a column on 10M lines).

    >>> s = pd.Series(["x", None, "z"], dtype="str")
    >>> _take_few(s, np.array([2, 1])).tolist()
    ['z', nan]
    """
    if len(rows) <= _FEW_ROWS and isinstance(values.array, pd.arrays.ArrowStringArray):
        arr = values.array
        return pd.Series([arr[i] for i in rows], dtype=values.dtype)
    # the array's own take: a fifth of iloc's time on a few rows (no index to take)
    return pd.Series(values.array.take(rows), name=values.name, copy=False)


def _take_few_rows(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Return ``frame.iloc[rows]`` with a fresh index, column by column (:func:`_take_few`)."""
    out = pd.DataFrame({j: _take_few(frame.iloc[:, j], rows) for j in range(frame.shape[1])},
                       index=pd.RangeIndex(len(rows)))
    out.columns = frame.columns
    return out


@dataclass
class _Reason:
    """Rows breaking one row-level rule: positions, column, original values, details."""

    code: str
    idx: np.ndarray
    column: str
    value: np.ndarray
    detail: np.ndarray

    @classmethod
    def from_mask(cls, code: str, mask: np.ndarray, column: str, raw: pd.Series | np.ndarray,
                  detail: str | pd.Series | np.ndarray) -> _Reason:
        idx = np.flatnonzero(mask)
        value = (_take_few(raw, idx).to_numpy(dtype=object) if isinstance(raw, pd.Series)
                 else np.asarray(raw, dtype=object)[idx])
        if isinstance(detail, str):
            det = np.full(len(idx), detail, dtype=object)
        elif isinstance(detail, pd.Series):
            det = _take_few(detail, idx).to_numpy(dtype=object)
        else:
            det = np.asarray(detail, dtype=object)[idx]
        return cls(code, idx, column, value, det)

    def shifted(self, offset: int) -> _Reason:
        return _Reason(self.code, self.idx + offset, self.column, self.value, self.detail)


@dataclass
class _Staged:
    """One source after mapping, typing and row-local rules."""

    raw: RawTable
    values: pd.DataFrame              # model columns (typed) + extras
    reasons: list[_Reason]
    """Row-level rules broken, in rule order (positions local to this source)."""
    issues: list[pd.DataFrame]
    column_map: dict[str, str]
    unused: list[str]
    date_formats: dict[str, str]
    notes: list[str]
    number_formats: dict[str, str] = field(default_factory=dict)


def _missing_columns_hint(raw: RawTable, missing: list[str], schema: Table,
                          resolved: Resolved | None = None) -> str:
    """Why required columns may be missing, the ranked header suggestions and how to map them.

    Suggestions come from :func:`workbench.io.matching.match_columns` (names,
    spelling, values), each with its score and evidence; a header already read
    as another model column says so.
    """
    headers = list(raw.frame.columns)
    hints = []
    if len(headers) == 1:
        h = headers[0]
        seps = [d for d in (";", "\t", "|", ",") if d in h]
        if seps:
            hints.append(f"The whole header is one column ({h[:60]!r}): the file seems to be "
                         f"delimited by {seps[0]!r}, not {raw.meta.get('delimiter', ',')!r}; "
                         f"pass delimiter={seps[0]!r} or let the loader sniff it.")
    if len(raw.meta.get("sheets") or []) > 1:
        hints.append(f"Sheet {raw.meta.get('sheet_name')!r} was read; the workbook has sheets "
                     f"{', '.join(map(repr, raw.meta['sheets']))}: pass sheet='<name>' if the "
                     f"data is on another.")
    fields = resolved.fields.items() if resolved else ()
    # headers surely read as another column are not offered; a similar-name guess is, named
    taken = {str(h) for _, fs in fields if fs.how != "similar" for h in fs.columns}
    guessed = {str(h): col for col, fs in fields if fs.how == "similar" for h in fs.columns}
    match = match_columns(raw.frame, schema, columns=missing, exclude=taken)
    example: dict[str, str] = {}
    for col in missing:
        cands = match.suggestions(col)
        if cands:
            hints.append(f"{col!r} may be " + " or ".join(
                f"{c.header!r} (score {c.score:.2f}: {'; '.join(c.evidence)}"
                + (f"; now read as {guessed[c.header]}" if c.header in guessed else "") + ")"
                for c in cands) + ".")
        example[col] = cands[0].header if cands else "<your header>"
    pairs = ", ".join(f"{k!r}: {v!r}" for k, v in list(example.items())[:3])
    call = ("load_orders(path, " if schema.name == "order_lines"
            else f"load_table(path, {schema.name!r}, ")
    table_flag = "" if schema.name == "order_lines" else f" --table {schema.name}"
    hints.append(f"To say which header is which: in Python {call}mapping={{{pairs}}}); from the "
                 f"shell workbench load FILE{table_flag} --mapping my.yaml, where my.yaml has "
                 f"'columns:' and one 'model_column: Source header' line per column "
                 f"(workbench init FOLDER writes a first mapping to edit).")
    return " ".join(hints)


def _coalesce(parsed: list[Parsed]
              ) -> tuple[pd.Series, np.ndarray, np.ndarray, Callable[[], np.ndarray]]:
    """Combine parses of several source columns: first usable value wins.

    Returns values, all-missing mask, no-usable-but-something-invalid mask, and
    a function giving the index of the source used per row (-1 where none),
    which a column of one source makes only when asked (few columns need it).
    """
    values = parsed[0].values  # replaced, never changed in place, by mask below
    if len(parsed) == 1:
        na = values.isna().to_numpy()
        return (values, parsed[0].missing, np.greater(na, parsed[0].missing),  # na & ~missing
                lambda: np.where(na, -1, 0).astype(np.int16))
    used = values.isna().to_numpy().astype(np.int16)
    np.negative(used, out=used)  # 0 where the first source column has a value, else -1
    for k, p in enumerate(parsed[1:], start=1):
        take = (used == -1) & p.values.notna().to_numpy()
        if take.any():
            values = values.mask(take, p.values)
            used[take] = k
    all_missing = np.logical_and.reduce([p.missing for p in parsed])
    unusable = (used == -1) & ~all_missing
    return values, all_missing, unusable, lambda: used


def _issue_frame(raw: RawTable, mask: np.ndarray, column: str, source_column: str,
                 values: pd.Series, reason: str | np.ndarray, detail: np.ndarray | str
                 ) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    n = len(idx)
    return pd.DataFrame({
        "source_file": [raw.source] * n,
        "source_row": raw.source_row[idx],
        "column": [column] * n,
        "source_column": [source_column] * n,
        "value": _take_few(values, idx).astype(str).to_numpy() if n else [],
        "reason": np.asarray(reason, dtype=object)[idx] if not isinstance(reason, str)
        else [reason] * n,
        "detail": np.asarray(detail, dtype=object)[idx] if not isinstance(detail, str)
        else [detail] * n,
    })


def _require_columns(raw: RawTable, mapping: ColumnMapping, schema: Table,
                     resolved: Resolved) -> None:
    """Raise :class:`MissingColumnsError` when a required column cannot be mapped."""
    auto_col = _AUTO_NUMBER.get(schema.name, (None, None))[0]
    needed = [c for c in schema.required
              if c not in resolved.fields and c not in mapping.optional and c != auto_col
              and c not in mapping.derived]
    if needed:
        hint = _missing_columns_hint(raw, needed, schema, resolved)
        for col in needed:
            if col in resolved.not_found:
                hint += (f" The mapping names {resolved.not_found[col]} for {col!r}, which the "
                         f"source does not have (in YAML, quote headers that contain ' #' or "
                         f"': ').")
        raise MissingColumnsError(schema.name, needed, list(raw.frame.columns), source=raw.source,
                                  hint=hint.strip())


def _date_formats(name: str, fs: FieldSource, parsed: list[Parsed],
                  key: str = "date_format") -> dict[str, str]:
    """Return the detected date format (or ``info[key]``) of each source column of ``name``."""
    formats: dict[str, str] = {}
    for src, p in zip(fs.columns, parsed, strict=True):
        if p.info.get(key):
            formats[name if len(fs.columns) == 1 else f"{name} <- {src}"] = (
                p.info[key] + (f"; numeric dates {p.info['numeric_date_convention']}"
                               if "numeric_date_convention" in p.info else ""))
    return formats


def _source_issues(raw: RawTable, name: str, fs: FieldSource, parsed: list[Parsed],
                   quarantined: np.ndarray, source_used: Callable[[], np.ndarray]
                   ) -> list[pd.DataFrame]:
    """Issues of each source column of ``name``: unusable values, then doubtful ones."""
    frame = raw.frame
    issues: list[pd.DataFrame] = []
    for k, (src, p) in enumerate(zip(fs.columns, parsed, strict=True)):
        # unusable values: an issue when the row survives on another source or the
        # column is optional; quarantine (see _stage_column) when required and nothing usable
        bad = np.greater(p.invalid, quarantined)  # invalid & ~quarantined
        if bad.any():
            detail = p.detail
            if len(fs.columns) > 1:
                used = source_used()
                names = np.array(fs.columns, dtype=object)[np.clip(used, 0, None)]
                later = np.where(used > k, "; used " + names.astype(str) + " instead",
                                 "; no other source column had a value")
                detail = detail.astype(str) + later
            issues.append(_issue_frame(raw, bad, name, src, frame[src],
                                       "unusable_value", detail))
        # a doubtful value matters where it was used, or where it was dropped and no
        # earlier source column supplied the value
        doubtful = flagged(p.issue)
        if doubtful.any():
            used = source_used()
            doubtful &= (used == k) | (p.values.isna().to_numpy() & ((used > k) | (used == -1)))
        if doubtful.any():
            issues.append(_issue_frame(raw, doubtful, name, src, frame[src],
                                       p.issue, p.detail))
    return issues


def _parse_sources(raw: RawTable, mapping: ColumnMapping, col: Column, fs: FieldSource,
                   context: Callable[[], NumberContext] | None) -> list[Parsed]:
    """Parse each source column of ``col`` (pure: no sink is written)."""
    return [parse_column(raw.frame[src], col.type, value_map=fs.value_map,
                         date_options=mapping.date_options, decimal=mapping.decimal,
                         number_context=context, extra_na=mapping.na_values)
            for src in fs.columns]


def _once(compute: Callable[[], NumberContext]) -> Callable[[], NumberContext]:
    """Return a function that calls ``compute`` on its first call only, on any thread.

    >>> calls = []
    >>> get = _once(lambda: calls.append(1) or len(calls))
    >>> get(), get(), calls
    (1, 1, [1])
    """
    lock = threading.Lock()
    done: list[NumberContext] = []

    def get() -> NumberContext:
        with lock:
            if not done:
                done.append(compute())
        return done[0]

    return get


@dataclass
class _ColumnSinks:
    """What staging one model column finds, kept apart until merged in column order."""

    issues: list[pd.DataFrame] = field(default_factory=list)
    date_formats: dict[str, str] = field(default_factory=dict)
    number_formats: dict[str, str] = field(default_factory=dict)
    broken: dict[str, list[tuple]] = field(default_factory=lambda: {c: [] for c in _COLUMN_RULES})
    notes: list[str] = field(default_factory=list)


def _stage_column_apart(raw: RawTable, mapping: ColumnMapping, col: Column, fs: FieldSource,
                        context: Callable[[], NumberContext] | None
                        ) -> tuple[pd.Series, _ColumnSinks]:
    """Parse and check one model column (:func:`_stage_column`) into sinks of its own."""
    sinks = _ColumnSinks()
    values = _stage_column(raw, mapping, col, fs, sinks.issues, sinks.date_formats,
                           sinks.broken, (context, sinks.number_formats), sinks.notes)
    return values, sinks


def _staged_in_order(raw: RawTable, mapping: ColumnMapping,
                     todo: list[tuple[Column, FieldSource]],
                     context: Callable[[], NumberContext] | None
                     ) -> Iterator[tuple[Column, FieldSource, pd.Series, _ColumnSinks]]:
    """Yield each column of ``todo`` staged (:func:`_stage_column_apart`), in order.

    When no column of the source holds Python objects (a CSV read by Arrow, a
    Parquet file), parsing is mostly Arrow and NumPy kernels that release the
    GIL: the next ``_PARSE_THREADS`` columns are parsed and checked on threads,
    each into sinks of its own, which the caller merges in column order (so
    issues, notes and formats come in the same order as one by one). On two
    cores a 10M-line CSV loads in about a third less time, for about 6 % more
    peak memory (a few columns' parses at once). Object columns (SQL, Excel)
    parse in Python; they are staged one by one, here.
    """
    frame = raw.frame
    no_objects = len(frame.columns) > 0 and all(  # Arrow text and NumPy or masked arrays
        frame.iloc[:, k].dtype != object for k in range(frame.shape[1]))
    if _PARSE_THREADS < 2 or not no_objects or len(todo) < 2:
        for col, fs in todo:
            yield col, fs, *_stage_column_apart(raw, mapping, col, fs, context)
        return
    with ThreadPoolExecutor(max_workers=_PARSE_THREADS) as pool:
        ahead = [pool.submit(_stage_column_apart, raw, mapping, col, fs, context)
                 for col, fs in todo[:_PARSE_THREADS]]
        for k, (col, fs) in enumerate(todo):
            values, sinks = ahead[k].result()
            ahead[k] = None  # released with its column
            if k + _PARSE_THREADS < len(todo):
                nxt, nfs = todo[k + _PARSE_THREADS]
                ahead.append(pool.submit(_stage_column_apart, raw, mapping, nxt, nfs, context))
            yield col, fs, values, sinks


def _stage_column(raw: RawTable, mapping: ColumnMapping, col: Column, fs: FieldSource,
                  issues: list[pd.DataFrame], date_formats: dict[str, str],
                  broken: dict[str, list[tuple]],
                  numbers: tuple[Callable[[], NumberContext], dict[str, str]] | None = None,
                  notes: list[str] | None = None) -> pd.Series:
    """Parse, coalesce and check one model column; return its typed values.

    Appends field-level issues to ``issues``, detected date formats to
    ``date_formats`` and row-level rule breaks to ``broken`` (by reason code).
    ``numbers`` is the file's decimal-mark context (a function, called only when a
    column's own values leave it open) and the dict that receives the decimal
    mark used per number column.
    """
    frame = raw.frame
    n = len(frame)
    context, number_formats = numbers or (None, {})
    parsed = _parse_sources(raw, mapping, col, fs, context)
    values, all_missing, unusable, used = _coalesce(parsed)
    if col.type == "string" and fs.value_map is not None:
        values = _map_values(values, fs.value_map, col.name, notes, fs.other)
    required = col.required and col.name not in mapping.optional
    date_formats.update(_date_formats(col.name, fs, parsed))
    number_formats.update(_date_formats(col.name, fs, parsed, key="number_convention"))
    issues.extend(_source_issues(raw, col.name, fs, parsed,
                                 unusable if required else np.zeros(n, dtype=bool), used))
    src_raw = frame[fs.columns[0]]
    if required:
        if all_missing.any():
            broken["missing_required"].append((all_missing, col.name, src_raw,
                                               f"required {col.name} is empty"))
        if unusable.any():
            why = parsed[0].detail[unusable]
            det = np.full(n, None, dtype=object)
            det[unusable] = [f"required {col.name} unusable: {w or 'no usable value'}"
                             for w in why]
            broken["unusable_required"].append((unusable, col.name, src_raw, det))
    if col.nonnegative:
        neg = (values < 0).to_numpy(dtype=bool, na_value=False)
        if neg.any():
            if required:
                broken["negative_quantity"].append(
                    (neg, col.name, src_raw, f"{col.name} is negative; quantities must be >= 0"))
            else:
                issues.append(_issue_frame(raw, neg, col.name, fs.columns[0], src_raw,
                                           "negative_value",
                                           f"{col.name} is negative; set to missing"))
                values = values.mask(neg)
    return values.astype(_DTYPES[col.type])


def _before(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """Return ``later < earlier`` for two ``datetime64[ns]`` arrays, False where either is NaT.

    Compared as integers (NaT is the smallest): NumPy's own date comparison
    checks each pair for NaT, several times slower on a million rows.

    >>> d = np.array(["2024-01-02", "NaT", "2024-01-01", "2024-01-05"], dtype="datetime64[ns]")
    >>> e = np.array(["2024-01-03", "2024-01-01", "NaT", "2024-01-04"], dtype="datetime64[ns]")
    >>> _before(d, e).tolist(), (d < e).tolist()
    ([True, False, False, False], [True, False, False, False])
    """
    lat = later.view(np.int64)
    out = lat < earlier.view(np.int64)   # an earlier NaT is below every date: False
    out &= lat != np.iinfo(np.int64).min  # a later NaT is below every date: not a break
    return out


def _date_order_reasons(frame: pd.DataFrame, schema: Table, out: dict[str, pd.Series],
                        resolved: Resolved) -> list[_Reason]:
    """Rows whose later date is before the earlier one (``schema.date_order``)."""
    n = len(frame)
    reasons = []
    for earlier, later in schema.date_order:
        if earlier in out and later in out:
            e, l_ = out[earlier], out[later]
            bad = (_before(l_.to_numpy(), e.to_numpy()) if
                   l_.dtype == e.dtype == np.dtype("datetime64[ns]") else
                   (l_ < e).fillna(False).to_numpy(dtype=bool))
            if bad.any():
                src = (frame[resolved.fields[later].columns[0]] if later in resolved.fields
                       else l_.dt.strftime("%Y-%m-%d"))
                det = np.full(n, None, dtype=object)
                det[bad] = (f"{later} " + l_[bad].dt.strftime("%Y-%m-%d") + f" is before "
                            f"{earlier} " + e[bad].dt.strftime("%Y-%m-%d")).to_numpy(dtype=object)
                reasons.append(_Reason.from_mask(f"{later}_before_{earlier}", bad, later,
                                                 src, det))
    return reasons


def _number_context(raw: RawTable, schema: Table, resolved: Resolved) -> NumberContext:
    """Infer the source's decimal mark from all its number columns, dates and delimiter."""
    cols = {t: [raw.frame[src] for c in schema.columns if c.type in types
                for src in (resolved.fields[c.name].columns if c.name in resolved.fields else ())]
            for t, types in (("numbers", ("float", "int")), ("dates", ("date",)))}
    return infer_number_context(cols["numbers"], cols["dates"], raw.meta.get("delimiter"))


def _stage(raw: RawTable, mapping: ColumnMapping, schema: Table,
           as_of: pd.Timestamp | None = None) -> _Staged:
    """Map, type and check one source: required columns, columns, derived columns, row rules, extras."""
    resolved = mapping.resolve(list(raw.frame.columns), raw.frame)
    resolved = mapping.without_derived(resolved, list(raw.frame.columns))
    _require_columns(raw, mapping, schema, resolved)
    frame = raw.frame
    out: dict[str, pd.Series] = {}
    issues: list[pd.DataFrame] = []
    date_formats: dict[str, str] = {}
    column_map: dict[str, str] = {}
    notes: list[str] = []
    broken: dict[str, list[tuple]] = {c: [] for c in _COLUMN_RULES}
    numbers = (_once(lambda: _number_context(raw, schema, resolved)), {})
    issues += [raw.issues] if len(raw.issues) else []  # reader doubts (encoding guess, ...)

    todo = [(col, resolved.fields[col.name]) for col in schema.columns
            if col.name in resolved.fields]
    for col, fs, values, sinks in _staged_in_order(raw, mapping, todo, numbers[0]):
        column_map[col.name] = " | ".join(fs.columns) + ("" if fs.how == "mapping"
                                                         else f" ({fs.how})")
        out[col.name] = values
        issues += sinks.issues
        date_formats.update(sinks.date_formats)
        numbers[1].update(sinks.number_formats)
        for code, found in sinks.broken.items():
            broken[code] += found
        notes += sinks.notes
    for name, src in resolved.extras.items():
        out[name] = parse_string(frame[src], mapping.na_values).values
    if mapping.derived:
        ctx = DeriveContext(frame, {}, mapping.date_options, mapping.decimal, numbers[0],
                            mapping.na_values,
                            as_of if as_of is not None else pd.Timestamp.today().normalize(),
                            raw.source)
        _stage_derived(raw, mapping, schema, ctx, out, _Sinks(issues, date_formats, broken,
                                                              notes, column_map), numbers)
    if mapping.price_unit and "unit_price" in out:
        _divide_price_unit(raw, mapping, out, issues, notes, column_map, numbers[0])

    reasons = [_Reason.from_mask(code, mask, colname, rawv, detail)
               for code, group in broken.items() for mask, colname, rawv, detail in group]
    reasons += _date_order_reasons(frame, schema, out, resolved)
    unused = _keep_unmapped(raw, mapping, schema, resolved, out, notes)

    notes = [f"mapped header(s) {hdrs} for {col!r} not found in {raw.source}"
             for col, hdrs in resolved.not_found.items()] + list(raw.meta.get("notes", [])) + notes
    values = pd.DataFrame(out, index=frame.index, copy=False)  # one block per column: no copy
    return _Staged(raw, values, reasons, issues, column_map, unused, date_formats, notes,
                   numbers[1])


# --------------------------------------------------------------------------- engine keys
@dataclass
class _Sinks:
    """Where staging a derived column writes what it finds."""

    issues: list[pd.DataFrame]
    date_formats: dict[str, str]
    broken: dict[str, list[tuple]]
    notes: list[str]
    column_map: dict[str, str]


_KINDS = {"date": "date", "float": "number", "int": "number", "string": "text", "bool": "text"}


def _map_values(values: pd.Series, value_map: dict, column: str,
                notes: list[str] | None, other: str | None = None) -> pd.Series:
    """Map a text column's values (trimmed, case-insensitive).

    Values the map does not list become ``other`` when it is given, else they
    are kept as given; either way the summary notes them with their counts.
    """
    codes, uniq = pd.factorize(values)
    if not len(uniq):
        return values
    keys = pd.Series(np.asarray(uniq, dtype=object), dtype="str").str.strip().str.lower()
    hit = keys.isin(list(value_map)).to_numpy(dtype=bool)
    mapped = np.asarray(uniq, dtype=object).copy()
    mapped[hit] = [None if value_map[k] is None else str(value_map[k]) for k in keys[hit]]
    if other is not None:
        mapped[~hit] = other
    if notes is not None and not hit.all():
        counts = np.bincount(codes[codes >= 0], minlength=len(uniq))
        kept = [(str(u), int(c)) for u, c, h in zip(uniq, counts, hit, strict=True) if not h]
        kept.sort(key=lambda t: -t[1])
        shown = ", ".join(f"{u!r} ({c:,} rows)" for u, c in kept[:8])
        what = f"read as {other!r}" if other is not None else "kept as given"
        notes.append(f"{column}: {len(kept)} value(s) not in the mapping's values {what}: "
                     f"{shown}{', ...' if len(kept) > 8 else ''}")
    ext = np.concatenate([mapped, np.array([None], dtype=object)])
    return pd.Series(ext[codes], index=values.index, dtype="str")


def _stage_derived(raw: RawTable, mapping: ColumnMapping, schema: Table, ctx: DeriveContext,
                   out: dict[str, pd.Series], sinks: _Sinks,
                   numbers: tuple[Callable[[], NumberContext], dict[str, str]]) -> None:
    """Compute the derived columns in dependency order; each is noted in the summary."""
    for name, expr in mapping.derived.items():
        typed = {k: (v, _KINDS[schema.column(k).type] if k in schema.names
                     else ("date" if pd.api.types.is_datetime64_any_dtype(v.dtype)
                           else "number" if pd.api.types.is_float_dtype(v.dtype) else "text"))
                 for k, v in out.items()}
        ctx = DeriveContext(**{**ctx.__dict__, "typed": typed})
        col = schema.column(name) if name in schema.names else None
        plain = expr.plain_sources()
        sinks.column_map[name] = f"= {expr.text}"
        if col is not None and plain is not None and not any(p in typed for p in plain):
            # header references read exactly as a header under columns: is read
            fs = FieldSource(tuple(_source_header(raw, expr, h) for h in plain), None, "derived")
            out[name] = _stage_column(raw, mapping, col, fs, sinks.issues, sinks.date_formats,
                                      sinks.broken, numbers, sinks.notes)
            missing = int(out[name].isna().sum())
            sinks.notes.append(f"derived {name} = {expr.text}: read from {' | '.join(fs.columns)}"
                               f"; {len(out[name]) - missing:,} value(s), {missing:,} missing")
            continue
        d = evaluate(expr, ctx)
        for fl in d.flags:
            sinks.issues.append(_issue_frame(raw, fl.mask, name, fl.source_column, fl.values,
                                             fl.reason, fl.detail))
        for src, fmt in d.date_formats.items():
            sinks.date_formats[f"{name} <- {src}"] = fmt
        if col is None:
            out[name] = (parse_string(d.values, mapping.na_values).values
                         if d.kind in ("raw", "text") else d.values)
        else:
            out[name] = _typed_derived(raw, mapping, col, d, ctx, sinks)
        missing = int(out[name].isna().sum())
        note = (f"derived {name} = {expr.text}: {len(out[name]) - missing:,} value(s), "
                f"{missing:,} missing")
        unusable = int(d.unusable.sum()) - d.planned
        if unusable:
            note += f" ({unusable:,} with an unusable input, see issues)"
        if d.planned:
            note += (f"; {d.planned:,} date(s) after the as-of date {ctx.as_of:%Y-%m-%d} are "
                     f"plans, left missing (issue {ISSUE_PLANNED_DATE})")
        sinks.notes.append(note)


def _source_header(raw: RawTable, expr: object, header: str) -> str:
    """Return the source's spelling of a header a derived expression names (raise if absent)."""
    by_norm = {normalize_header(h): h for h in raw.frame.columns}
    if normalize_header(header) in by_norm:
        return by_norm[normalize_header(header)]
    found = list(raw.frame.columns)
    shown = ", ".join(repr(h) for h in found[:40]) + (", ..." if len(found) > 40 else "")
    raise DerivedColumnError(
        f"derived {expr.target}: {expr.text!r}: {header!r} is neither a mapped model column "
        f"nor a header of the source. Headers found: [{shown}]", key=f"derived.{expr.target}",
        expression=expr.text, source=raw.source, found=found,
        fix="write the header exactly as the file has it, in backticks when it holds spaces "
            "or symbols, or map the model column under columns:.")


def _typed_derived(raw: RawTable, mapping: ColumnMapping, col: Column, d: Derivation,
                   ctx: DeriveContext, sinks: _Sinks) -> pd.Series:
    """Read a derivation as its model column's type; apply the column's row rules."""
    n = len(raw.frame)
    p = typed_result(d, col.type, ctx, col.name)
    values = p.values
    if p.invalid.any():
        sinks.issues.append(_issue_frame(raw, p.invalid, col.name, d.label, d.values,
                                         "unusable_value", p.detail))
    doubtful = flagged(p.issue)
    if doubtful.any():
        sinks.issues.append(_issue_frame(raw, doubtful, col.name, d.label, d.values, p.issue,
                                         p.detail))
    if p.info.get("date_format"):
        sinks.date_formats[col.name] = p.info["date_format"]
    unusable = d.unusable | p.invalid
    why = np.where(p.invalid & ~d.unusable, p.detail, d.why)
    required = col.required and col.name not in mapping.optional
    shown = np.full(n, None, dtype=object)  # the value to show for a quarantined row
    if required:
        ruled_out = values.isna().to_numpy() | (values < 0).fillna(False).to_numpy(dtype=bool) \
            if col.nonnegative else values.isna().to_numpy()
        shown[ruled_out] = d.values[ruled_out].astype(str).to_numpy(dtype=object)
        for fl in reversed(d.flags):  # the input that made a value missing, first flag first
            sel = fl.mask & ruled_out
            shown[sel] = fl.values[sel].astype(str).to_numpy(dtype=object)
    if required:
        missing = values.isna().to_numpy() & ~unusable
        if missing.any():
            sinks.broken["missing_required"].append(
                (missing, col.name, shown, f"required {col.name} is empty: its derived "
                                           f"expression gave no value"))
        if unusable.any():
            det = np.full(n, None, dtype=object)
            det[unusable] = pd.Series(why[unusable], dtype=object).astype(str).radd(
                f"required {col.name} unusable: ").to_numpy(dtype=object)
            sinks.broken["unusable_required"].append((unusable, col.name, shown, det))
    if col.nonnegative:
        neg = (values < 0).to_numpy(dtype=bool, na_value=False)
        if neg.any():
            if required:
                sinks.broken["negative_quantity"].append(
                    (neg, col.name, shown, f"{col.name} is negative; quantities must be >= 0"))
            else:
                sinks.issues.append(_issue_frame(raw, neg, col.name, d.label, values,
                                                 "negative_value",
                                                 f"{col.name} is negative; set to missing"))
                values = values.mask(neg)
    return values.astype(_DTYPES[col.type])


def _divide_price_unit(raw: RawTable, mapping: ColumnMapping, out: dict[str, pd.Series],
                       issues: list[pd.DataFrame], notes: list[str], column_map: dict[str, str],
                       context: Callable[[], NumberContext]) -> None:
    """``unit_price`` divided by the price unit header (blank: 1; zero or unusable: missing)."""
    by_norm = {normalize_header(h): h for h in raw.frame.columns}
    header = by_norm.get(normalize_header(mapping.price_unit))
    if header is None:
        notes.append(f"price_unit: the header {mapping.price_unit!r} is not in {raw.source}: "
                     f"unit_price is NOT divided by a price unit; check that prices are per one "
                     f"unit")
        return
    p = parse_number(raw.frame[header], decimal=mapping.decimal, context=context,
                     extra_na=mapping.na_values)
    unit = p.values.to_numpy(dtype="float64", na_value=np.nan)
    price = out["unit_price"]
    has_price = price.notna().to_numpy()
    blank = p.missing & ~p.invalid
    with np.errstate(invalid="ignore"):
        bad = has_price & (p.invalid | (np.isfinite(unit) & (unit <= 0)))
    detail = np.where(p.invalid, p.detail, "a price unit must be more than 0").astype(object)
    detail = pd.Series(detail, dtype=object).astype(str).add(
        "; unit_price left missing").to_numpy(dtype=object)
    if bad.any():
        issues.append(_issue_frame(raw, bad, "unit_price", header, raw.frame[header],
                                   "unusable_value", detail))
    divisor = np.where(blank | ~np.isfinite(unit), 1.0, unit)
    out["unit_price"] = (price / divisor).mask(bad)
    divided = int((has_price & ~bad & (divisor != 1)).sum())
    column_map["unit_price"] = column_map.get("unit_price", "unit_price") + f" / {header}"
    notes.append(f"price_unit: unit_price = price / {header}: {divided:,} price(s) divided by "
                 f"a price unit other than 1, {int((has_price & blank).sum()):,} blank price "
                 f"unit(s) read as 1, {int(bad.sum()):,} unusable (price left missing)")


def _is_model_file(mapping: ColumnMapping, schema: Table, resolved: Resolved,
                   headers: list[str]) -> bool:
    """Tell whether a source is a data-model table itself (e.g. written by ``load --out``).

    True when the mapping is automatic and every required column found matched
    by its own model name, or when the source carries the lineage columns.
    """
    norms = {normalize_header(h) for h in headers}
    if {"source_file", "source_row"} <= norms:
        return True
    if mapping.columns or mapping.derived:
        return False
    found = [resolved.fields[c] for c in schema.required if c in resolved.fields]
    return bool(found) and all(fs.how == "name" for fs in found)


def _keep_unmapped(raw: RawTable, mapping: ColumnMapping, schema: Table, resolved: Resolved,
                   out: dict[str, pd.Series], notes: list[str]) -> list[str]:
    """Keep lineage of a re-loaded file and (when asked, or for model files) unused headers.

    Returns the headers still unused.
    """
    frame = raw.frame
    unused = list(resolved.unused)
    by_norm = {normalize_header(h): h for h in unused}
    upstream = {new: by_norm[new] for new in LINEAGE_RENAMES.values() if new in by_norm}
    lineage = {new: by_norm[old] for old, new in LINEAGE_RENAMES.items() if old in by_norm}
    if upstream:  # a file re-loaded twice: the first lineage is kept, the middle one dropped
        if lineage:
            notes.append(f"{raw.source} has upstream lineage columns; its own "
                         f"{', '.join(lineage.values())} (an intermediate file) are not kept")
        lineage = upstream
    skip = set(lineage.values()) | set(upstream.values()) | {by_norm[old] for old in
                                                             LINEAGE_RENAMES if old in by_norm}
    keep = mapping.keep_unmapped
    if keep is None:
        keep = _is_model_file(mapping, schema, resolved, list(frame.columns))
    kept, clash = [], []
    if keep:
        for h in unused:
            if h in skip:
                continue
            if h in out or h in schema.names:
                clash.append(h)
                continue
            out[h] = parse_string(frame[h], mapping.na_values).values
            kept.append(h)
    for name, header in lineage.items():
        text = parse_string(frame[header], mapping.na_values)
        if name == "upstream_source_row":
            rows = parse_column(frame[header], "int")
            out[name] = rows.values if not rows.invalid.any() else text.values
        else:
            out[name] = text.values
    if lineage:
        notes.append(f"lineage of a re-loaded file kept as {', '.join(lineage)} (from "
                     f"{', '.join(lineage.values())})")
    if kept:
        notes.append(f"unmapped column(s) kept as extra text: {', '.join(kept[:20])}"
                     f"{', ...' if len(kept) > 20 else ''}")
    if clash:
        notes.append(f"unmapped column(s) {clash} not kept: their names are model columns")
    done = set(kept) | skip
    return [h for h in unused if h not in done]


# --------------------------------------------------------------------------- drop rows, fill down
@dataclass
class _Prepared:
    """One source after the drop rules and fill-down: the rows to read and the rows dropped."""

    raw: RawTable
    """The rows to read (dropped rows removed, blank cells filled)."""
    keep: np.ndarray
    """Positions of those rows in the source frame."""
    reasons: list[_Reason]
    """Drop-rule reasons, positions in the source frame."""
    notes: list[str]


def _blank(values: pd.Series) -> np.ndarray:
    """Return True where a cell is empty (null or only spaces)."""
    blank = values.isna().to_numpy()
    if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        text = values.astype(object).where(~blank, "").astype("str")
        blank = blank | text.str.strip().eq("").to_numpy(dtype=bool, na_value=True)
    return blank


def _matches(values: pd.Series, regex: object) -> np.ndarray:
    """Return True where a cell's text matches ``regex`` (searched, on distinct values)."""
    codes, uniq = pd.factorize(values)
    if not len(uniq):
        return np.zeros(len(values), dtype=bool)
    text = pd.Series(np.asarray(uniq, dtype=object)).astype(str).astype("str")
    with warnings.catch_warnings():  # pandas warns about groups in the pattern: not used here
        warnings.simplefilter("ignore", UserWarning)
        hit = text.str.contains(regex, regex=True).to_numpy(dtype=bool, na_value=False)
    return np.concatenate([hit, [False]])[codes]


def _drop_rules(raw: RawTable, mapping: ColumnMapping
                ) -> tuple[np.ndarray, np.ndarray, list[_Reason], list[str]]:
    """Rows matched by the drop rules: mask, reason code per row, reasons and notes."""
    frame = raw.frame
    n = len(frame)
    by_norm = {normalize_header(h): h for h in frame.columns}
    dropped = np.zeros(n, dtype=bool)
    code = np.full(n, None, dtype=object)
    reasons, notes = [], []
    for k, rule in enumerate(mapping.drop_rows, start=1):
        if rule.any_column:
            cols = list(frame.columns)
        else:
            cols = [by_norm[normalize_header(c)] for c in rule.columns
                    if normalize_header(c) in by_norm]
            if not cols:
                notes.append(f"drop_rows rule {k} ({rule.reason}): header(s) "
                             f"{list(rule.columns)} not in {raw.source}; rule not applied")
                continue
        hit_col = np.full(n, None, dtype=object)
        value = np.full(n, None, dtype=object)
        for c in cols:
            hit = _matches(frame[c], rule.regex) & ~dropped & pd.isna(hit_col)
            if hit.any():
                hit_col[hit] = c
                value[hit] = frame[c].to_numpy(dtype=object)[hit]
        mask = pd.notna(hit_col)
        if mask.any():
            detail = np.full(n, None, dtype=object)
            detail[mask] = pd.Series(hit_col[mask], dtype=object).astype(str).radd(
                f"drop_rows rule {k}: ").add(f" matches {rule.pattern!r}").to_numpy(dtype=object)
            for c in cols:  # one reason per column, so the quarantine names the column
                sel = mask & (hit_col == c)
                if sel.any():
                    reasons.append(_Reason.from_mask(rule.reason, sel, c, value, detail))
            dropped |= mask
            code[mask] = rule.reason
        notes.append(f"drop_rows rule {k} ({rule.reason}: {rule.describe()}): "
                     f"{int(mask.sum()):,} row(s) quarantined")
    return dropped, code, reasons, notes


def _prepare(raw: RawTable, mapping: ColumnMapping) -> _Prepared:
    """Apply the drop rules, then fill blank cells down (see ``fill_down`` in the mapping doc)."""
    n = len(raw.frame)
    if not n or not (mapping.drop_rows or mapping.fill_down):
        return _Prepared(raw, np.arange(n), [], [])
    coded = [k for k in range(raw.frame.shape[1]) if is_coded_text(raw.frame.iloc[:, k])]
    if coded:  # the rules read and write text
        frame = raw.frame.copy(deep=False)
        for k in coded:
            frame.isetitem(k, decoded_text(frame.iloc[:, k]))
        raw = RawTable(frame, raw.source_row, raw.source, raw.rejected, raw.meta, raw.issues)
    dropped, code, reasons, notes = _drop_rules(raw, mapping)
    frame = raw.frame
    if mapping.fill_down:
        frame, more, fill_notes = _fill_down(raw, mapping, dropped, code)
        reasons += more
        notes += fill_notes
        for r in more:
            dropped[r.idx] = True
    keep = np.flatnonzero(~dropped)
    if len(keep) < n:
        frame = frame.iloc[keep].reset_index(drop=True)
    work = RawTable(frame, raw.source_row[keep], raw.source, raw.rejected, raw.meta, raw.issues)
    return _Prepared(work, keep, reasons, notes)


def _fill_down(raw: RawTable, mapping: ColumnMapping, dropped: np.ndarray, code: np.ndarray
               ) -> tuple[pd.DataFrame, list[_Reason], list[str]]:
    """Fill blank cells of the ``fill_down`` headers; returns the frame, drops and notes.

    With ``fill_down_key`` a row with a blank key continues the order of the last
    row above with a key: its blank cells take that row's values; when that row
    was dropped by a rule, the continuation row is dropped with the same reason.
    Without a key each header's blank cell takes the nearest value above; a
    dropped row stops the filling (cells below it stay blank).
    """
    frame = raw.frame
    n = len(frame)
    by_norm = {normalize_header(h): h for h in frame.columns}
    cols = [by_norm[normalize_header(h)] for h in mapping.fill_down
            if normalize_header(h) in by_norm]
    absent = [h for h in mapping.fill_down if normalize_header(h) not in by_norm]
    notes = ([f"fill_down: header(s) {absent} not in {raw.source}"] if absent else [])
    reasons: list[_Reason] = []
    pos = np.arange(n)
    if mapping.fill_down_key:
        key = by_norm.get(normalize_header(mapping.fill_down_key))
        if key is None:
            notes.append(f"fill_down_key {mapping.fill_down_key!r} is not a header of "
                         f"{raw.source}: nothing filled")
            return frame, reasons, notes
        has_key = ~_blank(frame[key])
        heads = np.flatnonzero(has_key)
        group = np.cumsum(has_key)
        head = np.where(group > 0, heads[np.clip(group - 1, 0, None)] if len(heads) else 0, -1)
        cont = ~has_key & (group > 0)
        head_dropped = cont & ~dropped & dropped[np.clip(head, 0, None)]
        if head_dropped.any():
            detail = np.full(n, None, dtype=object)
            detail[head_dropped] = pd.Series(raw.source_row[head[head_dropped]]).astype(
                str).radd("continues source row ").to_numpy(dtype=object)
            for reason in pd.unique(code[head[head_dropped]]):
                sel = head_dropped & (code[np.clip(head, 0, None)] == reason)
                reasons.append(_Reason.from_mask(str(reason), sel, key, frame[key],
                                                 pd.Series(detail).astype(object).add(
                                                     f", dropped as {reason}").to_numpy()))
            notes.append(f"fill_down: {int(head_dropped.sum()):,} continuation row(s) of "
                         f"dropped rows quarantined with them")
        rows = cont & ~dropped & ~head_dropped
        source = np.where(rows, head, pos)
    else:
        rows = ~dropped
        source = None
    filled = frame.copy(deep=False)
    counts = []
    for c in cols:
        blank = _blank(frame[c])
        if source is None:  # nearest value above; a dropped row is a barrier
            anchor = np.where(~blank | dropped, pos, -1)
            src = np.maximum.accumulate(anchor) if n else anchor
            ok = rows & blank & (src >= 0)
            ok[ok] = ~dropped[src[ok]] & ~blank[src[ok]]
        else:
            src = source
            ok = rows & blank & ~blank[src]
        if ok.any():
            vals = frame[c].to_numpy(dtype=object).copy()
            vals[ok] = vals[src[ok]]
            filled[c] = pd.Series(vals, index=frame.index).astype(frame[c].dtype)
        counts.append(f"{c} {int(ok.sum()):,}")
    how = (f"from the first row of their {mapping.fill_down_key}" if mapping.fill_down_key
           else "from the row above")
    notes.append(f"fill_down: blank cells filled {how}: {', '.join(counts)}")
    return filled, reasons, notes


def _stage_source(raw: RawTable, mapping: ColumnMapping, schema: Table,
                  as_of: pd.Timestamp | None) -> _Staged:
    """Stage one source: drop rules and fill-down, then :func:`_stage` on the rows left.

    The staged values are spread back over every row of the source (dropped rows
    empty), so quarantine positions and original values stay those of the source.
    """
    prep = _prepare(raw, mapping)
    staged = _stage(prep.raw, mapping, schema, as_of)
    staged.notes += prep.notes
    if prep.raw is raw:
        return staged
    n = len(raw.frame)
    values = staged.values.set_axis(pd.RangeIndex(n)[prep.keep]).reindex(pd.RangeIndex(n))
    moved = [_Reason(r.code, prep.keep[r.idx], r.column, r.value, r.detail)
             for r in staged.reasons]
    staged.values = values
    staged.reasons = prep.reasons + moved
    staged.raw = raw
    return staged


def _read_source(src: object, cmap: ColumnMapping, schema: Table, automatic: bool,
                 options: dict) -> tuple[RawTable, ColumnMapping, str | None]:
    """Read one source; without a mapping, recognise a shipped one from its headers.

    Returns the raw table, the mapping to use, and the summary note saying
    which mapping was recognised (``None`` when none was).
    """
    if not automatic:
        raw = read_raw(src, known_headers=cmap.known_headers(),
                       header_scan=cmap.header_scan or 20, coded=True, **options)
        return raw, cmap, None
    shipped = [m for m in shipped_mappings() if m.table == schema.name]
    scan = max([20] + [m.header_scan or 20 for m in shipped])
    raw = read_raw(src, known_headers=cmap.known_headers() | detection_headers(),
                   header_scan=scan, coded=True, **options)
    found = detect_mapping(list(raw.frame.columns))
    if found is None or found.mapping.table != schema.name:
        return raw, cmap, None
    use = found.mapping
    if cmap.decimal is not None or cmap.dayfirst is not None:  # reading options given
        use = ColumnMapping(**{**use.__dict__,
                               "decimal": cmap.decimal if cmap.decimal is not None
                               else use.decimal,
                               "dayfirst": cmap.dayfirst if cmap.dayfirst is not None
                               else use.dayfirst})
    return raw, use, f"mapping: {found.describe()}"


# --------------------------------------------------------------------------- public API
def load_table(source: object | Sequence[object], table: str | Table = "order_lines",
               mapping: object = None, *, customers: object = None, items: object = None,
               sheet: str | int | None = 0, sql_table: str | None = None,
               query: str | None = None, encoding: str | None = None,
               delimiter: str | None = None, as_of: object = None) -> LoadResult:
    """Load one or more sources into a data-model table, accounting for every row.

    Parameters
    ----------
    source
        A path (CSV/TXT/TSV, Excel .xlsx, Parquet, SQLite .db), an SQLAlchemy URL,
        a DataFrame, or a list of these (loaded together; duplicate keys are
        detected across them).
    table
        Data-model table name (see ``workbench.schema.TABLES``).
    mapping
        Column mapping: ``None`` (a shipped mapping under ``data/mappings/`` when
        the headers carry its ``detect`` fingerprint, else model names and known
        synonyms), a dict, a YAML path or the name of a file under ``data/mappings/``.
    customers, items
        Optional masters (DataFrame with ``customer_id`` / ``item_id``, a
        :class:`LoadResult`, or an iterable of ids). Rows whose id is not in a
        given master are quarantined.
    sheet
        Excel sheet name or index.
    sql_table, query
        For SQL sources: table name or query.
    encoding, delimiter
        For text files: override detection.
    as_of
        The export's as-of date, used by ``actual()`` in derived columns (a later
        date is a plan, not an actual date). Default: today.

    Returns
    -------
    LoadResult
        ``.data`` (``.orders``), ``.quarantine``, ``.issues``, ``.summary``.

    Raises
    ------
    MissingColumnsError
        When required columns cannot be mapped (names them, lists the headers found).
    SourceError
        When a source cannot be read at all (missing, empty, undecodable).
    MappingError
        When the mapping is malformed.
    """
    schema = get_table(table)
    cmap = ColumnMapping.from_any(mapping, schema)
    if cmap.table != schema.name:
        cmap = ColumnMapping(**{**cmap.__dict__, "table": schema.name})
    sources = list(source) if isinstance(source, (list, tuple)) else [source]
    if not sources:
        raise WorkbenchError("no source given", fix="pass a path, URL, DataFrame or a list.")
    as_of_day = (check_date(as_of, key="as_of") if as_of is not None
                 else pd.Timestamp.today().normalize())
    automatic = mapping is None or (isinstance(mapping, ColumnMapping)
                                    and cmap.origin == "<automatic>" and not cmap.columns)
    options = {"table": sql_table, "query": query, "sheet": sheet, "encoding": encoding,
               "delimiter": delimiter}
    with load_allocation():
        return _load_sources(sources, schema, cmap, automatic, options, as_of, as_of_day,
                             customers=customers, items=items)


_HASH_BYTES = 1 << 20
"""A file from this size may hold enough rows for the hashed duplicate-key check."""


def _may_hash(src: object) -> bool:
    """Tell whether ``src`` may hold ``_HASH_ROWS`` rows (a file of a MB or more, a large frame).

    >>> _may_hash(pd.DataFrame({"a": [1]})), _may_hash("no-such-file.csv")
    (False, False)
    """
    if isinstance(src, pd.DataFrame):
        return len(src) >= _HASH_ROWS
    if isinstance(src, (str, Path)) and "://" not in str(src):
        try:
            return Path(src).stat().st_size >= _HASH_BYTES
        except (OSError, ValueError):
            return False
    return False


def _load_sources(sources: list[object], schema: Table, cmap: ColumnMapping, automatic: bool,
                  options: dict, as_of: object, as_of_day: pd.Timestamp, *, customers: object,
                  items: object) -> LoadResult:
    """Read, stage and assemble the sources of :func:`load_table`."""
    staged, used = [], []
    if any(_may_hash(src) for src in sources):
        prepare()  # DuckDB for the duplicate-key check, made while the sources are read
    for src in sources:
        raw, use, note = _read_source(src, cmap, schema, automatic, options)
        with sharing_flags():  # columns that flag nothing share one no-flags array
            stg = _stage_source(raw, use, schema, as_of_day)
        if note:
            stg.notes.insert(0, note)
        if use.derived and any("actual(" in e.text for e in use.derived.values()):
            stg.notes.append(f"as-of date for actual(): {as_of_day:%Y-%m-%d}"
                             + ("" if as_of is not None else " (today; pass as_of= with the "
                                                             "export's date)"))
        staged.append(stg)
        used.append(use)
    return _assemble(staged, schema, used[0], customers=customers, items=items)


def load_orders(source: object | Sequence[object], mapping: object = None,
                **options) -> LoadResult:
    """Load customer order lines into the data model (see :func:`load_table`).

    ``as_of`` (keyword) is the export's date for ``actual()`` in derived columns.

    Examples
    --------
    >>> from workbench.paths import data_path
    >>> res = load_orders(data_path("samples/order_lines.csv"))
    >>> res.summary.rows_in == res.summary.rows_loaded + res.summary.rows_quarantined
    True

    An export with its own headers loads through a named mapping, e.g.
    ``load_orders("erp_export_gbk.csv", mapping="erp_cn")``.
    """
    return load_table(source, "order_lines", mapping, **options)


def _master_ids(master: object, column: str) -> set[str] | None:
    if master is None:
        return None
    if isinstance(master, LoadResult):
        master = master.data
    if isinstance(master, pd.DataFrame):
        if column not in master:
            raise WorkbenchError(f"the master table has no {column!r} column",
                                 fix=f"pass a frame with {column!r} (e.g. a loaded master).")
        return set(master[column].dropna().astype(str))
    if isinstance(master, Iterable) and not isinstance(master, (str, bytes)):
        return {str(x) for x in master}
    raise WorkbenchError(f"cannot use {type(master).__name__} as a master for {column}")


@dataclass
class _Stacked:
    """The staged sources concatenated, with each row's lineage."""

    values: pd.DataFrame
    files: list[str]
    file_code: np.ndarray   # index into files, per row
    src_row: np.ndarray     # source row number, per row
    offsets: np.ndarray     # first row of each staged source, then the total

    @classmethod
    def of(cls, staged: list[_Staged]) -> _Stacked:
        values = (staged[0].values.reset_index(drop=True) if len(staged) == 1  # no copy
                  else pd.concat([s.values for s in staged], ignore_index=True))
        files = list(dict.fromkeys(s.raw.source for s in staged))
        file_code = np.concatenate([np.full(len(s.values), files.index(s.raw.source),
                                            dtype=np.int32) for s in staged])
        src_row = np.concatenate([s.raw.source_row for s in staged]).astype(np.int64)
        offsets = np.cumsum([0] + [len(s.values) for s in staged])
        return cls(values, files, file_code, src_row, offsets)

    def src_file(self, rows: np.ndarray) -> np.ndarray:
        """Return the source file of each of ``rows`` (positions or a mask), as objects."""
        return np.asarray(self.files, dtype=object)[self.file_code[rows]]


def _flagged(reasons: list[_Reason], n: int) -> np.ndarray:
    """Rows breaking at least one of ``reasons``."""
    mask = np.zeros(n, dtype=bool)
    for r in reasons:
        mask[r.idx] = True
    return mask


def _number_lines(values: pd.DataFrame, schema: Table, notes: list[str]) -> None:
    """Assign line numbers 1, 2, ... within each order when the source has none."""
    auto_col, group_col = _AUTO_NUMBER.get(schema.name, (None, None))
    if auto_col and auto_col not in values:
        values[auto_col] = (values.groupby(group_col, sort=False, dropna=False).cumcount() + 1
                            ).astype("Int64")
        notes.append(f"{auto_col} not in the source: numbered 1, 2, ... within each "
                     f"{group_col} in source order")


def _master_reasons(values: pd.DataFrame, schema: Table, masters: dict[str, object]
                    ) -> list[_Reason]:
    """Rows whose customer or item is not in the given master table."""
    reasons = []
    for col, master_name in schema.masters.items():
        ids = _master_ids(masters.get(master_name), col)
        if ids is None or col not in values:
            continue
        v = values[col]
        unknown = (v.notna() & ~v.astype(object).isin(ids)).to_numpy(dtype=bool)
        if unknown.any():
            reasons.append(_Reason.from_mask("unknown_" + master_name.rstrip("s"), unknown, col,
                                             v, f"{col} not in the {master_name} master"))
    return reasons


def _column_codes(v: pd.Series) -> tuple[np.ndarray, int]:
    """Codes ``0 .. radix - 1`` of one key column, equal exactly where its values are (0 = missing).

    A signed integer column of a narrow range (line numbers) is its values less
    its minimum, without hashing; other columns are factorized.

    >>> codes, radix = _column_codes(pd.Series([3, None, 5, 3], dtype="Int64"))
    >>> codes.tolist(), radix
    ([1, 0, 3, 1], 4)
    """
    n = len(v)
    if pd.api.types.is_signed_integer_dtype(v.dtype) and n:
        na = v.isna().to_numpy()
        ints = v.to_numpy(dtype=np.int64, na_value=0)
        present = ints[~na] if na.any() else ints
        if len(present):
            lo, hi = int(present.min()), int(present.max())
            if hi - lo < 4 * n + 16:  # a narrow range: the values are their own codes
                codes = ints - lo + 1
                codes[na] = 0
                return codes, hi - lo + 2
    c, uniq = factorize_text(v)
    return c.astype(np.int64) + 1, len(uniq) + 1


def _key_codes(values: pd.DataFrame, key: list[str]) -> np.ndarray:
    """One integer per row, equal exactly where the rows' key values are equal (missing = missing).

    Each key column is coded (:func:`_column_codes`; missing values share one
    code) and the codes are combined as a mixed-radix number; they are
    re-factorized (kept below the row count) only when the next column's radix
    could overflow 64 bits.
    """
    return _key_codes_span(values, key)[0]


def _key_codes_span(values: pd.DataFrame, key: list[str]) -> tuple[np.ndarray, int]:
    """:func:`_key_codes` and the bound its codes are below."""
    codes = np.zeros(len(values), dtype=np.int64)
    span = 1  # codes are below span
    for k in key:
        c, radix = _column_codes(values[k])
        if span > (2**62) // radix:
            codes = pd.factorize(codes)[0].astype(np.int64)
            span = max(len(values), 1)
        codes = codes * radix + c
        span *= radix
    return codes, span


def _repeated(codes: np.ndarray, span: int) -> np.ndarray:
    """Return True where a code occurs more than once.

    Codes below a few times their count are counted in one array (no hashing);
    others are factorized first.

    >>> _repeated(np.array([4, 1, 4, 0]), 5).tolist()
    [True, False, True, False]
    """
    if not len(codes):
        return np.zeros(0, dtype=bool)
    if span <= 4 * len(codes) + 1024:
        return np.bincount(codes, minlength=span)[codes] > 1
    group = pd.factorize(codes)[0]
    return np.bincount(group)[group] > 1


_HASH_ROWS = 200_000
"""From this many candidate rows, duplicate keys are found from 64-bit hashes (DuckDB)."""


def _key_hashes(values: pd.DataFrame, key: list[str]) -> np.ndarray:
    """Return a 64-bit hash per row of its key values, computed by DuckDB on all cores.

    Arrow text columns are hashed as they are (no copy); other columns by their
    exact codes (:func:`_column_codes`). Equal keys have equal hashes; unequal
    keys almost always differ (the caller checks the repeats exactly).
    """
    cols = {}
    for k in key:
        arr = values[k].array
        cols[k] = (arr.__arrow_array__() if isinstance(arr, pd.arrays.ArrowStringArray)
                   else pa.array(_column_codes(values[k])[0]))
    return key_hashes(cols)


def _maybe_repeated(values: pd.DataFrame, key: list[str], cand_idx: np.ndarray) -> np.ndarray:
    """Return True for the candidate rows whose key may repeat among the candidates.

    Exact (:func:`_key_codes_span`, :func:`_repeated`) for fewer than
    ``_HASH_ROWS`` rows; beyond, the rows whose key hash repeats (every
    repeated key, and rarely a hash collision: the caller groups the few rows
    found by their exact keys). Hashing with DuckDB and sorting the hashes take
    about 1 s on 10M lines where hashing the order ids into a table took 3 s.
    """
    if len(cand_idx) < _HASH_ROWS:
        codes, span = _key_codes_span(values, key)
        return _repeated(codes[cand_idx], span)
    h = _key_hashes(values, key)[cand_idx]
    s = np.sort(h)
    twice = s[1:][s[1:] == s[:-1]]
    return np.isin(h, np.unique(twice)) if len(twice) else np.zeros(len(h), dtype=bool)


def _duplicate_reason(values: pd.DataFrame, schema: Table, already: np.ndarray,
                      src_row: np.ndarray) -> _Reason | None:
    """Repeated keys among the rows that pass every other rule (the first one stays).

    The detail says whether the repeat is identical to the first row of its key
    or has different values, and names that row. The key columns are reduced to
    one integer per row (:func:`_key_codes`) and counted (:func:`_repeated`), or,
    on many rows, hashed (:func:`_maybe_repeated`); only the rows of repeated
    keys are grouped by their exact keys, and full rows are compared only within
    those groups.
    """
    key = [k for k in schema.key if k in values]
    if not key or len(key) != len(schema.key):
        return None
    cand_idx = np.flatnonzero(~already)
    rows = cand_idx[_maybe_repeated(values, key, cand_idx)]
    # the rows found grouped by their exact keys; a key seen once (a hash collision) goes
    grp_codes = pd.factorize(_key_codes(_take_few_rows(values[key], rows), key))[0]
    real = np.bincount(grp_codes)[grp_codes] > 1 if len(rows) else np.zeros(0, dtype=bool)
    rows = rows[real]                    # positions in values of the rows of repeated keys
    if not len(rows):
        return None
    # groups numbered in order of first appearance, so a row is the first of its key
    # exactly when its group is above every group before it
    grp_codes = pd.factorize(grp_codes[real])[0]
    repeat = np.zeros(len(grp_codes), dtype=bool)  # the repeats among the involved rows
    repeat[1:] = grp_codes[1:] <= np.maximum.accumulate(grp_codes)[:-1]
    model_cols = [c for c in values.columns if c in schema.names]
    grp = _take_few_rows(values[model_cols], rows)
    hashes = pd.util.hash_pandas_object(grp, index=False).to_numpy()
    by_key = pd.Series(np.arange(len(rows)), dtype=np.int64).groupby(grp_codes, sort=False)
    first_pos = by_key.transform("first").to_numpy()   # first row of each key group
    same = hashes == hashes[first_pos]
    first_rows = src_row[rows[first_pos]]
    at = rows[repeat]  # ascending: the repeats' positions (no per-row arrays over every row)
    det = np.where(same[repeat], "identical to", "same key as, but different values from")
    detail = np.array([f"{'/'.join(key)} repeated: {d} source row {r}"
                       for d, r in zip(det, first_rows[repeat], strict=True)], dtype=object)
    keytext = _take_few_rows(values[key], at).astype(str).agg("/".join, axis=1).to_numpy(
        dtype=object)
    return _Reason("duplicate_key", at, "/".join(key), keytext, detail)


def _raw_rows(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Return ``frame.iloc[rows].astype(object)`` with a fresh index (see :func:`_take_few`).

    >>> f = pd.DataFrame({"a": pd.Series(["x", None, "z"], dtype="str"), "q": [1, 2, 3]})
    >>> _raw_rows(f, np.array([2, 1])).to_dict("list")
    {'a': ['z', nan], 'q': [3, 2]}
    """
    return _take_few_rows(frame, rows).astype(object)


def _quarantine(staged: list[_Staged], st: _Stacked, reasons: list[_Reason],
                bad: np.ndarray) -> pd.DataFrame:
    """Quarantine rows: first reason (column, value, detail), all reasons, source values.

    Records the readers could not split into fields are added; rows are sorted
    by source file and row.
    """
    q_idx = np.flatnonzero(bad)  # every reason's rows are among these: arrays of their size
    m = len(q_idx)
    primary_code = np.full(m, None, dtype=object)
    primary_col = np.full(m, None, dtype=object)
    primary_val = np.full(m, None, dtype=object)
    primary_det = np.full(m, None, dtype=object)
    all_codes = np.full(m, "", dtype=object)
    for r in reasons:
        at = np.searchsorted(q_idx, r.idx)
        first = primary_code[at] == None  # noqa: E711
        rows = at[first]
        primary_code[rows] = r.code
        primary_col[rows] = r.column
        primary_val[rows] = r.value[first]
        primary_det[rows] = r.detail[first]
        prev = all_codes[at]
        all_codes[at] = np.where(prev == "", r.code, prev + "|" + r.code)

    quarantine = pd.DataFrame({
        "source_file": st.src_file(q_idx), "source_row": st.src_row[q_idx],
        "reason": primary_code, "reasons": all_codes,
        "column": primary_col,
        "value": np.array([None if pd.isna(v) else str(v) for v in primary_val], dtype=object),
        "detail": primary_det,
    })
    # original values of the quarantined rows, as text, under their source headers
    parts = []
    for k, stg in enumerate(staged):
        local = q_idx[(q_idx >= st.offsets[k]) & (q_idx < st.offsets[k + 1])] - st.offsets[k]
        parts.append(_raw_rows(stg.raw.frame, local))
    raw_cols = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    raw_cols.columns = [c if c not in QUARANTINE_COLUMNS else f"src:{c}" for c in raw_cols.columns]
    quarantine = pd.concat([quarantine, raw_cols], axis=1)
    # records the readers could not split into fields
    rejected = [s.raw.rejected.assign(source_file=s.raw.source) for s in staged
                if len(s.raw.rejected)]
    if rejected:
        rj = pd.concat(rejected, ignore_index=True).rename(columns={"raw": "value"})
        rj["reasons"] = rj["reason"]
        rj["column"] = None
        quarantine = pd.concat([rj[["source_file", "source_row", "reason", "reasons", "column",
                                    "value", "detail"]], quarantine], ignore_index=True)
    return quarantine.sort_values(["source_file", "source_row"], kind="stable"
                                  ).reset_index(drop=True)


_MAX_RUNS = 256
"""Most runs of kept rows taken run by run; beyond, columns are filtered with the mask."""


_THREADED_KEEP = 1_000_000
"""From this many rows, the kept rows of the columns are copied on two threads."""


def _compact(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Move the runs ``values[starts[k]:ends[k]]`` to the front, in place; return that front.

    Each run moves with one ``memmove`` (overlap allowed, the GIL released): no
    new array, so none of the page faults of a fresh one, which cost more than
    the copy itself on a large column.

    >>> v = np.arange(8.0)
    >>> _compact(v, np.array([0, 3, 6]), np.array([2, 5, 8])).tolist()
    [0.0, 1.0, 3.0, 4.0, 6.0, 7.0]
    """
    import ctypes

    size, base, pos = values.itemsize, values.ctypes.data, 0
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        if a != pos:
            ctypes.memmove(base + pos * size, base + a * size, (b - a) * size)
        pos += b - a
    return values[:pos]


def _keep_column(arr: object, keep: np.ndarray,
                 runs: tuple[np.ndarray, np.ndarray] | None, in_place: bool = False) -> object:
    """Return the kept rows of one column: its runs (``runs``: starts, ends), else a filter.

    ``in_place`` says the column's NumPy array belongs to this load alone: its
    kept runs are moved to its front (:func:`_compact`) instead of copied.
    """
    if runs is None:
        return arr[keep]
    starts, ends = runs
    if isinstance(arr, pd.arrays.ArrowStringArray):
        text = arr.__arrow_array__()
        parts = [chunk for a, b in zip(starts, ends, strict=True)
                 for chunk in text.slice(a, b - a).chunks]
        return pd.arrays.ArrowStringArray(pa.chunked_array(parts, type=text.type),
                                          dtype=arr.dtype)
    values = _numpy_buffer(arr)  # a NumPy column (float, naive dates, ...): its own array
    if values is not None and values.dtype.kind in "fMiub":
        if in_place:
            return _compact(values, starts, ends)
        return np.concatenate([values[:0]] + [values[a:b] for a, b in
                                              zip(starts, ends, strict=True)])
    if len(starts):  # masked (Int64, boolean) and other arrays: the runs
        return pd.concat([pd.Series(arr[a:b], copy=False) for a, b in
                          zip(starts, ends, strict=True)], ignore_index=True).array
    return arr[keep]


def _keep_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """Return the rows of ``frame`` where ``keep`` (a fresh 0..n-1 index).

    A few quarantined rows among millions leave a few runs of kept rows: Arrow
    text columns are then the kept runs, sliced without copying the text (a
    take copies every value: most of the time of this step), and the other
    columns the runs copied block by block (float and date columns about ten
    times faster than a boolean take); columns cut into more than
    ``_MAX_RUNS`` runs are filtered.

    >>> f = pd.DataFrame({"id": pd.Series(["a", "b", "c"], dtype="str"), "q": [1.0, 2.0, 3.0]})
    >>> _keep_rows(f, np.array([True, False, True])).to_dict("list")
    {'id': ['a', 'c'], 'q': [1.0, 3.0]}
    """
    if keep.all():
        return frame.reset_index(drop=True)
    return _frame_of(_keep_arrays([frame.iloc[:, k].array for k in range(frame.shape[1])], keep),
                     frame.columns)


def _frame_of(columns: list, names: pd.Index) -> pd.DataFrame:
    """Return a frame of one block per column (no copy), with ``names`` (repeats allowed)."""
    out = pd.DataFrame(dict(enumerate(columns)), copy=False)
    out.columns = names
    return out


def _numpy_buffer(arr: object) -> np.ndarray | None:
    """Return the NumPy array holding a column's values (no copy), or ``None`` for others."""
    if isinstance(arr, np.ndarray):
        return arr
    if isinstance(arr, pd.arrays.NumpyExtensionArray) or isinstance(
            getattr(arr, "dtype", None), np.dtype):
        return np.asarray(arr)  # NumPy-backed pandas arrays (float, datetime64): their own
    return None


def _writeable_root(values: np.ndarray) -> bool:
    """Tell whether the array ``values`` views (to its root) is open to writes.

    pandas shows the rows of its blocks read-only; the block itself (NumPy's, or
    allocated by Arrow for the conversion) is writeable. Arrow's own memory,
    seen without a copy, is read-only to the root.
    """
    root = values
    while isinstance(root.base, np.ndarray):
        root = root.base
    return root is not values and root.flags.writeable


def _owned(arrays: list, others: list) -> list[bool]:
    """Tell for each array whether its values may be moved in place (:func:`_compact`).

    Only a contiguous NumPy array in writeable memory (its own, or that of the
    array it views: pandas shows its blocks read-only) whose memory overlaps
    no other array of ``arrays`` nor any of ``others`` (the columns of a
    caller's DataFrame, used without a copy) is this load's own: the parsed
    columns, and a file's typed columns read by this load (Arrow's memory seen
    without a copy is read-only and stays untouched).
    """
    bufs = [_numpy_buffer(a) for a in arrays]
    guard = [b for b in (_numpy_buffer(o) for o in others) if b is not None]
    out = []
    for k, b in enumerate(bufs):
        ok = (b is not None and b.ndim == 1 and b.flags.c_contiguous
              and (b.flags.writeable or _writeable_root(b)))
        if ok:
            ok = not any(np.may_share_memory(b, g) for g in guard) and not any(
                np.may_share_memory(b, o) for j, o in enumerate(bufs) if j != k and o is not None)
        out.append(ok)
    return out


def _keep_arrays(arrays: list, keep: np.ndarray, owned: list[bool] | None = None) -> list:
    """Return the kept rows of each array (:func:`_keep_column`), on two threads from a million.

    ``owned`` marks the arrays whose kept rows may be moved in place.
    """
    edges = np.flatnonzero(np.diff(np.concatenate([[False], keep, [False]]).astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]
    runs = (starts, ends) if len(starts) <= _MAX_RUNS else None
    flags = owned or [False] * len(arrays)
    if len(keep) >= _THREADED_KEEP:  # the copies release the GIL: columns on two threads
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(lambda a, f: _keep_column(a, keep, runs, f), arrays, flags))
    return [_keep_column(a, keep, runs, f) for a, f in zip(arrays, flags, strict=True)]


def _loaded(st: _Stacked, staged: list[_Staged], schema: Table, keep: np.ndarray
            ) -> pd.DataFrame:
    """Return the rows that pass: model columns in model order, extras, then lineage.

    The kept rows of the columns this load made (not the sources' own arrays)
    are moved in place: ``st`` is not to be read afterwards.
    """
    names = list(st.values.columns)
    ordered = [c for c in schema.names if c in names] + [c for c in names if c not in schema.names]
    frame = st.values[ordered]
    files = pd.Categorical.from_codes(st.file_code, categories=st.files)
    if keep.all():
        data, rows = frame.reset_index(drop=True), st.src_row
    else:  # the lineage's kept rows with the columns', by the same runs
        arrays = [frame.iloc[:, k].array for k in range(frame.shape[1])] + [files, st.src_row]
        callers = [s.raw.frame for s in staged if s.raw.meta.get("format") == "dataframe"]
        sources = [f.iloc[:, k].array for f in callers for k in range(f.shape[1])]
        *columns, files, rows = _keep_arrays(arrays, keep, _owned(arrays, sources))
        data = _frame_of(columns, frame.columns)
    data["source_file"] = files
    data["source_row"] = rows
    return data


def _loaded_issues(staged: list[_Staged], st: _Stacked, bad: np.ndarray) -> pd.DataFrame:
    """Field issues of the loaded rows only, sorted by source file and row."""
    frames = [f for s in staged for f in s.issues if len(f)]
    if not frames:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    issues = pd.concat(frames, ignore_index=True)
    quarantined = pd.MultiIndex.from_arrays([st.src_file(bad), st.src_row[bad]])
    ik = pd.MultiIndex.from_arrays([issues["source_file"], issues["source_row"]])
    return issues[~ik.isin(quarantined)].sort_values(["source_file", "source_row"],
                                                    kind="stable").reset_index(drop=True)


def _present(values: pd.Series) -> int:
    """Return how many of ``values`` are present: ``values.count()``, from each array's own form.

    Arrow text knows its null count, a masked array counts its missing flags,
    and NumPy floats and dates count their NaN / NaT; other arrays go to pandas.

    >>> _present(pd.Series(["a", None, "c"], dtype="str")), _present(pd.Series([1.0, np.nan]))
    (2, 1)
    >>> _present(pd.Series(pd.to_datetime(["2024-01-02", None]))), _present(
    ...     pd.Series([True, None], dtype="boolean"))
    (1, 1)
    """
    arr = values.array
    if isinstance(arr, pd.arrays.ArrowStringArray):
        return len(arr) - arr.__arrow_array__().null_count
    if isinstance(arr, (pd.arrays.BooleanArray, pd.arrays.IntegerArray,
                        pd.arrays.FloatingArray)):
        return len(arr) - int(np.count_nonzero(arr.isna()))
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "fM":
        v = values.to_numpy()
        return len(v) - int(np.count_nonzero(  # NaT is the smallest integer
            np.isnan(v) if v.dtype.kind == "f" else v.view(np.int64) == np.iinfo(np.int64).min))
    return int(values.count())


def _summary(staged: list[_Staged], schema: Table, cmap: ColumnMapping, data: pd.DataFrame,
             quarantine: pd.DataFrame, issues: pd.DataFrame, notes: list[str]) -> LoadSummary:
    """Build the load summary; check that every row in was loaded or quarantined."""
    rows_in = sum(s.raw.rows_in for s in staged)
    summary = LoadSummary(
        table=schema.name,
        sources=[{"source": s.raw.source, **s.raw.meta, "rows_in": s.raw.rows_in}
                 for s in staged],
        rows_in=rows_in,
        rows_loaded=len(data),
        rows_quarantined=len(quarantine),
        quarantine_by_reason={str(k): int(v) for k, v in
                              quarantine["reason"].value_counts().items()},
        issues_by_reason={str(k): int(v) for k, v in issues["reason"].value_counts().items()},
        issues_by_column={str(k): int(v) for k, v in issues["column"].value_counts().items()},
        column_map={k: v for s in staged for k, v in s.column_map.items()},
        unused_columns=sorted({c for s in staged for c in s.unused}),
        coverage={c: (None if c not in data else
                      (_present(data[c]) / len(data) if len(data) else 0.0))
                  for c in schema.optional + sorted(cmap.optional)},
        date_formats={k: v for s in staged for k, v in s.date_formats.items()},
        notes=notes,
        number_formats={k: v for s in staged for k, v in s.number_formats.items()},
        encodings={s.raw.source: s.raw.meta["encoding_summary"] for s in staged
                   if "encoding_summary" in s.raw.meta},
        records_counted=(sum(s.raw.meta["records_counted"] for s in staged
                             if "records_counted" in s.raw.meta)
                         if any("records_counted" in s.raw.meta for s in staged) else None),
    )
    for s in staged:  # rows in of each text source = the independent csv count
        if "records_counted" in s.raw.meta:
            check_record_count(s.raw.rows_in, s.raw.meta["records_counted"], source=s.raw.source)
    if not summary.balanced:  # an internal invariant; never expected
        raise WorkbenchError(
            f"row accounting failed: {rows_in} in, {len(data)} loaded, {len(quarantine)} "
            f"quarantined", fix="report this as a bug with the input file.")
    return summary


def _assemble(staged: list[_Staged], schema: Table, cmap: ColumnMapping, *, customers: object,
              items: object) -> LoadResult:
    """Combine the staged sources and apply the cross-row rules (masters, duplicate keys).

    Row positions of the staged reasons are made global over the concatenated
    sources; a row breaking any rule goes to the quarantine with its first
    reason, the others are loaded.
    """
    st = _Stacked.of(staged)
    n = len(st.values)
    reasons = [r.shifted(int(st.offsets[k])) for k, s in enumerate(staged) for r in s.reasons]
    notes = [note for s in staged for note in s.notes]
    _number_lines(st.values, schema, notes)
    reasons += _master_reasons(st.values, schema, {"customers": customers, "items": items})
    dup = _duplicate_reason(st.values, schema, _flagged(reasons, n), st.src_row)
    if dup is not None:
        reasons.append(dup)
    bad = _flagged(reasons, n)
    quarantine = _quarantine(staged, st, reasons, bad)
    issues = _loaded_issues(staged, st, bad)
    data = _loaded(st, staged, schema, ~bad)  # last: moves st's own columns in place
    summary = _summary(staged, schema, cmap, data, quarantine, issues, notes)
    return LoadResult(data, quarantine, issues, summary)


def digest(problems: pd.DataFrame, *, top: int = 20) -> pd.DataFrame:
    """Group quarantine or issue rows into what to fix: one row per (reason, column, value).

    Parameters
    ----------
    problems
        ``LoadResult.quarantine`` or ``LoadResult.issues``.
    top
        Keep the ``top`` most frequent groups.

    Returns
    -------
    DataFrame
        ``reason, column, value, rows, first_rows`` (up to five example source
        rows, as ``file:row``), most frequent first.
    """
    cols = ["reason", "column", "value", "rows", "first_rows"]
    if problems.empty:
        return pd.DataFrame(columns=cols)
    p = problems.assign(
        column=problems["column"].fillna("-"),
        value=problems["value"].fillna("(empty)").astype(str).str.slice(0, 60),
        where=problems["source_file"].astype(str).str.rsplit("/", n=1).str[-1] + ":"
        + problems["source_row"].astype(str))
    g = p.groupby(["reason", "column", "value"], sort=False, dropna=False)
    out = g.size().rename("rows").to_frame()
    out["first_rows"] = g["where"].agg(lambda s: ", ".join(s.head(5)))
    return out.reset_index().sort_values("rows", ascending=False, kind="stable").head(top
                                                                                     )[cols]
