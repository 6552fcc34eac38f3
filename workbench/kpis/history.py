"""Order-history overviews: volume over time, top customers and items.

Pure functions on the ``order_lines`` frame of the data model (see
``docs/data-model.md``). Output frames are long and tidy with predictable
column names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.exceptions import NotAvailableError
from workbench.validation import (
    check_choice,
    check_count,
    check_date,
    check_frequency,
    date_values,
    require_frame,
)

__all__ = [
    "PERIOD_FREQUENCIES",
    "PeriodFilter",
    "add_revenue",
    "filter_period",
    "period_start",
    "top",
    "volume_by_period",
]

PERIOD_FREQUENCIES: tuple[str, ...] = ("D", "W", "M", "Q")
"""Period codes of :func:`period_start`: day, week (from Monday), month, quarter."""

_RANGE_FREQ = {"D": "D", "W": "W-MON", "M": "MS", "Q": "QS"}
_MEASURES = ("revenue", "qty", "lines")


def period_start(dates: pd.Series, freq: str = "W") -> pd.Series:
    """First day of the period holding each date (weeks start on Monday).

    Parameters
    ----------
    dates
        Dates (a datetime Series; other values are read as dates).
    freq
        ``"D"``, ``"W"``, ``"M"`` or ``"Q"`` (any case).

    Raises
    ------
    FrequencyError
        Unknown ``freq``.
    DateColumnError
        ``dates`` holds values that are not dates.

    Examples
    --------
    >>> period_start(pd.Series(pd.to_datetime(["2024-01-07", "2024-02-29"])), "W").tolist()
    [Timestamp('2024-01-01 00:00:00'), Timestamp('2024-02-26 00:00:00')]
    """
    freq = check_frequency(freq, PERIOD_FREQUENCIES, key="freq")
    if not pd.api.types.is_datetime64_any_dtype(dates):
        dates = pd.Series(date_values(dates, column=str(getattr(dates, "name", "date"))),
                          index=getattr(dates, "index", None),
                          name=getattr(dates, "name", None))
    if freq == "D":
        return dates.dt.normalize()
    if freq == "W":
        return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    return dates.dt.to_period(freq).dt.start_time


@dataclass(frozen=True)
class PeriodFilter:
    """Result of :func:`filter_period`: the rows kept and what was left out."""

    orders: pd.DataFrame
    outside: int
    undated: int


def filter_period(orders: pd.DataFrame, start: str | None = None, end: str | None = None, *,
                  date_column: str = "order_date") -> PeriodFilter:
    """Keep the lines whose ``date_column`` lies in ``[start, end]`` (both optional).

    Lines without a date are left out when a bound is given and counted in
    ``undated``, so the caller can say how many.

    Raises
    ------
    NotAvailableError
        ``orders`` has no ``date_column``.
    DateParameterError
        ``start`` or ``end`` is not a date.
    """
    if date_column not in orders:
        raise NotAvailableError(f"filtering by {date_column}", [date_column])
    if not (start or end):
        return PeriodFilter(orders, 0, 0)
    d = orders[date_column]
    keep = d.notna()
    if start:
        keep &= d >= check_date(start, key="start")
    if end:
        keep &= d <= check_date(end, key="end")
    undated = int(d.isna().sum())
    return PeriodFilter(orders.loc[keep], int((~keep).sum()) - undated, undated)


def add_revenue(orders: pd.DataFrame) -> pd.DataFrame:
    """Add ``revenue = qty_ordered * unit_price`` (NaN where the price is missing).

    Raises
    ------
    NotAvailableError
        No ``unit_price`` column.
    MissingColumnsError
        No ``qty_ordered`` column.
    """
    if "unit_price" not in orders:
        raise NotAvailableError("revenue", ["unit_price"])
    require_frame(orders, "order_lines", ["qty_ordered"])
    return orders.assign(revenue=orders["qty_ordered"] * orders["unit_price"])


def volume_by_period(orders: pd.DataFrame, freq: str = "W", *,
                     date_column: str = "order_date") -> pd.DataFrame:
    """Order lines, distinct orders, quantity and (if priced) revenue per period.

    Returns
    -------
    DataFrame
        ``period_start, lines, orders, qty, revenue`` (``revenue`` only with
        ``unit_price``); periods with no orders appear with zeros.

    Raises
    ------
    FrequencyError
        Unknown ``freq``.
    NotAvailableError
        ``orders`` has no ``date_column``.
    MissingColumnsError
        ``order_id`` or ``qty_ordered`` is absent.
    """
    freq = check_frequency(freq, PERIOD_FREQUENCIES, key="freq")
    if date_column not in orders:
        raise NotAvailableError("order volume over time", [date_column])
    require_frame(orders, "order_lines", ["order_id", "qty_ordered"])
    d = orders.loc[orders[date_column].notna()]
    frame = d.assign(period_start=period_start(d[date_column], freq))
    agg = {"lines": ("order_id", "size"), "orders": ("order_id", "nunique"),
           "qty": ("qty_ordered", "sum")}
    if "unit_price" in d:
        frame = add_revenue(frame)
        agg["revenue"] = ("revenue", "sum")
    out = frame.groupby("period_start").agg(**agg)
    if len(out):
        full = pd.date_range(out.index.min(), out.index.max(), freq=_RANGE_FREQ[freq])
        out = out.reindex(full, fill_value=0)
        out.index.name = "period_start"
    return out.reset_index()


def top(orders: pd.DataFrame, by: str = "customer_id", *, n: int = 10,
        measure: str = "revenue") -> pd.DataFrame:
    """Top ``n`` customers or items by revenue, quantity or lines, with Pareto shares.

    Returns
    -------
    DataFrame
        ``<by>, lines, orders, qty, revenue?, value, share, cum_share, rank``,
        where ``value`` is the ranking measure and the shares are of its total
        over *all* rows (so the top-n shares show how concentrated the business is).

    Raises
    ------
    ChoiceError
        ``by`` is not a column of ``orders``, or an unknown ``measure``.
    CountError
        ``n`` is not a whole number >= 0.
    NotAvailableError
        Ranking by revenue without ``unit_price``.
    MissingColumnsError
        ``order_id`` or ``qty_ordered`` is absent.
    """
    check_choice(by, list(orders.columns), key="by",
                 what=f"group column {by!r}")
    check_choice(measure, _MEASURES, key="measure")
    n = check_count(n, "n")
    require_frame(orders, "order_lines", ["order_id", "qty_ordered"])
    frame = add_revenue(orders) if "unit_price" in orders else orders
    if measure == "revenue" and "revenue" not in frame:
        raise NotAvailableError("ranking by revenue", ["unit_price"])
    agg = {"lines": ("order_id", "size"), "orders": ("order_id", "nunique"),
           "qty": ("qty_ordered", "sum")}
    if "revenue" in frame:
        agg["revenue"] = ("revenue", "sum")
    g = frame.groupby(by, observed=True).agg(**agg)
    g["value"] = g[measure]
    total = g["value"].sum()
    g = g.sort_values("value", ascending=False)
    g["share"] = g["value"] / total if total else 0.0
    g["cum_share"] = g["share"].cumsum()
    g["rank"] = range(1, len(g) + 1)
    return g.head(n).reset_index()
