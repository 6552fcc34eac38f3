"""Order-line preparation shared by the customer analyses: live and dated lines, as-of, ordering patterns.

Conventions (see ``docs/data-model.md`` for the tables):

* **Cancelled lines** (``status`` ``cancelled``/``canceled``, any case) are left
  out of every value, volume and ordering-pattern measure: a cancelled order is
  not business won. Lines without an ``order_date`` cannot be placed in time and
  are left out of time-based measures.
* **as_of** (the analysis date) defaults to the day after the latest order
  date, i.e. "the morning after the data ends". Orders dated on or after
  ``as_of`` are ignored.
* **Order days**: the ordering pattern of a customer is the sorted list of the
  distinct days on which it placed orders; an *inter-order interval* is the
  number of days between two consecutive order days (two orders on one day are
  one ordering occasion).
* Dates are handled as whole day numbers since 1970-01-01
  (:func:`workbench.validation.day_numbers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.exceptions import DateParameterError
from workbench.io.schema import CANCELLED_STATUSES
from workbench.kpis.history import add_revenue
from workbench.validation import MISSING_DAY, check_date, day_numbers, require_frame

__all__ = [
    "TOLERANCE",
    "OrderPattern",
    "dated_lines",
    "days_to_timestamps",
    "live_lines",
    "order_pattern",
    "resolve_as_of",
    "str_array",
]

TOLERANCE: float = 1e-9
"""Slack when computed shares and ratios are compared with cut-offs (rounding noise)."""

_ORDER_COLUMNS = ("order_id", "customer_id", "order_date", "qty_ordered")


def live_lines(orders: pd.DataFrame) -> pd.DataFrame:
    """Order lines without the cancelled ones.

    Examples
    --------
    >>> o = pd.DataFrame({"order_id": ["1", "2", "3"], "status": ["open", " Cancelled", None]})
    >>> live_lines(o)["order_id"].tolist()
    ['1', '3']
    """
    if "status" not in orders.columns:
        return orders
    st = orders["status"].astype("str").str.strip().str.lower()
    return orders.loc[~st.isin(CANCELLED_STATUSES).to_numpy(dtype=bool, na_value=False)]


def dated_lines(orders: pd.DataFrame, what: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Live, dated order lines and their order day numbers.

    Parameters
    ----------
    orders
        Order lines with ``order_id, customer_id, order_date, qty_ordered``.
    what
        The analysis asking (named in the error when columns are missing).

    Returns
    -------
    (DataFrame, numpy.ndarray)
        The non-cancelled lines that have an ``order_date``, and those dates as
        int64 days since 1970-01-01.

    Raises
    ------
    MissingColumnsError
        A required column is absent.
    """
    require_frame(orders, "order_lines", _ORDER_COLUMNS, hint=f"Needed for {what}.")
    live = live_lines(orders)
    days = day_numbers(live["order_date"], missing="sentinel", table="order_lines",
                       column="order_date")
    ok = days != MISSING_DAY
    return live.loc[ok], days[ok]


def resolve_as_of(as_of: object, days: np.ndarray) -> int:
    """Return the analysis date as a day number: ``as_of``, or the day after the latest of ``days``.

    Raises
    ------
    DateParameterError
        ``as_of`` is not a date, or it is left out and there are no dated lines.

    Examples
    --------
    >>> resolve_as_of(None, np.array([3, 10]))
    11
    >>> resolve_as_of("1970-01-05", np.array([], dtype="int64"))
    4
    """
    if as_of is None:
        if days.size == 0:
            raise DateParameterError(
                "as_of cannot be inferred: there are no dated, non-cancelled order lines",
                key="as_of", value=None, fix="pass as_of explicitly or check the order lines.")
        return int(days.max()) + 1
    ts = check_date(as_of, key="as_of",
                    fix=("pass the analysis date, e.g. as_of='2025-03-03', or leave it out "
                         "(the day after the latest order)."))
    return int(day_numbers([ts], missing="sentinel")[0])


