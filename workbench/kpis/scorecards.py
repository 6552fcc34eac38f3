"""Service scorecards: KPIs against targets, failure reasons, line-level failures.

Builds on the long KPI table of :func:`workbench.kpis.kpi_table` (columns
``<group>..., kpi, numerator, denominator, value, unit, note``) and on the
service-target table of :func:`workbench.customers.service_targets`
(``tier, kpi, target``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.exceptions import NotAvailableError
from workbench.io.schema import CANCELLED_STATUSES, SHIPPED_STATUSES
from workbench.kpis.definitions import PERIODS
from workbench.validation import check_choice, check_date, check_range, require_frame

__all__ = [
    "COMPARISON_KPIS",
    "FAILURE_KPIS",
    "MATURITY_COMPLETION",
    "STATUS_ORDER",
    "compare_to_peers",
    "cycle_times",
    "failure_pareto",
    "line_failures",
    "mature_periods",
    "open_lines",
    "period_maturity",
    "scorecard",
    "styled",
]

STATUS_ORDER = ("green", "amber", "red", "n/a")
"""Traffic-light statuses of :func:`scorecard`, best first."""

#: failure reason -> (KPI in the KPI table, how to count failures from it)
FAILURE_KPIS: dict[str, tuple[str, str]] = {
    "late (vs commit date)": ("on_time_promised_rate", "denominator-numerator"),
    "short shipped": ("short_shipment_rate", "numerator"),
    "damaged": ("damage_rate", "numerator"),
    "invoice error": ("invoice_error_rate", "numerator"),
    "substituted": ("substitution_rate", "numerator"),
    "re-routed": ("route_change_rate", "numerator"),
    "returned": ("return_rate", "numerator"),
}


def scorecard(table: pd.DataFrame, targets: pd.DataFrame, *, by: str | None = "tier",
              amber_margin: float = 0.02, higher_is_better: dict[str, bool] | None = None
              ) -> pd.DataFrame:
    """KPIs against targets with a traffic-light status.

    Parameters
    ----------
    table
        Long KPI table (``kpi_table`` output), grouped by ``by`` (or overall).
    targets
        ``kpi, target`` plus ``tier`` when targets differ per tier. With
        ``by="tier"`` (or a table that carries a ``tier`` column) each group is
        compared with its own tier's target; otherwise with the strictest target
        of each KPI.
    by
        The group column of ``table`` (``None`` for an overall table).
    amber_margin
        Status is *green* when the target is met, *amber* when missed by at
        most ``amber_margin`` (absolute, e.g. 0.02 = 2 points), *red* beyond,
        *n/a* when the KPI has no value (e.g. not available).
    higher_is_better
        Direction per KPI; defaults to higher is better for ``*_rate`` KPIs
        except failure rates (damage, invoice error, late/short shipment, ...).

    Returns
    -------
    DataFrame
        ``<by>, kpi, value, target, gap, status, numerator, denominator``;
        ``gap`` is value - target in the good direction (negative = missed).

    Raises
    ------
    MissingColumnsError
        ``targets`` lacks ``kpi`` or ``target``, or ``table`` lacks a KPI
        table column (or ``by``).
    RangeError
        ``amber_margin`` outside [0, 1).
    """
    require_frame(targets, "service_targets", ["kpi", "target"],
                  hint="Give a table with kpi, target (and tier).")
    require_frame(table, "kpi_table", ["kpi", "value", "numerator", "denominator",
                                       *([by] if by else [])],
                  hint="Pass the output of kpi_table().")
    amber_margin = check_range(amber_margin, "amber_margin", low=0, high=1, high_open=True)
    t = targets.copy()
    keys = ["kpi"]
    if "tier" in t.columns:
        join_col = by if by == "tier" else ("tier" if "tier" in table.columns else None)
        if join_col is None:
            t = t.groupby("kpi", as_index=False)["target"].max()
        else:
            keys = [join_col, "kpi"]
    sub = table[table["kpi"].isin(t["kpi"])].copy()
    if keys[0] != "kpi":
        sub[keys[0]] = sub[keys[0]].astype(str)
        t[keys[0]] = t[keys[0]].astype(str)
    out = sub.merge(t[[*keys, "target"]], on=keys, how="left")
    hib = higher_is_better or {}
    sign = out["kpi"].map(lambda k: 1.0 if hib.get(k, _default_higher(k)) else -1.0)
    gap = (out["value"] - out["target"]) * sign
    status = np.select([out["value"].isna() | out["target"].isna(), gap >= -1e-12,
                        gap >= -amber_margin], ["n/a", "green", "amber"], default="red")
    out["gap"] = gap
    out["status"] = pd.Categorical(status, categories=list(STATUS_ORDER))
    cols = ([by] if by else []) + ["kpi", "value", "target", "gap", "status", "numerator",
                                   "denominator"]
    return out[cols].reset_index(drop=True)


def _default_higher(kpi: str) -> bool:
    worse = ("damage", "invoice_error", "late_shipment", "short_shipment", "stockout",
             "substitution", "route_change", "return", "cycle_time", "backorder", "overdue",
             "complaint", "age")
    return not any(w in kpi for w in worse)


def failure_pareto(table: pd.DataFrame) -> pd.DataFrame:
    """Failure reasons counted from an overall KPI table, largest first, with cumulative share.

    Uses the KPI table's counts (no second pass over the order lines): late =
    delivered lines not on time to the commit date; the others are the
    numerators of their failure-rate KPIs. Reasons whose KPI is not available
    are left out.

    Returns
    -------
    DataFrame
        ``reason, kpi, lines, share, cum_share``.

    Raises
    ------
    MissingColumnsError
        ``table`` is not a KPI table (no ``kpi``, ``numerator``, ``denominator``).
    """
    require_frame(table, "kpi_table", ["kpi", "numerator", "denominator"],
                  hint="failure_pareto needs a KPI table (kpi_table output).")
    overall = table.groupby("kpi", sort=False)[["numerator", "denominator"]].sum(min_count=1)
    rows = []
    for reason, (kpi, how) in FAILURE_KPIS.items():
        if kpi not in overall.index or overall.loc[kpi].isna().any():
            continue
        num, den = overall.loc[kpi, "numerator"], overall.loc[kpi, "denominator"]
        rows.append((reason, kpi, float(den - num if how == "denominator-numerator" else num)))
    out = pd.DataFrame(rows, columns=["reason", "kpi", "lines"])
    out = out.sort_values("lines", ascending=False, kind="stable").reset_index(drop=True)
    total = out["lines"].sum()
    out["share"] = out["lines"] / total if total else 0.0
    out["cum_share"] = out["share"].cumsum()
    return out


def cycle_times(orders: pd.DataFrame) -> pd.Series:
    """Order-to-delivery days of delivered, non-cancelled lines (the cycle-time sample).

    Raises
    ------
    NotAvailableError
        ``order_date`` or ``delivery_date`` is absent.
    """
    missing = [c for c in ("order_date", "delivery_date") if c not in orders]
    if missing:
        raise NotAvailableError("order cycle time", missing)
    live = _not_cancelled(orders)
    d = (orders.loc[live, "delivery_date"] - orders.loc[live, "order_date"]).dt.days
    return d.dropna().rename("cycle_time_days")


def _not_cancelled(orders: pd.DataFrame) -> pd.Series:
    if "status" not in orders:
        return pd.Series(True, index=orders.index)
    st = orders["status"].astype("str").str.strip().str.lower()
    return ~st.isin(CANCELLED_STATUSES).to_numpy(dtype=bool, na_value=False)


def line_failures(orders: pd.DataFrame, *, on_time_tolerance_days: int = 0,
                  in_full_tolerance_pct: float = 0.0) -> pd.DataFrame:
    """Delivered or shipped lines that failed the customer, with the reasons in words.

    A line fails when it is late against its commit date (``promised_date``,
    else ``requested_date``, plus the tolerance), short (delivered, else
    shipped, below ordered x (1 - tolerance)), damaged, mis-invoiced,
    substituted, re-routed or returned. Absent columns simply do not count.

    Returns
    -------
    DataFrame
        The failing lines (``order_id, line_no, customer_id, item_id, order_date,
        commit_date, delivery_date, days_late, qty_ordered, qty_received``) with one
        boolean column per reason and ``reasons`` (comma-separated), newest first.

    Raises
    ------
    MissingColumnsError
        ``qty_ordered`` is absent.
    """
    require_frame(orders, "order_lines", ["qty_ordered"])
    o = orders.loc[_not_cancelled(orders)]
    commit = o["promised_date"] if "promised_date" in o else pd.Series(pd.NaT, index=o.index)
    if "requested_date" in o:
        commit = commit.fillna(o["requested_date"])
    delivered = o["delivery_date"] if "delivery_date" in o else pd.Series(pd.NaT, index=o.index)
    days_late = (delivered - commit).dt.days
    flags = {"late": (days_late > on_time_tolerance_days).fillna(False)}
    received = o["qty_delivered"] if "qty_delivered" in o else pd.Series(np.nan, index=o.index)
    if "qty_shipped" in o:
        received = received.fillna(o["qty_shipped"])
    done = delivered.notna() | (o["ship_date"].notna() if "ship_date" in o else False)
    flags["short"] = (done & (received < o["qty_ordered"] * (1 - in_full_tolerance_pct))
                      ).fillna(False)
    if "qty_damaged" in o:
        flags["damaged"] = (o["qty_damaged"] > 0).fillna(False)
    if "invoice_error" in o:
        flags["invoice error"] = o["invoice_error"].fillna(False).astype(bool)
    if "substituted_item" in o:
        flags["substituted"] = o["substituted_item"].notna() & (
            o["substituted_item"].astype("str").str.strip() != "")
    if "route_changed" in o:
        flags["re-routed"] = o["route_changed"].fillna(False).astype(bool)
    if "qty_returned" in o:
        flags["returned"] = (o["qty_returned"] > 0).fillna(False)
    f = pd.DataFrame({k: np.asarray(v, dtype=bool) for k, v in flags.items()}, index=o.index)
    any_fail = f.any(axis=1)
    base_cols = [c for c in ("order_id", "line_no", "customer_id", "item_id", "order_date")
                 if c in o]
    out = o.loc[any_fail, base_cols].copy()
    out["commit_date"] = commit[any_fail]
    out["delivery_date"] = delivered[any_fail]
    out["days_late"] = days_late[any_fail]
    out["qty_ordered"] = o.loc[any_fail, "qty_ordered"]
    out["qty_received"] = received[any_fail]
    ff = f.loc[any_fail]
    out = pd.concat([out, ff], axis=1)
    reasons = pd.Series("", index=ff.index, dtype=object)
    for col in ff.columns:  # a handful of reason columns, vectorized over the lines
        reasons = reasons + np.where(ff[col].to_numpy(), col + ", ", "")
    out["reasons"] = reasons.str.rstrip(", ")
    sort_col = "delivery_date" if out["delivery_date"].notna().any() else base_cols[0]
    return out.sort_values(sort_col, ascending=False, kind="stable").reset_index(drop=True)


#: smallest share of a period's lines with their completing event for the period to be mature
MATURITY_COMPLETION = 0.99

_PERIOD_OFFSETS = {"D": pd.DateOffset(days=1), "W": pd.DateOffset(weeks=1),
                   "M": pd.DateOffset(months=1), "Q": pd.DateOffset(months=3)}


def period_maturity(table: pd.DataFrame, orders: pd.DataFrame, *, period: str | None = None,
                    as_of: object = None, completion: float = MATURITY_COMPLETION,
                    date_column: str = "order_date") -> pd.DataFrame:
    """Mark each period of a KPI table *mature* or *provisional* (the right-censoring rule).

    KPIs that need a completing event (cycle time, on time, OTIF, in full, fill
    rates) only see the lines of a period that have been delivered. In the
    newest periods the slow lines are still open, so those periods look better
    than they are (right-censoring). A period is **mature** when

    * it has ended: its last day is on or before ``as_of``, and
    * at least ``completion`` (default 99 %) of its non-cancelled lines are
      complete: they have a ``delivery_date`` (a ``ship_date`` when the data
      has no delivery dates at all).

    Every other period is **provisional**: shown, but left out of trends,
    period-on-period changes and control-limit signals. The rule is judged on
    all of ``orders`` (pass the whole data set, also for a table of one
    customer), so every report uses the same periods.

    Parameters
    ----------
    table
        KPI table by period (``kpi_table(..., period=...)``).
    orders
        The order lines the maturity is judged on.
    period
        ``D``, ``W``, ``M`` or ``Q``: the period of the table (default: inferred
        from the spacing of its ``period_start`` values, a month when it has a
        single period).
    as_of
        The reporting date (default: the latest ``date_column`` date of the
        non-cancelled lines, as in the KPI table).
    completion
        Smallest share of complete lines, in (0, 1].
    date_column
        The date the table's periods are of.

    Returns
    -------
    DataFrame
        ``table`` with a boolean ``provisional`` column.

    Raises
    ------
    RangeError
        ``completion`` outside (0, 1].
    NotAvailableError
        ``date_column`` is absent, or both ``delivery_date`` and ``ship_date``.
    ChoiceError
        Unknown ``period``.
    DateParameterError
        ``as_of`` is not a date.

    Examples
    --------
    >>> orders = pd.DataFrame({
    ...     "order_date": pd.to_datetime(["2024-01-10", "2024-02-10", "2024-02-20"]),
    ...     "delivery_date": pd.to_datetime(["2024-01-20", "2024-02-25", None])})
    >>> table = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                       "kpi": "cycle_time_mean", "value": [10.0, 15.0]})
    >>> period_maturity(table, orders, period="M", as_of="2024-03-05")["provisional"].tolist()
    [False, True]
    """
    completion = check_range(completion, "completion", low=0, high=1, low_open=True)
    if "period_start" not in table:
        return table.assign(provisional=False)
    if date_column not in orders:
        raise NotAvailableError(f"period maturity by {date_column}", [date_column])
    event = next((c for c in ("delivery_date", "ship_date")
                  if c in orders and orders[c].notna().any()), None)
    if event is None:
        raise NotAvailableError("period maturity", ["delivery_date or ship_date"])
    live = orders.loc[_not_cancelled(orders)]
    dates = live[date_column]
    as_of = check_date(as_of, key="as_of") if as_of is not None else dates.max()
    starts = pd.DatetimeIndex(sorted(table["period_start"].dropna().unique()))
    offset = _PERIOD_OFFSETS[check_choice(_table_period(starts, period), PERIODS,
                                          key="period")]
    ends = pd.DatetimeIndex([s + offset for s in starts]) - pd.Timedelta(days=1)
    # each line to the table period holding its date (vectorised: searchsorted)
    pos = starts.searchsorted(dates.to_numpy(), side="right") - 1
    ok = (pos >= 0) & dates.notna().to_numpy()
    ok[ok] &= (dates.to_numpy()[ok] <= ends.to_numpy()[pos[ok]])
    lines = np.bincount(pos[ok], minlength=len(starts))
    done = np.bincount(pos[ok], weights=live[event].notna().to_numpy()[ok],
                       minlength=len(starts))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(lines > 0, done / np.maximum(lines, 1), 1.0)
    provisional = pd.Series((ends > as_of) | (share < completion - 1e-12), index=starts)
    out = table.copy()
    out["provisional"] = out["period_start"].map(provisional).fillna(False).astype(bool)
    return out


def _table_period(starts: pd.DatetimeIndex, period: str | None) -> str:
    """Return ``period`` upper-cased, or the period inferred from the spacing of ``starts``."""
    if period is not None:
        return str(period).upper()
    if len(starts) < 2:
        return "M"
    gap = int(np.diff(starts.to_numpy()).min() / np.timedelta64(1, "D"))
    return "Q" if gap >= 89 else "M" if gap >= 28 else "W" if gap >= 7 else "D"


def mature_periods(table: pd.DataFrame, orders: pd.DataFrame, *, period: str | None = None,
                   as_of: object = None, completion: float = MATURITY_COMPLETION,
                   date_column: str = "order_date") -> pd.DataFrame:
    """Keep only the mature periods of a KPI table (drop the provisional ones).

    The rule is :func:`period_maturity` (a period is mature when it has ended
    and at least ``completion`` of its lines are delivered); the arguments are
    the same.

    Raises
    ------
    RangeError
        ``completion`` outside (0, 1].
    NotAvailableError
        ``date_column`` is absent, or both ``delivery_date`` and ``ship_date``.
    """
    marked = period_maturity(table, orders, period=period, as_of=as_of,
                             completion=completion, date_column=date_column)
    return marked[~marked["provisional"]].drop(columns="provisional").reset_index(drop=True)


_FORMATS = {"fraction": "{:.1%}", "days": "{:,.1f}", "ratio": "{:.2f}", "lines": "{:,.0f}",
            "orders": "{:,.0f}", "per 100 orders": "{:,.2f}"}


def styled(table: pd.DataFrame):
    """Format a KPI table for reading: rates as percentages, counts with separators.

    Raises
    ------
    MissingColumnsError
        ``table`` has no ``value`` column.
    """
    require_frame(table, "kpi_table", ["value"], hint="Pass the output of kpi_table().")
    value_text = [
        ("n/a" if pd.isna(v) else _FORMATS.get(str(u), "{:,.2f}").format(v))
        for v, u in zip(table["value"], table.get("unit", [""] * len(table)), strict=True)]
    out = table.assign(value=value_text)
    fmt = {c: "{:,.0f}" for c in ("numerator", "denominator") if c in out}
    return out.style.format(fmt, na_rep="", escape="html").hide(axis="index")


def open_lines(orders: pd.DataFrame, *, as_of: object = None) -> pd.DataFrame:
    """Order lines accepted but not shipped yet, with their due date and how overdue they are.

    A line is open when it is not cancelled and has neither a ship nor a delivery
    date (and its status, if given, is not shipped/delivered/closed). The due date
    is ``promised_date``, else ``requested_date``. ``as_of`` defaults to the day
    after the last order date.

    Returns
    -------
    DataFrame
        ``order_id, line_no, item_id, order_date, due_date, qty_ordered, status,
        age_days, days_overdue, state`` (``overdue`` or ``accepted``), most overdue first.

    Raises
    ------
    MissingColumnsError
        ``order_date`` or ``qty_ordered`` is absent.
    DateParameterError
        ``as_of`` is not a date.
    """
    require_frame(orders, "order_lines", ["order_date", "qty_ordered"])
    o = orders.loc[_not_cancelled(orders)]
    shipped = pd.Series(False, index=o.index)
    for col in ("ship_date", "delivery_date"):
        if col in o:
            shipped |= o[col].notna()
    if "status" in o:
        st = o["status"].astype("str").str.strip().str.lower()
        shipped |= st.isin(SHIPPED_STATUSES).to_numpy(dtype=bool, na_value=False)
    op = o.loc[~shipped]
    as_of = (check_date(as_of, key="as_of") if as_of is not None
             else orders["order_date"].max() + pd.Timedelta(days=1))
    due = op["promised_date"] if "promised_date" in op else pd.Series(pd.NaT, index=op.index)
    if "requested_date" in op:
        due = due.fillna(op["requested_date"])
    cols = [c for c in ("order_id", "line_no", "customer_id", "item_id", "order_date")
            if c in op]
    out = op[cols].copy()
    out["due_date"] = due
    out["qty_ordered"] = op["qty_ordered"]
    out["status"] = op["status"] if "status" in op else "open"
    out["age_days"] = (as_of - op["order_date"]).dt.days
    out["days_overdue"] = (as_of - due).dt.days.clip(lower=0)
    out["state"] = np.where(due < as_of, "overdue", "accepted")
    return out.sort_values(["days_overdue", "due_date"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


COMPARISON_KPIS = ("otif_order_rate", "on_time_promised_rate", "on_time_requested_rate",
                   "in_full_order_rate", "line_fill_rate", "perfect_order_rate",
                   "cycle_time_mean", "from_stock_rate", "damage_rate", "invoice_error_rate",
                   "return_rate", "complaints_per_100_orders")


def compare_to_peers(mine: pd.DataFrame, by_tier: pd.DataFrame, targets: pd.DataFrame, *,
                     tier: str, kpis: tuple[str, ...] = COMPARISON_KPIS,
                     amber_margin: float = 0.02) -> pd.DataFrame:
    """One customer's KPIs next to its tier's target and its tier's overall value.

    Parameters
    ----------
    mine
        Overall KPI table of the customer's lines.
    by_tier
        KPI table by ``tier`` over all customers (the peer values come from its
        counts, so they are exact tier-level rates, not averages of customers).
    targets
        Service targets (``tier, kpi, target``).
    tier
        The customer's tier.

    Returns
    -------
    DataFrame
        ``kpi, value, tier_value, target, status, numerator, denominator``,
        in the order of ``kpis`` (KPIs missing from ``mine`` are left out).

    Raises
    ------
    MissingColumnsError
        A frame lacks a column used here.
    """
    require_frame(mine, "kpi_table", ["kpi", "value", "numerator", "denominator"],
                  hint="Pass the customer's kpi_table() output.")
    require_frame(by_tier, "kpi_table", ["tier", "kpi", "value"],
                  hint="Pass kpi_table(..., by='tier', customers=...) output.")
    require_frame(targets, "service_targets", ["tier", "kpi", "target"])
    own = mine.set_index("kpi")
    peers = by_tier[by_tier["tier"].astype(str) == str(tier)].set_index("kpi")["value"]
    tgt = targets[targets["tier"].astype(str) == str(tier)].drop(columns="tier")
    rows = [k for k in kpis if k in own.index]
    out = pd.DataFrame({"kpi": rows, "value": own.loc[rows, "value"].to_numpy(),
                        "tier_value": peers.reindex(rows).to_numpy(),
                        "numerator": own.loc[rows, "numerator"].to_numpy(),
                        "denominator": own.loc[rows, "denominator"].to_numpy()})
    status = scorecard(out.assign(unit=""), tgt, by=None, amber_margin=amber_margin)
    out = out.merge(status[["kpi", "target", "status"]], on="kpi", how="left")
    out["status"] = out["status"].astype(str).where(out["target"].notna(), "")
    return out[["kpi", "value", "tier_value", "target", "status", "numerator", "denominator"]]
