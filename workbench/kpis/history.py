"""Order-history overviews: volume over time, top customers and items.

Pure functions on the ``order_lines`` frame of the data model (see
``docs/data-model.md``). Output frames are long and tidy with predictable
column names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.exceptions import ConfigError, NotAvailableError

_FREQS = {"D": "D", "W": "W-SUN", "M": "MS", "Q": "QS"}


def period_start(dates: pd.Series, freq: str = "W") -> pd.Series:
    """First day of the period holding each date (weeks start on Monday)."""
    if freq not in _FREQS:
        raise ConfigError(f"unknown period {freq!r}", key="freq", value=freq,
                          fix="use 'D' (day), 'W' (week, Monday), 'M' (month) or 'Q' (quarter).")
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
    """
    if date_column not in orders:
        raise NotAvailableError(f"filtering by {date_column}", [date_column])
    if not (start or end):
        return PeriodFilter(orders, 0, 0)
    d = orders[date_column]
    keep = d.notna()
    if start:
        keep &= d >= pd.Timestamp(start)
    if end:
        keep &= d <= pd.Timestamp(end)
    undated = int(d.isna().sum())
    return PeriodFilter(orders.loc[keep], int((~keep).sum()) - undated, undated)


def add_revenue(orders: pd.DataFrame) -> pd.DataFrame:
    """Add ``revenue = qty_ordered * unit_price`` (NaN where the price is missing)."""
    if "unit_price" not in orders:
        raise NotAvailableError("revenue", ["unit_price"])
    return orders.assign(revenue=orders["qty_ordered"] * orders["unit_price"])


def volume_by_period(orders: pd.DataFrame, freq: str = "W", *,
                     date_column: str = "order_date") -> pd.DataFrame:
    """Order lines, distinct orders, quantity and (if priced) revenue per period.

    Returns
    -------
    DataFrame
        ``period_start, lines, orders, qty, revenue`` (``revenue`` only with
        ``unit_price``); periods with no orders appear with zeros.
    """
    if date_column not in orders:
        raise NotAvailableError("order volume over time", [date_column])
    d = orders.loc[orders[date_column].notna()]
    frame = d.assign(period_start=period_start(d[date_column], freq))
    agg = {"lines": ("order_id", "size"), "orders": ("order_id", "nunique"),
           "qty": ("qty_ordered", "sum")}
    if "unit_price" in d:
        frame = add_revenue(frame)
        agg["revenue"] = ("revenue", "sum")
    out = frame.groupby("period_start").agg(**agg)
    if len(out):
        full = pd.date_range(out.index.min(), out.index.max(),
                             freq={"D": "D", "W": "W-MON", "M": "MS", "Q": "QS"}[freq])
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
    """
    if by not in orders:
        raise ConfigError(f"cannot group by {by!r}: no such column", key="by", value=by)
    if measure not in ("revenue", "qty", "lines"):
        raise ConfigError(f"unknown measure {measure!r}", key="measure", value=measure,
                          fix="use 'revenue', 'qty' or 'lines'.")
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
