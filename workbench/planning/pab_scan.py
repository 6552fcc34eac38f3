"""PAB of every item from a Parquet scan: open demand aggregated in DuckDB, then the vectorised PAB.

:func:`pab_from_scan` computes what :func:`workbench.planning.pab.project_pab`
on :func:`workbench.planning.buckets.build_buckets` gives for the same order
lines, without loading them: DuckDB (out of core, under the scan's
``memory_limit``) reduces the order lines to the open quantity per item and due
period -- ``items x periods`` rows, small whatever the number of lines -- with
the bucketing rules of :mod:`workbench.planning.buckets` (open quantity =
ordered - shipped for lines whose status is not closed; first non-missing due
date; past due and undated in period 0; beyond the horizon left out). That
small table then goes through ``build_buckets`` (with the forecast, supply,
inventory and item master frames, which are small) and ``project_pab``.

:func:`open_demand_from_scan` returns the aggregated table itself.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.exceptions import MissingColumnsError
from workbench.io.scan import OrderScan, scan_orders
from workbench.planning.buckets import (
    CLOSED_STATUSES,
    PeriodGrid,
    build_buckets,
    check_due_columns,
)
from workbench.planning.pab import PabResult, project_pab

__all__ = ["open_demand_from_scan", "pab_from_scan"]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _as_scan(scan: OrderScan | str | os.PathLike | Sequence[str | os.PathLike]) -> OrderScan:
    return scan if isinstance(scan, OrderScan) else scan_orders(scan)


def _period_sql(due: str, grid: PeriodGrid) -> str:
    """Raw period number of a DATE expression on ``grid`` (may be < 0 or >= horizon)."""
    start = grid.start
    if grid.freq == "M":
        return f"(year({due}) * 12 + month({due}) - {start.year * 12 + start.month})"
    days = f"({due} - DATE {_lit(start.strftime('%Y-%m-%d'))})"
    return days if grid.freq == "D" else f"CAST(floor({days} / 7.0) AS BIGINT)"


def open_demand_from_scan(scan: OrderScan | str | os.PathLike | Sequence[str | os.PathLike], *,
                          as_of: object, horizon: int = 13, freq: str = "W",
                          due_column: str | Sequence[str] = "requested_date",
                          closed_statuses: Sequence[str] = CLOSED_STATUSES) -> pd.DataFrame:
    """Open order quantity per item and due period, aggregated by DuckDB from a scan.

    Parameters
    ----------
    scan
        An :class:`~workbench.io.scan.OrderScan` whose columns are named as in
        the data model (e.g. the ``clean`` scan of a validation), or Parquet
        file(s) / a folder of them.
    as_of, horizon, freq, due_column, closed_statuses
        As :func:`workbench.planning.buckets.build_buckets`.

    Returns
    -------
    DataFrame
        ``item_id, period, period_start, qty``: one row per item and period
        with open demand (``period`` 0 .. horizon - 1), plus one row with
        ``qty`` 0 in period 0 for every other item of the order lines (so that
        the item list is that of ``build_buckets``). Sorted by item and period.

    Raises
    ------
    MissingColumnsError
        ``item_id``, ``qty_ordered`` or a due column is absent.
    FrequencyError, CountError, DateParameterError
        Bad ``freq`` / ``horizon`` / ``as_of``.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> pd.DataFrame({"order_id": ["A", "A", "B"], "line_no": [1, 2, 1],
    ...               "customer_id": "C1", "item_id": ["I1", "I2", "I1"],
    ...               "order_date": pd.to_datetime(["2025-01-02"] * 3),
    ...               "requested_date": pd.to_datetime(["2025-01-06", "2025-01-07", None]),
    ...               "qty_ordered": [3.0, 5.0, 2.0], "qty_shipped": [None, 5.0, None],
    ...               "status": ["open", "shipped", "open"]}).to_parquet(d + "/p.parquet")
    >>> open_demand_from_scan(d, as_of="2025-01-02", horizon=4)[["item_id", "period", "qty"]]
      item_id  period  qty
    0      I1       0  2.0
    1      I1       1  3.0
    2      I2       0  0.0
    """
    s = _as_scan(scan)
    grid = PeriodGrid.checked(as_of, horizon, freq)
    due_cols = check_due_columns(due_column)
    names = set(s.schema.names)
    if missing := [c for c in ("item_id", "qty_ordered", *due_cols) if c not in names]:
        raise MissingColumnsError("order_lines", missing, sorted(names), source=str(s.files[0]),
                                  hint="The PAB buckets open order lines by item and due date.")
    rel = s.relation()
    con = s.connect()
    try:
        closed_sql = "false"
        if "status" in names and len(closed_statuses):
            # classify the distinct statuses in Python, exactly as build_buckets does
            distinct = [r[0] for r in con.sql(f"SELECT DISTINCT CAST(status AS VARCHAR) "
                                              f"FROM {rel} WHERE status IS NOT NULL").fetchall()]
            closed_set = {str(x).strip().lower() for x in closed_statuses}
            closed = [x for x in distinct if str(x).strip().lower() in closed_set]
            if closed:
                closed_sql = (f"coalesce(CAST(status AS VARCHAR) IN "
                              f"({', '.join(_lit(x) for x in closed)}), false)")
        qty = "CAST(qty_ordered AS DOUBLE)"
        if "qty_shipped" in names:
            qty += " - coalesce(CAST(qty_shipped AS DOUBLE), 0)"
        due = f"coalesce({', '.join(f'CAST({_q(c)} AS DATE)' for c in due_cols)})"
        per = _period_sql("due", grid)
        sql = f"""
            WITH l AS (
                SELECT CAST(item_id AS VARCHAR) AS item_id, {qty} AS q, {due} AS due,
                       {closed_sql} AS closed
                FROM {rel}),
            o AS (
                SELECT item_id, q, CASE WHEN due IS NULL THEN 0
                                        ELSE greatest({per}, 0) END AS period
                FROM l WHERE q > 0 AND NOT closed),
            d AS (
                SELECT item_id, period, sum(q) AS qty FROM o
                WHERE period < {grid.horizon} GROUP BY item_id, period),
            i AS (SELECT DISTINCT CAST(item_id AS VARCHAR) AS item_id FROM {rel})
            SELECT item_id, period, qty FROM d
            UNION ALL
            SELECT item_id, 0 AS period, 0.0 AS qty FROM i ANTI JOIN d USING (item_id)
            ORDER BY item_id, period"""
        out = con.sql(sql).to_df()
    finally:
        con.close()
    out["period"] = out["period"].astype(np.int64)
    out["qty"] = out["qty"].astype(np.float64)
    out.insert(2, "period_start", grid.starts[out["period"].to_numpy()])
    return out.reset_index(drop=True)


def pab_from_scan(scan: OrderScan | str | os.PathLike | Sequence[str | os.PathLike],
                  forecast: pd.DataFrame | None = None, supply: pd.DataFrame | None = None,
                  inventory: pd.DataFrame | None = None, items: pd.DataFrame | None = None, *,
                  as_of: object, horizon: int = 13, freq: str = "W",
                  due_column: str | Sequence[str] = "requested_date",
                  closed_statuses: Sequence[str] = CLOSED_STATUSES,
                  demand_time_fence: int = 2, atp_lookahead: bool = True) -> PabResult:
    """Project PAB/ATP for every item of a scan, without loading its order lines.

    Equal to ``project_pab(build_buckets(orders, forecast, supply, inventory,
    items, ...))`` with ``orders`` the scan's rows in memory.

    Parameters
    ----------
    scan
        As :func:`open_demand_from_scan`.
    forecast, supply, inventory, items
        Data-model frames, as :func:`workbench.planning.buckets.build_buckets`.
    as_of, horizon, freq, due_column, closed_statuses
        As :func:`workbench.planning.buckets.build_buckets`.
    demand_time_fence, atp_lookahead
        As :func:`workbench.planning.pab.project_pab`.

    Returns
    -------
    PabResult
        ``.long`` and ``.summary`` as the in-memory path.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> pd.DataFrame({"order_id": ["A"], "line_no": [1], "customer_id": ["C1"],
    ...               "item_id": ["I1"], "order_date": pd.to_datetime(["2025-01-02"]),
    ...               "requested_date": pd.to_datetime(["2025-01-14"]),
    ...               "qty_ordered": [4.0]}).to_parquet(d + "/p.parquet")
    >>> inv = pd.DataFrame({"item_id": ["I1"], "snapshot_date": pd.to_datetime(["2025-01-01"]),
    ...                     "on_hand": [3.0]})
    >>> res = pab_from_scan(d, inventory=inv, as_of="2025-01-02", horizon=3)
    >>> res.long["pab"].tolist()
    [3.0, 3.0, -1.0]
    """
    due_cols = check_due_columns(due_column)
    demand = open_demand_from_scan(scan, as_of=as_of, horizon=horizon, freq=freq,
                                   due_column=due_cols, closed_statuses=closed_statuses)
    lines = pd.DataFrame({"item_id": demand["item_id"].astype(str),
                          "qty_ordered": demand["qty"].to_numpy(),
                          "requested_date": demand["period_start"].to_numpy()})
    inputs = build_buckets(lines, forecast, supply, inventory, items, as_of=as_of,
                           horizon=horizon, freq=freq, due_column="requested_date",
                           closed_statuses=closed_statuses)
    inputs = inputs.replace(due_column=due_cols)
    return project_pab(inputs, demand_time_fence=demand_time_fence,
                       atp_lookahead=atp_lookahead)
