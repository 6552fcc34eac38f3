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

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.exceptions import MissingColumnsError, WorkbenchError
from workbench.io.csv_records import check_record_count
from workbench.io.mapping import ColumnMapping, FieldSource, Resolved
from workbench.io.matching import match_columns
from workbench.io.parsing import (
    NumberContext,
    Parsed,
    infer_number_context,
    parse_column,
    parse_string,
)
from workbench.io.readers import RawTable
from workbench.io.schema import Column, Table, get_table
from workbench.io.sources import read_raw

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
        value = (raw.iloc[idx].to_numpy(dtype=object) if isinstance(raw, pd.Series)
                 else np.asarray(raw, dtype=object)[idx])
        if isinstance(detail, str):
            det = np.full(len(idx), detail, dtype=object)
        elif isinstance(detail, pd.Series):
            det = detail.iloc[idx].to_numpy(dtype=object)
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
    match = match_columns(raw.frame, schema, columns=missing)
    read_as = {str(h): col for col, fs in (resolved.fields.items() if resolved else ())
               for h in fs.columns}
    example: dict[str, str] = {}
    for col in missing:
        cands = match.suggestions(col)
        if cands:
            hints.append(f"{col!r} may be " + " or ".join(
                f"{c.header!r} (score {c.score:.2f}: {'; '.join(c.evidence)}"
                + (f"; now read as {read_as[c.header]}" if c.header in read_as else "") + ")"
                for c in cands) + ".")
            example[col] = cands[0].header
    shown = example or dict.fromkeys(missing[:3], "<your header>")
    pairs = ", ".join(f"{k!r}: {v!r}" for k, v in shown.items())
    call = ("load_orders(path, " if schema.name == "order_lines"
            else f"load_table(path, {schema.name!r}, ")
    table_flag = "" if schema.name == "order_lines" else f" --table {schema.name}"
    hints.append(f"To say which header is which: in Python {call}mapping={{{pairs}}}); from the "
                 f"shell workbench load FILE{table_flag} --mapping my.yaml, where my.yaml has "
                 f"'columns:' and one 'model_column: Source header' line per column "
                 f"(workbench init FOLDER writes a first mapping to edit).")
    return " ".join(hints)


def _coalesce(parsed: list[Parsed]) -> tuple[pd.Series, np.ndarray, np.ndarray, np.ndarray]:
    """Combine parses of several source columns: first usable value wins.

    Returns values, all-missing mask, no-usable-but-something-invalid mask, and
    the index of the source used per row (-1 where none).
    """
    values = parsed[0].values.copy()
    used = np.where(values.notna().to_numpy(), 0, -1)
    for k, p in enumerate(parsed[1:], start=1):
        take = (used == -1) & p.values.notna().to_numpy()
        if take.any():
            values = values.mask(take, p.values)
            used[take] = k
    all_missing = np.logical_and.reduce([p.missing for p in parsed])
    unusable = (used == -1) & ~all_missing
    return values, all_missing, unusable, used


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
        "value": values.iloc[idx].astype(str).to_numpy() if n else [],
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
              if c not in resolved.fields and c not in mapping.optional and c != auto_col]
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
                   quarantined: np.ndarray, used: np.ndarray) -> list[pd.DataFrame]:
    """Issues of each source column of ``name``: unusable values, then doubtful ones."""
    frame = raw.frame
    issues: list[pd.DataFrame] = []
    for k, (src, p) in enumerate(zip(fs.columns, parsed, strict=True)):
        # unusable values: an issue when the row survives on another source or the
        # column is optional; quarantine (see _stage_column) when required and nothing usable
        bad = p.invalid & ~quarantined
        if bad.any():
            detail = p.detail
            if len(fs.columns) > 1:
                names = np.array(fs.columns, dtype=object)[np.clip(used, 0, None)]
                later = np.where(used > k, "; used " + names.astype(str) + " instead",
                                 "; no other source column had a value")
                detail = detail.astype(str) + later
            issues.append(_issue_frame(raw, bad, name, src, frame[src],
                                       "unusable_value", detail))
        # a doubtful value matters where it was used, or where it was dropped and no
        # earlier source column supplied the value
        doubtful = pd.notna(p.issue) & (
            (used == k) | (p.values.isna().to_numpy() & ((used > k) | (used == -1))))
        if doubtful.any():
            issues.append(_issue_frame(raw, doubtful, name, src, frame[src],
                                       p.issue, p.detail))
    return issues


