"""The KPI table: one long tidy table of every customer-service KPI, from pandas or DuckDB.

:func:`kpi_table` computes every KPI of :func:`~workbench.kpis.kpi_definitions`
for any grouping (customer, item, site, a customer attribute such as ``tier``
or ``segment``, and/or a period of a date column) and returns one row per
group x KPI::

    <group columns>..., period_start?, kpi, numerator, denominator, value, unit, note

Every rate carries its numerator and denominator, so a finer table rolls up
*exactly* with :func:`~workbench.kpis.reaggregate`, and
:func:`~workbench.kpis.control_limits` charts a KPI by period.

How it is computed
------------------
Two engines give the same table (``engine=`` of :func:`kpi_table`):

* ``"pandas"`` (:mod:`workbench.kpis.pandas_engine`): line-level NumPy arrays
  and :func:`numpy.bincount` sums over integer group codes.
* ``"duckdb"`` (:mod:`workbench.kpis.duckdb_engine`): the same definitions as
  one DuckDB query, on an Arrow copy of the frame or -- with
  :func:`kpi_table_from_parquet` -- straight on a Parquet file, so that
  millions of lines never enter pandas.

``"auto"`` (the default) uses DuckDB for frames of :data:`AUTO_DUCKDB_MIN_LINES`
lines or more when ``duckdb`` is installed. ``benchmarks/bench_kpis.py``
measures it on ten million lines against hand-written DuckDB SQL. This module
checks the arguments and picks the engine; what both engines share is in
:mod:`workbench.kpis.common`.

Conventions
-----------
See :data:`~workbench.kpis.GENERAL_CONVENTIONS` (also rendered in
``docs/kpis.md``). In short: cancelled lines are dropped before anything else;
delivery KPIs use shipped or delivered lines only and open lines count only in
backorders and open-order aging; a line enters a denominator only when every
value the KPI needs for it is known; order-level KPIs are ``all()`` over the
order's lines; a KPI whose columns are absent or entirely missing is reported
with ``value`` NaN and ``note`` ``"not available: needs column X"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from workbench.exceptions import (
    ArrowConversionError,
    ChoiceError,
    ConfigError,
    MissingColumnsError,
    SourceError,
    SourceNotFoundError,
)
from workbench.io.scan import OrderScan, parquet_files
from workbench.kpis.common import MODEL_COLUMNS, KpiParams, as_column_list, kpi_params
from workbench.kpis.definitions import (
    PERIODS,
    TABLE_VALUE_COLUMNS,
    KpiDefinition,
    select_definitions,
)
from workbench.kpis.duckdb_engine import duckdb_available, duckdb_kpi_table
from workbench.kpis.pandas_engine import pandas_kpi_table
from workbench.validation import check_choice, check_date, check_frequency, require_frame

__all__ = ["AUTO_DUCKDB_MIN_LINES", "ENGINES", "kpi_table", "kpi_table_from_parquet"]

ENGINES: tuple[str, ...] = ("auto", "pandas", "duckdb")
"""Values of the ``engine`` argument of :func:`kpi_table` and :func:`kpi_table_from_parquet`."""

AUTO_DUCKDB_MIN_LINES = 200_000
"""``engine="auto"``: frames with at least this many lines go to DuckDB (when installed)."""


def _resolve_engine(engine: str, n_lines: int | None) -> str:
    """``"pandas"`` or ``"duckdb"`` for an ``engine`` argument (``n_lines`` None: a file)."""
    check_choice(engine, ENGINES, key="engine")
    if engine == "pandas":
        return "pandas"
    if engine == "duckdb":
        if not duckdb_available():
            raise ConfigError("engine='duckdb' needs the duckdb package", key="engine",
                              value=engine, fix="pip install duckdb, or use engine='pandas'.")
        return "duckdb"
    big = n_lines is None or n_lines >= AUTO_DUCKDB_MIN_LINES
    return "duckdb" if big and duckdb_available() else "pandas"


class _Arguments(NamedTuple):
    """The checked arguments of :func:`kpi_table` that the engines take."""

    defs: list[KpiDefinition]
    by_cols: list[str]
    period: str | None
    params: KpiParams
    as_of: pd.Timestamp | None


def _check_arguments(by: str | Sequence[str] | None, period: str | None,
                     on_time_tolerance_days: float, in_full_tolerance_pct: float,
                     ship_lead_days: float, as_of: object, complaints: object, customers: object,
                     kpis: str | Sequence[str] | None) -> _Arguments:
    """Check everything but the order lines and the engine."""
    if period is not None:
        period = check_frequency(period, PERIODS, key="period", what="KPI tables")
    params = kpi_params(on_time_tolerance_days, in_full_tolerance_pct, ship_lead_days)
    defs = select_definitions(kpis)
    by_cols = as_column_list(by)
    reserved = {"period_start", *TABLE_VALUE_COLUMNS}
    if bad := [c for c in by_cols if c in reserved]:
        raise ChoiceError(f"cannot group by {bad[0]!r}: reserved name", key="by", value=bad[0],
                          fix="use period= to group by period.")
    if complaints is not None:
        require_frame(complaints, "complaints")
    if customers is not None:
        require_frame(customers, "customers")
    as_of_ts = None if as_of is None else check_date(as_of, key="as_of")
    return _Arguments(defs, by_cols, period, params, as_of_ts)


_ORDER_KEYS = ("order_id", "qty_ordered")
_ORDER_KEYS_HINT = "KPIs need every order line's order and quantity."


def kpi_table(orders: pd.DataFrame, by: str | Sequence[str] | None = None, *,
              period: str | None = None, date_column: str = "order_date",
              on_time_tolerance_days: float = 0, in_full_tolerance_pct: float = 0.0,
              ship_lead_days: float = 0, as_of: str | pd.Timestamp | None = None,
              complaints: pd.DataFrame | None = None, customers: pd.DataFrame | None = None,
              kpis: str | Sequence[str] | None = None, engine: str = "auto") -> pd.DataFrame:
    """Customer-service KPIs per group as a long tidy table.

    Parameters
    ----------
    orders
        Order lines of the data model (``workbench.load_orders(...).orders``).
        Optional columns may be absent or entirely missing: the KPIs that need
        them are reported as not available.
    by
        Group column(s): a column of ``orders`` (``customer_id``, ``item_id``,
        ``site``, ...) or of ``customers`` (``tier``, ``segment``, ``region``),
        joined on ``customer_id``. None: one overall group.
    period
        ``"W"`` (weeks from Monday), ``"M"``, ``"Q"`` (or ``"D"``): also group by
        the first day of the period of ``date_column`` (column ``period_start``).
        Lines without that date are left out (``table.attrs["undated_lines"]``).
    date_column
        Date that places a line in a period (default ``order_date``).
    on_time_tolerance_days
        d >= 0: on time if delivered by due date + d; also used for late
        shipments and overdue open lines.
    in_full_tolerance_pct
        t in [0, 1) as a fraction (0.02 = 2 %): in full if received >=
        ordered x (1 - t). Fill rates ignore it.
    ship_lead_days
        Days allowed between shipping and the requested date for
        ``late_shipment_rate`` (default 0: shipping after the requested date is
        late).
    as_of
        Snapshot date for backorders and open-order aging (default: latest
        ``order_date`` of the non-cancelled lines).
    complaints
        Complaints table (``COMPLAINTS`` schema) for the complaint KPIs.
    customers
        Customer master, for grouping by customer attributes.
    kpis
        KPI name(s) to compute (default all, see
        :func:`~workbench.kpis.kpi_definitions`).
    engine
        ``"pandas"``: NumPy/pandas in this process. ``"duckdb"``: the same
        table computed by DuckDB (:mod:`workbench.kpis.duckdb_engine`) on an Arrow copy of
        the columns used -- several times faster and leaner on millions of
        lines. ``"auto"`` (default): DuckDB for frames of at least
        :data:`AUTO_DUCKDB_MIN_LINES` lines when ``duckdb`` is installed (and
        the frame converts to Arrow), pandas otherwise. Both engines give the
        same table; sums of non-integer values (value fill rate) may differ in
        the last bits.

    Returns
    -------
    DataFrame
        ``<by>..., period_start?, kpi, numerator, denominator, value, unit, note``:
        one row per group x KPI, groups sorted by their keys, KPIs in
        definition order. Rates are fractions in [0, 1]. ``value`` is NaN when
        the denominator is 0 or the KPI is not available (then ``note`` says
        ``"not available: needs column X"``). Count KPIs have no denominator;
        non-additive KPIs (median, p90, std, cv) have no numerator and the
        number of lines as denominator. ``attrs``: ``as_of``,
        ``undated_lines``, ``cancelled_lines``.

    Raises
    ------
    FrequencyError
        Unknown ``period``.
    RangeError
        A negative tolerance, ``in_full_tolerance_pct`` outside [0, 1).
    ChoiceError
        Unknown KPI or engine; a group column that is reserved or in neither
        frame.
    DateParameterError
        ``as_of`` is not a date.
    ConfigError
        ``engine="duckdb"`` without the duckdb package, or with a frame that
        cannot be converted to Arrow.
    NotAvailableError
        ``period`` is given but ``date_column`` is absent or entirely missing.
    MissingColumnsError
        ``order_id`` or ``qty_ordered`` is absent (also ``customer_id`` of
        ``customers``).
    DuplicateKeyError
        ``customers`` repeats a ``customer_id``.
    DateColumnError
        A date column holds values that are not dates.

    See Also
    --------
    kpi_table_from_parquet : the same table straight from a Parquet file.

    Notes
    -----
    Conventions: :data:`~workbench.kpis.GENERAL_CONVENTIONS` and the
    ``conventions`` column of :func:`~workbench.kpis.kpi_definitions` (both
    rendered in ``docs/kpis.md``).
    """
    args = _check_arguments(by, period, on_time_tolerance_days, in_full_tolerance_pct,
                            ship_lead_days, as_of, complaints, customers, kpis)
    require_frame(orders, "order_lines", _ORDER_KEYS, hint=_ORDER_KEYS_HINT)
    if _resolve_engine(engine, len(orders)) == "duckdb":
        try:
            return duckdb_kpi_table(orders, args.by_cols, args.defs, period=args.period,
                                    date_column=date_column, params=args.params,
                                    as_of=args.as_of, complaints=complaints,
                                    customers=customers)
        except ArrowConversionError as exc:
            if engine == "duckdb":
                raise ConfigError(f"the order lines cannot be handed to DuckDB: {exc}",
                                  key="engine", value=engine,
                                  fix="load the data with workbench.load_orders(), or use "
                                      "engine='pandas'.") from exc
    return pandas_kpi_table(orders, args.by_cols, args.defs, args.period, date_column,
                            args.params, args.as_of, complaints, customers)


def kpi_table_from_parquet(path: str | Path | Sequence[str | Path] | OrderScan,
                           by: str | Sequence[str] | None = None, *,
                           period: str | None = None, date_column: str = "order_date",
                           on_time_tolerance_days: float = 0,
                           in_full_tolerance_pct: float = 0.0, ship_lead_days: float = 0,
                           as_of: str | pd.Timestamp | None = None,
                           complaints: pd.DataFrame | None = None,
                           customers: pd.DataFrame | None = None,
                           kpis: str | Sequence[str] | None = None,
                           engine: str = "auto") -> pd.DataFrame:
    """Compute the KPI table of :func:`kpi_table` straight from Parquet file(s).

    With the DuckDB engine the order lines never enter pandas: DuckDB reads the
    columns it needs from the file(s) and returns the (small) table, so ten
    million lines take about as long and as little memory as hand-written
    DuckDB SQL (see ``docs/benchmarks.md``); a validated scan of 100 million
    lines runs out of core (``docs/benchmarks-scale.md``).

    Parameters
    ----------
    path
        A Parquet file of order lines in the data model: columns named as in
        ``docs/data-model.md``, dates as Parquet dates or timestamps, numbers
        and flags typed -- as written by ``write_samples(..., fmt="parquet")``
        or ``load_orders(...).data.to_parquet(...)``; or a folder of such files,
        a glob, a list of files, or an :class:`~workbench.io.scan.OrderScan`
        (e.g. ``scan_orders(...).validate(clean=...).clean``), whose DuckDB
        ``memory_limit`` and spill folder are used. The files are read as
        they are: no mapping, validation or quarantine (validate raw extracts
        with :func:`workbench.load_orders` or :meth:`OrderScan.validate`).
    by, period, date_column, on_time_tolerance_days, in_full_tolerance_pct, ship_lead_days
        As :func:`kpi_table`.
    as_of, complaints, customers, kpis
        As :func:`kpi_table`.
    engine
        ``"duckdb"``, ``"pandas"`` (read the columns used with pyarrow, dates
        as ``datetime64``, then the pandas engine) or ``"auto"`` (default):
        DuckDB when installed.

    Returns
    -------
    DataFrame
        The same table (columns, dtypes, order, ``attrs``) as :func:`kpi_table`
        on the files' contents.

    Raises
    ------
    SourceNotFoundError
        The file does not exist.
    SourceError
        The file cannot be read as Parquet.
    MissingColumnsError
        ``order_id`` or ``qty_ordered`` is absent.
    ConfigError, NotAvailableError
        As :func:`kpi_table`; also a date column stored as text
        (:class:`~workbench.exceptions.DateColumnError`, DuckDB engine), or a
        scan whose columns are not named as in the data model.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    args = _check_arguments(by, period, on_time_tolerance_days, in_full_tolerance_pct,
                            ship_lead_days, as_of, complaints, customers, kpis)
    settings = None
    if isinstance(path, OrderScan):
        if not path.model_ready:
            raise ConfigError("the scan's columns are not named as in the data model",
                              key="path", value=path.columns,
                              fix="validate it first: scan.validate(clean='folder').clean")
        files, settings = path.files, path.duckdb_settings
    elif isinstance(path, (list, tuple)) or not Path(path).is_file():
        files = parquet_files(path)
    else:
        files = [Path(path)]
    if not files[0].exists():
        raise SourceNotFoundError(f"Parquet file not found: {files[0]}", path=str(files[0]),
                                  fix="check the path (relative paths start at the current "
                                      "directory).")
    try:
        names = pq.read_schema(files[0]).names
    except Exception as exc:
        raise SourceError(f"cannot read the Parquet file: {exc}", source=str(files[0])) from exc
    if missing := [c for c in _ORDER_KEYS if c not in names]:
        raise MissingColumnsError("order_lines", missing, names, source=str(files[0]),
                                  hint=_ORDER_KEYS_HINT)
    if _resolve_engine(engine, None) == "pandas":
        columns = [c for c in dict.fromkeys([*MODEL_COLUMNS, *args.by_cols, date_column])
                   if c in names]
        table = pa.concat_tables([pq.read_table(f, columns=columns) for f in files])
        frame = table.to_pandas(date_as_object=False)
        return pandas_kpi_table(frame, args.by_cols, args.defs, args.period, date_column,
                                args.params, args.as_of, complaints, customers)
    return duckdb_kpi_table(files[0] if len(files) == 1 else files, args.by_cols, args.defs,
                            period=args.period, date_column=date_column, params=args.params,
                            as_of=args.as_of, complaints=complaints, customers=customers,
                            settings=settings)
