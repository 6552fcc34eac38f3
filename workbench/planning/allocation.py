"""Allocation of scarce supply to customer order lines: which lines go short, by how much, until when.

:func:`allocate_shortages` simulates shipping period by period with backorders:
on hand plus receipts serve the open order lines in the order of an allocation
rule (:data:`ALLOCATION_RULES`: by customer tier, by due date, by order date).
Everything runs on arrays: lines are sorted into one queue per item and service
class, and the quantity shipped to each queue is a cumulative minimum (one
class) or a loop over periods x classes vectorised over items (tier classes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError, InputTypeError
from workbench.planning.buckets import OpenLines, PeriodGrid, check_due_columns, open_lines
from workbench.planning.pab import PabResult
from workbench.validation import MISSING_DAY, check_choice, day_numbers, require_frame

__all__ = ["ALLOCATION_COLUMNS", "ALLOCATION_RULES", "allocate_shortages"]

ALLOCATION_RULES: tuple[str, ...] = (
    "priority_then_due",
    "due_then_priority",
    "due_then_order_date",
)
"""Rules understood by :func:`allocate_shortages`."""

ALLOCATION_COLUMNS: tuple[str, ...] = (
    "order_id", "line_no", "customer_id", "item_id", "tier", "priority", "due_date",
    "period", "qty_open", "qty_short", "short_from", "covered_by_date",
)
"""Columns of :func:`allocate_shortages`, in order."""


def allocate_shortages(
    orders: pd.DataFrame,
    result: PabResult,
    *,
    customers: pd.DataFrame | None = None,
    rule: str = "priority_then_due",
    tier_order: Sequence[str] = ("A", "B", "C"),
    due_column: str | Sequence[str] | None = None,
    all_lines: bool = False,
) -> pd.DataFrame:
    """Which open order lines go short, by how much, and until when.

    Model: a period-by-period shipping simulation with backorders.

    * Stock available by period ``t`` is on hand plus all receipts up to ``t``
      (firm and planned as in ``result.inputs``; pass a stressed result to
      allocate under a stressed supply). Forecast is not allocated: only real
      order lines are.
    * A line can be served from its due period on (never earlier, and stock is
      not held back for lines that are not due yet: a lower-priority line due
      earlier takes the stock it finds). What it cannot get stays on backorder and
      is served from later receipts.
    * Each period, the lines that are due or on backorder are served in rule
      order, partial quantities allowed:

      ``"priority_then_due"`` (default)
          by tier (``tier_order``; a missing or unlisted tier ranks last), then
          due date, then order date, then file order. A higher-tier line due this
          period is served before an older backorder of a lower tier.
      ``"due_then_priority"``
          by due date, then tier, then order date, then file order.
      ``"due_then_order_date"``
          by due date, then order date, then file order (tiers ignored).

    With this model the lines' total unserved quantity at period ``t`` is
    ``max(0, cumulative orders due by t - on hand - receipts by t)``: the PAB
    deficit counting customer orders only (inside the demand time fence, simply
    ``max(0, -pab[t])``).

    Computation (no loop over lines or items): lines are sorted into one queue
    per item and service class (the tier for ``"priority_then_due"``, a single
    class otherwise) and each line's cumulative queue quantity ``Q`` is taken.
    With one class, the quantity shipped by ``t`` is ``min(available[t],
    due[t])`` (both cumulative); with tier classes it comes from a loop over
    periods x classes, vectorized over items. A line is short at its due period by
    ``clip(Q - shipped_to_its_class[due], 0, qty)`` and covered in the first period
    where ``shipped_to_its_class >= Q``. Items whose cumulative orders never exceed
    their available stock are skipped up front.

    Parameters
    ----------
    orders
        ``order_lines`` frame (as for :func:`build_buckets`; also ``order_id``,
        ``line_no``, ``customer_id``; ``tier`` and ``order_date`` used if present).
    result
        A :class:`PabResult` over the same items.
    customers
        Customer master with ``customer_id`` and ``tier``; used when ``orders`` has
        no ``tier`` column.
    rule
        One of :data:`ALLOCATION_RULES`.
    tier_order
        Tiers from highest to lowest priority.
    due_column
        Due-date column(s); default the one used to build ``result``.
    all_lines
        Return every open line in the horizon, not only those that go short.

    Returns
    -------
    pandas.DataFrame
        One row per affected open line: ``order_id``, ``line_no``,
        ``customer_id``, ``item_id``, ``tier``, ``priority`` (0 = highest tier),
        ``due_date`` (NaT if none), ``period`` (due period, past due = 0),
        ``qty_open``, ``qty_short`` (unserved at its due period), ``short_from``
        (start of that period), ``covered_by_date`` (start of the period in which it
        is fully served, NaT if not within the horizon). Sorted by item, period and
        service order.
    """
    check_choice(rule, ALLOCATION_RULES, key="rule", what=f"allocation rule {rule!r}")
    if not isinstance(result, PabResult):
        raise InputTypeError(
            f"allocate_shortages needs a PabResult, got {type(result).__name__}",
            key="result", value=type(result).__name__, fix="pass project_pab(inputs).")
    inp = result.inputs
    lines, item = _lines_of(orders, result, due_column)
    n_t = result.pab.shape[1]
    sel = np.arange(item.size) if all_lines else _lines_of_short_items(lines, item, result)
    item = item[sel]
    period = lines.period[sel]
    qty = lines.qty[sel]
    pos = lines.pos[sel]
    due = lines.due[sel]

    rank, tier_codes, tier_labels = _tier_rank(orders, customers, pos, tier_order)
    order, cls = _service_order(orders, rule, item, rank, pos, due)
    item, cls, period, qty = item[order], cls[order], period[order], qty[order]
    cum_q = _queue_totals(item, cls, qty)
    shipped, base, stride = _shipped(inp.on_hand, result.supply, item, cls, period, qty)

    tol = 1e-9 * np.maximum(1.0, cum_q)
    short = np.clip(cum_q - shipped[base + period * stride], 0.0, qty)
    short[short <= tol] = 0.0
    hit = np.arange(order.size) if all_lines else np.flatnonzero(short > 0)
    covered = period[hit].copy()  # lines served on their due date
    need = np.flatnonzero(short[hit] > 0)
    covered[need] = _first_index(shipped, base[hit[need]], stride, period[hit[need]], n_t,
                                 cum_q[hit[need]] - tol[hit[need]], strict=False)

    starts = inp.period_start.to_numpy()
    nat = np.datetime64("NaT").astype(starts.dtype)
    covered_date = np.where(covered < n_t, starts[np.minimum(covered, n_t - 1)], nat)
    orig = order[hit]
    src = pos[orig]
    out = pd.DataFrame({
        "order_id": orders["order_id"].take(src).reset_index(drop=True),
        "line_no": orders["line_no"].take(src).reset_index(drop=True),
        "customer_id": orders["customer_id"].take(src).reset_index(drop=True),
        "item_id": pd.Categorical.from_codes(item[hit], categories=inp.item_id,
                                             validate=False),
        "tier": tier_labels.take(tier_codes[orig]),
        "priority": rank[orig],
        "due_date": due[orig],
        "period": period[hit],
        "qty_open": qty[hit],
        "qty_short": short[hit],
        "short_from": starts[period[hit]],
        "covered_by_date": covered_date,
    })
    resort = np.lexsort((np.arange(hit.size), period[hit], item[hit]))
    return out.take(resort).reset_index(drop=True)


def _lines_of(orders: pd.DataFrame, result: PabResult, due_column: str | Sequence[str] | None
              ) -> tuple[OpenLines, np.ndarray]:
    """Return the open lines in the horizon of ``result`` and their rows in it."""
    inp = result.inputs
    due_cols = check_due_columns(due_column) if due_column is not None else inp.due_column
    require_frame(orders, "order_lines", ("order_id", "line_no", "customer_id"))
    lines = open_lines(orders, PeriodGrid.of(inp), due_cols, inp.closed_statuses)
    mapping = inp.item_id.get_indexer(lines.item_uniques)
    item = mapping[lines.item_codes]
    if (item < 0).any():
        unknown = lines.item_uniques[lines.item_codes[item < 0]].unique()[:5].tolist()
        raise ConfigError(
            f"order lines reference item(s) not in the PAB result, e.g. {unknown}",
            key="item_id", value=unknown,
            fix="build the PAB result from the same order lines (build_buckets(orders, ...)).",
        )
    return lines, item


def _lines_of_short_items(lines: OpenLines, item: np.ndarray, result: PabResult
                          ) -> np.ndarray:
    """Positions of the lines whose item has a line on backorder at some period.

    Items whose lines are all served on their due date have no short line: their
    lines are skipped up front. Open quantity due minus stock available,
    cumulated: > 0 means lines on backorder.
    """
    inp = result.inputs
    n, n_t = result.pab.shape
    supply = result.supply
    due_qty = np.bincount(item * n_t + lines.period, weights=lines.qty, minlength=n * n_t)
    due_qty = due_qty.reshape(n, n_t)
    gap = due_qty - supply
    np.cumsum(gap, axis=1, out=gap)
    gap -= inp.on_hand[:, None]
    scale = 1.0 + inp.on_hand + supply.sum(axis=1) + due_qty.sum(axis=1)
    short_item = (gap > (1e-9 * scale)[:, None]).any(axis=1)
    return np.flatnonzero(short_item[item])


def _fill_missing_days(days: np.ndarray, *, first: bool) -> np.ndarray:
    """Replace :data:`~workbench.validation.MISSING_DAY` by a day outside the dates.

    The fill is one day before the earliest (``first``) or after the latest date.
    """
    nat = days == MISSING_DAY
    if not nat.any():
        return days
    valid = days[~nat]
    fill = (valid.min(initial=0) - 1) if first else (valid.max(initial=0) + 1)
    return np.where(nat, fill, days)


def _service_order(orders: pd.DataFrame, rule: str, item: np.ndarray, rank: np.ndarray,
                   pos: np.ndarray, due: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Service order of the lines under ``rule`` and each line's service class.

    Ties keep file order (lines are in file order, the sort is stable). An unknown
    due date is served first, an unknown order date last among equals.
    """
    due_days = _fill_missing_days(day_numbers(due, missing="sentinel"), first=True)
    if "order_date" in orders.columns:
        od = _fill_missing_days(day_numbers(orders["order_date"], missing="sentinel",
                                            table="order_lines", column="order_date")[pos],
                                first=False)
    else:
        od = np.zeros(pos.size, dtype=np.int64)
    if rule == "priority_then_due":
        return _sort_order(item, rank, due_days, od), rank
    cls = np.zeros_like(rank)
    if rule == "due_then_priority":
        return _sort_order(item, due_days, rank, od), cls
    return _sort_order(item, due_days, od), cls


