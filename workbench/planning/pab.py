"""Projected available balance (PAB), ATP and cover for every item at once, and supply stress tests.

The engine works on the dense ``(items, periods)`` arrays of a
:class:`~workbench.planning.buckets.PabInput` (built by
:mod:`workbench.planning.buckets`): all the planning arithmetic is done with
cumulative sums on those arrays, and the result goes back to one long, tidy
DataFrame. No Python loop runs per item or per row (only over a few bisection
steps).

Pipeline
--------
``build_buckets``  data-model frames                      -> :class:`PabInput`
                   (:mod:`workbench.planning.buckets`)
``project_pab``    :class:`PabInput`                      -> :class:`PabResult`
                   (``.long`` tidy table, ``.summary`` one row per item)
``pab_table``      data-model frames -> long table (the two steps above)
``stress_supply``  slip and/or cut receipts               -> :class:`PabInput`
``planned_dependency``  shortages that exist only if planned receipts come on time
``allocate_shortages``  which open order lines go short (:mod:`workbench.planning.allocation`)

Planning rules (see :func:`project_pab` for the formulas)
--------------------------------------------------------
* **Demand time fence**: in the first ``demand_time_fence`` periods demand =
  customer orders; beyond it demand = max(forecast, customer orders).
* **PAB**: ``pab[t] = pab[t-1] + supply[t] - demand[t]``, ``pab[-1] = on hand``.
* **Discrete ATP** (APICS textbook): computed in period 0 and in every period
  with a receipt, from *customer orders only*; optional look-ahead.
* **Weeks of cover**: how many future periods of demand the closing PAB covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError, InputTypeError
from workbench.planning.buckets import PabInput, build_buckets
from workbench.validation import check_count, check_range

__all__ = [
    "LONG_COLUMNS",
    "SUMMARY_COLUMNS",
    "PabResult",
    "pab_summary",
    "pab_table",
    "planned_dependency",
    "project_pab",
    "stress_supply",
]

LONG_COLUMNS: tuple[str, ...] = (
    "item_id", "period_start", "period", "customer_orders", "forecast", "demand",
    "supply_firm", "supply_planned", "supply", "opening", "pab", "atp", "cum_atp",
    "safety_stock", "shortage", "below_safety_stock", "weeks_of_cover",
)
"""Columns of :attr:`PabResult.long`, in order."""

SUMMARY_COLUMNS: tuple[str, ...] = (
    "item_id", "on_hand", "safety_stock", "first_shortage_period", "first_shortage_date",
    "min_pab", "max_shortage_qty", "shortage_periods", "first_below_ss_period",
    "first_below_ss_date",
)
"""Columns of :attr:`PabResult.summary`, in order."""



# --------------------------------------------------------------------------------------
# Result type
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PabResult:
    """Projected available balance and ATP for every item and period.

    All arrays have shape ``(n, T)`` (items x periods) unless stated; row order is
    ``inputs.item_id``. ``atp``, ``cum_atp`` and ``weeks_of_cover`` are ``None``
    when :func:`project_pab` was asked not to compute them.

    Attributes
    ----------
    inputs
        The :class:`PabInput` projected.
    demand_time_fence, atp_lookahead
        Parameters used.
    demand, supply, opening, pab
        Demand after the time-fence rule, total receipts, opening and closing PAB.
    shortage, below_safety_stock
        ``pab < 0`` and ``pab < safety_stock``.
    atp, cum_atp
        Discrete and cumulative ATP.
    weeks_of_cover
        Forward periods of demand covered by the closing PAB.
    """

    inputs: PabInput
    demand_time_fence: int
    atp_lookahead: bool
    demand: np.ndarray
    supply: np.ndarray
    opening: np.ndarray
    pab: np.ndarray
    shortage: np.ndarray
    below_safety_stock: np.ndarray
    atp: np.ndarray | None = None
    cum_atp: np.ndarray | None = None
    weeks_of_cover: np.ndarray | None = field(default=None)

    @cached_property
    def first_shortage_period(self) -> np.ndarray:
        """Per item: first period index with ``pab < 0``, -1 if none. Shape ``(n,)``."""
        return _first_true(self.shortage)

    @cached_property
    def long(self) -> pd.DataFrame:
        """One row per item and period, columns :data:`LONG_COLUMNS`.

        ``item_id`` is categorical (categories = ``inputs.item_id``). Float columns
        share memory with the result arrays: copy the frame before editing it.
        """
        return _long_frame(self)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per item, columns :data:`SUMMARY_COLUMNS` (see :func:`pab_summary`)."""
        return pab_summary(self)


