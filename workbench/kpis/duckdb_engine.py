"""DuckDB engine of the KPI table: the same long table, computed in SQL.

:func:`duckdb_kpi_table` is what :func:`workbench.kpis.kpi_table` (``engine=
"duckdb"``) and :func:`workbench.kpis.kpi_table_from_parquet` call. It computes
exactly what the pandas engine computes -- same KPIs, same conventions (see
``docs/kpis.md``), same columns, dtypes, row order and notes -- but in one
DuckDB query straight on a Parquet file or on an in-memory Arrow copy of the
order lines, so that ten million lines fit in a fraction of the memory and
time of the NumPy engine.

How it is computed
------------------
1. *Pre-pass*: one small ``GROUP BY status`` query gives the distinct status
   texts (classified in Python exactly as the pandas engine does: trimmed,
   case-insensitive), the cancelled and undated line counts and the default
   ``as_of`` (latest order date of the non-cancelled lines).
2. *Main query*: the kept lines (not cancelled; dated when grouping by period)
   are projected to day numbers, ``DOUBLE`` quantities, 0/1 flags and a status
   code, then aggregated twice from the same scan description: per group for
   the line-level KPIs (``count_if`` and sums, cast to ``DOUBLE`` so that no
   ``HUGEINT``/``decimal128`` leaves DuckDB) and per group x ``order_id`` with
   ``bool_and`` for the order-level KPIs (an order is judged when all its lines
   are, good when all are good), then per group. Medians and 90th percentiles
   use ``quantile_cont`` (linear interpolation, as NumPy), standard deviations
   ``stddev_samp``.
3. Values, notes ("not available: ..."), complaint KPIs and the long layout are
   made by the same Python code as the pandas engine
   (:func:`workbench.kpis.common.finish_table`).

Column availability (present and not entirely missing) comes from the Parquet
statistics (no scan) or from the Arrow null counts. Floating-point sums (value
fill rate, unit fill rates with fractional quantities) may differ from the
pandas engine in the last bits because the summation order differs; counts and
sums of whole numbers (days, whole quantities) are exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.exceptions import (
    ArrowConversionError,
    DateColumnError,
    NotAvailableError,
    SourceError,
)
from workbench.io.schema import (
    CANCELLED_STATUSES,
    DELIVERED_STATUSES,
    OPEN_STATUSES,
    SHIPPED_STATUSES,
)
from workbench.kpis.common import (
    EPOCH,
    MODEL_COLUMNS,
    QUANTITY_SLACK,
    KpiParams,
    customer_attribute,
    customer_lookup,
    finish_table,
    has_values,
    ratio,
)
from workbench.kpis.definitions import KpiDefinition, get_definition
from workbench.validation import day_numbers

__all__ = ["ArrowConversionError", "PY_WHITESPACE", "duckdb_available", "duckdb_kpi_table"]

PY_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
                 "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
"""The characters Python's ``str.strip()`` removes (``str.isspace()``), for SQL ``trim``."""

_DATE_COLUMNS = ("order_date", "requested_date", "promised_date", "ship_date", "delivery_date",
                 "first_promised_date", "released_date")
_NUMBER_COLUMNS = ("qty_ordered", "qty_shipped", "qty_delivered", "unit_price", "qty_damaged",
                   "qty_returned")
_FLAG_COLUMNS = ("invoice_error", "route_changed", "filled_from_stock")
_PERIOD_PART = {"W": "week", "M": "month", "Q": "quarter"}


def duckdb_available() -> bool:
    """Return True if the ``duckdb`` package can be imported."""
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------------------
# SQL text helpers
# --------------------------------------------------------------------------------------


def _q(name: str) -> str:
    """Quote ``name`` as an SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def _s(text: str) -> str:
    """Quote ``text`` as an SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def _num(x: float) -> str:
    """Write ``x`` as a numeric literal that DuckDB reads exactly (integer or DOUBLE)."""
    x = float(x)
    if x.is_integer() and abs(x) < 2 ** 53:
        return str(int(x))
    return f"CAST('{x!r}' AS DOUBLE)"


def _in(column: str, values: Sequence[str]) -> str:
    """``column IN (...)``; ``false`` for an empty list."""
    if not values:
        return "false"
    return f"{column} IN ({', '.join(_s(v) for v in values)})"


def _plus(expr: str, x: float) -> str:
    """``expr + x`` (as the pandas engine's float arithmetic), ``expr`` if x = 0."""
    if x == 0:
        return expr
    if float(x).is_integer():
        return f"({expr} + {_num(x)})"
    return f"(CAST({expr} AS DOUBLE) + {_num(x)})"


def _at_least(q: str, threshold: str) -> str:
    """``q >= threshold`` up to rounding, False when either is NULL (as the pandas engine)."""
    return f"coalesce({q} >= {threshold} - {_num(QUANTITY_SLACK)} * abs({threshold}), false)"


# --------------------------------------------------------------------------------------
# Sources: a Parquet file or an in-memory frame
# --------------------------------------------------------------------------------------