def _queue_totals(item: np.ndarray, cls: np.ndarray, qty: np.ndarray) -> np.ndarray:
    """Cumulative quantity of each line's (item, class) queue, this line included.

    The lines are sorted by item, class and service order.
    """
    m = qty.size
    new_group = np.ones(m, dtype=bool)
    new_group[1:] = (item[1:] != item[:-1]) | (cls[1:] != cls[:-1])
    csum = np.cumsum(qty)
    start = np.flatnonzero(new_group)
    return csum - np.repeat(csum[start] - qty[start], np.diff(np.append(start, m)))


def _shipped(on_hand: np.ndarray, supply: np.ndarray, item: np.ndarray, cls: np.ndarray,
             period: np.ndarray, qty: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Cumulative quantity shipped to each (item, class) by each period.

    Returns the flat array, each line's base offset into it and the period stride
    (see :func:`_ship_by_class`; with one class the layout is ``(items, T)``).
    """
    n_t = supply.shape[1]
    used = np.unique(item)
    u = np.searchsorted(used, item)
    supply_u = supply[used]
    if item.size == 0 or cls.max() == cls.min():
        available = np.cumsum(supply_u, axis=1)
        available += on_hand[used, None]
        due_cum = np.cumsum(np.bincount(u * n_t + period, weights=qty,
                                        minlength=used.size * n_t).reshape(-1, n_t), axis=1)
        return np.minimum(available, due_cum).ravel(), u * n_t, 1
    return _ship_by_class(on_hand[used], supply_u, u, cls, period, qty)


def _sort_order(*keys: np.ndarray) -> np.ndarray:
    """Stable order by integer ``keys`` (most significant first), like ``np.lexsort``.

    Packs the keys into one int64 when their ranges fit in 63 bits (one fast
    ``argsort`` instead of one sort pass per key); falls back to ``np.lexsort``.
    """
    if keys[0].size == 0:
        return np.zeros(0, dtype=np.int64)
    packed = np.zeros(keys[0].size, dtype=np.int64)
    shift = 0
    for key in reversed(keys):
        k = key.astype(np.int64) - int(key.min())
        width = int(k.max()).bit_length()
        if shift + width > 63:
            return np.lexsort(keys[::-1])
        if width:
            packed |= k << shift
        shift += width
    return np.argsort(packed, kind="stable")


def _tier_rank(orders: pd.DataFrame, customers: pd.DataFrame | None, pos: np.ndarray,
               tier_order: Sequence[str]) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Priority rank per line (0 = first tier; missing/unlisted tier = last).

    Tier comes from ``orders.tier``, else ``customers.tier`` by ``customer_id``.
    Returns ranks, codes into the tier labels, and the labels (last label = missing).
    """
    order_index = pd.Index([str(t).strip() for t in tier_order])
    if "tier" in orders.columns:
        codes, labels = pd.factorize(orders["tier"].take(pos))
    elif customers is not None:
        require_frame(customers, "customers", ("customer_id", "tier"))
        cust_codes, cust = pd.factorize(orders["customer_id"].take(pos))
        lookup = customers.drop_duplicates("customer_id")
        idx = pd.Index(lookup["customer_id"]).astype(str).get_indexer(pd.Index(cust).astype(str))
        tiers = lookup["tier"].to_numpy(dtype=object)
        tier_of_cust = np.where(idx >= 0, tiers[np.maximum(idx, 0)] if tiers.size else None,
                                None)
        t_codes, labels = pd.factorize(tier_of_cust)
        codes = np.where(cust_codes < 0, -1, t_codes[cust_codes] if t_codes.size else -1)
    else:
        codes, labels = np.full(pos.size, -1, dtype=np.int64), []
    labels = pd.Index([str(x).strip() for x in labels] + [None], dtype="str")
    rank_of = order_index.get_indexer(labels)
    rank_of = np.where(rank_of < 0, len(order_index), rank_of)
    rank_of[-1] = len(order_index)
    codes = np.where(codes < 0, len(labels) - 1, codes)
    return rank_of[codes], codes, labels


def _ship_by_class(on_hand: np.ndarray, supply: np.ndarray, u: np.ndarray, cls: np.ndarray,
                   period: np.ndarray, qty: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Serve classes in order, period by period (vectorized over items).

    ``on_hand``/``supply`` hold the rows of the items with lines (``u`` indexes
    them). Returns the cumulative quantity shipped to each class, laid out as
    ``(T, classes, items)`` and flattened, with each line's base offset and the
    period stride.
    """
    n_u, n_t = supply.shape
    classes = np.unique(cls)
    r = np.searchsorted(classes, cls)
    n_r = classes.size
    due = np.bincount((period * n_r + r) * n_u + u, weights=qty,
                      minlength=n_t * n_r * n_u).reshape(n_t, n_r, n_u)
    arrivals = np.ascontiguousarray(supply.T)  # (T, n_u)
    arrivals[0] += on_hand  # on hand is there in period 0
    stock = np.zeros(n_u)
    backlog = np.zeros((n_r, n_u))
    shipped = np.zeros((n_r, n_u))
    out = np.empty((n_t, n_r, n_u))
    ship = np.empty(n_u)
    for t in range(n_t):  # T x classes steps, each over all items at once
        stock += arrivals[t]
        backlog += due[t]
        for k in range(n_r):
            np.minimum(stock, backlog[k], out=ship)
            stock -= ship
            backlog[k] -= ship
            shipped[k] += ship
        out[t] = shipped
    return out.ravel(), r * n_u + u, n_r * n_u


def _first_index(flat: np.ndarray, base: np.ndarray, stride: int, lo: np.ndarray,
                 hi: int, values: np.ndarray, *, strict: bool) -> np.ndarray:
    """Vectorized bisection over rows of a row-wise non-decreasing matrix.

    For each query ``q``: the first ``j`` in ``[lo[q], hi)`` with
    ``flat[base[q] + j * stride] > values[q]`` (``strict``) or ``>=`` (not strict);
    ``hi`` if there is none. Exact (no floating-point offsets).
    """
    lo = lo.astype(np.int64, copy=True)
    hi_arr = np.full(lo.shape, hi, dtype=np.int64)
    active = np.flatnonzero(lo < hi_arr)
    while active.size:
        a_lo, a_hi = lo[active], hi_arr[active]
        mid = (a_lo + a_hi) // 2
        v = flat[base[active] + mid * stride]
        found = v > values[active] if strict else v >= values[active]
        hi_arr[active] = np.where(found, mid, a_hi)
        lo[active] = np.where(found, a_lo, mid + 1)
        active = active[lo[active] < hi_arr[active]]
    return lo


