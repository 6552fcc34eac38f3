"""The pandas/NumPy engine of the KPI table: line arrays, integer group codes, bincount sums.

:func:`pandas_kpi_table` is what :func:`workbench.kpis.kpi_table` runs with
``engine="pandas"`` (and for small frames with ``"auto"``). One pass builds
line-level NumPy arrays (day numbers, quantities, 0/1 flags); group keys are
factorized once into integer codes; every numerator and denominator is then a
:func:`numpy.bincount` over those codes. Order-level KPIs first reduce the line
flags per order (``all()`` = no bad line, via a count of bad lines per order),
then count orders per group. Medians, percentiles and standard deviations use
one pandas ``groupby`` on the integer codes. No Python loop runs per line,
order or group. Complaint KPIs, notes and the long layout come from
:func:`workbench.kpis.common.finish_table`, as in the DuckDB engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from workbench.exceptions import NotAvailableError
from workbench.io.schema import (
    CANCELLED_STATUSES,
    DELIVERED_STATUSES,
    OPEN_STATUSES,
    SHIPPED_STATUSES,
)
from workbench.kpis.common import (
    EPOCH,
    MODEL_COLUMNS,
    QUANTITY_SLACK,
    Groups,
    KpiParams,
    customer_attribute,
    customer_lookup,
    finish_table,
    has_values,
    ratio,
)
from workbench.kpis.definitions import KpiDefinition, get_definition
from workbench.kpis.history import period_start
from workbench.validation import day_numbers

__all__ = ["pandas_kpi_table"]


# --------------------------------------------------------------------------------------
# Line-level arrays
# --------------------------------------------------------------------------------------


def _days(s: pd.Series) -> np.ndarray:
    """Day numbers of an order-line date column (float, NaN for missing)."""
    return day_numbers(s, missing="nan", table="order_lines", column=str(s.name))


def _floats(s: pd.Series) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(s):
        s = pd.to_numeric(s, errors="coerce")
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _flags(s: pd.Series) -> np.ndarray:
    """Return a flag column as 1.0 / 0.0 / NaN."""
    return s.astype("boolean").to_numpy(dtype=np.float64, na_value=np.nan)


def _status_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Status codes per line (-1 = missing) and the trimmed lower-case status per code."""
    codes, uniques = pd.factorize(s)
    low = pd.Index(uniques).astype(str).str.strip().str.lower()
    return codes, np.asarray(low, dtype=object)


def _status_mask(codes_low: tuple[np.ndarray, np.ndarray], values: Sequence[str]) -> np.ndarray:
    """Lines whose status (trimmed, case-insensitive) is one of ``values``."""
    codes, low = codes_low
    hit = np.append(np.isin(low, list(values)), False)
    return hit[codes]  # code -1 (missing status) -> the appended False


