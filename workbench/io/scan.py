"""Lazy scan of a folder of Parquet order lines: validation streamed in batches, no pandas load.

:func:`scan_orders` points at a Parquet file, a folder of Parquet files (read
recursively) or a glob and returns an :class:`OrderScan`. Constructing it reads
only the files' footers (schema and row counts); the columns are checked
against the data model at once (a required column that cannot be mapped
raises :class:`~workbench.exceptions.MissingColumnsError` before any row is
read).

:meth:`OrderScan.validate` streams the rows in record batches of
``batch_rows`` through the rules of :func:`workbench.io.load.load_orders`
(each batch is loaded by ``load_orders`` itself, so parsing, required values,
negative quantities, date order and masters follow exactly the same rules),
writes every quarantined row (file, row, reason, column, value, detail) to a
Parquet or CSV file, optionally writes the valid rows to a clean Parquet folder
(one file per input file, with ``source_file`` and ``source_row``), and
checks duplicate keys across batches with DuckDB (out of core). Memory stays
at a few batches whatever the dataset size. Rows in are counted independently
from the Parquet metadata and ``rows_in == rows_valid + rows_quarantined`` is
asserted.

The validated folder (``result.clean``) is itself an :class:`OrderScan` in the
data model: :func:`workbench.kpis.kpi_table_from_parquet` and
:func:`workbench.planning.pab_scan.pab_from_scan` take it and compute with
DuckDB under the scan's ``memory_limit``, spilling to ``temp_directory``
instead of exceeding it (``benchmarks/bench_scale.py`` runs 100 million
lines).

Limits: ``line_no`` must be in the source (numbering lines within an order
needs the whole order, which a batch may split); date and number conventions
of text columns are inferred per batch (typed Parquet columns need none);
quarantined rows keep their file and row, not all their original values.
"""

from __future__ import annotations

import glob as globmod
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.exceptions import (
    ConfigError,
    MissingColumnsError,
    OutputExistsError,
    SourceError,
    SourceNotFoundError,
    WorkbenchError,
)
from workbench.io.allocation import load_allocation
from workbench.io.detect import detect_mapping
from workbench.io.load import load_orders
from workbench.io.mapping import ColumnMapping
from workbench.io.schema import get_table
from workbench.validation import check_count

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "SCAN_QUARANTINE_COLUMNS",
    "OrderScan",
    "ScanValidation",
    "parquet_files",
    "scan_orders",
]

DEFAULT_MEMORY_LIMIT = "4GB"
"""DuckDB ``memory_limit`` of a scan unless given: DuckDB spills to disk beyond it."""

SCAN_QUARANTINE_COLUMNS = ("source_file", "source_row", "reason", "reasons", "column", "value",
                           "detail")
"""Columns of the quarantine file :meth:`OrderScan.validate` writes."""

_KEY = ("order_id", "line_no")


def parquet_files(source: str | os.PathLike | Sequence[str | os.PathLike]) -> list[Path]:
    """Return the Parquet files a scan reads, in a stable order.

    Parameters
    ----------
    source
        A Parquet file, a folder (every ``*.parquet`` below it, recursively), a
        glob pattern (``data/lake/*.parquet``) or a list of files.

    Returns
    -------
    list of Path
        Sorted by path (a list is kept in its order).

    Raises
    ------
    SourceNotFoundError
        Nothing exists at ``source``, or the glob matches no file.
    SourceError
        A folder holds no Parquet file.

    Examples
    --------
    >>> parquet_files("no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.exceptions.SourceNotFoundError: no Parquet data at no/such/folder Source: ...
    """
    fix = "pass a Parquet file, a folder of Parquet files or a glob such as 'lake/*.parquet'."
    if isinstance(source, (list, tuple)):
        files = [Path(s) for s in source]
        if missing := [str(f) for f in files if not f.is_file()]:
            raise SourceNotFoundError(f"Parquet file not found: {missing[0]}", path=missing[0],
                                      fix=fix)
        if not files:
            raise SourceError("an empty list of Parquet files", fix=fix)
        return files
    text = os.fspath(source)
    path = Path(text).expanduser()
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.parquet") if p.is_file())
        if not files:
            raise SourceError("the folder holds no .parquet file", source=str(path), fix=fix)
        return files
    if any(ch in text for ch in "*?["):
        files = sorted(Path(p) for p in globmod.glob(os.path.expanduser(text), recursive=True)
                       if Path(p).is_file())
        if files:
            return files
    raise SourceNotFoundError(f"no Parquet data at {text}", path=text, fix=fix)


