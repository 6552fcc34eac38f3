"""Customer and item segmentation: ABC by value, Pareto concentration, XYZ variability, RFM.

Pure, vectorized functions on the data-model frames (``order_lines``, ``items``;
see ``docs/data-model.md``). No Python loop runs per row or per customer;
outputs are long, tidy DataFrames with predictable column names.

Cancelled lines are left out; time-based measures (XYZ, RFM) also leave out
undated lines and orders on or after ``as_of`` (default: the day after the
latest order); see :mod:`workbench.customers.common`. **Revenue** is
``qty_ordered * unit_price`` (:func:`workbench.kpis.history.add_revenue`); lines
without a price contribute nothing to revenue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.customers.common import (
    TOLERANCE,
    dated_lines,
    days_to_timestamps,
    live_lines,
    order_pattern,
    resolve_as_of,
    str_array,
)
from workbench.exceptions import ChoiceError, DateParameterError, NotAvailableError, RangeError
from workbench.kpis.history import add_revenue, period_start
from workbench.validation import (
    check_choice,
    check_count,
    check_frequency,
    check_range,
    require_frame,
)

__all__ = [
    "Concentration",
    "abc_classify",
    "concentration",
    "pareto_curve",
    "rfm_scores",
    "xyz_classify",
]

_RANGE_FREQ = {"D": "D", "W": "W-MON", "M": "MS", "Q": "QS"}
_MEASURES = ("revenue", "margin", "volume")


def _check_cutoffs(cutoffs: object, name: str, *, upper_one: bool) -> tuple[float, float]:
    """Two increasing class cut-offs (both in (0, 1] when ``upper_one``)."""
    try:
        a, b = (float(x) for x in cutoffs)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        a = b = math.nan
    ok = a > 0 and b >= a and (b <= 1 if upper_one else True)
    if not ok:
        rule = "0 < first <= second <= 1" if upper_one else "0 < first <= second"
        raise RangeError(
            f"{name} must be two increasing numbers ({rule}), got {cutoffs!r}",
            key=name, value=cutoffs,
            fix=f"pass e.g. {name}=(0.8, 0.95)" if upper_one else f"pass e.g. {name}=(0.5, 1.0)")
    return a, b


def _check_by(by: str, orders: pd.DataFrame) -> None:
    """Check that the key to classify by is a column of the order lines."""
    if by not in orders.columns:
        raise ChoiceError(f"cannot classify by {by!r}: no such column in the order lines",
                          key="by", value=by, fix="use 'customer_id' or 'item_id'.")


def _line_values(orders: pd.DataFrame, measure: str, items: pd.DataFrame | None) -> pd.Series:
    """Value of each order line for ABC: revenue, margin or volume (quantity)."""
    if measure == "volume":
        return orders["qty_ordered"].astype("float64")
    if "unit_price" not in orders.columns:
        raise NotAvailableError(f"ABC by {measure}", ["order_lines.unit_price"])
    revenue = add_revenue(orders)["revenue"].astype("float64")
    if measure == "revenue":
        return revenue
    if (items is None or not isinstance(items, pd.DataFrame) or "unit_cost" not in items.columns
            or "item_id" not in items.columns or items["unit_cost"].isna().all()):
        raise NotAvailableError("ABC by margin", ["items.unit_cost"])
    require_frame(orders, "order_lines", ("item_id",), hint="Needed for ABC by margin.")
    cost = items.drop_duplicates("item_id").set_index("item_id")["unit_cost"].astype("float64")
    unit_cost = orders["item_id"].map(cost).astype("float64")
    return revenue - orders["qty_ordered"].astype("float64") * unit_cost


def abc_classify(orders: pd.DataFrame, by: str = "customer_id", *, measure: str = "revenue",
                 cutoffs: tuple[float, float] = (0.8, 0.95),
                 items: pd.DataFrame | None = None) -> pd.DataFrame:
    """ABC (Pareto) classification of customers or items by value.

    Parameters
    ----------
    orders : DataFrame
        Order lines (cancelled lines are left out).
    by : str, default "customer_id"
        Column to classify (``"customer_id"``, ``"item_id"`` or any other key).
    measure : {"revenue", "margin", "volume"}, default "revenue"
        ``revenue`` = qty x unit_price; ``margin`` = qty x (unit_price - items.unit_cost);
        ``volume`` = quantity ordered. Lines whose value cannot be computed (no
        price, item without cost) contribute nothing.
    cutoffs : (float, float), default (0.8, 0.95)
        Cumulative value shares closing class A and class B.
    items : DataFrame, optional
        Item master; needed (with ``unit_cost``) for ``measure="margin"``.

    Returns
    -------
    DataFrame
        ``<by>, value, share, cum_share, rank, abc``, sorted by value descending
        (ties by key ascending); ``rank`` is 1 for the largest.

    Raises
    ------
    NotAvailableError
        Revenue/margin without ``unit_price``; margin without ``items.unit_cost``.
    MissingColumnsError
        ``qty_ordered`` is absent (a subclass of ``NotAvailableError``).
    ChoiceError
        Unknown ``by`` or ``measure``.
    RangeError
        Bad ``cutoffs``.

    Notes
    -----
    Boundary rule: walking down the ranking, a key is **A** if the cumulative
    share *before* it is below the A cut-off, so A is the smallest set that
    reaches 80 % of the value and the key that crosses the boundary belongs to
    the higher class. Likewise **B** up to the B cut-off; the rest is **C**.
    Keys with zero (or negative) value are always C. ``share`` is ``value``
    over the sum of positive values; ``cum_share`` accumulates positive values
    only (so it ends at 1).
    """
    check_choice(measure, _MEASURES, key="measure", what=f"ABC measure {measure!r}")
    a_cut, b_cut = _check_cutoffs(cutoffs, "cutoffs", upper_one=True)
    require_frame(orders, "order_lines", ("qty_ordered",), hint=f"Needed for ABC by {measure}.")
    _check_by(by, orders)
    live = live_lines(orders)
    vals = _line_values(live, measure, items)
    g = (pd.DataFrame({by: live[by].to_numpy(), "value": vals.to_numpy()})
         .groupby(by, sort=True, observed=True)["value"].sum().reset_index())
    g = g.sort_values(["value", by], ascending=[False, True], kind="mergesort",
                      ignore_index=True)
    value = g["value"].to_numpy(dtype=np.float64)
    pos = np.clip(value, 0.0, None)
    total = pos.sum()
    if total > 0:
        share = value / total
        cum = np.cumsum(pos) / total
    else:
        share = np.zeros(value.size)
        cum = np.zeros(value.size)
    prev = np.concatenate([[0.0], cum[:-1]])
    cls = np.where(value <= 0, "C", np.where(prev < a_cut - TOLERANCE, "A",
                                             np.where(prev < b_cut - TOLERANCE, "B", "C")))
    g["share"] = share
    g["cum_share"] = cum
    g["rank"] = np.arange(1, len(g) + 1)
    g["abc"] = str_array(cls)
    return g


def pareto_curve(abc_table: pd.DataFrame) -> pd.DataFrame:
    """Pareto (Lorenz-style) curve of an :func:`abc_classify` table.

    Returns
    -------
    DataFrame
        ``share_of_customers, share_of_value``: one point per key in rank
        order, starting at (0, 0) and ending at (1, 1) (or (1, 0) if there is
        no positive value). For an item table, ``share_of_customers`` is the
        share of items.

    Raises
    ------
    MissingColumnsError
        ``abc_table`` lacks ``rank`` or ``cum_share``.
    """
    require_frame(abc_table, "abc_table", ("rank", "cum_share"),
                  hint="Pass the table of abc_classify.")
    t = abc_table.sort_values("rank", kind="mergesort")
    n = len(t)
    x = np.arange(n + 1) / n if n else np.zeros(1)
    y = np.concatenate([[0.0], t["cum_share"].to_numpy(dtype=np.float64)])
    return pd.DataFrame({"share_of_customers": x, "share_of_value": y})


@dataclass(frozen=True)
class Concentration:
    """How much value the top keys carry (see :func:`concentration`)."""

    top_share: float
    """Requested share of keys (e.g. 0.2 for the top 20 %)."""
    top_count: int
    """Keys counted as the top: ``ceil(top_share * count)``."""
    count: int
    """Keys in the table."""
    value_share: float
    """Share of the (positive) value carried by the top keys."""
    entity: str = "customers"

    def __str__(self) -> str:
        return (f"top {self.top_share * 100:g} % of {self.entity} ({self.top_count} of "
                f"{self.count}) carry {self.value_share * 100:.0f} % of value")


def concentration(abc_table: pd.DataFrame, top_share: float = 0.2) -> Concentration:
    """Value share of the top ``top_share`` of keys ("top 20 % carry 78 %").

    The top is the ``ceil(top_share * n)`` highest-ranked keys (at least one);
    ``str()`` of the result gives the sentence.

    Raises
    ------
    RangeError
        ``top_share`` outside (0, 1].
    """
    check_range(top_share, "top_share", low=0, high=1, low_open=True,
                fix="pass e.g. top_share=0.2 for the top 20 %.")
    require_frame(abc_table, "abc_table", ("rank", "cum_share"),
                  hint="Pass the table of abc_classify.")
    n = len(abc_table)
    k = min(n, max(1, math.ceil(top_share * n - TOLERANCE))) if n else 0
    cum = abc_table.sort_values("rank", kind="mergesort")["cum_share"].to_numpy(np.float64)
    entity = "customers" if abc_table.columns[0] == "customer_id" else (
        "items" if abc_table.columns[0] == "item_id" else str(abc_table.columns[0]))
    return Concentration(float(top_share), int(k), int(n), float(cum[k - 1]) if k else 0.0,
                         entity)


def _demand_window(days: np.ndarray, a: int, freq: str,
                   periods: int | None) -> tuple[pd.Series, np.ndarray, int]:
    """Period start of each line, which lines fall in the window, and its number of periods.

    The window holds the complete periods before the one holding day ``a``: the
    last ``periods`` of them, or all from the first period with an order.
    """
    end = period_start(pd.Series([days_to_timestamps(a)]), freq).iloc[0]
    ps = period_start(pd.Series(days.astype("datetime64[D]").astype("datetime64[ns]")), freq)
    before = (ps < end).to_numpy()
    if periods is not None:
        start = pd.date_range(end=end, periods=int(periods) + 1, freq=_RANGE_FREQ[freq])[0]
    elif before.any():
        start = ps[before].min()
    else:
        start = end
    n = len(pd.date_range(start, end, freq=_RANGE_FREQ[freq], inclusive="left"))
    if n == 0:
        raise DateParameterError(
            f"no complete {freq} period of order history before as_of "
            f"{days_to_timestamps(a).date()}",
            key="as_of", value=str(days_to_timestamps(a).date()),
            fix="pass a later as_of or a finer freq.")
    return ps, before & (ps >= start).to_numpy(), n


def xyz_classify(orders: pd.DataFrame, *, by: str = "item_id", freq: str = "W",
                 cutoffs: tuple[float, float] = (0.5, 1.0), as_of: object = None,
                 periods: int | None = None, adi_cutoff: float = 1.32,
                 cv2_cutoff: float = 0.49) -> pd.DataFrame:
    """XYZ (demand variability) and Syntetos-Boylan demand-pattern classification.

    Parameters
    ----------
    orders : DataFrame
        Order lines; demand is ``qty_ordered`` by ``order_date`` (cancelled
        lines left out).
    by : str, default "item_id"
        Key to classify (items, or customers, ...).
    freq : {"D", "W", "M", "Q"}, default "W"
        Demand period (weeks start on Monday).
    cutoffs : (float, float), default (0.5, 1.0)
        X if CV <= first, Y if CV <= second, else Z.
    as_of : date, optional
        End of the analysis (exclusive); default the day after the latest order.
        Only *complete* periods before the period holding ``as_of`` are used.
    periods : int, optional
        Analyse the last ``periods`` complete periods; default every period
        from the first one holding an order.
    adi_cutoff, cv2_cutoff : float, default 1.32, 0.49
        Syntetos-Boylan cut-offs.

    Returns
    -------
    DataFrame
        ``<by>, periods, demand_periods, total, mean, std, cv, xyz, adi, cv2,
        pattern``, one row per key with demand in the window, sorted by key.

    Raises
    ------
    MissingColumnsError
        ``order_id, customer_id, order_date`` or ``qty_ordered`` is absent.
    ChoiceError, FrequencyError, CountError, RangeError
        Unknown ``by`` or ``freq``, bad ``periods`` or ``cutoffs``.
    DateParameterError
        Bad ``as_of``, or no complete period before it.

    Notes
    -----
    * The window is the same for every key; periods without demand count as
      zero. ``mean`` and ``std`` (population, ddof=0) are of the per-period
      demand over the whole window; ``cv = std / mean``.
    * ``adi`` (average demand interval) = periods / periods with demand.
    * ``cv2`` = squared CV (ddof=0) of the *non-zero* period demands (demand
      size when demand occurs).
    * Pattern (Syntetos-Boylan): ``smooth`` (ADI < 1.32, CV² < 0.49),
      ``erratic`` (ADI < 1.32, CV² >= 0.49), ``intermittent`` (ADI >= 1.32,
      CV² < 0.49), ``lumpy`` (ADI >= 1.32, CV² >= 0.49).
    """
    x_cut, y_cut = _check_cutoffs(cutoffs, "cutoffs", upper_one=False)
    freq = check_frequency(freq, tuple(_RANGE_FREQ), what="XYZ demand periods")
    if periods is not None:
        check_count(periods, "periods", minimum=1, fix="pass e.g. periods=52 or None.")
    live, days = dated_lines(orders, "XYZ classification")
    _check_by(by, live)
    a = resolve_as_of(as_of, days)
    ps, keep, n = _demand_window(days, a, freq, periods)
    per = (pd.DataFrame({by: live[by].to_numpy()[keep], "period": ps.to_numpy()[keep],
                         "qty": live["qty_ordered"].to_numpy(dtype=np.float64)[keep]})
           .groupby([by, "period"], sort=False, observed=True)["qty"].sum())
    q = per.to_numpy(dtype=np.float64)
    frame = pd.DataFrame({by: per.index.get_level_values(0), "s1": q, "s2": q * q,
                          "k": (q > 0).astype(np.int64)})
    g = frame.groupby(by, sort=True, observed=True).agg(total=("s1", "sum"), s2=("s2", "sum"),
                                                        demand_periods=("k", "sum"))
    g = g.loc[g["demand_periods"] > 0]
    total = g["total"].to_numpy(np.float64)
    s2 = g["s2"].to_numpy(np.float64)
    k = g["demand_periods"].to_numpy(np.int64)
    mean = total / n
    std = np.sqrt(np.clip(s2 / n - mean * mean, 0.0, None))
    cv = std / mean
    size_mean = total / k
    size_var = np.clip(s2 / k - size_mean * size_mean, 0.0, None)
    cv2 = size_var / (size_mean * size_mean)
    adi = n / k
    xyz = np.where(cv <= x_cut + TOLERANCE, "X", np.where(cv <= y_cut + TOLERANCE, "Y", "Z"))
    frequent = adi < adi_cutoff
    steady = cv2 < cv2_cutoff
    pattern = np.where(frequent, np.where(steady, "smooth", "erratic"),
                       np.where(steady, "intermittent", "lumpy"))
    return pd.DataFrame({
        by: g.index.to_numpy(), "periods": np.full(k.size, n, dtype=np.int64),
        "demand_periods": k, "total": total, "mean": mean, "std": std, "cv": cv,
        "xyz": str_array(xyz), "adi": adi, "cv2": cv2, "pattern": str_array(pattern),
    })


def _scores(values: np.ndarray, bins: int, *, higher_is_better: bool) -> np.ndarray:
    """1..bins score: 1 + floor(bins x share of keys strictly worse); ties share a score."""
    v = values if higher_is_better else -values
    worse = pd.Series(v).rank(method="min").to_numpy(np.int64) - 1
    return 1 + (bins * worse) // max(len(v), 1)


def rfm_scores(orders: pd.DataFrame, *, as_of: object = None, bins: int = 5,
               loyal_tenure_days: int = 365, loyal_regularity: float = 0.5,
               loyal_min_orders: int = 6) -> pd.DataFrame:
    """Recency, frequency, monetary scores and a loyalty indicator per customer.

    Parameters
    ----------
    orders : DataFrame
        Order lines (cancelled and undated lines left out; only orders before
        ``as_of``).
    as_of : date, optional
        Analysis date; default the day after the latest order.
    bins : int, default 5
        Number of score levels (5 = quintiles); ``bins`` is the best score.
    loyal_tenure_days, loyal_regularity, loyal_min_orders
        Thresholds of the ``loyal`` flag.

    Returns
    -------
    DataFrame
        ``customer_id, first_order_date, last_order_date, recency_days,
        frequency, monetary, R, F, M, rfm, tenure_days, regularity, loyal``,
        sorted by customer.

    Raises
    ------
    MissingColumnsError
        ``order_id, customer_id, order_date`` or ``qty_ordered`` is absent.
    CountError
        ``bins`` is not a whole number >= 2.
    DateParameterError
        Bad ``as_of`` (or none can be inferred).

    Notes
    -----
    * ``recency_days`` = days from the last order to ``as_of``; ``frequency``
      = distinct orders; ``monetary`` = revenue (0 without ``unit_price``).
    * Scores: a customer's score is ``1 + floor(bins * w / n)`` where ``w`` is
      the number of customers *strictly worse* on that measure (longer recency,
      fewer orders, less revenue) and ``n`` the number of customers. Equal
      values always get the same score (the lower one), independent of row order.
    * ``tenure_days`` = first to last order; ``regularity`` = 1 - CV (ddof=0)
      of the inter-order intervals, clipped to [0, 1] (NaN with fewer than two
      intervals); ``loyal`` = tenure >= 365 days, regularity >= 0.5 and at
      least 6 orders (the parameters).
    """
    check_count(bins, "bins", minimum=2, fix="pass e.g. bins=5 for quintile scores.")
    p, a = order_pattern(orders, as_of, "RFM scores")
    nc = len(p.labels)
    monetary = np.bincount(p.cust, weights=np.nan_to_num(p.revenue), minlength=nc)
    recency = (a - p.last).astype(np.int64)
    r = _scores(recency.astype(np.float64), bins, higher_is_better=False)
    f = _scores(p.n_orders.astype(np.float64), bins, higher_is_better=True)
    m = _scores(monetary, bins, higher_is_better=True)
    iv_sum = np.bincount(p.iv_cust, weights=p.iv_len, minlength=nc)
    iv_sq = np.bincount(p.iv_cust, weights=p.iv_len ** 2, minlength=nc)
    k = p.n_intervals
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = iv_sum / k
        std = np.sqrt(np.clip(iv_sq / k - mean ** 2, 0.0, None))
        regularity = np.where(k >= 2, np.clip(1.0 - std / mean, 0.0, 1.0), np.nan)
    tenure = (p.last - p.first).astype(np.int64)
    loyal = ((tenure >= loyal_tenure_days) & (np.nan_to_num(regularity, nan=-1.0)
                                              >= loyal_regularity)
             & (p.n_orders >= loyal_min_orders))
    rs, fs, ms = (pd.Series(x).astype("str") for x in (r, f, m))
    return pd.DataFrame({
        "customer_id": p.labels.to_numpy(),
        "first_order_date": days_to_timestamps(p.first.astype(np.float64)),
        "last_order_date": days_to_timestamps(p.last.astype(np.float64)),
        "recency_days": recency, "frequency": p.n_orders.astype(np.int64),
        "monetary": monetary, "R": r, "F": f, "M": m, "rfm": (rs + fs + ms).to_numpy(),
        "tenure_days": tenure, "regularity": regularity, "loyal": loyal,
    })


