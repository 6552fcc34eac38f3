"""What both KPI engines share: parameters, group columns, complaint KPIs and the long table.

The pandas engine (:mod:`workbench.kpis.pandas_engine`) and the DuckDB engine
(:mod:`workbench.kpis.duckdb_engine`) compute the order-line numerators and
denominators their own way; everything else is done here once, so both give
the same table: the checked tolerances (:class:`KpiParams`), where a group
column comes from (:func:`customer_attribute`, :func:`customer_lookup`), the
complaint KPIs, the "not available" notes and the long layout
(:func:`finish_table`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.exceptions import ChoiceError, DuplicateKeyError
from workbench.kpis.definitions import NOT_AVAILABLE, KpiDefinition
from workbench.kpis.history import period_start
from workbench.validation import check_range, date_values, day_numbers, require_frame

__all__ = [
    "EPOCH",
    "MODEL_COLUMNS",
    "QUANTITY_SLACK",
    "Groups",
    "KpiParams",
    "as_column_list",
    "customer_attribute",
    "customer_lookup",
    "finish_table",
    "has_values",
    "kpi_params",
    "ratio",
]

EPOCH = pd.Timestamp("1970-01-01")
"""Day 0 of the day numbers the engines compute with."""

QUANTITY_SLACK = 1e-9
"""Relative slack in quantity comparisons (floating-point rounding only)."""

MODEL_COLUMNS: tuple[str, ...] = (
    "order_id", "customer_id", "item_id", "order_date", "requested_date", "promised_date",
    "ship_date", "delivery_date", "qty_ordered", "qty_shipped", "qty_delivered", "unit_price",
    "status", "invoice_error", "qty_damaged", "substituted_item", "route_changed",
    "qty_returned", "filled_from_stock", "first_promised_date", "released_date")
"""Order-line columns the KPIs read (their availability decides which KPIs are computed)."""


# --------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiParams:
    """Checked tolerances of a KPI table and its snapshot day.

    Attributes
    ----------
    tol_days
        ``on_time_tolerance_days``.
    tol_pct
        ``in_full_tolerance_pct`` (a fraction).
    ship_lead_days
        Days allowed between shipping and the requested date.
    as_of
        Day number (days since 1970-01-01) of the open-order snapshot, NaN if
        unknown.
    """

    tol_days: float
    tol_pct: float
    ship_lead_days: float
    as_of: float


def kpi_params(on_time_tolerance_days: float, in_full_tolerance_pct: float,
               ship_lead_days: float) -> KpiParams:
    """Check the tolerances of :func:`workbench.kpis.kpi_table` (``as_of`` left NaN).

    Raises
    ------
    RangeError
        A negative or non-finite number of days, or ``in_full_tolerance_pct``
        outside [0, 1).

    Examples
    --------
    >>> kpi_params(1, 0.02, 0)
    KpiParams(tol_days=1.0, tol_pct=0.02, ship_lead_days=0.0, as_of=nan)
    """
    days = {key: check_range(value, key, low=0, high=np.inf, high_open=True,
                             fix="pass a number of days >= 0, e.g. 1.")
            for key, value in (("on_time_tolerance_days", on_time_tolerance_days),
                               ("ship_lead_days", ship_lead_days))}
    pct = check_range(in_full_tolerance_pct, "in_full_tolerance_pct", low=0, high=1,
                      high_open=True, fix="give a fraction: 0.02 for a 2 % tolerance.")
    return KpiParams(days["on_time_tolerance_days"], pct, days["ship_lead_days"], np.nan)


def as_column_list(by: str | Sequence[str] | None) -> list[str]:
    """``by`` (None, a column name or names) as a list of column names.

    Raises
    ------
    ChoiceError
        ``by`` holds something other than column names.

    Examples
    --------
    >>> as_column_list("tier"), as_column_list(None)
    (['tier'], [])
    """
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    out = list(by)
    if not all(isinstance(b, str) for b in out):
        raise ChoiceError(f"by must be a column name or a list of names, got {by!r}", key="by",
                          value=by)
    return out


def ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``scale x num / den`` where ``den > 0``, NaN elsewhere (no warnings).

    Examples
    --------
    >>> ratio(np.array([1.0, 2.0]), np.array([4.0, 0.0]), 100.0)
    array([25., nan])
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0) * scale, np.nan)


def has_values(frame: pd.DataFrame, column: str) -> bool:
    """Return True if ``column`` is in ``frame`` and not entirely missing (it is available)."""
    return column in frame.columns and bool(frame[column].notna().any())


# --------------------------------------------------------------------------------------
# Group columns from the customers frame
# --------------------------------------------------------------------------------------


def customer_attribute(column: str, order_columns: object,
                       customers: pd.DataFrame | None) -> bool:
    """Whether group column ``column`` comes from ``customers`` (True) or the order lines.

    Parameters
    ----------
    column
        A ``by`` column of the KPI table.
    order_columns
        The columns of the order lines (anything supporting ``in``).
    customers
        The customer master, or None.

    Raises
    ------
    ChoiceError
        Neither the order lines nor the customers frame (joined on
        ``customer_id``) has the column.
    """
    if column in order_columns:
        return False
    if customers is not None and column in customers.columns and "customer_id" in order_columns:
        return True
    where = "the order lines" + (" or the customers frame" if customers is not None else "")
    raise ChoiceError(f"cannot group by {column!r}: no such column in {where}", key="by",
                      value=column, fix="pass customers= to group by customer attributes.")


def customer_lookup(customers: pd.DataFrame, column: str) -> pd.Series:
    """``column`` of the customer master indexed by ``customer_id``.

    Raises
    ------
    MissingColumnsError
        The customers frame has no ``customer_id``.
    DuplicateKeyError
        It repeats a ``customer_id``.
    """
    require_frame(customers, "customers", ["customer_id"],
                  hint="Pass the customers table of the data model.")
    if customers["customer_id"].duplicated().any():
        dup = customers.loc[customers["customer_id"].duplicated(), "customer_id"].iloc[0]
        raise DuplicateKeyError(f"the customers frame repeats customer_id {dup!r}",
                                table="customers", column="customer_id", value=dup,
                                fix="pass one row per customer.")
    return customers.set_index("customer_id")[column]


# --------------------------------------------------------------------------------------
# Complaints
# --------------------------------------------------------------------------------------


@dataclass
class Groups:
    """Group code of every kept line and one row of key values per group.

    :func:`finish_table` appends to ``keys`` the groups that only complaints
    have, so an engine that sizes its arrays by ``n`` sees them too.
    """

    codes: np.ndarray
    keys: pd.DataFrame

    @property
    def n(self) -> int:
        """Number of groups."""
        return len(self.keys)


def _usable(complaints: pd.DataFrame, column: str) -> bool:
    """Tell whether a complaints column is usable: present and, unless no complaints, not empty."""
    return column in complaints.columns and (complaints.empty
                                             or bool(complaints[column].notna().any()))


def _complaint_keys(complaints: pd.DataFrame, by_cols: list[str], period: str | None,
                    customers: pd.DataFrame | None) -> tuple[pd.DataFrame | None, np.ndarray,
                                                            str | None]:
    """Key values of each complaint (None + a note if complaints cannot be grouped)."""
    keep = np.ones(len(complaints), dtype=bool)
    cols: dict[str, pd.Series] = {}
    for c in by_cols:
        if c in complaints.columns:
            cols[c] = complaints[c]
        elif (customers is not None and c in customers.columns
              and "customer_id" in complaints.columns):
            cols[c] = complaints["customer_id"].map(customer_lookup(customers, c))
        else:
            return None, keep, f"{NOT_AVAILABLE}complaints cannot be grouped by {c}"
    if period:
        if not _usable(complaints, "complaint_date"):
            return None, keep, f"{NOT_AVAILABLE}needs column complaints.complaint_date"
        dates = pd.Series(date_values(complaints["complaint_date"], table="complaints",
                                      column="complaint_date"), index=complaints.index)
        keep = dates.notna().to_numpy()
        cols["period_start"] = period_start(dates, period)
    frame = pd.DataFrame({k: v.to_numpy() for k, v in cols.items()}, index=complaints.index)
    return frame.loc[keep].reset_index(drop=True), keep, None


def _lookup_groups(groups: Groups, ckeys: pd.DataFrame) -> np.ndarray:
    """Group code of each complaint key row, appending groups the orders lack."""
    if groups.keys.shape[1] == 0 or ckeys.empty:
        return np.zeros(len(ckeys), dtype=np.int64)
    names = list(groups.keys.columns)
    index = pd.MultiIndex.from_frame(groups.keys[names])
    codes = index.get_indexer(pd.MultiIndex.from_frame(ckeys[names]))
    new = codes < 0
    if new.any():
        extra = ckeys.loc[new, names].drop_duplicates(ignore_index=True)
        extra = extra.astype({c: groups.keys[c].dtype for c in names}, errors="ignore")
        groups.keys = pd.concat([groups.keys, extra], ignore_index=True)
        index = pd.MultiIndex.from_frame(groups.keys[names])
        codes = index.get_indexer(pd.MultiIndex.from_frame(ckeys[names]))
    return codes.astype(np.int64)


def _complaint_measure(d: KpiDefinition, complaints: pd.DataFrame,
                       codes_keep: tuple[np.ndarray, np.ndarray], parts: np.ndarray, ng: int
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes, keep = codes_keep
    if d.name == "complaints_per_100_orders":
        num = np.bincount(codes, minlength=ng).astype(np.float64)
        den = parts
    else:
        c = complaints.loc[keep]
        days = (day_numbers(c["resolved_date"], table="complaints", column="resolved_date")
                - day_numbers(c["complaint_date"], table="complaints", column="complaint_date"))
        ok = ~np.isnan(days)
        num = np.bincount(codes, weights=np.where(ok, days, 0.0), minlength=ng)
        den = np.bincount(codes, weights=ok.astype(np.float64), minlength=ng)
    return num, den, ratio(num, den, d.scale)


# --------------------------------------------------------------------------------------
# The long table
# --------------------------------------------------------------------------------------


def _unavailable_note(miss: list[str]) -> str:
    if "complaints" in miss:
        return f"{NOT_AVAILABLE}needs a complaints frame"
    return f"{NOT_AVAILABLE}needs column{'s' if len(miss) > 1 else ''} {', '.join(miss)}"


def finish_table(groups: Groups | pd.DataFrame, defs: list[KpiDefinition], available: set[str],
                 measure: Callable[[str, int], tuple[np.ndarray, np.ndarray, np.ndarray]],
                 parts_per_group: Callable[[int], np.ndarray], complaints: pd.DataFrame | None,
                 by_cols: list[str], period: str | None, customers: pd.DataFrame | None
                 ) -> pd.DataFrame:
    """Complaint KPIs, notes and the long KPI table, from an engine's order-line measures.

    Parameters
    ----------
    groups
        The order groups (a key frame is wrapped in :class:`Groups`). Complaints
        may append groups the orders lack.
    defs
        The KPIs to report, in table order.
    available
        Order-line columns that are present and not entirely missing.
    measure
        ``measure(name, ng)``: (numerator, denominator, value) of an order-line
        KPI for ``ng`` groups (zeros, or NaN for statistics, past the order
        groups).
    parts_per_group
        ``parts_per_group(ng)``: orders (order parts) per group, for the
        complaints per 100 orders.
    complaints, by_cols, period, customers
        As :func:`workbench.kpis.kpi_table` (``by_cols`` a list).

    Returns
    -------
    DataFrame
        The KPI table without ``attrs`` (``<by>..., period_start?`` and
        :data:`~workbench.kpis.definitions.TABLE_VALUE_COLUMNS`).
    """
    if isinstance(groups, pd.DataFrame):
        groups = Groups(np.zeros(0, dtype=np.int64), groups)
    available = set(available)
    if complaints is not None:
        available.add("complaints")
        available.update(f"complaints.{c}" for c in complaints.columns
                         if _usable(complaints, c))
    # -- complaints: may add groups the orders lack, so they go first
    complaint_codes = complaint_note = None
    if complaints is not None and any(d.level == "complaint" for d in defs):
        ckeys, ckeep, complaint_note = _complaint_keys(complaints, by_cols, period, customers)
        if ckeys is not None:
            complaint_codes = (_lookup_groups(groups, ckeys), ckeep)

    results: list[tuple[np.ndarray, np.ndarray, np.ndarray, str | None]] = []
    for d in defs:
        ng = groups.n
        nan = np.full(ng, np.nan)
        miss = d.missing(available)
        if miss:
            results.append((nan, nan, nan, _unavailable_note(miss)))
        elif d.level == "complaint":
            if complaint_codes is None:
                results.append((nan, nan, nan, complaint_note))
                continue
            results.append((*_complaint_measure(d, complaints, complaint_codes,
                                                parts_per_group(ng), ng), None))
        else:
            # groups appended for complaints are already counted (bincount minlength)
            results.append((*measure(d.name, ng), None))
    return _assemble(groups.keys, defs, results)


def _repeat_strings(values: Sequence[str | None], times: int) -> pd.Series:
    """Tile ``values`` ``times`` times as a ``str`` Series.

    Built in Arrow: no Python loop over the rows.
    """
    import pyarrow as pa

    idx = np.tile(np.arange(len(values), dtype=np.int32), times)
    arr = pa.array(list(values), pa.string()).take(pa.array(idx))
    return pd.Series(pd.array(arr, dtype="str"))


def _assemble(keys: pd.DataFrame, defs: list[KpiDefinition],
              results: list[tuple[np.ndarray, np.ndarray, np.ndarray, str | None]]
              ) -> pd.DataFrame:
    ng, nk = len(keys), len(defs)
    if keys.shape[1]:
        order = keys.sort_values(list(keys.columns), na_position="last",
                                 kind="stable").index.to_numpy()
    else:
        order = np.arange(ng)
    cols = {}
    for name in keys.columns:
        cols[name] = keys[name].take(np.repeat(order, nk)).reset_index(drop=True)

    def stack(i: int) -> np.ndarray:
        if not nk:
            return np.zeros(0)
        return np.column_stack([r[i] for r in results])[order].ravel()

    cols["kpi"] = _repeat_strings([d.name for d in defs], ng)
    cols["numerator"] = stack(0)
    cols["denominator"] = stack(1)
    cols["value"] = stack(2)
    cols["unit"] = _repeat_strings([d.unit for d in defs], ng)
    cols["note"] = _repeat_strings([r[3] for r in results], ng)
    return pd.DataFrame(cols, copy=False)  # no block consolidation (a copy of every column)