@dataclass
class ScanValidation:
    """What :meth:`OrderScan.validate` found.

    Attributes
    ----------
    rows_in
        Rows of the dataset by the Parquet metadata (independent of the read).
    rows_read
        Rows the batches delivered (equal to ``rows_in``).
    rows_valid, rows_quarantined
        ``rows_in == rows_valid + rows_quarantined``.
    by_reason
        Quarantined rows per (first) reason.
    issues_by_reason
        Field-level issues in valid rows (optional values made missing, doubtful dates).
    batches
        Record batches streamed.
    quarantine
        The quarantine file (``None`` when not written).
    clean
        The clean folder as an :class:`OrderScan` (``None`` when not written).
    seconds
        Wall time of the validation.
    """

    rows_in: int
    rows_read: int
    rows_valid: int
    rows_quarantined: int
    by_reason: dict[str, int]
    issues_by_reason: dict[str, int]
    batches: int
    quarantine: Path | None
    clean: OrderScan | None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """True when every row in is valid or quarantined."""
        return self.rows_in == self.rows_valid + self.rows_quarantined == self.rows_read

    def __str__(self) -> str:
        lines = [f"order_lines: {self.rows_in:,} rows in = {self.rows_valid:,} valid + "
                 f"{self.rows_quarantined:,} quarantined ({self.batches} batches)"]
        lines += [f"  quarantined {r}: {n:,}" for r, n in self.by_reason.items()]
        lines += [f"  issue {r}: {n:,}" for r, n in self.issues_by_reason.items()]
        return "\n".join(lines)