# --------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------


def project_pab(
    inputs: PabInput,
    *,
    demand_time_fence: int = 2,
    atp_lookahead: bool = True,
    with_atp: bool = True,
    with_cover: bool = True,
) -> PabResult:
    """Project PAB, ATP and cover for every item and period at once.

    Rules (``t`` = period index, 0-based; ``OH`` = on hand; ``CO`` = customer
    orders; ``F`` = forecast; ``S`` = all receipts, firm + planned):

    * Demand time fence: ``demand[t] = CO[t]`` for ``t < demand_time_fence``;
      ``demand[t] = max(F[t], CO[t])`` beyond it (orders already booked in excess
      of forecast are real demand; unsold forecast still consumes stock).
    * PAB: ``opening[0] = OH``, ``pab[t] = opening[t] + S[t] - demand[t]``,
      ``opening[t] = pab[t-1]``. ``shortage = pab < 0``,
      ``below_safety_stock = pab < safety_stock``.
    * Discrete ATP (APICS): ATP is computed in period 0 and in every period with a
      receipt (``S[t] > 0``), 0 elsewhere, from customer orders only (not
      forecast). Period 0: ``OH + S[0] - CO[0 .. next receipt - 1]``; a later
      receipt period ``r``: ``S[r] - CO[r .. next receipt - 1]``; the last one runs
      to the end of the horizon. Without look-ahead these raw values are returned
      (a later one can be negative). With look-ahead (``atp_lookahead=True``) a
      negative ATP is borrowed from the ATP of the previous receipt periods, latest
      first, so that no ATP after period 0 is negative (period 0 is negative only
      if the whole horizon is oversold). Equivalently
      ``cum_atp[t] = min(raw_cum_atp[t:])``. ``cum_atp`` is the running sum of
      ``atp``; with look-ahead it is non-decreasing from period 0 on, and the last
      value (``OH + sum S - sum CO``) is the same with or without look-ahead.
    * Weeks of cover (in periods of ``freq``): for ``pab[t] > 0``, the number of
      following periods ``t+1, t+2, ...`` whose demand the closing ``pab[t]`` meets
      with no further receipts, the last one pro rata: e.g. ``pab = 25`` and
      demand 10, 10, 10 -> 2.5. ``0`` when ``pab[t] <= 0``; ``inf`` when
      ``pab[t] > 0`` covers all remaining demand in the horizon (including the last
      period, and items with no future demand). Never NaN.

    Parameters
    ----------
    inputs
        From :func:`build_buckets`, :func:`buckets_from_long` or :func:`stress_supply`.
    demand_time_fence
        Number of leading periods in which only customer orders count (>= 0).
    atp_lookahead
        Borrow negative later ATP from earlier periods (see above).
    with_atp, with_cover
        Compute ATP / weeks of cover (skip for a faster PAB-only run; the columns
        are then left out of :attr:`PabResult.long`).

    Returns
    -------
    PabResult
    """
    if not isinstance(inputs, PabInput):
        raise InputTypeError(
            f"project_pab needs a PabInput, got {type(inputs).__name__}",
            key="inputs", value=type(inputs).__name__,
            fix="build it with build_buckets(...) or buckets_from_long(...).",
        )
    fence = check_count(demand_time_fence, "demand_time_fence", minimum=0,
                        fix="use 0 (forecast rule everywhere) or the number of frozen "
                            "periods, e.g. demand_time_fence=2.")
    orders, fc = inputs.customer_orders, inputs.forecast
    n, n_t = orders.shape

    demand = np.maximum(fc, orders)
    k = min(fence, n_t)
    demand[:, :k] = orders[:, :k]
    supply = inputs.supply

    pab = supply - demand
    pab[:, 0] += inputs.on_hand
    np.cumsum(pab, axis=1, out=pab)
    # A balance that is zero up to rounding of fractional quantities is zero: no shortage of
    # 2e-16 units (tolerance 1e-9 of the quantities moved so far)
    moved = np.cumsum(np.abs(supply) + np.abs(demand), axis=1) + np.abs(inputs.on_hand)[:, None]
    pab[np.abs(pab) <= 1e-9 * np.maximum(1.0, moved)] = 0.0
    opening = np.empty_like(pab)
    opening[:, 0] = inputs.on_hand
    opening[:, 1:] = pab[:, :-1]
    shortage = pab < 0
    below = pab < inputs.safety_stock[:, None]

    atp = cum_atp = cover = None
    if with_atp or with_cover:
        anchors = supply > 0
        anchors[:, 0] = True
        anchor_cells = np.flatnonzero(anchors)
        if with_atp:
            atp, cum_atp = _discrete_atp(orders, supply, inputs.on_hand, anchor_cells,
                                         lookahead=bool(atp_lookahead))
        if with_cover:
            cover = _cover(demand, pab, anchor_cells)
    return PabResult(
        inputs=inputs, demand_time_fence=fence, atp_lookahead=bool(atp_lookahead),
        demand=demand, supply=supply, opening=opening, pab=pab, shortage=shortage,
        below_safety_stock=below, atp=atp, cum_atp=cum_atp, weeks_of_cover=cover,
    )


