"""The KPI table on Dask: per-partition numerators and denominators, then the exact roll-up.

:func:`kpi_table` gives the table of :func:`workbench.kpis.kpi_table`
(``engine="pandas"``) for order lines held in a Dask DataFrame (or a pandas
frame split into partitions), computed on a ``dask.distributed`` cluster:

1. One pass over the partitions collects what the single-machine engine
   decides on the whole frame: which columns are available, the default
   ``as_of`` (latest order date of the non-cancelled lines), the cancelled and
   undated line counts.
2. The order lines are shuffled on ``order_id`` (skipped with
   ``orders_whole=True``), so every order lies in one partition, and the
   single-machine pandas engine computes every additive KPI's numerator and
   denominator per partition and group. Their sums per group are the exact
   roll-up the engine uses (:func:`workbench.kpis.reaggregate`): ratio =
   scale x sum(numerator) / sum(denominator), count = sum(numerator).
3. The non-additive KPIs (cycle-time median, p90, standard deviation, cv) are
   computed exactly: the lines are shuffled on the group key, so every
   group lies whole in one partition, and the engine computes them there.

So that a partition sees the same available columns as the whole frame, each
partition is computed with one extra line in a group of its own (built from
values of the data, then dropped): a column missing in one partition but not
in the others is then treated as missing line by line, as on one machine.
Sums of non-integer values (quantity-weighted and value rates, cycle-time
sums) add in a different order than on one machine and may differ in the last
bits (tests: 1e-9).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.distributed.executor import check_executor, dask_available
from workbench.exceptions import ChoiceError, MissingColumnsError, NotAvailableError
from workbench.kpis.common import (
    MODEL_COLUMNS,
    Groups,
    KpiParams,
    as_column_list,
    customer_attribute,
    customer_lookup,
    finish_table,
    has_values,
    kpi_params,
    ratio,
)
from workbench.kpis.definitions import (
    PERIODS,
    TABLE_VALUE_COLUMNS,
    KpiDefinition,
    get_definition,
    select_definitions,
)
from workbench.kpis.engine import kpi_table as single_machine_kpi_table
from workbench.kpis.history import period_start
from workbench.kpis.pandas_engine import pandas_kpi_table
from workbench.validation import check_count, check_date, check_frequency, require_frame

__all__ = ["kpi_table"]

_SENTINEL = "__workbench_sentinel__"
_HASH = "__workbench_group_hash__"
_ORDER_KEYS = ("order_id", "qty_ordered")


def _is_dask(frame: object) -> bool:
    return type(frame).__module__.startswith("dask")


# --------------------------------------------------------------------------------------
# Pass 1: what the engine decides on the whole frame
# --------------------------------------------------------------------------------------


def _facts(part: pd.DataFrame, period: str | None, date_column: str,
           params: KpiParams) -> dict[str, Any]:
    """Available columns, a value of each, default as_of, cancelled and undated lines."""
    lines = [get_definition("lines")]
    full = pandas_kpi_table(part, [], lines, None, date_column, params, None, None, None)
    undated = 0
    if period and date_column in part.columns:
        dated = part.loc[part[date_column].notna()]
        n_dated = pandas_kpi_table(dated, [], lines, None, date_column, params, None, None,
                                   None)["numerator"].iloc[0]
        undated = int(full["numerator"].iloc[0] - n_dated)
    exemplar = {c: part[c].loc[part[c].notna()].iloc[:1].reset_index(drop=True)
                for c in part.columns if has_values(part, c)}
    return {"exemplar": exemplar, "as_of": full.attrs["as_of"], "undated": undated,
            "cancelled": int(full.attrs["cancelled_lines"])}


def _combine_facts(facts: list[dict[str, Any]]) -> dict[str, Any]:
    exemplar: dict[str, pd.Series] = {}
    for f in facts:
        for c, s in f["exemplar"].items():
            exemplar.setdefault(c, s)
    dates = [f["as_of"] for f in facts if not pd.isna(f["as_of"])]
    return {"exemplar": exemplar, "as_of": max(dates) if dates else pd.NaT,
            "undated": sum(f["undated"] for f in facts),
            "cancelled": sum(f["cancelled"] for f in facts)}


# --------------------------------------------------------------------------------------
# Pass 2 and 3: per-partition tables
# --------------------------------------------------------------------------------------


def _with_sentinel(part: pd.DataFrame, exemplar: dict[str, pd.Series]) -> pd.DataFrame:
    """``part`` plus one line in a group of its own holding a value in every available column."""
    part = part.drop(columns=[_HASH], errors="ignore")
    row = pd.DataFrame({c: (exemplar[c] if c in exemplar
                            else part[c].iloc[:0].reindex([0]).reset_index(drop=True))
                        for c in part.columns})
    row[_SENTINEL] = True
    return pd.concat([part.assign(**{_SENTINEL: False}), row], ignore_index=True)


def _partition_table(part: pd.DataFrame, exemplar: dict[str, pd.Series], by_cols: list[str],
                     defs: list[KpiDefinition], period: str | None, date_column: str,
                     params: KpiParams, as_of: pd.Timestamp,
                     customers: pd.DataFrame | None) -> pd.DataFrame:
    """Compute the single-machine table of one partition (numerators, denominators, values)."""
    frame = _with_sentinel(part, exemplar)
    t = pandas_kpi_table(frame, [_SENTINEL, *by_cols], defs, period, date_column, params,
                         as_of, None, customers)
    t = t.loc[~t[_SENTINEL].astype(bool).to_numpy()].drop(columns=[_SENTINEL])
    return t.drop(columns=["unit", "note"]).reset_index(drop=True)


def _group_hash(part: pd.DataFrame, by_cols: list[str], period: str | None, date_column: str,
                customers: pd.DataFrame | None) -> pd.Series:
    """Hash each line's group key (for the shuffle that keeps groups whole)."""
    cols: dict[str, pd.Series] = {}
    for c in by_cols:
        if customer_attribute(c, part.columns, customers):
            cols[c] = part["customer_id"].map(customer_lookup(customers, c))
        else:
            cols[c] = part[c]
    if period:
        cols["period_start"] = period_start(part[date_column], period)
    if not cols:
        return pd.Series(np.zeros(len(part), dtype=np.uint64), index=part.index, name=_HASH)
    key = pd.DataFrame({k: v.to_numpy() for k, v in cols.items()}, index=part.index)
    return pd.util.hash_pandas_object(key, index=False).rename(_HASH)