class OrderScan:
    """A lazy handle on Parquet order lines (see :func:`scan_orders`).

    Attributes
    ----------
    files
        The Parquet files, in scan order.
    mapping
        The column mapping the rows are validated with.
    columns
        Model column -> source header, as resolved from the schema.
    memory_limit, temp_directory, threads
        DuckDB settings of :meth:`connect`.
    """

    def __init__(self, files: list[Path], mapping: ColumnMapping, columns: dict[str, str],
                 *, memory_limit: str, temp_directory: Path, threads: int | None):
        self.files = files
        self.mapping = mapping
        self.columns = columns
        self.memory_limit = memory_limit
        self.temp_directory = temp_directory
        self.threads = threads

    def __repr__(self) -> str:
        return (f"OrderScan({len(self.files)} Parquet file(s), {self.num_rows:,} rows, "
                f"memory_limit={self.memory_limit!r})")

    # ------------------------------------------------------------------ metadata
    @cached_property
    def schema(self):
        """Arrow schema of the first file (every file must have the same column names)."""
        import pyarrow.parquet as pq

        return pq.read_schema(self.files[0])

    @cached_property
    def row_counts(self) -> list[int]:
        """Rows per file, from the Parquet footers (no data read)."""
        import pyarrow.parquet as pq

        return [pq.read_metadata(f).num_rows for f in self.files]

    @property
    def num_rows(self) -> int:
        """Rows of the dataset, from the Parquet footers."""
        return int(sum(self.row_counts))

    @property
    def model_ready(self) -> bool:
        """True when every mapped column has its data-model name (analyses can read the files)."""
        return all(src == model for model, src in self.columns.items())

    @property
    def duckdb_settings(self) -> dict[str, object]:
        """Settings :meth:`connect` applies (``memory_limit``, ``temp_directory``, ``threads``)."""
        out: dict[str, object] = {"memory_limit": self.memory_limit,
                                  "temp_directory": str(self.temp_directory)}
        if self.threads:
            out["threads"] = self.threads
        return out

    def relation(self) -> str:
        """Return the SQL FROM item reading every file: ``read_parquet([...])``."""
        quoted = ", ".join("'" + str(f).replace("'", "''") + "'" for f in self.files)
        return f"read_parquet([{quoted}])"

    def connect(self):
        """Return a DuckDB connection with this scan's memory limit and spill folder.

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> d = tempfile.mkdtemp()
        >>> pd.DataFrame({"order_id": ["A"], "line_no": [1], "customer_id": ["C1"],
        ...               "item_id": ["I1"], "order_date": pd.to_datetime(["2025-01-02"]),
        ...               "qty_ordered": [3.0]}).to_parquet(d + "/p.parquet")
        >>> scan = scan_orders(d, memory_limit="1GB")
        >>> scan.connect().execute(f"SELECT sum(qty_ordered) FROM {scan.relation()}").fetchone()
        (3.0,)
        """
        import duckdb

        self.temp_directory.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        for key, value in self.duckdb_settings.items():
            con.execute(f"SET {key} = '{value}'" if isinstance(value, str)
                        else f"SET {key} = {int(value)}")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        con.execute("SET TimeZone = 'UTC'")
        return con

    # ------------------------------------------------------------------ batches
    def batches(self, batch_rows: int = 500_000) -> Iterator[tuple[int, int, pd.DataFrame]]:
        """Yield ``(file index, first row of the batch in its file (0-based), frame)``.

        Only one record batch is held at a time (read with pyarrow, dates as
        ``datetime64``).
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        n = check_count(batch_rows, "batch_rows", minimum=1)
        for k, path in enumerate(self.files):
            offset = 0
            with pq.ParquetFile(path) as pf:
                if pf.schema_arrow.names != self.schema.names:
                    raise SourceError(
                        f"the columns of {path.name} differ from those of "
                        f"{self.files[0].name}: {pf.schema_arrow.names}",
                        source=str(path), fix="scan files with the same columns together.")
                for batch in pf.iter_batches(batch_size=n):
                    frame = pa.Table.from_batches([batch]).to_pandas(date_as_object=False)
                    yield k, offset, frame
                    offset += len(frame)

    # ------------------------------------------------------------------ validation
    def validate(self, batch_rows: int = 500_000, *, quarantine: str | os.PathLike | None = None,
                 clean: str | os.PathLike | None = None, overwrite: bool = False,
                 customers: object = None, items: object = None,
                 as_of: object = None) -> ScanValidation:
        """Validate every row in streamed batches, with the rules of ``load_orders``.

        Parameters
        ----------
        batch_rows
            Rows per record batch (memory is a few batches).
        quarantine
            Quarantine file to write (``.parquet`` or ``.csv``): one row per
            quarantined row with :data:`SCAN_QUARANTINE_COLUMNS`. None: counts only.
        clean
            Folder for the valid rows (data-model columns, ``source_file``,
            ``source_row``; one file per input file). None: not kept.
        overwrite
            Replace an existing quarantine file or clean folder.
        customers, items, as_of
            As :func:`workbench.io.load.load_orders` (masters; as-of date).

        Returns
        -------
        ScanValidation
            Counts, the quarantine path and ``clean`` as an :class:`OrderScan`.

        Raises
        ------
        OutputExistsError
            ``quarantine`` or ``clean`` exists and ``overwrite`` is False.
        WorkbenchError
            The row accounting does not balance (never expected).

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> d = Path(tempfile.mkdtemp())
        >>> pd.DataFrame({"order_id": ["A", "A", "B"], "line_no": [1, 2, 1],
        ...               "customer_id": ["C1", None, "C2"], "item_id": ["I1", "I1", "I2"],
        ...               "order_date": pd.to_datetime(["2025-01-02"] * 3),
        ...               "qty_ordered": [3.0, 1.0, -2.0]}).to_parquet(d / "p.parquet")
        >>> v = scan_orders(d).validate(batch_rows=2)
        >>> v.rows_in, v.rows_valid, v.rows_quarantined, v.by_reason
        (3, 1, 2, {'missing_required': 1, 'negative_quantity': 1})
        """
        t0 = time.perf_counter()
        clean_dir = _fresh_output(clean, overwrite, folder=True)
        q_path = _fresh_output(quarantine, overwrite, folder=False)
        staging = clean_dir
        if staging is None:
            self.temp_directory.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix="scan-stage-", dir=self.temp_directory))
        sink = _Sink(self, staging, q_path)
        options = {"customers": customers, "items": items, "as_of": as_of}
        try:
            with load_allocation():  # the batches reuse one heap (no trim between batches)
                for k, offset, frame in self.batches(batch_rows):
                    sink.add(k, offset, load_orders(frame, self.mapping, **options))
            sink.close_clean()
            sink.cross_batch_duplicates()
        finally:
            sink.close()
            if clean_dir is None:
                shutil.rmtree(staging, ignore_errors=True)
        result = ScanValidation(
            rows_in=self.num_rows, rows_read=sink.rows_read, rows_valid=sink.rows_valid,
            rows_quarantined=sink.rows_quarantined,
            by_reason=dict(sorted(sink.by_reason.items(), key=lambda kv: -kv[1])),
            issues_by_reason=dict(sorted(sink.issues.items(), key=lambda kv: -kv[1])),
            batches=sink.n_batches, quarantine=q_path,
            clean=(scan_orders(clean_dir, memory_limit=self.memory_limit,
                               temp_directory=self.temp_directory, threads=self.threads)
                   if clean_dir is not None and sink.clean_files else None),
            seconds=time.perf_counter() - t0)
        if not result.balanced:
            raise WorkbenchError(
                f"row accounting failed: {result.rows_in:,} rows in by the Parquet metadata, "
                f"{result.rows_read:,} read, {result.rows_valid:,} valid, "
                f"{result.rows_quarantined:,} quarantined",
                fix="report this as a bug with the dataset.")
        return result


def _fresh_output(path: str | os.PathLike | None, overwrite: bool, *, folder: bool
                  ) -> Path | None:
    """Check an output path is free (or clear it when ``overwrite``)."""
    if path is None:
        return None
    p = Path(path).expanduser()
    if p.exists():
        if not overwrite:
            raise OutputExistsError(f"{p} already exists", source=str(p),
                                    fix="pass overwrite=True, or another path.")
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    if folder:
        p.mkdir(parents=True)
    else:
        p.parent.mkdir(parents=True, exist_ok=True)
    return p


class _Sink:
    """Where the batches go: clean Parquet writers, the quarantine writer, the counts."""

    def __init__(self, scan: OrderScan, staging: Path, q_path: Path | None):
        self.scan = scan
        self.staging = staging
        self.q_path = q_path
        self.writers: dict[int, object] = {}
        self.clean_files: dict[int, Path] = {}
        self.schema = None
        self.q_writer = None
        self.rows_read = self.rows_valid = self.rows_quarantined = self.n_batches = 0
        self.by_reason: dict[str, int] = {}
        self.issues: dict[str, int] = {}

    def add(self, k: int, offset: int, res) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        s = res.summary
        self.n_batches += 1
        self.rows_read += s.rows_in
        self.rows_valid += s.rows_loaded
        self.rows_quarantined += s.rows_quarantined
        for r, n in s.quarantine_by_reason.items():
            self.by_reason[r] = self.by_reason.get(r, 0) + n
        for r, n in s.issues_by_reason.items():
            self.issues[r] = self.issues.get(r, 0) + n
        src = str(self.scan.files[k])
        if len(res.quarantine):
            q = res.quarantine
            frame = pd.DataFrame({
                "source_file": src, "source_row": q["source_row"].to_numpy(np.int64) + offset,
                **{c: q[c] for c in SCAN_QUARANTINE_COLUMNS[2:]}})
            if offset:  # a repeat names its first row: a row of the batch, made a row of the file
                dup = (frame["reason"] == "duplicate_key").to_numpy()
                frame.loc[dup, "detail"] = frame.loc[dup, "detail"].astype(str).str.replace(
                    r"source row (\d+)$", lambda m: f"source row {int(m.group(1)) + offset}",
                    regex=True)
            self.write_quarantine(frame)
        data = res.data.assign(source_file=src,
                               source_row=res.data["source_row"].to_numpy(np.int64) + offset)
        table = pa.Table.from_pandas(data, preserve_index=False)
        if self.schema is None:
            self.schema = table.schema.remove_metadata()
        table = table.cast(self.schema)
        if k not in self.writers:
            self.clean_files[k] = self.staging / f"{k:05d}-{self.scan.files[k].stem}.parquet"
            self.writers[k] = pq.ParquetWriter(self.clean_files[k], self.schema)
        self.writers[k].write_table(table)

    def write_quarantine(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        if self.q_path is None:
            return
        frame = frame.astype({c: object for c in SCAN_QUARANTINE_COLUMNS if c != "source_row"})
        frame["value"] = [None if v is None or (isinstance(v, float) and np.isnan(v))
                          else str(v) for v in frame["value"]]
        schema = pa.schema([(c, pa.int64() if c == "source_row" else pa.string())
                            for c in SCAN_QUARANTINE_COLUMNS])
        table = pa.Table.from_pandas(frame[list(SCAN_QUARANTINE_COLUMNS)], schema=schema,
                                     preserve_index=False)
        if self.q_writer is None:
            if self.q_path.suffix.lower() == ".csv":
                import pyarrow.csv as pcsv

                self.q_writer = pcsv.CSVWriter(str(self.q_path), schema)
            else:
                import pyarrow.parquet as pq

                self.q_writer = pq.ParquetWriter(self.q_path, schema)
        self.q_writer.write_table(table)

    def close_clean(self) -> None:
        for w in self.writers.values():
            w.close()
        self.writers = {}

    def close(self) -> None:
        self.close_clean()
        if self.q_writer is not None:
            self.q_writer.close()
            self.q_writer = None
        elif self.q_path is not None:  # nothing quarantined: an empty file with the columns
            self.write_quarantine(pd.DataFrame({c: [] for c in SCAN_QUARANTINE_COLUMNS}))
            self.q_writer.close()
            self.q_writer = None

    def cross_batch_duplicates(self) -> None:
        """Quarantine keys repeated across batches (the first row in scan order stays).

        DuckDB finds the repeated keys over the clean rows (a hash aggregate
        that spills to disk); only those rows come back to pandas.
        """
        if not self.clean_files or not all(k in (self.schema.names if self.schema else [])
                                           for k in _KEY):
            return
        files = [self.clean_files[k] for k in sorted(self.clean_files)]
        quoted = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
        rel = f"read_parquet([{quoted}])"
        con = self.scan.connect()
        try:
            rows = con.sql(
                f"WITH k AS (SELECT order_id, line_no FROM {rel} GROUP BY ALL "
                f"HAVING count(*) > 1) SELECT r.* FROM {rel} r SEMI JOIN k "
                f"USING (order_id, line_no)").to_arrow_table()
        finally:
            con.close()
        if not rows.num_rows:
            return
        dups = _repeats(rows.to_pandas(date_as_object=False),
                        [str(f) for f in self.scan.files])
        self.write_quarantine(dups)
        n = len(dups)
        self.rows_valid -= n
        self.rows_quarantined += n
        self.by_reason["duplicate_key"] = self.by_reason.get("duplicate_key", 0) + n
        self._drop_from_clean(dups)

    def _drop_from_clean(self, dups: pd.DataFrame) -> None:
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        file_index = {str(f): k for k, f in enumerate(self.scan.files)}
        for src, rows in dups.groupby("source_file", sort=False)["source_row"]:
            path = self.clean_files[file_index[src]]
            table = pq.read_table(path)
            keep = pc.invert(pc.is_in(table["source_row"], value_set=_int64_array(rows)))
            pq.write_table(table.filter(keep), path)


def _int64_array(values: pd.Series):
    """``values`` as an int64 Arrow array."""
    import pyarrow as pa

    return pa.array(values.to_numpy(np.int64))


def _repeats(rows: pd.DataFrame, files: list[str]) -> pd.DataFrame:
    """Quarantine rows for the repeats among ``rows`` (every row of a repeated key).

    As :func:`workbench.io.load.load_orders`: the first row of a key (file
    order, then row) stays; the detail says whether a repeat is identical to
    it (data-model columns) and names its source row.
    """
    order = pd.Categorical(rows["source_file"], categories=files).codes
    rows = rows.assign(_f=order).sort_values(["_f", "source_row"], kind="stable")
    rows = rows.reset_index(drop=True)
    model = [c for c in get_table("order_lines").names if c in rows.columns]
    hashes = pd.util.hash_pandas_object(rows[model], index=False).to_numpy()
    g = rows.groupby(list(_KEY), sort=False)
    first = g.cumcount().to_numpy() == 0
    first_pos = g["source_row"].transform(lambda s: s.index[0]).to_numpy()
    rep = np.flatnonzero(~first)
    same = hashes[rep] == hashes[first_pos[rep]]
    first_rows = rows["source_row"].to_numpy()[first_pos[rep]]
    key = "/".join(_KEY)
    detail = [f"{key} repeated: {'identical to' if s else 'same key as, but different values from'}"
              f" source row {r}" for s, r in zip(same, first_rows, strict=True)]
    sub = rows.iloc[rep]
    return pd.DataFrame({
        "source_file": sub["source_file"].astype(str).to_numpy(),
        "source_row": sub["source_row"].to_numpy(np.int64),
        "reason": "duplicate_key", "reasons": "duplicate_key", "column": key,
        "value": (sub["order_id"].astype(str) + "/" + sub["line_no"].astype(str)).to_numpy(),
        "detail": detail})


def _resolve_mapping(mapping: object, headers: list[str], source: str
                     ) -> tuple[ColumnMapping, dict[str, str]]:
    """Return the mapping to validate with and model column -> source header (raise if unusable)."""
    schema = get_table("order_lines")
    cmap = ColumnMapping.from_any(mapping, schema)
    if mapping is None and (found := detect_mapping(headers)) is not None \
            and found.mapping.table == schema.name:
        cmap = found.mapping
    resolved = cmap.resolve(headers)
    columns = {c: fs.columns[0] for c, fs in resolved.fields.items() if len(fs.columns) == 1}
    columns.update({c: "/".join(fs.columns) for c, fs in resolved.fields.items()
                    if len(fs.columns) != 1})
    needed = [c for c in schema.required
              if c not in resolved.fields and c not in cmap.optional and c not in cmap.derived]
    if needed:
        hint = ("Each batch of a scan is validated on its own, so line_no must come from the "
                "source (numbering lines within an order needs the whole order)."
                if "line_no" in needed else None)
        raise MissingColumnsError("order_lines", needed, headers, source=source, hint=hint)
    return cmap, columns


def scan_orders(source: str | os.PathLike | Sequence[str | os.PathLike], mapping: object = None,
                *, memory_limit: str = DEFAULT_MEMORY_LIMIT,
                temp_directory: str | os.PathLike | None = None,
                threads: int | None = None) -> OrderScan:
    """Point at Parquet order lines without loading them (lazy scan).

    Parameters
    ----------
    source
        A Parquet file, a folder of Parquet files (recursive), a glob or a list
        of files; every file with the same columns.
    mapping
        Column mapping, as :func:`workbench.io.load.load_orders` (None: model
        names, synonyms, or a shipped mapping recognised from the headers).
    memory_limit
        DuckDB memory limit for the analyses (e.g. ``"4GB"``); DuckDB spills
        to ``temp_directory`` beyond it.
    temp_directory
        Spill folder (default: ``workbench-duckdb-spill`` in the system's
        temporary folder).
    threads
        DuckDB threads (default: DuckDB's, one per core).

    Returns
    -------
    OrderScan
        Only the footers were read: ``.num_rows``, ``.schema``, ``.columns``.

    Raises
    ------
    SourceNotFoundError, SourceError
        No Parquet data at ``source``; an unreadable file.
    MissingColumnsError
        A required data-model column cannot be mapped from the files' columns.
    ConfigError
        ``memory_limit`` is not a size such as ``"4GB"``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> d = tempfile.mkdtemp()
    >>> pd.DataFrame({"order_id": ["A"], "line_no": [1], "customer_id": ["C1"],
    ...               "item_id": ["I1"], "order_date": pd.to_datetime(["2025-01-02"]),
    ...               "qty_ordered": [3.0]}).to_parquet(d + "/part-0.parquet")
    >>> scan = scan_orders(d)
    >>> scan.num_rows, scan.model_ready
    (1, True)
    """
    import pyarrow.parquet as pq

    files = parquet_files(source)
    if not isinstance(memory_limit, str) or not memory_limit.strip()[:1].isdigit():
        raise ConfigError(f"memory_limit must be a size such as '4GB', got {memory_limit!r}",
                          key="memory_limit", value=memory_limit,
                          fix="pass memory_limit='4GB' (DuckDB spills to disk beyond it).")
    if threads is not None:
        threads = check_count(threads, "threads", minimum=1)
    try:
        headers = pq.read_schema(files[0]).names
    except Exception as exc:
        raise SourceError(f"cannot read the Parquet file: {exc}", source=str(files[0]),
                          fix="check the file is Parquet and complete.") from exc
    cmap, columns = _resolve_mapping(mapping, headers, str(files[0]))
    spill = (Path(temp_directory) if temp_directory is not None
             else Path(tempfile.gettempdir()) / "workbench-duckdb-spill")
    return OrderScan(files, cmap, columns, memory_limit=memory_limit.strip(),
                     temp_directory=spill, threads=threads)