@dataclass
class _Source:
    """What the query reads: a FROM item, its column types and which columns have values."""

    relation: str
    types: dict[str, str]
    available: set[str]
    key_dtype: dict[str, object]  # group column -> pandas dtype of the pandas engine's keys
    label: str


def _kind(duck_type: str) -> str:
    t = duck_type.upper()
    if t == "DATE" or t.startswith("TIMESTAMP"):
        return "date"
    if t == "BOOLEAN":
        return "bool"
    if t in ("VARCHAR", "STRING") or t.startswith("VARCHAR"):
        return "str"
    if t.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                     "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "DECIMAL")):
        return "int"
    if t in ("FLOAT", "DOUBLE", "REAL"):
        return "float"
    return "other"


def _describe(con, relation: str) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return {r[0]: r[1] for r in rows}


def _connect(settings: Mapping[str, object] | None = None):
    import duckdb

    con = duckdb.connect()
    for key, value in (settings or {}).items():  # memory_limit, temp_directory, threads
        con.execute(f"SET {key} = {_s(value) if isinstance(value, str) else int(value)}")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET TimeZone = 'UTC'")
    return con


def _frame_source(con, orders: pd.DataFrame, columns: list[str]) -> _Source:
    """Register the used columns of ``orders`` as an Arrow table.

    The columns are typed as the pandas engine reads them: dates as day
    numbers, numbers via to_numeric, flags as boolean.
    """
    import pyarrow as pa

    cols: dict[str, pd.Series] = {}
    for c in columns:
        s = orders[c]
        if c in _DATE_COLUMNS and not pd.api.types.is_datetime64_any_dtype(s):
            s = pd.Series(day_numbers(s, missing="nan", table="order_lines", column=c))
            s = pd.to_datetime(s, unit="D")
        elif c in _DATE_COLUMNS and isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)
        elif c in _NUMBER_COLUMNS and not pd.api.types.is_numeric_dtype(s):
            s = pd.to_numeric(s, errors="coerce")
        elif c in _FLAG_COLUMNS and not (pd.api.types.is_bool_dtype(s)):
            s = s.astype("boolean")
        cols[c] = s.reset_index(drop=True)
    try:
        table = pa.Table.from_pandas(pd.DataFrame(cols, copy=False), preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise ArrowConversionError(str(exc)) from exc
    con.register("wb_orders", table)
    n = table.num_rows
    available = {c for c in columns if n and table.column(c).null_count < n}
    key_dtype = {c: orders[c].dtype for c in columns}
    return _Source("wb_orders", _describe(con, "wb_orders"), available, key_dtype, "frame")


def _column_counts(meta, c: str, j: int, kind: str) -> tuple[int, int] | None:
    """(values, nulls) of leaf column ``j`` from one file's statistics; None if unknown."""
    total, nulls = 0, 0
    for i in range(meta.num_row_groups):
        st = meta.row_group(i).column(j).statistics
        if st is None or not st.has_null_count:
            return None
        nulls += st.null_count
        # NaN is missing for pandas but counts as a value in Parquet: a float column
        # has a non-NaN value only where the writer recorded a min/max
        if kind == "float":
            total += st.num_values if st.has_min_max else 0
        else:
            total += st.num_values
    return total, nulls


def _parquet_source(con, path: Path | Sequence[Path], model_columns: Sequence[str]) -> _Source:
    """Describe Parquet file(s); availability from their statistics (a scan only without them).

    Several files (same columns) are read as one relation, their statistics summed.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    try:
        metas = [pq.read_metadata(p) for p in paths]
        schema = pq.read_schema(paths[0])
    except Exception as exc:
        raise SourceError(f"cannot read the Parquet file: {exc}", source=str(path)) from exc
    relation = (f"read_parquet({_s(str(paths[0]))})" if len(paths) == 1 else
                f"read_parquet([{', '.join(_s(str(p)) for p in paths)}])")
    types = _describe(con, relation)
    nonnull: dict[str, int | None] = {}
    has_nulls: dict[str, bool] = {}
    for c in types:
        counts = []
        for meta in metas:
            leaf = {meta.schema.column(j).path: j for j in range(meta.num_columns)}
            j = leaf.get(c)
            counts.append(None if j is None else _column_counts(meta, c, j, _kind(types[c])))
        known = all(x is not None for x in counts)
        nonnull[c] = sum(x[0] for x in counts) if known else None
        has_nulls[c] = sum(x[1] for x in counts) > 0 if known else True
    unknown = [c for c in model_columns if c in types and nonnull.get(c) is None]
    if unknown:
        exprs = ", ".join(
            f"count(nullif({_q(c)}, 'NaN'::DOUBLE))" if _kind(types[c]) == "float"
            else f"count({_q(c)})" for c in unknown)
        counts = con.execute(f"SELECT {exprs} FROM {relation}").fetchone()
        nonnull.update(dict(zip(unknown, counts, strict=True)))
    available = {c for c in types if nonnull.get(c)}

    # the dtype pyarrow's to_pandas gives each column (what the pandas engine would group
    # by): the file's pandas metadata decides, else the Arrow type and whether it has nulls
    empty = schema.empty_table().to_pandas(date_as_object=False)
    one_null = pa.table([pa.nulls(1, f.type) for f in schema], schema=schema).to_pandas(
        date_as_object=False)
    key_dtype = {c: (one_null if has_nulls.get(c, True) else empty)[c].dtype
                 for c in types if c in schema.names}
    return _Source(relation, types, available, key_dtype, str(paths[0]))


# --------------------------------------------------------------------------------------
# The query
# --------------------------------------------------------------------------------------

# line-level aggregates per KPI: (numerator, denominator) over the flag layer; None = NaN
_LINE_AGGS: dict[str, tuple[str | None, str | None]] = {
    "lines": ("count(*)", None),
    "cycle_time_mean": ("sum(CASE WHEN cyc THEN dd - od END)", "count_if(cyc)"),
    "net_cycle_time_mean": ("sum(CASE WHEN ncyc THEN dd - nstart END)", "count_if(ncyc)"),
    "on_time_requested_rate": ("count_if(otr_g)", "count_if(otr_j)"),
    "on_time_promised_rate": ("count_if(otp_g)", "count_if(otp_j)"),
    "on_time_first_promise_rate": ("count_if(otf_g)", "count_if(otf_j)"),
    "on_time_promise_gap": ("count_if(otp_j AND otf_j AND otp_g) "
                            "- count_if(otp_j AND otf_j AND otf_g)", "count_if(otp_j AND otf_j)"),
    "on_time_qty_rate": ("sum(CASE WHEN otc_j AND otc_g THEN q_ord END)",
                         "sum(CASE WHEN otc_j THEN q_ord END)"),
    "in_full_line_rate": ("count_if(if_g)", "count_if(if_j)"),
    "otif_line_rate": ("count_if(otif_g)", "count_if(otif_j)"),
    "otif_first_promise_rate": ("count_if(otiff_g)", "count_if(otiff_j)"),
    "otif_promise_gap": ("count_if(otifp_j AND otiff_j AND otifp_g) "
                         "- count_if(otifp_j AND otiff_j AND otiff_g)",
                         "count_if(otifp_j AND otiff_j)"),
    "otif_qty_rate": ("sum(CASE WHEN otif_j AND otif_g THEN q_ord END)",
                      "sum(CASE WHEN otif_j THEN q_ord END)"),
    "line_fill_rate": ("count_if(fill_g)", "count_if(fill_j)"),
    "unit_fill_rate": ("sum(CASE WHEN fill_j THEN capped END)",
                       "sum(CASE WHEN fill_j THEN q_ord_nan END)"),
    "value_fill_rate": ("sum(CASE WHEN vf_j THEN capped * price END)",
                        "sum(CASE WHEN vf_j THEN q_ord_nan * price END)"),
    "short_shipment_rate": ("count_if(fill_j AND NOT fill_g)", "count_if(fill_j)"),
    "late_shipment_rate": ("count_if(late_g)", "count_if(late_j)"),
    "from_stock_rate": ("count_if(ffs)", "count(ffs)"),
    "stockout_rate": ("count_if(so_g)", "count_if(so_j)"),
    "damage_rate": ("count_if(delivered AND coalesce(dmg > 0, false))", "count_if(delivered)"),
    "unit_damage_rate": ("sum(CASE WHEN ud_j THEN coalesce(dmg, 0) END)",
                         "sum(CASE WHEN ud_j THEN q_ship END)"),
    "return_rate": ("count_if(delivered AND coalesce(ret > 0, false))", "count_if(delivered)"),
    "invoice_error_rate": ("count_if(inv)", "count(inv)"),
    "substitution_rate": ("count_if(shipped AND subst)", "count_if(shipped)"),
    "route_change_rate": ("count_if(route)", "count(route)"),
    "backorder_lines": ("count_if(backorder)", None),
    "backorder_age_days_mean": ("sum(CASE WHEN backorder THEN {a} - cd END)",
                                "count_if(backorder)"),
    "open_lines": ("count_if(open_)", None),
    "open_lines_overdue": ("count_if(overdue)", None),
    "open_line_age_days_mean": ("sum(CASE WHEN open_ THEN {a} - od END)", "count_if(open_)"),
}
_STAT_KPIS = ("cycle_time_median", "cycle_time_p90", "cycle_time_std", "cycle_time_cv")
# order-level KPIs: (good, judged) line flags reduced with bool_and per order
_ORDER_FLAGS: dict[str, tuple[str, str] | None] = {
    "orders": None,
    "in_full_order_rate": ("if_g", "if_j"),
    "otif_order_rate": ("otif_g", "otif_j"),
    "perfect_order_rate": ("perf_g", "otif_j"),
    "order_fill_rate": ("fill_g", "fill_j"),
}
# order-level spans: (judged line flag, start day, end day) -> sum of max(end) - min(start)
# over the orders whose every line is judged, and the number of those orders
_ORDER_SPANS: dict[str, tuple[str, str, str]] = {
    "order_cycle_time_mean": ("cyc", "od", "dd"),
}


@dataclass
class _Statuses:
    """Distinct raw status values by class, plus the pre-pass counts."""

    cancelled: list[str]
    open_: list[str]
    shipped: list[str]    # shipped or closed, not delivered
    delivered: list[str]
    cancelled_lines: int
    undated_lines: int
    last_order_day: float  # NaN if none


def _prepass(con, src: _Source, period: str | None, date_column: str) -> _Statuses:
    """One ``GROUP BY status`` scan: status classes, counts and the latest order date."""
    has_status = "status" in src.types
    status = _status_text(src) if has_status else "NULL"
    od = (_day(src, "order_date") if "order_date" in src.available else "NULL::INTEGER")
    undated = (f"count(*) FILTER (WHERE {_q(date_column)} IS NULL)" if period else "0")
    rows = con.execute(f"SELECT {status} AS st, count(*), max({od}), {undated} "
                       f"FROM {src.relation} GROUP BY ALL").fetchall()
    out = _Statuses([], [], [], [], 0, 0, np.nan)
    last = -np.inf
    for value, n, mx, und in rows:
        low = None if value is None else str(value).strip().lower()
        if low in CANCELLED_STATUSES:
            out.cancelled.append(value)
            out.cancelled_lines += int(n)
            continue
        out.undated_lines += int(und)
        if mx is not None:
            last = max(last, float(mx))
        if low in OPEN_STATUSES:
            out.open_.append(value)
        elif low in DELIVERED_STATUSES:
            out.delivered.append(value)
        elif low in SHIPPED_STATUSES:
            out.shipped.append(value)
    out.last_order_day = np.nan if np.isinf(last) else last
    return out


def _status_text(src: _Source) -> str:
    kind = _kind(src.types["status"])
    return _q("status") if kind == "str" else f"CAST({_q('status')} AS VARCHAR)"


def _day(src: _Source, c: str) -> str:
    """Day number (days since 1970-01-01) of a date column, NULL where missing."""
    if c not in src.available:
        return "CAST(NULL AS INTEGER)"
    kind = _kind(src.types[c])
    if kind != "date":
        raise DateColumnError(f"column {c!r} is not a date column ({src.types[c]} in "
                              f"{src.label})", table="order_lines", column=c,
                              fix="load the data with workbench.load_orders() and pass the "
                                  "frame, or write the dates as Parquet dates.")
    col = _q(c) if src.types[c].upper() == "DATE" else f"CAST({_q(c)} AS DATE)"
    return f"CAST({col} - DATE '1970-01-01' AS INTEGER)"


def _double(src: _Source, c: str) -> str:
    if c not in src.available:
        return "CAST(NULL AS DOUBLE)"
    kind = _kind(src.types[c])
    if kind == "float":  # NaN is missing, as in pandas
        return f"CAST(nullif({_q(c)}, 'NaN'::DOUBLE) AS DOUBLE)"
    if kind == "int":
        return f"CAST({_q(c)} AS DOUBLE)"
    return f"TRY_CAST({_q(c)} AS DOUBLE)"


def _flag(src: _Source, c: str) -> str:
    if c not in src.available:
        return "CAST(NULL AS BOOLEAN)"
    return _q(c) if _kind(src.types[c]) == "bool" else f"TRY_CAST({_q(c)} AS BOOLEAN)"


def _substituted(src: _Source) -> str:
    if "substituted_item" not in src.available:
        return "false"
    s = _q("substituted_item")
    s_txt = s if _kind(src.types["substituted_item"]) == "str" else f"CAST({s} AS VARCHAR)"
    expr = f"({s} IS NOT NULL AND trim({s_txt}, {_s(PY_WHITESPACE)}) <> ''"
    if "item_id" in src.types:
        i = _q("item_id")
        if src.types["item_id"] == src.types["substituted_item"]:
            expr += f" AND ({i} IS NULL OR {s} <> {i})"
        else:
            expr += f" AND ({i} IS NULL OR {s_txt} <> CAST({i} AS VARCHAR))"
    return expr + ")"


@dataclass
class _Key:
    """A group key: its SQL expression and how to turn its values into the pandas dtype."""

    name: str
    expr: str
    dtype: object


def _period_expr(src: _Source, date_column: str, period: str) -> str:
    kind = _kind(src.types[date_column])
    if kind != "date":
        raise DateColumnError(f"column {date_column!r} is not a date column "
                              f"({src.types[date_column]} in {src.label})",
                              table="order_lines", column=date_column,
                              fix="load the data with workbench.load_orders() and pass the "
                                  "frame.")
    d = _q(date_column)
    d = d if src.types[date_column].upper() == "DATE" else f"CAST({d} AS DATE)"
    if period == "D":
        return d
    return f"CAST(date_trunc('{_PERIOD_PART[period]}', {d}) AS DATE)"


def _build_query(src: _Source, keys: list[_Key], defs: list[KpiDefinition], st: _Statuses,
                 p: KpiParams, period: str | None, date_column: str, join: str
                 ) -> tuple[str, list[tuple[str, str]]]:
    """Build the main query and its output columns (alias, meaning)."""
    a = "CAST(NULL AS INTEGER)" if np.isnan(p.as_of) else str(int(p.as_of))
    l_sql = _line_layer(src, keys, st, period, date_column, join)
    return _aggregates(_flag_layers(l_sql, p, a), len(keys), {d_.name for d_ in defs}, a)


def _line_layer(src: _Source, keys: list[_Key], st: _Statuses, period: str | None,
                date_column: str, join: str) -> str:
    """Layer l: the kept lines, typed (day numbers, doubles, flags, a status code)."""
    where = []
    if "status" in src.types and st.cancelled:
        stx = _status_text(src)
        where.append(f"({stx} IS NULL OR NOT {_in(stx, st.cancelled)})")
    if period:
        where.append(f"{_q(date_column)} IS NOT NULL")
    if "status" in src.types:
        stx = _status_text(src)
        code = (f"CASE WHEN {_in(stx, st.open_)} THEN 1 WHEN {_in(stx, st.delivered)} THEN 3 "
                f"WHEN {_in(stx, st.shipped)} THEN 2 ELSE 0 END")
    else:
        code = "0"
    key_cols = [f"{k.expr} AS k{i}" for i, k in enumerate(keys)]
    l_cols = key_cols + [
        f"{_q('order_id')} AS oid",
        *(f"{_day(src, c)} AS {n}" for c, n in zip(_DATE_COLUMNS, ("od", "rd", "prd", "sd", "dd", "fpd",
                                                                "rel"), strict=True)),
        *(f"{_double(src, c)} AS {n}" for c, n in zip(
            _NUMBER_COLUMNS, ("q_ord", "q_ship", "q_del", "price", "dmg", "ret"), strict=True)),
        *(f"{_flag(src, c)} AS {n}" for c, n in zip(_FLAG_COLUMNS, ("inv", "route", "ffs"),
                                                    strict=True)),
        f"{code} AS st",
        f"{_substituted(src)} AS subst",
    ]
    return (f"SELECT {', '.join(l_cols)} FROM {src.relation} {join}"
            + (f" WHERE {' AND '.join(where)}" if where else ""))


def _flag_layers(l_sql: str, p: KpiParams, a: str) -> str:
    """Layers s, f, g, h on top of ``l_sql``: line states, then the KPI flags of each line."""
    # -- layer s: line states
    s_sql = ("SELECT *, (sd IS NOT NULL OR dd IS NOT NULL OR st >= 2) AND st <> 1 AS shipped, "
             "(dd IS NOT NULL OR st = 3) AND st <> 1 AS delivered, coalesce(prd, rd) AS cd, "
             f"coalesce(q_del, q_ship) AS recv FROM ({l_sql}) l")
    # -- layer f: KPI flags (DuckDB drops the ones no aggregate uses)
    d, t, lead = p.tol_days, p.tol_pct, p.ship_lead_days
    thr = "q_ord" if t == 0 else f"(q_ord * {_num(1.0 - t)})"

    def on_time(due: str, tag: str) -> str:
        j = f"delivered AND dd IS NOT NULL AND {due} IS NOT NULL"
        return f"{j} AS {tag}_j, {j} AND dd <= {_plus(due, d)} AS {tag}_g"

    if lead == 0:
        late_due = _plus("rd", d)
    else:
        base = (f"(rd - {_num(lead)})" if float(lead).is_integer()
                else f"(CAST(rd AS DOUBLE) - {_num(lead)})")
        late_due = _plus(base, d)
    shipped_by = f"CASE WHEN coalesce(sd > {a}, false) THEN 0 ELSE coalesce(q_ship, 0) END"
    f_cols = [
        "delivered AND dd IS NOT NULL AND od IS NOT NULL AS cyc",
        on_time("rd", "otr"), on_time("prd", "otp"), on_time("cd", "otc"), on_time("fpd", "otf"),
        # start of the net cycle: the later of order and release date, either if one is NULL
        "CASE WHEN od IS NULL THEN rel WHEN rel IS NULL THEN od ELSE greatest(od, rel) END "
        "AS nstart",
        "shipped AND recv IS NOT NULL AS if_j",
        f"shipped AND recv IS NOT NULL AND {_at_least('recv', thr)} AS if_g",
        "shipped AND q_ship IS NOT NULL AS fill_j",
        f"shipped AND q_ship IS NOT NULL AND {_at_least('q_ship', 'q_ord')} AS fill_g",
        "shipped AND sd IS NOT NULL AND rd IS NOT NULL AS late_j",
        f"shipped AND sd IS NOT NULL AND rd IS NOT NULL AND sd > {late_due} AS late_g",
        "delivered AND q_ship IS NOT NULL AS ud_j",
        "CASE WHEN q_ord IS NULL OR q_ship <= q_ord THEN q_ship ELSE q_ord END AS capped",
        "coalesce(q_ord, 'NaN'::DOUBLE) AS q_ord_nan",
        f"coalesce(od <= {a}, false) AND (st = 1 OR NOT (coalesce(sd <= {a}, false) "
        f"OR coalesce(dd <= {a}, false) OR (st >= 2 AND sd IS NULL AND dd IS NULL))) AS open_",
    ]
    f_sql = f"SELECT *, {', '.join(f_cols)} FROM ({s_sql}) s"
    g_cols = [
        "otc_j AND if_j AS otif_j", "otc_g AND if_g AS otif_g",
        "otp_j AND if_j AS otifp_j", "otp_g AND if_g AS otifp_g",
        "otf_j AND if_j AS otiff_j", "otf_g AND if_g AS otiff_g",
        "delivered AND dd IS NOT NULL AND nstart IS NOT NULL AS ncyc",
        "fill_j AND ffs IS NOT NULL AS so_j",
        "fill_j AND ffs IS NOT NULL AND (NOT ffs OR NOT fill_g) AS so_g",
        "fill_j AND price IS NOT NULL AS vf_j",
        f"open_ AND coalesce({a} > {_plus('cd', d)}, false) AS overdue",
    ]
    g_sql = f"SELECT *, {', '.join(g_cols)} FROM ({f_sql}) f"
    return ("SELECT *, otif_g AND NOT coalesce(dmg > 0, false) AND NOT coalesce(inv, false) "
            f"AS perf_g, overdue AND NOT {_at_least(shipped_by, 'q_ord')} AS backorder "
            f"FROM ({g_sql}) g")


def _aggregates(h_sql: str, n_keys: int, names: set[str], a: str
                ) -> tuple[str, list[tuple[str, str]]]:
    """Build the aggregates the KPIs ``names`` need, per group, over the flag layer ``h_sql``."""
    line_aggs: dict[str, str] = {}  # SQL aggregate -> alias

    def agg(expr: str | None) -> str | None:
        if expr is None:
            return None
        expr = expr.format(a=a)
        if expr not in line_aggs:
            line_aggs[expr] = f"a{len(line_aggs)}"
        return line_aggs[expr]

    outputs: list[tuple[str, str]] = []
    for name in names & _LINE_AGGS.keys():
        num, den = _LINE_AGGS[name]
        outputs.append((f"{name}:num", agg(num) or ""))
        outputs.append((f"{name}:den", agg(den) or ""))
    stats = bool(names & set(_STAT_KPIS))
    group_by = ", ".join(f"k{i}" for i in range(n_keys))
    gb = f" GROUP BY {group_by}" if n_keys else ""
    sel = [f"k{i}" for i in range(n_keys)]
    sel += [f"CAST(coalesce({e}, 0) AS DOUBLE) AS {al}" for e, al in line_aggs.items()]
    if stats:
        days = "CASE WHEN cyc THEN dd - od END"  # NULL outside: cheaper than FILTER
        sel += ["CAST(coalesce(count_if(cyc), 0) AS DOUBLE) AS cyc_n",
                f"quantile_cont({days}, [0.5, 0.9]) AS cyc_q",
                f"stddev_samp({days}) AS cyc_std", f"avg({days}) AS cyc_mean"]
    order_kpis = [n for n in (*_ORDER_FLAGS, *_ORDER_SPANS) if n in names]
    if "complaints_per_100_orders" in names and "orders" not in order_kpis:
        order_kpis.append("orders")
    ctes = [f"x AS NOT MATERIALIZED ({h_sql})"]
    if sel == [] or (len(sel) == n_keys):
        sel.append("count(*) AS a_lines")  # keeps one row per group
    ctes.append(f"ln AS (SELECT {', '.join(sel)} FROM x{gb})")
    final_cols = [f"ln.k{i} AS k{i}" for i in range(n_keys)]
    final_cols += [al for al in line_aggs.values()]
    if stats:
        final_cols += ["cyc_n", "cyc_q[1] AS cyc_median", "cyc_q[2] AS cyc_p90", "cyc_std",
                       "cyc_mean"]
    if order_kpis:
        o_ctes, o_cols = _order_ctes(order_kpis, n_keys)
        ctes += o_ctes
        final_cols += o_cols
        on = " AND ".join(f"ln.k{i} IS NOT DISTINCT FROM o.k{i}" for i in range(n_keys))
        from_ = f"ln JOIN o ON {on}" if n_keys else "ln CROSS JOIN o"
    else:
        from_ = "ln"
    sql = f"WITH {', '.join(ctes)} SELECT {', '.join(final_cols)} FROM {from_}"
    return sql, outputs


def _order_ctes(order_kpis: list[str], n_keys: int) -> tuple[list[str], list[str]]:
    """Build the order-level CTEs and the output columns of ``o``.

    ``po`` reduces the flags per group x order with bool_and; ``o`` counts the
    orders per group.
    """
    group_by = ", ".join(f"k{i}" for i in range(n_keys))
    gb = f" GROUP BY {group_by}" if n_keys else ""
    flags = sorted({f for n in order_kpis if _ORDER_FLAGS.get(n) for f in _ORDER_FLAGS[n]}
                   | {_ORDER_SPANS[n][0] for n in order_kpis if n in _ORDER_SPANS})
    spans = [n for n in order_kpis if n in _ORDER_SPANS]
    po = ", ".join([*(f"k{i}" for i in range(n_keys)), "oid",
                    *(f"bool_and({f}) AS {f}" for f in flags),
                    *(f"max({_ORDER_SPANS[n][2]}) - min({_ORDER_SPANS[n][1]}) AS span_{n}"
                      for n in spans)])
    ctes = [f"po AS (SELECT {po} FROM x GROUP BY {group_by + ', ' if n_keys else ''}oid)"]
    o_sel = [f"k{i}" for i in range(n_keys)] + ["CAST(count(*) AS DOUBLE) AS o_parts"]
    for n in order_kpis:
        if n in _ORDER_SPANS:
            judged = _ORDER_SPANS[n][0]
            o_sel += [f"CAST(coalesce(sum(CASE WHEN {judged} THEN span_{n} END), 0) AS DOUBLE) "
                      f"AS o_{n}_num",
                      f"CAST(coalesce(count_if({judged}), 0) AS DOUBLE) AS o_{n}_den"]
        elif _ORDER_FLAGS[n]:
            good, judged = _ORDER_FLAGS[n]
            o_sel += [f"CAST(coalesce(count_if({judged} AND {good}), 0) AS DOUBLE) "
                      f"AS o_{n}_num",
                      f"CAST(coalesce(count_if({judged}), 0) AS DOUBLE) AS o_{n}_den"]
    ctes.append(f"o AS (SELECT {', '.join(o_sel)} FROM po{gb})")
    return ctes, [c.split(" AS ")[-1] for c in o_sel[n_keys:]]


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def duckdb_kpi_table(source: pd.DataFrame | str | Path | Sequence[str | Path], by_cols: list[str],
                     defs: list[KpiDefinition], *, period: str | None, date_column: str,
                     params: KpiParams, as_of: pd.Timestamp | None,
                     complaints: pd.DataFrame | None, customers: pd.DataFrame | None,
                     settings: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Compute the KPI table of :func:`workbench.kpis.kpi_table` with DuckDB.

    Parameters
    ----------
    source
        Order lines as a DataFrame (copied to Arrow, only the columns used),
        the path of a Parquet file or a list of Parquet files with the same
        columns (read by DuckDB as one table, nothing loaded in pandas).
    by_cols, defs
        Validated group columns and KPI definitions (in table order).
    period, date_column
        As :func:`workbench.kpis.kpi_table`.
    params
        Tolerances; ``params.as_of`` is ignored (computed here).
    as_of
        Normalized snapshot date, or None for the default (latest order date of
        the non-cancelled lines).
    complaints, customers
        As :func:`workbench.kpis.kpi_table`.
    settings
        DuckDB settings for the connection, e.g. ``{"memory_limit": "4GB",
        "temp_directory": "/tmp/spill"}`` (DuckDB spills beyond the limit).

    Returns
    -------
    DataFrame
        The same table as the pandas engine, with the same ``attrs``.

    Raises
    ------
    ChoiceError
        A group column is in neither the order lines nor the customers frame.
    DateColumnError
        A date column holds no dates (text in a Parquet file, or values that
        are not dates in a frame).
    MissingColumnsError, DuplicateKeyError
        An invalid customers frame (no ``customer_id``, or one repeated).
    ArrowConversionError
        The frame cannot be converted to Arrow.
    NotAvailableError
        ``period`` is given but ``date_column`` is absent or entirely missing.
    """
    con = _connect(settings)
    try:
        if isinstance(source, pd.DataFrame):
            orders = source
            used = [c for c in dict.fromkeys([*MODEL_COLUMNS, *by_cols, date_column])
                    if c in orders.columns]
            if period and not has_values(orders, date_column):
                raise NotAvailableError(f"KPIs by period of {date_column}", [date_column])
            src = _frame_source(con, orders, used)
        else:
            src = _parquet_source(con, source, MODEL_COLUMNS)
            if period and date_column not in src.available:
                raise NotAvailableError(f"KPIs by period of {date_column}", [date_column])
        return _run(con, src, by_cols, defs, period, date_column, params, as_of, complaints,
                    customers)
    finally:
        con.close()


def _run(con, src: _Source, by_cols: list[str], defs: list[KpiDefinition],
         period: str | None, date_column: str, params: KpiParams,
         as_of: pd.Timestamp | None, complaints: pd.DataFrame | None,
         customers: pd.DataFrame | None) -> pd.DataFrame:
    keys, join = _group_keys(con, src, by_cols, customers, period, date_column)

    # -- pre-pass, as_of
    st = _prepass(con, src, period, date_column)
    if as_of is not None:
        as_of_ts = as_of
    elif not np.isnan(st.last_order_day):
        as_of_ts = EPOCH + pd.Timedelta(days=int(st.last_order_day))
    else:
        as_of_ts = pd.NaT
    as_of_day = np.nan if pd.isna(as_of_ts) else float((as_of_ts - EPOCH).days)
    p = KpiParams(params.tol_days, params.tol_pct, params.ship_lead_days, as_of_day)

    # -- main query
    sql, outputs = _build_query(src, keys, defs, st, p, period, date_column, join)
    result = _Result(con.sql(sql).to_arrow_table(), dict(outputs))
    key_frame = pd.DataFrame({
        k.name: _to_pandas(result.cols[f"k{i}"], k.dtype) for i, k in enumerate(keys)},
        index=range(result.ng) if keys else range(1))
    available = set(src.available) & set(MODEL_COLUMNS)
    table_out = finish_table(key_frame, defs, available, result.measure,
                             result.parts_per_group, complaints, by_cols, period, customers)
    table_out.attrs.update(as_of=as_of_ts, undated_lines=st.undated_lines,
                           cancelled_lines=st.cancelled_lines)
    return table_out


def _group_keys(con, src: _Source, by_cols: list[str], customers: pd.DataFrame | None,
                period: str | None, date_column: str) -> tuple[list[_Key], str]:
    """Build the group keys and the joins of the customer attributes they need."""
    import pyarrow as pa

    keys: list[_Key] = []
    join = ""
    for c in by_cols:
        if not customer_attribute(c, src.types, customers):
            keys.append(_Key(c, _q(c), src.key_dtype.get(c)))
            continue
        lookup = customer_lookup(customers, c)
        mapped = pd.Index(lookup.index).map(lookup)
        i = len(keys)
        frame = pd.DataFrame({f"wb_cid_{i}": lookup.index.to_numpy(),
                              f"wb_v_{i}": mapped.to_numpy()})
        con.register(f"wb_cust_{i}", pa.Table.from_pandas(frame, preserve_index=False))
        cid = _q("customer_id")
        if _kind(src.types["customer_id"]) != "str":
            cid = f"CAST({cid} AS VARCHAR)"
        join += f" LEFT JOIN wb_cust_{i} ON {cid} = CAST(wb_cust_{i}.wb_cid_{i} AS VARCHAR)"
        keys.append(_Key(c, f"wb_cust_{i}.wb_v_{i}", mapped.dtype))
    if period:
        keys.append(_Key("period_start", _period_expr(src, date_column, period),
                         np.dtype("datetime64[ns]")))
    return keys, join


class _Result:
    """The main query's per-group aggregates, as the measures :func:`finish_table` asks for."""

    def __init__(self, table, outputs: dict[str, str]):
        self.ng = table.num_rows
        self.cols = {name: table.column(name) for name in table.column_names}
        self.outputs = outputs

    def arr(self, name: str) -> np.ndarray:
        return self.cols[name].to_numpy(zero_copy_only=False).astype(np.float64, copy=False)

    def measure(self, name: str, ng_total: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(numerator, denominator, value) of KPI ``name`` for ``ng_total`` groups."""
        d = get_definition(name)
        arr = self.arr
        if name in _STAT_KPIS:
            n = arr("cyc_n")
            if name == "cycle_time_cv":
                with np.errstate(invalid="ignore", divide="ignore"):
                    v = arr("cyc_std") / arr("cyc_mean")
            else:
                v = arr({"cycle_time_median": "cyc_median", "cycle_time_p90": "cyc_p90",
                         "cycle_time_std": "cyc_std"}[name])
            nan = np.full(self.ng, np.nan)
            return _pad(nan, ng_total, np.nan), _pad(n, ng_total, 0.0), _pad(v, ng_total,
                                                                            np.nan)
        if name in _ORDER_FLAGS or name in _ORDER_SPANS:
            if _ORDER_FLAGS.get(name, ()) is None:
                parts = _pad(arr("o_parts"), ng_total, 0.0)
                return parts, np.full(ng_total, np.nan), parts
            num = _pad(arr(f"o_{name}_num"), ng_total, 0.0)
            den = _pad(arr(f"o_{name}_den"), ng_total, 0.0)
        else:
            num_a, den_a = self.outputs[f"{name}:num"], self.outputs[f"{name}:den"]
            num = _pad(arr(num_a), ng_total, 0.0)
            if not den_a:
                return num, np.full(ng_total, np.nan), num
            den = _pad(arr(den_a), ng_total, 0.0)
        return num, den, ratio(num, den, d.scale)

    def parts_per_group(self, ng_total: int) -> np.ndarray:
        """Order parts per group (for complaints per 100 orders)."""
        return _pad(self.arr("o_parts"), ng_total, 0.0)


def _pad(a: np.ndarray, n: int, fill: float) -> np.ndarray:
    """Extend ``a`` to length ``n`` with ``fill`` (groups that only complaints have)."""
    if len(a) >= n:
        return a
    return np.concatenate([a, np.full(n - len(a), fill)])


def _to_pandas(col, dtype) -> pd.Series:
    """Convert a key column from Arrow to the dtype the pandas engine gives it."""
    s = col.to_pandas(date_as_object=False)
    if dtype is None:
        return s
    if isinstance(dtype, np.dtype) and dtype.kind == "M" and s.dtype.kind != "M":
        s = pd.to_datetime(s)
    try:
        return s.astype(dtype)
    except (TypeError, ValueError):
        return s