def _stage_column(raw: RawTable, mapping: ColumnMapping, col: Column, fs: FieldSource,
                  issues: list[pd.DataFrame], date_formats: dict[str, str],
                  broken: dict[str, list[tuple]],
                  numbers: tuple[Callable[[], NumberContext], dict[str, str]] | None = None
                  ) -> pd.Series:
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
    parsed = [parse_column(frame[src], col.type, value_map=fs.value_map,
                           date_options=mapping.date_options, decimal=mapping.decimal,
                           number_context=context, extra_na=mapping.na_values)
              for src in fs.columns]
    values, all_missing, unusable, used = _coalesce(parsed)
    required = col.required and col.name not in mapping.optional
    date_formats.update(_date_formats(col.name, fs, parsed))
    number_formats.update(_date_formats(col.name, fs, parsed, key="number_convention"))
    issues.extend(_source_issues(raw, col.name, fs, parsed, unusable & required, used))
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
        neg = (values < 0).fillna(False).to_numpy(dtype=bool)
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


def _date_order_reasons(frame: pd.DataFrame, schema: Table, out: dict[str, pd.Series],
                        resolved: Resolved) -> list[_Reason]:
    """Rows whose later date is before the earlier one (``schema.date_order``)."""
    n = len(frame)
    reasons = []
    for earlier, later in schema.date_order:
        if earlier in out and later in out:
            e, l_ = out[earlier], out[later]
            bad = (l_ < e).fillna(False).to_numpy(dtype=bool)
            if bad.any():
                src = resolved.fields[later].columns[0]
                det = np.full(n, None, dtype=object)
                det[bad] = (f"{later} " + l_[bad].dt.strftime("%Y-%m-%d") + f" is before "
                            f"{earlier} " + e[bad].dt.strftime("%Y-%m-%d")).to_numpy(dtype=object)
                reasons.append(_Reason.from_mask(f"{later}_before_{earlier}", bad, later,
                                                 frame[src], det))
    return reasons


def _number_context(raw: RawTable, schema: Table, resolved: Resolved) -> NumberContext:
    """Infer the source's decimal mark from all its number columns, dates and delimiter."""
    cols = {t: [raw.frame[src] for c in schema.columns if c.type in types
                for src in (resolved.fields[c.name].columns if c.name in resolved.fields else ())]
            for t, types in (("numbers", ("float", "int")), ("dates", ("date",)))}
    return infer_number_context(cols["numbers"], cols["dates"], raw.meta.get("delimiter"))


def _stage(raw: RawTable, mapping: ColumnMapping, schema: Table) -> _Staged:
    """Map, type and check one source: required columns, columns, row rules, extras."""
    resolved = mapping.resolve(list(raw.frame.columns), raw.frame)
    _require_columns(raw, mapping, schema, resolved)
    frame = raw.frame
    out: dict[str, pd.Series] = {}
    issues: list[pd.DataFrame] = []
    date_formats: dict[str, str] = {}
    column_map: dict[str, str] = {}
    broken: dict[str, list[tuple]] = {"missing_required": [], "unusable_required": [],
                                      "negative_quantity": []}
    numbers = (functools.cache(lambda: _number_context(raw, schema, resolved)), {})
    issues += [raw.issues] if len(raw.issues) else []  # reader doubts (encoding guess, ...)

    for col in schema.columns:
        fs: FieldSource | None = resolved.fields.get(col.name)
        if fs is None:
            continue
        column_map[col.name] = " | ".join(fs.columns) + ("" if fs.how == "mapping"
                                                         else f" ({fs.how})")
        out[col.name] = _stage_column(raw, mapping, col, fs, issues, date_formats, broken,
                                      numbers)

    reasons = [_Reason.from_mask(code, mask, colname, rawv, detail)
               for code, group in broken.items() for mask, colname, rawv, detail in group]
    reasons += _date_order_reasons(frame, schema, out, resolved)

    for name, src in resolved.extras.items():
        out[name] = parse_string(frame[src], mapping.na_values).values

    notes = [f"mapped header(s) {hdrs} for {col!r} not found in {raw.source}"
             for col, hdrs in resolved.not_found.items()] + list(raw.meta.get("notes", []))
    values = pd.DataFrame(out, index=frame.index)
    return _Staged(raw, values, reasons, issues, column_map, resolved.unused, date_formats, notes,
                   numbers[1])