def days_to_timestamps(days: np.ndarray | int) -> pd.Series | pd.Timestamp:
    """Day numbers back to timestamps: a Timestamp for a scalar, else a Series (NaT where NaN).

    Examples
    --------
    >>> days_to_timestamps(1)
    Timestamp('1970-01-02 00:00:00')
    >>> days_to_timestamps(np.array([0.0, np.nan])).tolist()
    [Timestamp('1970-01-01 00:00:00'), NaT]
    """
    if np.isscalar(days):
        return pd.Timestamp(np.datetime64(int(days), "D"))
    arr = np.asarray(days, dtype=np.float64)
    out = np.full(arr.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = ~np.isnan(arr)
    out[ok] = arr[ok].astype(np.int64).astype("datetime64[D]")
    return pd.Series(out.astype("datetime64[ns]"))


def str_array(values: Sequence[str] | np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Labels as a pandas string array (the dtype of every text column in results)."""
    return pd.array(np.asarray(values, dtype=object), dtype="str")


@dataclass
class OrderPattern:
    """Per-customer ordering pattern before as-of (arrays indexed by customer code)."""

    labels: pd.Index
    """Customer ids; position = customer code."""
    cust: np.ndarray
    """Per order: customer code."""
    day: np.ndarray
    """Per order: order day (its earliest line)."""
    qty: np.ndarray
    """Per order: quantity."""
    revenue: np.ndarray
    """Per order: revenue (0 for lines without a price)."""
    has_price: bool
    """Whether the lines carry ``unit_price``."""
    n_orders: np.ndarray
    """Per customer: distinct orders."""
    first: np.ndarray
    """Per customer: first order day."""
    last: np.ndarray
    """Per customer: last order day."""
    iv_cust: np.ndarray
    """Inter-order intervals, sorted by (customer, length): customer code."""
    iv_len: np.ndarray
    """Inter-order intervals: length in days (float)."""
    n_intervals: np.ndarray
    """Per customer: number of intervals."""


def _orders_of(live: pd.DataFrame, days: np.ndarray) -> pd.DataFrame:
    """One row per (customer, order): first day, quantity and revenue."""
    has_price = "unit_price" in live.columns
    rev = (add_revenue(live)["revenue"].to_numpy(dtype=np.float64, na_value=np.nan)
           if has_price else np.zeros(len(live)))
    lines = pd.DataFrame({
        "customer_id": live["customer_id"].to_numpy(),
        "order_id": live["order_id"].to_numpy(),
        "day": days,
        "qty": live["qty_ordered"].to_numpy(dtype=np.float64, na_value=np.nan),
        "revenue": rev,
    })
    lines = lines.loc[lines["customer_id"].notna() & lines["order_id"].notna()]
    return lines.groupby(["customer_id", "order_id"], sort=False, observed=True).agg(
        day=("day", "min"), qty=("qty", "sum"), revenue=("revenue", "sum"))


def _intervals(cust: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intervals between consecutive distinct order days per customer, sorted by (customer, length)."""
    span = int(day.max() - day.min() + 1) if day.size else 1
    base = int(day.min()) if day.size else 0
    key = np.unique(cust.astype(np.int64) * span + (day - base))
    uc, ud = key // span, key % span + base
    same = uc[1:] == uc[:-1]
    iv_cust = uc[1:][same]
    iv_len = (ud[1:] - ud[:-1])[same]
    o = np.lexsort((iv_len, iv_cust))
    return iv_cust[o], iv_len[o]


def order_pattern(orders: pd.DataFrame, as_of: object, what: str) -> tuple[OrderPattern, int]:
    """Orders (one row per order) and inter-order intervals per customer before as-of.

    Parameters
    ----------
    orders
        Order lines (cancelled and undated lines are left out).
    as_of
        Analysis date (see :func:`resolve_as_of`).
    what
        The analysis asking (named in the error when columns are missing).

    Returns
    -------
    (OrderPattern, int)
        The pattern and the resolved as-of day number.
    """
    live, days = dated_lines(orders, what)
    a = resolve_as_of(as_of, days)
    keep = days < a
    live, days = live.loc[keep], days[keep]
    by_order = _orders_of(live, days)
    cust, labels = pd.factorize(by_order.index.get_level_values(0), sort=True)
    nc = len(labels)
    day = by_order["day"].to_numpy(np.int64)
    first = np.full(nc, np.iinfo(np.int64).max)
    np.minimum.at(first, cust, day)
    last = np.full(nc, np.iinfo(np.int64).min)
    np.maximum.at(last, cust, day)
    iv_cust, iv_len = _intervals(cust, day)
    pattern = OrderPattern(
        labels=pd.Index(labels), cust=cust, day=day, qty=by_order["qty"].to_numpy(np.float64),
        revenue=by_order["revenue"].to_numpy(np.float64), has_price="unit_price" in live.columns,
        n_orders=np.bincount(cust, minlength=nc), first=first, last=last, iv_cust=iv_cust,
        iv_len=iv_len.astype(np.float64), n_intervals=np.bincount(iv_cust, minlength=nc))
    return pattern, a
