"""Per-item kernels on Dask: PAB/ATP, the early warning and service-vs-cost curves.

Every item's rows go to one chunk (all order lines, forecast, supply, stock
and master rows of an item together; the items are split into contiguous
runs of their sorted ids), the single-machine function runs on each chunk
(one task per chunk on the cluster), and the chunk results are put back in
single-machine order. Order lines are split by item on the way in, never
shuffled between workers.

* :func:`pab_table`: PAB, ATP and cover are per item -- identical to
  :func:`workbench.planning.pab_table`.
* :func:`early_warning`: the review of
  :func:`workbench.planning.alerts.run_early_warning` per item chunk. Its only
  cross-item steps are the planning date (taken once, from the whole
  inventory, before the split) and the order of the alerts (level, first
  short date, item: re-sorted after the merge); the allocation of scarce
  supply across customers is per item. Identical alerts and lines.
* :func:`service_cost_curve`: item rows of ``method="analytic"`` are
  identical and the portfolio rows are the same sums and demand-weighted
  rates (up to the last bits). ``method="simulate"`` draws each chunk's demand
  from its own random stream (spawned from ``seed``), so its results match the
  single-machine call *in distribution only*, and the portfolio confidence
  intervals are not computed (NaN): run the single-machine function for them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from workbench.distributed.executor import map_chunks
from workbench.inventory.policy import as_item_params
from workbench.inventory.simulate import PORTFOLIO
from workbench.inventory.simulate import service_cost_curve as single_machine_curve
from workbench.io.dataset import Dataset
from workbench.planning.alerts import ALERT_COLUMNS, planning_date, run_early_warning
from workbench.planning.pab import pab_table as single_machine_pab_table
from workbench.validation import check_count

__all__ = ["ItemWarning", "early_warning", "item_chunks", "pab_table", "service_cost_curve"]


def item_chunks(item_ids: Any, n_chunks: int) -> list[np.ndarray]:
    """Split the distinct item ids (sorted) into at most ``n_chunks`` contiguous runs.

    Examples
    --------
    >>> [c.tolist() for c in item_chunks(["B", "A", "C", "A"], 2)]
    [['A', 'B'], ['C']]
    """
    n = check_count(n_chunks, "n_chunks", minimum=1, fix="use n_chunks=4.")
    ids = pd.unique(pd.Series(item_ids).dropna().astype(str))
    ids = np.sort(np.asarray(ids, dtype=object))
    return [c for c in np.array_split(ids, min(n, max(len(ids), 1))) if len(c)]


def _of_items(frame: pd.DataFrame | None, ids: np.ndarray) -> pd.DataFrame | None:
    if frame is None or "item_id" not in frame.columns:
        return frame
    return frame.loc[frame["item_id"].astype(str).isin(ids).to_numpy(dtype=bool)]


def _n_chunks(executor: Any, n_chunks: int | None) -> int:
    if n_chunks is not None:
        return n_chunks
    if executor is None:
        return 1
    return max(2, 2 * len(executor.scheduler_info()["workers"]))


# --------------------------------------------------------------------------------------
# PAB
# --------------------------------------------------------------------------------------


def _pab_chunk(frames: tuple, **kwargs: Any) -> pd.DataFrame:
    return single_machine_pab_table(*frames, **kwargs)


def pab_table(orders: pd.DataFrame | None = None, forecast: pd.DataFrame | None = None,
              supply: pd.DataFrame | None = None, inventory: pd.DataFrame | None = None,
              items: pd.DataFrame | None = None, *, as_of: object, executor: Any = None,
              n_chunks: int | None = None, **options: Any) -> pd.DataFrame:
    """Long PAB/ATP table of :func:`workbench.planning.pab_table`, item chunks on a cluster.

    Parameters
    ----------
    orders, forecast, supply, inventory, items, as_of
        As :func:`workbench.planning.pab_table`.
    executor
        ``None`` (this process) or a ``dask.distributed.Client``.
    n_chunks
        Item chunks (default: 1 in process, 2 per worker on a cluster).
    **options
        ``horizon``, ``freq``, ``demand_time_fence``, ``atp_lookahead``,
        ``due_column`` of :func:`workbench.planning.pab_table`.

    Returns
    -------
    DataFrame
        The single-machine table: same rows, order and values; ``item_id``
        categorical over all items.
    """
    frames = (orders, forecast, supply, inventory, items)
    ids = pd.concat([f["item_id"] for f in frames if f is not None and "item_id" in f])
    chunks = item_chunks(ids, _n_chunks(executor, n_chunks))
    if len(chunks) <= 1:
        return map_chunks(_pab_chunk, [frames], executor, as_of=as_of, **options)[0]
    parts = map_chunks(_pab_chunk, [tuple(_of_items(f, c) for f in frames) for c in chunks],
                       executor, as_of=as_of, **options)
    cats = [*dict.fromkeys(x for p in parts for x in p["item_id"].cat.categories)]
    out = pd.concat([p.assign(item_id=p["item_id"].astype(object)) for p in parts],
                    ignore_index=True)
    name = parts[0]["item_id"].cat.categories.name
    out["item_id"] = pd.Categorical(out["item_id"], categories=pd.Index(cats, name=name))
    return out


# --------------------------------------------------------------------------------------
# Early warning
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemWarning:
    """The early-warning review of :func:`early_warning`.

    Attributes
    ----------
    as_of
        Planning date used (one for all chunks).
    alerts, lines
        As :attr:`workbench.planning.alerts.EarlyWarning.alerts` / ``lines``.
    pab
        The long PAB table of the current plan (``EarlyWarning.result.long``,
        ``item_id`` as text).
    """

    as_of: pd.Timestamp
    alerts: pd.DataFrame
    lines: pd.DataFrame
    pab: pd.DataFrame


_TABLES = ("order_lines", "forecast", "supply_plan", "inventory", "items")


def _sub_dataset(dataset: Dataset, ids: np.ndarray) -> Dataset:
    results = dict(dataset.results)
    for name in _TABLES:
        if name in results and results[name].data is not None:
            results[name] = replace(results[name], data=_of_items(results[name].data, ids))
    return replace(dataset, results=results)


def _warning_chunk(dataset: Dataset, **kwargs: Any) -> tuple[pd.DataFrame, ...]:
    ew = run_early_warning(dataset, **kwargs)
    pab = ew.result.long
    return ew.alerts, ew.lines, pab.assign(item_id=pab["item_id"].astype(str))


def early_warning(dataset: Dataset, *, as_of: object = None, executor: Any = None,
                  n_chunks: int | None = None, **options: Any) -> ItemWarning:
    """Run :func:`workbench.planning.alerts.run_early_warning` per item chunk and merge.

    Parameters
    ----------
    dataset
        As :func:`~workbench.planning.alerts.run_early_warning`.
    as_of
        Planning date (default: the latest inventory snapshot date of the whole
        dataset, taken before the split).
    executor
        ``None`` (this process) or a ``dask.distributed.Client``.
    n_chunks
        Item chunks (default: 1 in process, 2 per worker on a cluster).
    **options
        The other keywords of
        :func:`~workbench.planning.alerts.run_early_warning` (``horizon``,
        ``freq``, ``items``, ``language``, ``tiers``, ...).

    Returns
    -------
    ItemWarning
        Alerts and lines identical to the single-machine review (same order),
        and its PAB table.

    Raises
    ------
    NotAvailableError, DateParameterError
        As :func:`~workbench.planning.alerts.run_early_warning`.
    """
    as_of = planning_date(dataset, as_of)
    ids = pd.concat([dataset.table(t)["item_id"] for t in _TABLES
                     if dataset.table(t) is not None and "item_id" in dataset.table(t)])
    chunks = item_chunks(ids, _n_chunks(executor, n_chunks))
    parts = map_chunks(_warning_chunk, [_sub_dataset(dataset, c) for c in chunks] or [dataset],
                       executor, as_of=as_of, **options)
    alerts = pd.concat([p[0] for p in parts], ignore_index=True)
    lines = pd.concat([p[1] for p in parts], ignore_index=True)
    pab = pd.concat([p[2] for p in parts], ignore_index=True)
    # the single-machine alert order: level (highest first), first short date, item
    order = np.lexsort((alerts["item_id"].to_numpy(dtype=object).astype(str),
                        alerts["first_short_date"].to_numpy(), -alerts["alert_level"].to_numpy()))
    alerts = alerts.take(order).reset_index(drop=True)[list(ALERT_COLUMNS)]
    rank = pd.Series(np.arange(len(alerts)), index=alerts["alert_id"].to_numpy(dtype=object))
    pos = rank.reindex(lines["alert_id"].to_numpy(dtype=object)).to_numpy()
    lines = lines.take(np.argsort(pos, kind="stable")).reset_index(drop=True)
    return ItemWarning(as_of, alerts, lines, pab)


# --------------------------------------------------------------------------------------
# Service-vs-cost curves
# --------------------------------------------------------------------------------------

_SUMS = ("safety_stock", "on_hand", "holding_cost", "shortage_cost", "ordering_cost",
         "total_cost")
_RATES = ("achieved_fill_rate", "achieved_cycle_service")
_PARAM_KEYS = ("holding_rate", "periods_per_year", "period_days", "stockout_cost",
               "ordering_cost", "review_period")


def _curve_chunk(items: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    return single_machine_curve(items, **kwargs)


def service_cost_curve(items: pd.DataFrame, service_levels: Any = None, *,
                       executor: Any = None, n_chunks: int | None = None,
                       seed: Any = 0, **options: Any) -> pd.DataFrame:
    """Compute :func:`workbench.inventory.service_cost_curve` per item chunk and merge.

    Parameters
    ----------
    items
        Items frame (``item_id``, ``mean_demand``, ...) as for the
        single-machine function.
    service_levels
        Targets (default: the single-machine default levels).
    executor
        ``None`` (this process) or a ``dask.distributed.Client``.
    n_chunks
        Item chunks (default: 1 in process, 2 per worker on a cluster).
    seed
        ``method="simulate"``: chunk ``k`` uses the ``k``-th stream spawned
        from ``numpy.random.SeedSequence(seed)`` (reproducible for a given
        ``n_chunks``; one chunk = the single-machine numbers).
    **options
        The other keywords of the single-machine function.

    Returns
    -------
    DataFrame
        Columns and row order of the single-machine curve. ``"analytic"``:
        identical item rows, portfolio rows equal up to the last bits.
        ``"simulate"`` with several chunks: the same in distribution, portfolio
        confidence intervals NaN.
    """
    kwargs = dict(options)
    if service_levels is not None:
        kwargs["service_levels"] = service_levels
    chunks = item_chunks(items["item_id"], _n_chunks(executor, n_chunks))
    if len(chunks) <= 1:
        return map_chunks(_curve_chunk, [items], executor, seed=seed, **kwargs)[0]
    simulate = kwargs.get("method", "analytic") == "simulate"
    seeds = (np.random.SeedSequence(seed).spawn(len(chunks)) if simulate
             else [seed] * len(chunks))
    frames = [_of_items(items, c) for c in chunks]
    parts = [map_chunks(_curve_chunk, [f], executor, seed=s, **kwargs) for f, s in
             zip(frames, seeds, strict=True)] if executor is None else None
    if parts is None:
        futures = [executor.submit(_curve_chunk, f, seed=s, pure=False, **kwargs)
                   for f, s in zip(frames, seeds, strict=True)]
        parts = executor.gather(futures)
    else:
        parts = [p[0] for p in parts]
    return _merge_curves(items, parts, frames, options)


def _merge_curves(items: pd.DataFrame, parts: list[pd.DataFrame], frames: list[pd.DataFrame],
                  options: dict[str, Any]) -> pd.DataFrame:
    """Item rows back in single-machine order; portfolio rows from the chunks' portfolios."""
    params = {k: options[k] for k in _PARAM_KEYS if k in options}
    mu = [float(np.sum(as_item_params(f, **params).mean_demand)) for f in frames]
    total_mu = sum(mu)
    w = (np.asarray(mu) / total_mu if total_mu > 0
         else np.array([len(f) for f in frames], dtype=float) / len(items))
    rows = [p.loc[p["item_id"] != PORTFOLIO] for p in parts]
    ports = [p.loc[p["item_id"] == PORTFOLIO].reset_index(drop=True) for p in parts]
    levels = ports[0]["service_level"].to_numpy()
    pos = {lv: i for i, lv in enumerate(levels)}
    item_rows = pd.concat(rows, ignore_index=True)
    key = item_rows["service_level"].map(pos).to_numpy()
    item_rows = item_rows.take(np.argsort(key, kind="stable"))
    port = ports[0].copy()
    for c in port.columns[3:]:
        port[c] = np.nan
    for c in ("lead_time", "reorder_point", "order_up_to", "order_quantity"):
        port[c] = ports[0][c]
    for c in _SUMS:
        port[c] = np.sum([p[c].to_numpy(dtype=np.float64) for p in ports], axis=0)
    for c in _RATES:
        port[c] = np.sum([p[c].to_numpy(dtype=np.float64) * wk for p, wk in
                          zip(ports, w, strict=True)], axis=0)
    out = pd.concat([item_rows, port], ignore_index=True)
    return out[list(parts[0].columns)]