# --------------------------------------------------------------------------- public API
def load_table(source: object | Sequence[object], table: str | Table = "order_lines",
               mapping: object = None, *, customers: object = None, items: object = None,
               sheet: str | int | None = 0, sql_table: str | None = None,
               query: str | None = None, encoding: str | None = None,
               delimiter: str | None = None) -> LoadResult:
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
        Column mapping: ``None`` (match model names and known synonyms), a dict,
        a YAML path or the name of a file under ``data/mappings/``.
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
    known = cmap.known_headers()
    staged = []
    for src in sources:
        raw = read_raw(src, table=sql_table, query=query, sheet=sheet, encoding=encoding,
                       delimiter=delimiter, known_headers=known)
        staged.append(_stage(raw, cmap, schema))
    return _assemble(staged, schema, cmap, customers=customers, items=items)


def load_orders(source: object | Sequence[object], mapping: object = None,
                **options) -> LoadResult:
    """Load customer order lines into the data model (see :func:`load_table`).

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
    src_file: np.ndarray    # source file, per row
    src_row: np.ndarray     # source row number, per row
    offsets: np.ndarray     # first row of each staged source, then the total

    @classmethod
    def of(cls, staged: list[_Staged]) -> _Stacked:
        values = pd.concat([s.values for s in staged], ignore_index=True)
        files = list(dict.fromkeys(s.raw.source for s in staged))
        file_code = np.concatenate([np.full(len(s.values), files.index(s.raw.source),
                                            dtype=np.int32) for s in staged])
        src_file = np.asarray(files, dtype=object)[file_code]
        src_row = np.concatenate([s.raw.source_row for s in staged]).astype(np.int64)
        offsets = np.cumsum([0] + [len(s.values) for s in staged])
        return cls(values, files, file_code, src_file, src_row, offsets)


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


def _duplicate_reason(values: pd.DataFrame, schema: Table, already: np.ndarray,
                      src_row: np.ndarray) -> _Reason | None:
    """Repeated keys among the rows that pass every other rule (the first one stays).

    The detail says whether the repeat is identical to the first row of its key
    or has different values, and names that row.
    """
    n = len(values)
    key = [k for k in schema.key if k in values]
    if not key or len(key) != len(schema.key):
        return None
    cand = values.loc[~already, key]
    dup_sub = cand.duplicated(keep="first").to_numpy()
    if not dup_sub.any():
        return None
    dup = np.zeros(n, dtype=bool)
    cand_idx = np.flatnonzero(~already)
    dup[cand_idx[dup_sub]] = True
    # compare full rows only within duplicate groups (cheap: few rows)
    model_cols = [c for c in values.columns if c in schema.names]
    involved = cand.duplicated(keep=False).to_numpy()
    grp = values.loc[cand.index[involved], model_cols]
    hashes = pd.util.hash_pandas_object(grp, index=False)
    first_hash = hashes.groupby([grp[k] for k in key], dropna=False,
                                sort=False).transform("first")
    same = np.zeros(len(cand), dtype=bool)
    same[involved] = (hashes == first_hash).to_numpy()
    first_rows = np.zeros(len(cand), dtype=np.int64)
    first_rows[involved] = pd.Series(src_row[cand_idx[involved]], index=grp.index
                                     ).groupby([grp[k] for k in key], dropna=False,
                                               sort=False).transform("first").to_numpy()
    detail = np.full(n, None, dtype=object)
    det = np.where(same, "identical to", "same key as, but different values from")
    detail[cand_idx[dup_sub]] = [
        f"{'/'.join(key)} repeated: {d} source row {r}"
        for d, r in zip(det[dup_sub], first_rows[dup_sub], strict=True)]
    keytext = np.full(n, None, dtype=object)
    keytext[dup] = values.loc[dup, key].astype(str).agg("/".join, axis=1).to_numpy(dtype=object)
    return _Reason.from_mask("duplicate_key", dup, "/".join(key), keytext, detail)


def _quarantine(staged: list[_Staged], st: _Stacked, reasons: list[_Reason],
                bad: np.ndarray) -> pd.DataFrame:
    """Quarantine rows: first reason (column, value, detail), all reasons, source values.

    Records the readers could not split into fields are added; rows are sorted
    by source file and row.
    """
    n = len(bad)
    primary_code = np.full(n, None, dtype=object)
    primary_col = np.full(n, None, dtype=object)
    primary_val = np.full(n, None, dtype=object)
    primary_det = np.full(n, None, dtype=object)
    all_codes = np.full(n, "", dtype=object)
    for r in reasons:
        first = primary_code[r.idx] == None  # noqa: E711
        rows = r.idx[first]
        primary_code[rows] = r.code
        primary_col[rows] = r.column
        primary_val[rows] = r.value[first]
        primary_det[rows] = r.detail[first]
        prev = all_codes[r.idx]
        all_codes[r.idx] = np.where(prev == "", r.code, prev + "|" + r.code)

    q_idx = np.flatnonzero(bad)
    qval = primary_val[q_idx]
    quarantine = pd.DataFrame({
        "source_file": st.src_file[q_idx], "source_row": st.src_row[q_idx],
        "reason": primary_code[q_idx], "reasons": all_codes[q_idx],
        "column": primary_col[q_idx],
        "value": np.array([None if pd.isna(v) else str(v) for v in qval], dtype=object),
        "detail": primary_det[q_idx],
    })
    # original values of the quarantined rows, as text, under their source headers
    parts = []
    for k, stg in enumerate(staged):
        local = q_idx[(q_idx >= st.offsets[k]) & (q_idx < st.offsets[k + 1])] - st.offsets[k]
        parts.append(stg.raw.frame.iloc[local].astype(object))
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


def _loaded(st: _Stacked, schema: Table, keep: np.ndarray) -> pd.DataFrame:
    """Return the rows that pass: model columns in model order, extras, then lineage."""
    data = st.values.loc[keep].reset_index(drop=True)
    ordered = [c for c in schema.names if c in data] + [c for c in data if c not in schema.names]
    data = data[ordered]
    data["source_file"] = pd.Categorical.from_codes(st.file_code[keep], categories=st.files)
    data["source_row"] = st.src_row[keep]
    return data


def _loaded_issues(staged: list[_Staged], st: _Stacked, bad: np.ndarray) -> pd.DataFrame:
    """Field issues of the loaded rows only, sorted by source file and row."""
    frames = [f for s in staged for f in s.issues if len(f)]
    if not frames:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    issues = pd.concat(frames, ignore_index=True)
    quarantined = pd.MultiIndex.from_arrays([st.src_file[bad], st.src_row[bad]])
    ik = pd.MultiIndex.from_arrays([issues["source_file"], issues["source_row"]])
    return issues[~ik.isin(quarantined)].sort_values(["source_file", "source_row"],
                                                    kind="stable").reset_index(drop=True)


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
                      (float(data[c].notna().mean()) if len(data) else 0.0))
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
    data = _loaded(st, schema, ~bad)
    issues = _loaded_issues(staged, st, bad)
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