# --------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------


def _measures(tables: pd.DataFrame, key_cols: list[str]
              ) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Group keys and (numerator, denominator, value) per KPI of the summed tables."""
    if key_cols:
        gid = tables.groupby(key_cols, sort=False, dropna=False).ngroup().to_numpy()
        first = np.unique(gid, return_index=True)[1]
        keys = tables[key_cols].take(first).reset_index(drop=True)
    else:
        gid = np.zeros(len(tables), dtype=np.int64)
        keys = pd.DataFrame(index=range(1))
    ng = len(keys)
    out: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    kpi = tables["kpi"].to_numpy(dtype=object)
    for name in pd.unique(kpi):
        d = get_definition(name)
        rows = kpi == name
        g = gid[rows]
        num = tables["numerator"].to_numpy(dtype=np.float64)[rows]
        den = tables["denominator"].to_numpy(dtype=np.float64)[rows]
        if d.aggregation == "none":  # one row per group (groups were whole)
            n = np.zeros(ng)
            n[g] = den
            value = np.full(ng, np.nan)
            value[g] = tables["value"].to_numpy(dtype=np.float64)[rows]
            out[name] = (np.full(ng, np.nan), n, value)
            continue
        s_num = np.bincount(g, weights=np.nan_to_num(num), minlength=ng)
        if d.aggregation == "count":
            out[name] = (s_num, np.full(ng, np.nan), s_num)
        else:
            s_den = np.bincount(g, weights=np.nan_to_num(den), minlength=ng)
            out[name] = (s_num, s_den, ratio(s_num, s_den, d.scale))
    return keys, out


def _padded(m: tuple[np.ndarray, np.ndarray, np.ndarray], d: KpiDefinition,
            ng: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Extend a measure to ``ng`` groups (groups only complaints have), as the engine does."""
    num, den, value = m
    extra = ng - len(num)
    if extra <= 0:
        return m
    if d.aggregation == "none":
        pad = (np.full(extra, np.nan), np.zeros(extra), np.full(extra, np.nan))
    elif d.aggregation == "count":
        pad = (np.zeros(extra), np.full(extra, np.nan), np.zeros(extra))
    else:
        pad = (np.zeros(extra), np.zeros(extra), np.full(extra, np.nan))
    return tuple(np.concatenate([a, p]) for a, p in zip(m, pad, strict=True))  # type: ignore


