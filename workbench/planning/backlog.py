"""Open order backlog by item and period, from the order lines alone.

What the early warning can still show when the inventory snapshot and the supply
plan are missing: the customer demand that is open (ordered, not yet shipped or
delivered) and when it is due. A line is **open** when

* its status (if the data has one) is not a shipped or cancelled status
  (:data:`workbench.planning.buckets.CLOSED_STATUSES`), and
* it has quantity left: ``qty_ordered - qty_shipped`` (``qty_delivered`` when
  there is no ``qty_shipped``; a missing quantity counts as 0) is above zero; when
  the data has neither quantity column, a line with a ``ship_date`` or
  ``delivery_date`` counts as fully shipped.

Its due date is the first of ``requested_date``, ``promised_date`` present on the
line; lines due before the planning date's period are *past due*, lines due after
the horizon *later*, lines without any due date *no due date*. :attr:`Backlog.notes`
says which rules the data allowed (e.g. without a status column, cancelled lines
cannot be told from open ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.planning.buckets import CLOSED_STATUSES, PeriodGrid
from workbench.validation import MISSING_DAY, date_values, require_frame

__all__ = ["DUE_COLUMNS", "Backlog", "open_backlog"]

DUE_COLUMNS: tuple[str, ...] = ("requested_date", "promised_date")
"""Order-line dates a backlog line is due by, first present wins."""

_PAST, _LATER, _NONE = "past due", "later", "no due date"


@dataclass(frozen=True)
class Backlog:
    """Open order lines and their quantities by item and period.

    Attributes
    ----------
    as_of
        Planning date (period 0 holds it).
    lines
        The open lines: the order-line columns plus ``qty_open``, ``due_date`` and
        ``bucket`` (``past due``, a period start ``YYYY-MM-DD``, ``later`` or
        ``no due date``).
    table
        Items x buckets of open quantity, largest total first; columns ``past
        due``, one per period, ``later``, ``no due date`` (when any), ``total``.
    notes
        Sentences saying what the data did not allow (shown under the table).
    """

    as_of: pd.Timestamp
    lines: pd.DataFrame
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _quantity(orders: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(orders[column], errors="coerce").to_numpy(dtype=np.float64,
                                                                     na_value=np.nan)


def _open_quantity(orders: pd.DataFrame, notes: list[str]) -> np.ndarray:
    """Open quantity per line (0 for closed lines), by the rules of the module docstring."""
    qty = np.nan_to_num(_quantity(orders, "qty_ordered"))
    done_col = next((c for c in ("qty_shipped", "qty_delivered") if c in orders.columns
                     and orders[c].notna().any()), None)
    if done_col is not None:
        qty = qty - np.nan_to_num(_quantity(orders, done_col))
    else:
        dates = [c for c in ("ship_date", "delivery_date") if c in orders.columns]
        left = np.zeros(len(orders), dtype=bool)
        for c in dates:
            left |= ~np.isnat(date_values(orders[c], table="order_lines", column=c))
        qty = np.where(left, 0.0, qty)
        if dates:
            notes.append(f"No shipped quantity in the data: a line with a "
                         f"{' or '.join(dates)} counts as fully shipped.")
        else:
            notes.append("No shipped quantity and no ship or delivery date in the data: every "
                         "line counts as open.")
    if "status" in orders.columns and orders["status"].notna().any():
        st = orders["status"].astype("string").str.strip().str.lower()
        closed = st.isin([s.lower() for s in CLOSED_STATUSES]).to_numpy(dtype=bool,
                                                                          na_value=False)
        qty = np.where(closed, 0.0, qty)
    else:
        notes.append("No line status in the data: cancelled lines cannot be told apart and "
                     "count as open.")
    return qty


def _due_dates(orders: pd.DataFrame, notes: list[str]) -> np.ndarray:
    cols = [c for c in DUE_COLUMNS if c in orders.columns and orders[c].notna().any()]
    due = np.full(len(orders), np.datetime64("NaT"), dtype="datetime64[ns]")
    for c in cols:
        due = np.where(np.isnat(due), date_values(orders[c], table="order_lines", column=c), due)
    if not cols:
        notes.append("No requested or promised date in the data: no open line can be placed "
                     "in a period.")
    elif cols[0] != "requested_date":
        notes.append(f"No requested date in the data: lines are due by their {cols[0]}.")
    return due


def open_backlog(orders: pd.DataFrame, *, as_of: object, freq: str = "W",
                 horizon: int = 13) -> Backlog:
    """Open order quantity by item and period (rules in the module docstring).

    Parameters
    ----------
    orders
        ``order_lines`` frame: ``item_id`` and ``qty_ordered``; uses
        ``qty_shipped``/``qty_delivered``, ``ship_date``/``delivery_date``,
        ``status``, ``requested_date``/``promised_date`` when present.
    as_of
        Planning date; period 0 is the period that holds it.
    freq
        ``"W"`` (weeks from Monday), ``"D"`` or ``"M"``.
    horizon
        Number of periods shown (>= 1).

    Returns
    -------
    Backlog

    Raises
    ------
    FrameTypeError, MissingColumnsError
        ``orders`` is not a DataFrame or lacks ``item_id``/``qty_ordered``.
    FrequencyError, CountError, DateParameterError
        Bad ``freq``, ``horizon`` or ``as_of``.

    Examples
    --------
    >>> orders = pd.DataFrame({"item_id": ["A", "A", "B", "B"],
    ...     "qty_ordered": [10, 5, 7, 3], "qty_shipped": [4, 5, 0, 0],
    ...     "requested_date": pd.to_datetime(["2025-01-01", "2025-01-08", "2025-01-20", None])})
    >>> b = open_backlog(orders, as_of="2025-01-06", horizon=2)
    >>> b.table.to_dict("index")["A"]
    {'past due': 6.0, '2025-01-06': 0.0, '2025-01-13': 0.0, 'later': 0.0, 'no due date': 0.0, 'total': 6.0}
    >>> b.table.loc["B", ["later", "no due date", "total"]].tolist()
    [7.0, 3.0, 10.0]
    """
    require_frame(orders, "order_lines", ("item_id", "qty_ordered"),
                  hint="the backlog needs the order lines' item and ordered quantity.")
    grid = PeriodGrid.checked(as_of, horizon, freq)
    notes: list[str] = []
    qty = _open_quantity(orders, notes)
    due = _due_dates(orders, notes)
    keep = qty > 0
    period = grid.periods(due)
    starts = [f"{d:%Y-%m-%d}" for d in grid.starts]
    labels = np.array([_PAST, *starts, _LATER, _NONE], dtype=object)
    code = np.where(period == MISSING_DAY, grid.horizon + 2,
                    np.clip(period, -1, grid.horizon) + 1)
    lines = orders.loc[keep].assign(qty_open=qty[keep], due_date=due[keep],
                                    bucket=labels[code[keep]])
    cols = [_PAST, *starts, _LATER] + ([_NONE] if (code[keep] == grid.horizon + 2).any() else [])
    table = (lines.pivot_table(index="item_id", columns="bucket", values="qty_open",
                               aggfunc="sum", fill_value=0.0, observed=True)
             .reindex(columns=cols, fill_value=0.0).astype(np.float64))
    table.columns.name = None
    table["total"] = table.sum(axis=1)
    table = table.sort_values("total", ascending=False, kind="stable")
    return Backlog(grid.as_of, lines.reset_index(drop=True), table, notes)
