"""First promises: the delivery date first committed to each order line, from the change log.

Promised dates get moved, and a line delivered on its *current* promise may
still have broken the first one. The KPIs ``on_time_first_promise_rate``,
``otif_first_promise_rate`` and the gaps to the current promise
(``docs/kpis.md``) read the order-line column ``first_promised_date``; when an
export has no such column, :func:`with_first_promised_date` derives it from the
order-change log (``order_changes.old_promised_date``): the promised date
before a line's first promise change, else (never re-promised) its current
``promised_date``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.exceptions import NotAvailableError
from workbench.validation import date_values, require_frame

__all__ = ["first_promised_dates", "with_first_promised_date"]

_KEY = ("order_id", "line_no")


def _has(frame: pd.DataFrame | None, column: str) -> bool:
    return frame is not None and column in frame.columns and bool(frame[column].notna().any())


def _line_index(frame: pd.DataFrame) -> pd.MultiIndex:
    """(order_id as text, line_no as a whole number) of every row, to match lines across tables."""
    order = frame["order_id"].astype("string")
    line = pd.to_numeric(frame["line_no"], errors="coerce").astype("Int64")
    return pd.MultiIndex.from_arrays([order, line], names=list(_KEY))


def _first_from_log(changes: pd.DataFrame) -> pd.Series:
    """``old_promised_date`` of each line's first change (by ``change_seq``) that records one."""
    require_frame(changes, "order_changes", (*_KEY, "change_seq", "old_promised_date"),
                  hint="The order-change log gives first promises through old_promised_date.")
    old = pd.Series(date_values(changes["old_promised_date"], table="order_changes",
                                column="old_promised_date"), index=changes.index)
    seq = pd.to_numeric(changes["change_seq"], errors="coerce").to_numpy(dtype=np.float64)
    keep = old.notna().to_numpy()
    idx = _line_index(changes)[keep]
    frame = pd.DataFrame({"seq": seq[keep], "old": old.to_numpy()[keep]}, index=idx)
    frame = frame.sort_values("seq", kind="stable", na_position="last")
    frame = frame[~frame.index.duplicated(keep="first")]
    return frame["old"]


def first_promised_dates(orders: pd.DataFrame, changes: pd.DataFrame | None = None
                         ) -> pd.Series:
    """Return the first promised date of every order line.

    Per line, the first source that knows it: the order lines' own
    ``first_promised_date``; else the ``old_promised_date`` of the line's first
    change (lowest ``change_seq``) in the order-change log that records one;
    else the line's current ``promised_date`` (it was never re-promised).

    Parameters
    ----------
    orders
        Order lines (``order_id``, ``line_no``; ``promised_date`` and
        ``first_promised_date`` when present).
    changes
        The ``order_changes`` log, or None. Matched on ``order_id`` (as text)
        and ``line_no``.

    Returns
    -------
    Series
        ``first_promised_date`` (``datetime64[ns]``, NaT where no source knows
        it), indexed as ``orders``.

    Raises
    ------
    NotAvailableError
        Neither the order lines' ``first_promised_date`` nor the log's
        ``old_promised_date`` has a value: the current promise alone cannot
        tell a first promise.
    MissingColumnsError
        ``orders`` lacks ``order_id`` or ``line_no``, or ``changes`` lacks
        ``order_id``, ``line_no`` or ``change_seq`` while having
        ``old_promised_date``.
    DateColumnError
        A date column holds values that are not dates.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": ["A", "A", "B"], "line_no": [1, 2, 1],
    ...                        "promised_date": pd.to_datetime(["2024-03-20", "2024-03-10",
    ...                                                         "2024-03-15"])})
    >>> changes = pd.DataFrame({"order_id": ["A", "A"], "line_no": [1, 1],
    ...                         "change_seq": [2, 1],
    ...                         "old_promised_date": pd.to_datetime(["2024-03-12",
    ...                                                              "2024-03-05"])})
    >>> first_promised_dates(orders, changes).dt.strftime("%m-%d").tolist()
    ['03-05', '03-10', '03-15']
    """
    require_frame(orders, "order_lines", _KEY,
                  hint="First promises are matched to order lines by order and line.")
    own = _has(orders, "first_promised_date")
    logged = _has(changes, "old_promised_date")
    if not (own or logged):
        raise NotAvailableError("first promised dates",
                                ["order_lines.first_promised_date",
                                 "order_changes.old_promised_date"])

    def dates(column: str) -> np.ndarray:
        if column not in orders.columns:
            return np.full(len(orders), np.datetime64("NaT"), dtype="datetime64[ns]")
        return date_values(orders[column], table="order_lines", column=column)

    out = dates("first_promised_date")
    if logged:
        from_log = _first_from_log(changes).reindex(_line_index(orders))
        log_dates = from_log.to_numpy(dtype="datetime64[ns]")
        out = np.where(np.isnat(out), log_dates, out)
    out = np.where(np.isnat(out), dates("promised_date"), out)
    return pd.Series(out, index=orders.index, name="first_promised_date",
                     dtype="datetime64[ns]")


def with_first_promised_date(orders: pd.DataFrame, changes: pd.DataFrame | None = None
                             ) -> pd.DataFrame:
    """Return a copy of ``orders`` whose ``first_promised_date`` is filled in.

    See :func:`first_promised_dates` for the rule and the errors. Pass the
    result to :func:`workbench.kpis.kpi_table` to get the first-promise KPIs.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": ["A"], "line_no": [1],
    ...                        "promised_date": pd.to_datetime(["2024-03-20"])})
    >>> changes = pd.DataFrame({"order_id": ["A"], "line_no": [1], "change_seq": [1],
    ...                         "old_promised_date": pd.to_datetime(["2024-03-12"])})
    >>> str(with_first_promised_date(orders, changes).loc[0, "first_promised_date"].date())
    '2024-03-12'
    """
    out = orders.copy()
    out["first_promised_date"] = first_promised_dates(orders, changes)
    return out