def _check(by: str | Sequence[str] | None, period: str | None, tolerances: tuple[float, ...],
           as_of: object, kpis: str | Sequence[str] | None
           ) -> tuple[list[str], str | None, KpiParams, pd.Timestamp | None,
                      list[KpiDefinition]]:
    if period is not None:
        period = check_frequency(period, PERIODS, key="period", what="KPI tables")
    params = kpi_params(*tolerances)
    by_cols = as_column_list(by)
    reserved = {"period_start", _SENTINEL, _HASH, *TABLE_VALUE_COLUMNS}
    if bad := [c for c in by_cols if c in reserved]:
        raise ChoiceError(f"cannot group by {bad[0]!r}: reserved name", key="by", value=bad[0],
                          fix="use period= to group by period.")
    as_of_ts = None if as_of is None else check_date(as_of, key="as_of")
    return by_cols, period, params, as_of_ts, select_definitions(kpis)


def kpi_table(orders: Any, by: str | Sequence[str] | None = None, *,
              period: str | None = None, date_column: str = "order_date",
              on_time_tolerance_days: float = 0, in_full_tolerance_pct: float = 0.0,
              ship_lead_days: float = 0, as_of: str | pd.Timestamp | None = None,
              complaints: pd.DataFrame | None = None, customers: pd.DataFrame | None = None,
              kpis: str | Sequence[str] | None = None, executor: Any = None,
              npartitions: int | None = None, orders_whole: bool = False) -> pd.DataFrame:
    """Compute the KPI table of :func:`workbench.kpis.kpi_table` on a Dask cluster.

    Parameters
    ----------
    orders
        Order lines: a pandas DataFrame or a ``dask.dataframe.DataFrame`` (e.g.
        ``dask.dataframe.read_parquet(folder)`` of data-model columns).
    by, period, date_column, on_time_tolerance_days, in_full_tolerance_pct
        As :func:`workbench.kpis.kpi_table`.
    ship_lead_days, as_of, complaints, customers, kpis
        As :func:`workbench.kpis.kpi_table` (``complaints`` and ``customers``
        are pandas frames, sent to every worker).
    executor
        ``None``: a pandas frame goes to the single-machine pandas engine in
        this process (a Dask frame is computed with Dask's local threads); a
        ``dask.distributed.Client``: computed on its cluster.
    npartitions
        Partitions a pandas frame is split into (default: 2 per worker, at least
        2); ignored for a Dask frame.
    orders_whole
        True when every order's lines already lie in one partition (the frame
        is partitioned by order or by customer): skips the shuffle on
        ``order_id``. Wrong when set falsely: orders split across partitions
        count once in each.

    Returns
    -------
    DataFrame
        The table :func:`workbench.kpis.kpi_table` returns with
        ``engine="pandas"`` (same columns, dtypes, row order and ``attrs``);
        sums of non-integer values may differ in the last bits.

    Raises
    ------
    ConfigError
        A Dask frame or a client is given and Dask is not installed.
    InputTypeError
        ``executor`` is not a client.
    MissingColumnsError, NotAvailableError, ChoiceError, FrequencyError, RangeError
        As :func:`workbench.kpis.kpi_table`.
    """
    client = check_executor(executor)
    tolerances = (on_time_tolerance_days, in_full_tolerance_pct, ship_lead_days)
    if client is None and not _is_dask(orders):
        return single_machine_kpi_table(
            orders, by, period=period, date_column=date_column,
            on_time_tolerance_days=on_time_tolerance_days,
            in_full_tolerance_pct=in_full_tolerance_pct, ship_lead_days=ship_lead_days,
            as_of=as_of, complaints=complaints, customers=customers, kpis=kpis,
            engine="pandas")
    if not dask_available():
        check_executor(object())  # raises the install hint
    by_cols, period, params, as_of_ts, defs = _check(by, period, tolerances, as_of, kpis)
    for name, frame in (("complaints", complaints), ("customers", customers)):
        if frame is not None:
            require_frame(frame, name)
    ddf = _as_dask(orders, client, npartitions)
    if missing := [c for c in _ORDER_KEYS if c not in ddf.columns]:
        raise MissingColumnsError("order_lines", missing, list(ddf.columns),
                                  hint="KPIs need every order line's order and quantity.")
    for c in by_cols:
        customer_attribute(c, ddf.columns, customers)
    return _run(ddf, client, by_cols, defs, period, date_column, params, as_of_ts,
                complaints, customers, orders_whole)