def _segment_ends(anchor_cells: np.ndarray, n_t: int, size: int) -> np.ndarray:
    """Last cell of each anchor's segment (cell before the next anchor in the row)."""
    nxt = np.empty_like(anchor_cells)
    nxt[:-1] = anchor_cells[1:]
    nxt[-1:] = size
    row_end = (anchor_cells // n_t + 1) * n_t
    return np.minimum(nxt, row_end) - 1


def _discrete_atp(orders: np.ndarray, supply: np.ndarray, on_hand: np.ndarray,
                  anchor_cells: np.ndarray, *, lookahead: bool
                  ) -> tuple[np.ndarray, np.ndarray]:
    n, n_t = orders.shape
    cum_orders = np.cumsum(orders, axis=1).ravel()
    ends = _segment_ends(anchor_cells, n_t, n * n_t)
    seg_orders = cum_orders[ends] - cum_orders[anchor_cells] + orders.ravel()[anchor_cells]
    raw = np.zeros(n * n_t)
    raw[anchor_cells] = supply.ravel()[anchor_cells] - seg_orders
    raw = raw.reshape(n, n_t)
    raw[:, 0] += on_hand
    cum = np.cumsum(raw, axis=1)
    if not lookahead:
        return raw, cum
    look = np.empty_like(cum)  # running minimum from the end: min(cum[t:])
    np.minimum.accumulate(cum[:, ::-1], axis=1, out=look[:, ::-1])
    # ATP = step of the look-ahead cumulative ATP; it only steps at anchor cells
    flat = look.ravel()
    prev = np.where(anchor_cells % n_t == 0, 0.0, flat[anchor_cells - 1])
    atp = np.zeros(n * n_t)
    atp[anchor_cells] = flat[anchor_cells] - prev
    return atp.reshape(n, n_t), look



def _search_rows(mat: np.ndarray, rows: np.ndarray, values: np.ndarray, lo: np.ndarray,
                 *, strict: bool) -> np.ndarray:
    """First column ``j >= lo`` with ``mat[row, j] > value`` (``strict``) or ``>= value``.

    ``mat`` has non-decreasing rows; its width is returned when there is none. One
    :func:`numpy.searchsorted` over all rows at once (row ``i`` shifted by ``i *
    step`` so that the flattened matrix is sorted), then an exact check against
    the unshifted values: rounding in the shifted keys cannot change the answer.
    """
    n, width = mat.shape
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    low = min(float(mat[:, 0].min()), float(values.min()))  # rows are non-decreasing
    step = 2.0 * (max(float(mat[:, -1].max()), float(values.max())) - low) + 1.0
    keys = mat + (np.arange(n, dtype=np.float64) * step - low)[:, None]
    q = values - low
    q += rows * step
    j = np.searchsorted(keys.ravel(), q, side="right" if strict else "left")
    j -= rows * width
    np.clip(j, lo, width, out=j)
    flat = mat.ravel()
    base = rows * width
    while True:  # exact check; the loop body runs only after a rounding miss
        prev = flat[base + np.maximum(j - 1, 0)]
        cur = flat[base + np.minimum(j, width - 1)]
        if strict:
            back = (j > lo) & (prev > values)
            fwd = (j < width) & (cur <= values)
        else:
            back = (j > lo) & (prev >= values)
            fwd = (j < width) & (cur < values)
        if not (back.any() or fwd.any()):
            return j
        j -= back
        j += fwd


def _cover(demand: np.ndarray, pab: np.ndarray, anchor_cells: np.ndarray) -> np.ndarray:
    """Forward periods of demand covered by the closing PAB (see project_pab).

    Between two receipts the target ``on hand + receipts so far = pab + cumulative
    demand`` is constant, so the stock-out period ``j`` (first period whose
    cumulative demand exceeds the target) is searched once per receipt segment
    (``anchor_cells``: period 0 and receipt periods, row-major); each cell's cover
    is then ``j - 1 + fraction - t``.
    """
    n, n_t = demand.shape
    cum_d = np.cumsum(demand, axis=1)
    cdf, pf, df = cum_d.ravel(), pab.ravel(), demand.ravel()
    # Only segments whose first PAB is positive can have cover (PAB falls inside a segment).
    is_live = pf[anchor_cells] > 0
    live = anchor_cells[is_live]
    target = pf[live] + cdf[live]
    # demand that uses up the stock exactly is covered, also when sums round (1e-9 relative)
    target = target + 1e-9 * np.maximum(1.0, np.abs(target))
    rows = live // n_t
    j = _search_rows(cum_d, rows, target, live - rows * n_t + 1, strict=True)
    fin = j < n_t
    cell = rows[fin] * n_t + j[fin]
    frac = (target[fin] - cdf[cell - 1]) / df[cell]
    b = np.full(live.size, np.inf)
    b[fin] = j[fin] - 1 + np.clip(frac, 0.0, 1.0)
    seg_value = np.full(anchor_cells.size, np.inf)
    seg_value[is_live] = b
    seg_len = np.diff(anchor_cells, append=n * n_t)
    cover = np.repeat(seg_value, seg_len).reshape(n, n_t)
    cover -= np.arange(n_t)
    cover[pab <= 0] = 0.0
    return cover


def _first_true(mask: np.ndarray) -> np.ndarray:
    first = mask.argmax(axis=1)
    return np.where(mask.any(axis=1), first, -1)


def _long_frame(result: PabResult) -> pd.DataFrame:
    inp = result.inputs
    n, n_t = result.pab.shape
    item = pd.Categorical.from_codes(
        np.repeat(np.arange(n, dtype=np.int32), n_t), categories=inp.item_id, validate=False)
    cols: dict[str, object] = {
        "item_id": item,
        "period_start": np.tile(inp.period_start.to_numpy(), n),
        "period": np.tile(np.arange(n_t, dtype=np.int64), n),
        "customer_orders": inp.customer_orders.ravel(),
        "forecast": inp.forecast.ravel(),
        "demand": result.demand.ravel(),
        "supply_firm": inp.supply_firm.ravel(),
        "supply_planned": inp.supply_planned.ravel(),
        "supply": result.supply.ravel(),
        "opening": result.opening.ravel(),
        "pab": result.pab.ravel(),
    }
    if result.atp is not None:
        cols["atp"] = result.atp.ravel()
        cols["cum_atp"] = result.cum_atp.ravel()
    cols["safety_stock"] = np.repeat(inp.safety_stock, n_t)
    cols["shortage"] = result.shortage.ravel()
    cols["below_safety_stock"] = result.below_safety_stock.ravel()
    if result.weeks_of_cover is not None:
        cols["weeks_of_cover"] = result.weeks_of_cover.ravel()
    return pd.DataFrame(cols, copy=False)


def pab_summary(result: PabResult) -> pd.DataFrame:
    """One row per item: when and how badly the projection goes short.

    Columns (:data:`SUMMARY_COLUMNS`): ``item_id``, ``on_hand``, ``safety_stock``,
    ``first_shortage_period`` (first period with ``pab < 0``, nullable ``Int64``,
    missing if never), ``first_shortage_date`` (its ``period_start``, NaT if never),
    ``min_pab``, ``max_shortage_qty`` (``max(0, -min_pab)``), ``shortage_periods``
    (count), ``first_below_ss_period`` / ``first_below_ss_date``.
    """
    inp = result.inputs
    starts = inp.period_start.to_numpy()

    nat = np.datetime64("NaT").astype(starts.dtype)

    def period_and_date(first: np.ndarray) -> tuple[pd.api.extensions.ExtensionArray,
                                                     np.ndarray]:
        none = first < 0
        per = pd.array(np.where(none, 0, first), dtype="Int64")
        per[none] = pd.NA
        return per, np.where(none, nat, starts[np.maximum(first, 0)])

    fs_per, fs_date = period_and_date(result.first_shortage_period)
    fb_per, fb_date = period_and_date(_first_true(result.below_safety_stock))
    min_pab = result.pab.min(axis=1)
    return pd.DataFrame({
        "item_id": inp.item_id.astype("str"),
        "on_hand": inp.on_hand,
        "safety_stock": inp.safety_stock,
        "first_shortage_period": fs_per,
        "first_shortage_date": fs_date,
        "min_pab": min_pab,
        "max_shortage_qty": np.maximum(0.0, -min_pab),
        "shortage_periods": result.shortage.sum(axis=1),
        "first_below_ss_period": fb_per,
        "first_below_ss_date": fb_date,
    })


def pab_table(
    orders: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    supply: pd.DataFrame | None = None,
    inventory: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    *,
    as_of: object,
    horizon: int = 13,
    freq: str = "W",
    demand_time_fence: int = 2,
    atp_lookahead: bool = True,
    due_column: str | Sequence[str] = "requested_date",
) -> pd.DataFrame:
    """Long PAB/ATP table straight from data-model frames.

    Shorthand for ``project_pab(build_buckets(...), ...).long``; see those two
    functions for parameters and rules. Columns: :data:`LONG_COLUMNS`.
    """
    inputs = build_buckets(orders, forecast, supply, inventory, items, as_of=as_of,
                           horizon=horizon, freq=freq, due_column=due_column)
    return project_pab(inputs, demand_time_fence=demand_time_fence,
                       atp_lookahead=atp_lookahead).long


# --------------------------------------------------------------------------------------
# Supply stress tests
# --------------------------------------------------------------------------------------


def stress_supply(
    inputs: PabInput,
    *,
    slip_periods: int = 0,
    short_pct: float = 0.0,
    only_planned: bool = False,
) -> PabInput:
    """Return inputs with every receipt cut by ``short_pct`` % and late by ``slip_periods``.

    Parameters
    ----------
    inputs
        Baseline inputs (unchanged).
    slip_periods
        Periods each receipt arrives later (>= 0). A receipt pushed past the
        horizon drops out of it.
    short_pct
        Percentage of each receipt that does not come (0 .. 100); 100 removes it.
    only_planned
        Stress planned receipts only; firm ones stay as they are.

    Returns
    -------
    PabInput
    """
    k = check_count(slip_periods, "slip_periods", minimum=0,
                    fix="pass the number of periods receipts arrive late, e.g. "
                        "slip_periods=1.")
    pct = check_range(short_pct, "short_pct", low=0, high=100,
                      fix="pass a percentage, e.g. short_pct=20 delivers 80 % of every "
                          "receipt.")

    def stress(a: np.ndarray) -> np.ndarray:
        out = np.zeros_like(a)
        if k < a.shape[1]:
            out[:, k:] = a[:, : a.shape[1] - k]
        if pct:
            out *= 1.0 - pct / 100.0
        return out

    firm = inputs.supply_firm if only_planned else stress(inputs.supply_firm)
    return inputs.replace(supply_firm=firm, supply_planned=stress(inputs.supply_planned))


def planned_dependency(
    inputs: PabInput,
    *,
    slip_periods: int | None = None,
    demand_time_fence: int = 2,
    base: PabResult | None = None,
) -> pd.DataFrame:
    """Shortages that exist only because planned receipts are assumed on time.

    PAB is projected with all receipts as planned, and again with the planned
    (not firm) receipts removed (``slip_periods=None``) or slipped by
    ``slip_periods`` (see :func:`stress_supply`). A row is returned for every item
    and period that is short in the stressed projection but not in the base one:
    that risk exists only because planned receipts are assumed on time. (Demand
    does not depend on supply, so the stressed PAB is the base PAB minus the
    planned quantity not yet received.)

    Parameters
    ----------
    inputs
        Baseline inputs.
    slip_periods
        ``None``: planned receipts removed; ``k``: planned receipts ``k`` periods late.
    demand_time_fence
        As in :func:`project_pab`.
    base
        The baseline projection, if already computed (must come from ``inputs``
        with the same ``demand_time_fence``); saves one projection.

    Returns
    -------
    pandas.DataFrame
        ``item_id``, ``period``, ``period_start``, ``pab`` (all receipts),
        ``pab_stressed``, ``shortage_qty`` (``-pab_stressed``),
        ``planned_qty_relied_on`` (planned quantity received by that period in the
        base case but not in the stressed one), ``scenario``.
    """
    if slip_periods is None:
        stressed_in = stress_supply(inputs, short_pct=100.0, only_planned=True)
        scenario = "planned receipts removed"
    else:
        stressed_in = stress_supply(inputs, slip_periods=slip_periods, only_planned=True)
        scenario = f"planned receipts {slip_periods} period(s) late"
    if base is None:
        base = project_pab(inputs, demand_time_fence=demand_time_fence, with_atp=False,
                           with_cover=False)
    elif base.inputs is not inputs or base.demand_time_fence != demand_time_fence:
        raise ConfigError(
            "planned_dependency: base must be the projection of these inputs with "
            f"demand_time_fence={demand_time_fence}",
            key="base", value=base.demand_time_fence,
            fix="pass base=project_pab(inputs, demand_time_fence=...) or leave base out.",
        )
    # Demand does not depend on supply, so the stressed PAB is the base PAB minus the
    # planned quantity that has not arrived yet: no second projection needed.
    relied = inputs.supply_planned - stressed_in.supply_planned
    np.cumsum(relied, axis=1, out=relied)
    stressed = base.pab - relied
    risk = stressed < 0
    risk &= ~base.shortage
    rows, per = np.nonzero(risk)
    return pd.DataFrame({
        "item_id": pd.Categorical.from_codes(rows, categories=inputs.item_id, validate=False),
        "period": per,
        "period_start": inputs.period_start.to_numpy()[per],
        "pab": base.pab[rows, per],
        "pab_stressed": stressed[rows, per],
        "shortage_qty": -stressed[rows, per],
        "planned_qty_relied_on": relied[rows, per],
        "scenario": scenario,
    })