def _at_least(q: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """``q >= threshold`` up to floating-point rounding; False where either is NaN."""
    return q >= threshold - QUANTITY_SLACK * np.abs(threshold)


class _Lines:
    """Line-level arrays of the kept (non-cancelled, dated) lines, built on demand."""

    def __init__(self, orders: pd.DataFrame, rows: np.ndarray | None, available: frozenset[str],
                 params: KpiParams):
        self._o = orders
        self._rows = rows
        self.n = len(orders) if rows is None else len(rows)
        self.available = available
        self.p = params

    # -- raw columns
    def _take(self, a: np.ndarray) -> np.ndarray:
        return a if self._rows is None else a[self._rows]

    def _col(self, name: str, convert: Callable[[pd.Series], np.ndarray]) -> np.ndarray:
        if name not in self.available:
            return np.full(self.n, np.nan)
        return self._take(convert(self._o[name]))

    @cached_property
    def status_codes(self) -> tuple[np.ndarray, np.ndarray]:
        return _status_codes(self._o["status"])

    def _status(self, values: Sequence[str]) -> np.ndarray:
        if "status" not in self.available:
            return np.zeros(self.n, dtype=bool)
        return self._take(_status_mask(self.status_codes, values))

    def codes(self, name: str) -> tuple[np.ndarray, int]:
        """Integer codes of a key column (missing values form one code)."""
        codes, uniques = pd.factorize(self._o[name], use_na_sentinel=False)
        return self._take(codes.astype(np.int64)), len(uniques)

    od = cached_property(lambda self: self._col("order_date", _days))
    rd = cached_property(lambda self: self._col("requested_date", _days))
    prd = cached_property(lambda self: self._col("promised_date", _days))
    sd = cached_property(lambda self: self._col("ship_date", _days))
    dd = cached_property(lambda self: self._col("delivery_date", _days))
    fpd = cached_property(lambda self: self._col("first_promised_date", _days))
    rel = cached_property(lambda self: self._col("released_date", _days))
    q_ord = cached_property(lambda self: self._col("qty_ordered", _floats))
    q_ship = cached_property(lambda self: self._col("qty_shipped", _floats))
    q_del = cached_property(lambda self: self._col("qty_delivered", _floats))
    price = cached_property(lambda self: self._col("unit_price", _floats))
    dmg = cached_property(lambda self: self._col("qty_damaged", _floats))
    ret = cached_property(lambda self: self._col("qty_returned", _floats))
    inv = cached_property(lambda self: self._col("invoice_error", _flags))
    route = cached_property(lambda self: self._col("route_changed", _flags))
    ffs = cached_property(lambda self: self._col("filled_from_stock", _flags))
    st_open = cached_property(lambda self: self._status(OPEN_STATUSES))
    st_shipped = cached_property(lambda self: self._status(SHIPPED_STATUSES))
    st_delivered = cached_property(lambda self: self._status(DELIVERED_STATUSES))

    # -- line states
    @cached_property
    def shipped(self) -> np.ndarray:
        """Shipped (or delivered) and not open."""
        has = ~np.isnan(self.sd) | ~np.isnan(self.dd) | self.st_shipped
        return has & ~self.st_open

    @cached_property
    def delivered(self) -> np.ndarray:
        return (~np.isnan(self.dd) | self.st_delivered) & ~self.st_open

    @cached_property
    def commit(self) -> np.ndarray:
        """Commit date: promised, else requested (day numbers)."""
        return np.where(np.isnan(self.prd), self.rd, self.prd)

    @cached_property
    def received(self) -> np.ndarray:
        return np.where(np.isnan(self.q_del), self.q_ship, self.q_del)

    # -- on time / in full
    def on_time(self, due: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(good, judged): delivered on or before due + tolerance."""
        judged = self.delivered & ~np.isnan(self.dd) & ~np.isnan(due)
        return judged & (self.dd <= due + self.p.tol_days), judged

    @cached_property
    def in_full(self) -> tuple[np.ndarray, np.ndarray]:
        judged = self.shipped & ~np.isnan(self.received)
        good = judged & _at_least(self.received, self.q_ord * (1.0 - self.p.tol_pct))
        return good, judged

    @cached_property
    def otif(self) -> tuple[np.ndarray, np.ndarray]:
        ot, ot_j = self.on_time(self.commit)
        inf, inf_j = self.in_full
        return ot & inf, ot_j & inf_j

    def otif_to(self, due: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(good, judged): on time to ``due`` and in full."""
        ot, ot_j = self.on_time(due)
        inf, inf_j = self.in_full
        return ot & inf, ot_j & inf_j

    @cached_property
    def perfect(self) -> tuple[np.ndarray, np.ndarray]:
        good, judged = self.otif
        return good & ~(self.dmg > 0) & ~(self.inv == 1), judged

    @cached_property
    def fill(self) -> tuple[np.ndarray, np.ndarray]:
        """(complete, judged): shipped lines with qty_shipped >= qty_ordered."""
        judged = self.shipped & ~np.isnan(self.q_ship)
        return judged & _at_least(self.q_ship, self.q_ord), judged

    @cached_property
    def cycle(self) -> tuple[np.ndarray, np.ndarray]:
        """(days, mask) of order -> delivery cycle times."""
        mask = self.delivered & ~np.isnan(self.dd) & ~np.isnan(self.od)
        return self.dd - self.od, mask

    @cached_property
    def net_cycle(self) -> tuple[np.ndarray, np.ndarray]:
        """(days, mask) of release -> delivery: start = later of order and release date."""
        start = np.fmax(self.od, self.rel)  # NaN only when both are missing
        mask = self.delivered & ~np.isnan(self.dd) & ~np.isnan(start)
        return self.dd - start, mask

    # -- open book at as_of
    @cached_property
    def open_(self) -> np.ndarray:
        a = self.p.as_of
        done = (self.sd <= a) | (self.dd <= a) | (self.st_shipped & np.isnan(self.sd)
                                                   & np.isnan(self.dd))
        return (self.od <= a) & (self.st_open | ~done)

    @cached_property
    def overdue(self) -> np.ndarray:
        return self.open_ & (self.p.as_of > self.commit + self.p.tol_days)

    @cached_property
    def backorder(self) -> np.ndarray:
        shipped_by = np.where(self.sd > self.p.as_of, 0.0, np.nan_to_num(self.q_ship))
        return self.overdue & ~_at_least(shipped_by, self.q_ord)


# --------------------------------------------------------------------------------------
# KPI measures: what each KPI sums per line (or per order)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ratio:
    """Line level: numerator and denominator contributions of each line."""

    num: np.ndarray
    den: np.ndarray


@dataclass(frozen=True)
class _Count:
    """Line level: lines counted."""

    mask: np.ndarray


@dataclass(frozen=True)
class _OrderAll:
    """Order level: an order is judged when all lines are judged, good when all are good."""

    good: np.ndarray
    judged: np.ndarray


@dataclass(frozen=True)
class _OrderSpan:
    """Order level: days from the first ``start`` to the last ``end`` of an order's lines.

    An order is judged when every line is judged.
    """

    start: np.ndarray
    end: np.ndarray
    judged: np.ndarray


@dataclass(frozen=True)
class _Stat:
    """Line level, not additive: a statistic of a line value."""

    stat: str


def _flag_rate(flag: np.ndarray) -> _Ratio:
    """Rate of a recorded flag: True lines / lines where the flag is recorded."""
    known = ~np.isnan(flag)
    return _Ratio(known & (flag == 1), known)


def _substituted(L: _Lines) -> np.ndarray:
    s = L._o["substituted_item"]
    sub = s.notna() & (s.astype(str).str.strip() != "")
    if "item_id" in L._o.columns:
        sub &= (s != L._o["item_id"]).fillna(True)
    return L._take(sub.to_numpy(dtype=bool, na_value=False))


def _unit_fill(L: _Lines) -> _Ratio:
    judged = L.fill[1]
    return _Ratio(np.where(judged, np.fmin(L.q_ship, L.q_ord), 0.0),
                  np.where(judged, L.q_ord, 0.0))


def _value_fill(L: _Lines) -> _Ratio:
    judged = L.fill[1] & ~np.isnan(L.price)
    return _Ratio(np.where(judged, np.fmin(L.q_ship, L.q_ord) * L.price, 0.0),
                  np.where(judged, L.q_ord * L.price, 0.0))


def _late_shipment(L: _Lines) -> _Ratio:
    judged = L.shipped & ~np.isnan(L.sd) & ~np.isnan(L.rd)
    return _Ratio(judged & (L.sd > L.rd - L.p.ship_lead_days + L.p.tol_days), judged)


def _stockout(L: _Lines) -> _Ratio:
    complete, judged = L.fill
    judged = judged & ~np.isnan(L.ffs)
    return _Ratio(judged & ((L.ffs == 0) | ~complete), judged)


def _unit_damage(L: _Lines) -> _Ratio:
    judged = L.delivered & ~np.isnan(L.q_ship)
    return _Ratio(np.where(judged, np.nan_to_num(L.dmg), 0.0), np.where(judged, L.q_ship, 0.0))


def _cycle_mean(L: _Lines) -> _Ratio:
    days, mask = L.cycle
    return _Ratio(np.where(mask, days, 0.0), mask)


def _net_cycle_mean(L: _Lines) -> _Ratio:
    days, mask = L.net_cycle
    return _Ratio(np.where(mask, days, 0.0), mask)


def _qty_weighted(good_judged: tuple[np.ndarray, np.ndarray], q: np.ndarray) -> _Ratio:
    """Units ordered on good lines / units ordered on judged lines (lines without qty left out)."""
    good, judged = good_judged
    judged = judged & ~np.isnan(q)
    return _Ratio(np.where(judged & good, q, 0.0), np.where(judged, q, 0.0))


def _gap(current: tuple[np.ndarray, np.ndarray], first: tuple[np.ndarray, np.ndarray]
         ) -> _Ratio:
    """(good to current - good to first) over lines judged against both."""
    judged = current[1] & first[1]
    num = (judged & current[0]).astype(np.float64) - (judged & first[0]).astype(np.float64)
    return _Ratio(num, judged)


def _order_cycle(L: _Lines) -> _OrderSpan:
    days, mask = L.cycle
    return _OrderSpan(L.od, L.dd, mask)


def _backorder_age(L: _Lines) -> _Ratio:
    return _Ratio(np.where(L.backorder, L.p.as_of - L.commit, 0.0), L.backorder)


def _open_age(L: _Lines) -> _Ratio:
    return _Ratio(np.where(L.open_, L.p.as_of - L.od, 0.0), L.open_)


def _all_lines(L: _Lines) -> np.ndarray:
    return np.ones(L.n, dtype=bool)


_MEASURES: dict[str, Callable[[_Lines], _Ratio | _Count | _OrderAll | _OrderSpan | _Stat]] = {
    "lines": lambda L: _Count(_all_lines(L)),
    "orders": lambda L: _OrderAll(_all_lines(L), _all_lines(L)),
    "cycle_time_mean": _cycle_mean,
    "cycle_time_median": lambda L: _Stat("median"),
    "cycle_time_p90": lambda L: _Stat("p90"),
    "cycle_time_std": lambda L: _Stat("std"),
    "cycle_time_cv": lambda L: _Stat("cv"),
    "order_cycle_time_mean": _order_cycle,
    "net_cycle_time_mean": _net_cycle_mean,
    "on_time_requested_rate": lambda L: _Ratio(*L.on_time(L.rd)),
    "on_time_promised_rate": lambda L: _Ratio(*L.on_time(L.prd)),
    "on_time_first_promise_rate": lambda L: _Ratio(*L.on_time(L.fpd)),
    "on_time_promise_gap": lambda L: _gap(L.on_time(L.prd), L.on_time(L.fpd)),
    "on_time_qty_rate": lambda L: _qty_weighted(L.on_time(L.commit), L.q_ord),
    "in_full_line_rate": lambda L: _Ratio(*L.in_full),
    "in_full_order_rate": lambda L: _OrderAll(*L.in_full),
    "otif_line_rate": lambda L: _Ratio(*L.otif),
    "otif_order_rate": lambda L: _OrderAll(*L.otif),
    "otif_first_promise_rate": lambda L: _Ratio(*L.otif_to(L.fpd)),
    "otif_promise_gap": lambda L: _gap(L.otif_to(L.prd), L.otif_to(L.fpd)),
    "otif_qty_rate": lambda L: _qty_weighted(L.otif, L.q_ord),
    "perfect_order_rate": lambda L: _OrderAll(*L.perfect),
    "line_fill_rate": lambda L: _Ratio(*L.fill),
    "unit_fill_rate": _unit_fill,
    "order_fill_rate": lambda L: _OrderAll(*L.fill),
    "value_fill_rate": _value_fill,
    "short_shipment_rate": lambda L: _Ratio(L.fill[1] & ~L.fill[0], L.fill[1]),
    "late_shipment_rate": _late_shipment,
    "from_stock_rate": lambda L: _flag_rate(L.ffs),
    "stockout_rate": _stockout,
    "damage_rate": lambda L: _Ratio(L.delivered & (L.dmg > 0), L.delivered),
    "unit_damage_rate": _unit_damage,
    "return_rate": lambda L: _Ratio(L.delivered & (L.ret > 0), L.delivered),
    "invoice_error_rate": lambda L: _flag_rate(L.inv),
    "substitution_rate": lambda L: _Ratio(L.shipped & _substituted(L), L.shipped),
    "route_change_rate": lambda L: _flag_rate(L.route),
    "backorder_lines": lambda L: _Count(L.backorder),
    "backorder_age_days_mean": _backorder_age,
    "open_lines": lambda L: _Count(L.open_),
    "open_lines_overdue": lambda L: _Count(L.overdue),
    "open_line_age_days_mean": _open_age,
}
"""What each line-level KPI sums: one small function per KPI (called once, not per line)."""


# --------------------------------------------------------------------------------------
# Grouping
# --------------------------------------------------------------------------------------


@dataclass
class _KeyColumn:
    """One group key over the whole input frame: integer codes and their values."""

    name: str
    codes: np.ndarray
    uniques: pd.Index


def _key_from_series(name: str, s: pd.Series) -> _KeyColumn:
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    return _KeyColumn(name, codes.astype(np.int64), pd.Index(uniques))


def _key_from_customers(name: str, customer_id: pd.Series, lookup: pd.Series) -> _KeyColumn:
    c_codes, c_uniques = pd.factorize(customer_id, use_na_sentinel=False)
    values = pd.Index(c_uniques).map(lookup)
    a_codes, a_uniques = pd.factorize(values, use_na_sentinel=False)
    return _KeyColumn(name, a_codes.astype(np.int64)[c_codes], pd.Index(a_uniques))


def _make_groups(keys: list[_KeyColumn], rows: np.ndarray | None, n: int) -> Groups:
    if not keys:
        return Groups(np.zeros(n, dtype=np.int64), pd.DataFrame(index=range(1)))
    take = (lambda a: a) if rows is None else (lambda a: a[rows])
    codes = take(keys[0].codes)
    for k in keys[1:]:
        card = len(k.uniques)
        codes, _ = pd.factorize(codes * card + take(k.codes))
        codes = codes.astype(np.int64)
    if len(keys) == 1:
        codes, _ = pd.factorize(codes)
        codes = codes.astype(np.int64)
    # factorize numbers codes by first appearance: a new code starts where the running max grows
    if len(codes):
        runmax = np.maximum.accumulate(codes)
        first = np.flatnonzero(np.r_[True, runmax[1:] > runmax[:-1]])
    else:
        first = np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame({k.name: k.uniques.take(take(k.codes)[first]) for k in keys})
    return Groups(codes, frame)



# --------------------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------------------


def _sum(codes: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Per-group sums of ``weights`` (a 0/1 mask is counted without a float copy)."""
    if weights.dtype == bool:
        return np.bincount(codes[weights], minlength=n).astype(np.float64)
    return np.bincount(codes, weights=weights, minlength=n)


class _Aggregator:
    """Turns line measures into per-group numerators and denominators."""

    def __init__(self, L: _Lines, groups: Groups):
        self.L = L
        self.g = groups

    @cached_property
    def order_parts(self) -> tuple[np.ndarray, np.ndarray]:
        """(order-part code of each line, group of each order part)."""
        oc, n_o = self.L.codes("order_id")
        parts, _ = pd.factorize(self.g.codes * max(n_o, 1) + oc)
        parts = parts.astype(np.int64)
        part_group = np.zeros(parts.max() + 1 if len(parts) else 0, dtype=np.int64)
        part_group[parts] = self.g.codes  # every line of a part has the same group
        return parts, part_group

    def order_all(self, m: _OrderAll) -> tuple[np.ndarray, np.ndarray]:
        parts, part_group = self.order_parts
        n_parts = len(part_group)
        bad = np.bincount(parts[~m.good], minlength=n_parts)
        unjudged = np.bincount(parts[~m.judged], minlength=n_parts)
        judged = unjudged == 0
        good = judged & (bad == 0)
        return _sum(part_group, good, self.g.n), _sum(part_group, judged, self.g.n)

    def order_span(self, m: _OrderSpan) -> tuple[np.ndarray, np.ndarray]:
        """(sum of order spans, judged orders) per group: last end - first start per order."""
        parts, part_group = self.order_parts
        n_parts = len(part_group)
        unjudged = np.bincount(parts[~m.judged], minlength=n_parts)
        judged = unjudged == 0
        start = pd.Series(m.start).groupby(parts).min().reindex(range(n_parts)).to_numpy()
        end = pd.Series(m.end).groupby(parts).max().reindex(range(n_parts)).to_numpy()
        span = np.where(judged, end - start, 0.0)
        return np.bincount(part_group, weights=span, minlength=self.g.n), \
            _sum(part_group, judged, self.g.n)

    @cached_property
    def cycle_stats(self) -> dict[str, np.ndarray]:
        days, mask = self.L.cycle
        gb = pd.Series(days[mask]).groupby(self.g.codes[mask], sort=False)
        idx = np.arange(self.g.n)
        mean = gb.mean().reindex(idx).to_numpy()
        std = gb.std(ddof=1).reindex(idx).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            cv = std / mean
        return {"median": gb.median().reindex(idx).to_numpy(),
                "p90": gb.quantile(0.9).reindex(idx).to_numpy(),
                "std": std, "cv": cv,
                "n": _sum(self.g.codes, mask, self.g.n)}

    def measure(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(numerator, denominator, value) per group."""
        d = get_definition(name)
        m = _MEASURES[name](self.L)
        nan = np.full(self.g.n, np.nan)
        if isinstance(m, _Stat):
            s = self.cycle_stats
            return nan, s["n"], s[m.stat]
        if isinstance(m, _Count):
            num = _sum(self.g.codes, m.mask, self.g.n)
            return num, nan, num
        if isinstance(m, _OrderSpan):
            num, den = self.order_span(m)
        elif isinstance(m, _OrderAll):
            num, den = self.order_all(m)
            if d.aggregation == "count":
                return den, nan, den
        else:
            num, den = _sum(self.g.codes, m.num, self.g.n), _sum(self.g.codes, m.den, self.g.n)
        return num, den, ratio(num, den, d.scale)




# --------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------


def _default_as_of(orders: pd.DataFrame, live: np.ndarray) -> pd.Timestamp:
    """Return the latest order date of the ``live`` (non-cancelled) lines, NaT if none."""
    if not (has_values(orders, "order_date") and live.any()):
        return pd.NaT
    last = np.nanmax(_days(orders["order_date"])[live], initial=-np.inf)
    return pd.NaT if np.isinf(last) else EPOCH + pd.Timedelta(days=int(last))


def _group_keys(orders: pd.DataFrame, by_cols: list[str], period: str | None,
                date_column: str, customers: pd.DataFrame | None) -> list[_KeyColumn]:
    """Build the group keys over the whole frame: ``by`` columns, then the period."""
    keys: list[_KeyColumn] = []
    for c in by_cols:
        if customer_attribute(c, orders.columns, customers):
            keys.append(_key_from_customers(c, orders["customer_id"],
                                            customer_lookup(customers, c)))
        else:
            keys.append(_key_from_series(c, orders[c]))
    if period:
        key = _key_from_series("period_start", period_start(orders[date_column], period))
        # history.period_start returns [us] for M/Q, [ns] for W: use the loader's [ns] always
        key.uniques = key.uniques.astype("datetime64[ns]")
        keys.append(key)
    return keys


def pandas_kpi_table(orders: pd.DataFrame, by_cols: list[str], defs: list[KpiDefinition],
                     period: str | None, date_column: str, params: KpiParams,
                     as_of_ts: pd.Timestamp | None, complaints: pd.DataFrame | None,
                     customers: pd.DataFrame | None) -> pd.DataFrame:
    """Compute the KPI table of :func:`workbench.kpis.kpi_table` with pandas and NumPy.

    Parameters
    ----------
    orders
        Order lines (``order_id`` and ``qty_ordered`` present).
    by_cols, defs
        Checked group columns and KPI definitions (in table order).
    period, date_column
        As :func:`workbench.kpis.kpi_table` (``period`` checked).
    params
        Tolerances; ``params.as_of`` is ignored (computed here).
    as_of_ts
        Normalized snapshot date, or None for the default (latest order date of
        the non-cancelled lines).
    complaints, customers
        As :func:`workbench.kpis.kpi_table`.

    Returns
    -------
    DataFrame
        The KPI table with ``attrs`` ``as_of``, ``undated_lines``,
        ``cancelled_lines``.

    Raises
    ------
    NotAvailableError
        ``period`` is given but ``date_column`` is absent or entirely missing.
    ChoiceError
        A group column is in neither the order lines nor the customers frame.
    """
    # -- lines kept: not cancelled, and dated when grouping by period
    status_codes = _status_codes(orders["status"]) if "status" in orders else None
    cancelled = (_status_mask(status_codes, CANCELLED_STATUSES) if status_codes is not None
                 else np.zeros(len(orders), dtype=bool))
    keep = ~cancelled
    if as_of_ts is None:
        as_of_ts = _default_as_of(orders, keep)
    undated = 0
    if period:
        if not has_values(orders, date_column):
            raise NotAvailableError(f"KPIs by period of {date_column}", [date_column])
        dated = orders[date_column].notna().to_numpy()
        undated = int((keep & ~dated).sum())
        keep &= dated
    rows = None if keep.all() else np.flatnonzero(keep)
    keys = _group_keys(orders, by_cols, period, date_column, customers)

    available = {c for c in MODEL_COLUMNS if has_values(orders, c)}
    as_of_day = np.nan if pd.isna(as_of_ts) else float((as_of_ts - EPOCH).days)
    p = KpiParams(params.tol_days, params.tol_pct, params.ship_lead_days, as_of_day)
    L = _Lines(orders, rows, frozenset(available), p)
    if status_codes is not None:
        L.status_codes = status_codes  # reuse the factorization (cached_property slot)
    groups = _make_groups(keys, rows, L.n)
    agg = _Aggregator(L, groups)

    def parts_per_group(ng: int) -> np.ndarray:
        return np.bincount(agg.order_parts[1], minlength=ng).astype(np.float64)

    table = finish_table(groups, defs, available, lambda name, ng: agg.measure(name),
                         parts_per_group, complaints, by_cols, period, customers)
    table.attrs.update(as_of=as_of_ts, undated_lines=undated,
                       cancelled_lines=int(cancelled.sum()))
    return table