def _as_dask(orders: Any, client: Any, npartitions: int | None) -> Any:
    import dask
    import dask.dataframe as dd

    if _is_dask(orders):
        return orders
    require_frame(orders, "order_lines")
    if npartitions is None:
        workers = len(client.scheduler_info()["workers"]) if client is not None else 2
        npartitions = max(2, 2 * workers)
    n = check_count(npartitions, "npartitions", minimum=1, fix="use npartitions=4.")
    k = min(n, max(len(orders), 1))
    with dask.config.set({"dataframe.convert-string": False}):  # keep the frame's dtypes
        if client is None:
            return dd.from_pandas(orders, npartitions=k, sort=False)
        # send the partitions to the workers once (scatter), not inside the task graph
        bounds = np.linspace(0, len(orders), k + 1).astype(int)
        futures = client.scatter([orders.iloc[bounds[i]:bounds[i + 1]] for i in range(k)])
        return dd.from_delayed(futures, meta=orders.iloc[:0], verify_meta=False)


def _compute(client: Any, objs: list[Any]) -> list[Any]:
    import dask

    if client is None:
        return list(dask.compute(*objs, scheduler="threads"))
    return client.gather(client.compute(objs))


def _run(ddf: Any, client: Any, by_cols: list[str], defs: list[KpiDefinition],
         period: str | None, date_column: str, params: KpiParams,
         as_of_ts: pd.Timestamp | None, complaints: pd.DataFrame | None,
         customers: pd.DataFrame | None, orders_whole: bool) -> pd.DataFrame:
    from dask import delayed

    facts = _combine_facts(_compute(client, [delayed(_facts)(p, period, date_column, params)
                                             for p in ddf.to_delayed()]))
    available = {c for c in MODEL_COLUMNS if c in facts["exemplar"]}
    if period and date_column not in facts["exemplar"]:
        raise NotAvailableError(f"KPIs by period of {date_column}", [date_column])
    as_of = facts["as_of"] if as_of_ts is None else as_of_ts
    line_defs = [d for d in defs if d.level != "complaint" and not d.missing(available)]
    stat_defs = [d for d in line_defs if d.aggregation == "none"]
    additive = [d for d in dict.fromkeys([get_definition("orders"), *line_defs])
                if d.aggregation != "none"]
    common = {"exemplar": facts["exemplar"], "by_cols": by_cols, "period": period,
              "date_column": date_column, "params": params, "as_of": as_of,
              "customers": customers}
    split = ddf if orders_whole else ddf.shuffle(on="order_id")
    tasks = [delayed(_partition_table)(p, defs=additive, **common) for p in split.to_delayed()]
    if stat_defs:
        h = ddf.map_partitions(_group_hash, by_cols, period, date_column, customers,
                               meta=(_HASH, "u8"))
        grouped = ddf.assign(**{_HASH: h}).shuffle(on=_HASH)
        tasks += [delayed(_partition_table)(p, defs=stat_defs, **common)
                  for p in grouped.to_delayed()]
    tables = pd.concat(_compute(client, tasks), ignore_index=True)
    key_cols = [c for c in tables.columns if c not in TABLE_VALUE_COLUMNS]
    keys, measures = _measures(tables, key_cols)

    def measure(name: str, ng: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _padded(measures[name], get_definition(name), ng)

    def parts_per_group(ng: int) -> np.ndarray:
        return measure("orders", ng)[0]

    table = finish_table(Groups(np.zeros(0, dtype=np.int64), keys), defs, available, measure,
                         parts_per_group, complaints, by_cols, period, customers)
    table.attrs.update(as_of=as_of, undated_lines=facts["undated"],
                       cancelled_lines=facts["cancelled"])
    return table
