"""Customer-service KPIs: vectorized engines (pandas or DuckDB), a long tidy table, exact roll-ups.

:func:`kpi_table` computes every KPI of :func:`kpi_definitions` for any grouping
(customer, item, site, a customer attribute such as ``tier`` or ``segment``,
and/or a period of a date column) and returns one row per group x KPI::

    <group columns>..., period_start?, kpi, numerator, denominator, value, unit, note

Every rate carries its numerator and denominator, so a finer table rolls up
*exactly* with :func:`reaggregate` (sum the numerators, sum the denominators,
divide -- never an average of averages). :func:`control_limits` puts a
period-indexed KPI on a p-chart (rates of lines or orders; the Laney p' chart
when the rates vary more between periods than binomial sampling explains, as
they do at thousands of orders a month) or an individuals (XmR) chart
(everything else). :func:`write_kpi_docs` renders the definitions to
``docs/kpis.md``.

How it is computed
------------------
Two engines give the same table (``engine=`` of :func:`kpi_table`):

* ``"pandas"``: one pass builds line-level NumPy arrays (day numbers,
  quantities, 0/1 flags); group keys are factorized once into integer codes;
  every numerator and denominator is then a :func:`numpy.bincount` over those
  codes. Order-level KPIs first reduce the line flags per order (``all()`` = no
  bad line, via a count of bad lines per order), then count orders per group.
  Medians, percentiles and standard deviations use one pandas ``groupby`` on
  the integer codes. No Python loop runs per line, order or group.
* ``"duckdb"`` (:mod:`workbench.kpis_sql`): the same definitions as one DuckDB
  query, on an Arrow copy of the frame or -- with :func:`kpi_table_from_parquet`
  -- straight on a Parquet file, so that millions of lines never enter pandas.
  ``"auto"`` (the default) uses it for frames of :data:`AUTO_DUCKDB_MIN_LINES`
  lines or more when ``duckdb`` is installed. ``benchmarks/bench_kpis.py``
  measures it on ten million lines against hand-written DuckDB SQL.

Conventions
-----------
See :data:`GENERAL_CONVENTIONS` (also rendered in ``docs/kpis.md``). In short:
cancelled lines are dropped before anything else; delivery KPIs use shipped or
delivered lines only and open lines count only in backorders and open-order
aging; a line enters a denominator only when every value the KPI needs for it
is known; order-level KPIs are ``all()`` over the order's lines; a KPI whose
columns are absent or entirely missing is reported with ``value`` NaN and
``note`` ``"not available: needs column X"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError, MissingColumnsError, NotAvailableError
from workbench.io.schema import (
    CANCELLED_STATUSES,
    DELIVERED_STATUSES,
    OPEN_STATUSES,
    SHIPPED_STATUSES,
)
from workbench.kpis.history import period_start

__all__ = [
    "AUTO_DUCKDB_MIN_LINES",
    "CANCELLED_STATUSES",
    "ENGINES",
    "DELIVERED_STATUSES",
    "GENERAL_CONVENTIONS",
    "KPI_NAMES",
    "OPEN_STATUSES",
    "PERIODS",
    "SHIPPED_STATUSES",
    "TABLE_VALUE_COLUMNS",
    "KpiDefinition",
    "control_limits",
    "get_definition",
    "kpi_definitions",
    "kpi_table",
    "kpi_table_from_parquet",
    "reaggregate",
    "render_kpi_docs",
    "write_kpi_docs",
]

PERIODS: dict[str, str] = {"D": "day", "W": "week (starting Monday)", "M": "calendar month",
                           "Q": "calendar quarter"}
"""Supported ``period`` values of :func:`kpi_table`."""


TABLE_VALUE_COLUMNS: tuple[str, ...] = ("kpi", "numerator", "denominator", "value", "unit",
                                        "note")
"""Columns of a KPI table after the group columns (``<by>..., period_start?``)."""

_EPOCH = pd.Timestamp("1970-01-01")
_EPS = 1e-9  # relative slack in quantity comparisons (floating-point rounding only)
_NOT_AVAILABLE = "not available: "

GENERAL_CONVENTIONS: tuple[str, ...] = (
    "**Cancelled lines** (status `cancelled` or `canceled`, any case) are removed before "
    "anything else: they count in no numerator and no denominator, not even `lines` or "
    "`orders`.",
    "**Line states.** *Open*: status `open`. *Shipped*: has a `ship_date` or a "
    "`delivery_date` or status `shipped`/`delivered`/`closed`, and is not open. *Delivered*: "
    "has a `delivery_date` or status `delivered`, and is not open. Other status texts are "
    "ignored (the dates decide). Delivery KPIs use shipped or delivered lines; open lines "
    "count only in backorders and open-order aging. Delivery KPIs use every event recorded "
    "in the data, whatever `as_of`.",
    "**Judged lines.** A line enters a KPI's denominator only when every value the KPI needs "
    "for that line is known (an on-time rate needs the delivery date and the due date; an "
    "in-full rate needs the received quantity). Missing quality facts on a judged line "
    "(`qty_damaged`, `qty_returned`, `invoice_error`, `substituted_item`) mean *no problem "
    "recorded*; the rates *of* a flag (`invoice_error_rate`, `route_change_rate`, "
    "`from_stock_rate`) use the lines where the flag is recorded.",
    "**Dates** are calendar days; time of day is ignored. Cycle times and ages are whole "
    "days. The *commit date* of a line is `promised_date`, falling back line by line to "
    "`requested_date`.",
    "**Tolerances.** `on_time_tolerance_days` = d: a line is on time when delivered on or "
    "before due date + d days (early deliveries are on time); the same d decides when a "
    "shipment is late and when an open line is overdue (`as_of` > due date + d). Ages and "
    "days past due are still counted from the due date itself. `in_full_tolerance_pct` = t "
    "(a fraction: 0.02 = 2 %): a line is in full when the received quantity is at least "
    "ordered x (1 - t); over-delivery counts as in full. Fill rates and short shipments "
    "ignore t (shipped >= ordered).",
    "**Order-level KPIs** reduce the line flags per order with all(): an order is judged "
    "when every line is judged and good only when every line is good -- never a product of "
    "component rates. When a grouping splits an order (by item, or by a period of a date "
    "that differs between its lines) each part counts as one order in its group; "
    "order-level KPIs therefore re-aggregate exactly over groupings that keep orders whole "
    "(customer, customer attributes, order-date periods).",
    "**Availability.** A column is available when it is present and not entirely missing. "
    "A KPI that lacks a column appears with `value` NaN and `note` \"not available: needs "
    "column X\"; `a or b` means either column will do. An empty complaints frame means no "
    "complaints (rates of 0), not a missing column.",
    "**as_of** (default: the latest `order_date` of the non-cancelled lines) is the date of "
    "the open-order snapshot: a line is open at `as_of` when ordered on or before it and "
    "neither shipped (`ship_date` <= `as_of`) nor delivered (`delivery_date` <= `as_of`) by "
    "then, or when its status is `open`; a line with status shipped/delivered/closed and no "
    "dates is not open. The quantity shipped by `as_of` is `qty_shipped` unless its "
    "`ship_date` is later (then 0).",
    "**Grouping.** `by` columns come from the order lines, or from the `customers` frame "
    "(joined on `customer_id`, e.g. `tier`, `segment`). With `period`, lines are grouped by "
    "the first day of the period of `date_column`; lines without that date are left out "
    "and counted in `table.attrs[\"undated_lines\"]`. A missing group value forms its own "
    "group.",
    "**Re-aggregation.** `aggregation` = `ratio`: value = scale x sum(numerator) / "
    "sum(denominator); `count`: value = sum(numerator); `none` (median, p90, std, cv): not "
    "additive -- recompute from the lines. Every group appears for every KPI, so sums over "
    "a finer table equal the coarser table (a table with no group at all -- every line "
    "cancelled -- rolls up to an empty table).",
    "**Complaints** are grouped by their own `customer_id` (and customer attributes) and by "
    "the period of `complaint_date`, and compared with the orders of the same group. "
    "Complaint KPIs are not available for groupings the complaints frame lacks (item, site). "
    "Pass complaints covering the same time window as the orders.",
)
"""Conventions that apply to every KPI (rendered in ``docs/kpis.md``)."""


# --------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiDefinition:
    """One KPI: what it measures, how, from which columns, and how it rolls up.

    Attributes
    ----------
    name
        Stable snake_case name (the ``kpi`` column of a KPI table).
    label
        Short human label.
    formula
        The formula in words.
    numerator, denominator
        What the ``numerator`` and ``denominator`` columns hold.
    requires
        Required columns: each inner tuple is a set of alternatives of which at
        least one must be available. ``complaints.X`` names a column of the
        complaints frame, ``complaints`` the frame itself.
    unit
        ``fraction`` (0-1), ``days``, ``ratio``, ``lines``, ``orders`` or
        ``per 100 orders``.
    aggregation
        ``ratio`` (sum numerators / sum denominators x ``scale``), ``count``
        (sum numerators) or ``none`` (not additive).
    higher_is_better
        Direction used by :func:`control_limits`; ``None`` for neutral counts.
    chart
        ``p`` (rates of lines or orders: p-chart, or Laney p' chart when
        overdispersed) or ``xmr`` (individuals chart); see :func:`control_limits`.
    level
        ``line``, ``order`` or ``complaint``.
    conventions
        KPI-specific conventions (on top of :data:`GENERAL_CONVENTIONS`).
    scale
        Multiplier of the ratio (100 for per-100 KPIs).
    """

    name: str
    label: str
    formula: str
    numerator: str
    denominator: str
    requires: tuple[tuple[str, ...], ...]
    unit: str
    aggregation: str
    higher_is_better: bool | None
    chart: str
    level: str
    conventions: str
    scale: float = 1.0

    @property
    def additive(self) -> bool:
        """True if the KPI re-aggregates exactly from numerators and denominators."""
        return self.aggregation != "none"

    @property
    def required_columns(self) -> str:
        """``requires`` as text: ``a, b or c`` (comma = and, ``or`` = alternatives)."""
        return ", ".join(" or ".join(_FRAMES.get(c, c) for c in alt)
                         for alt in self.requires) or "-"

    def missing(self, available: set[str] | frozenset[str]) -> list[str]:
        """The requirement groups none of whose columns is available, as text."""
        return [" or ".join(alt) for alt in self.requires
                if not any(c in available for c in alt)]


_FRAMES = {"complaints": "complaints frame"}
_COMMIT = ("promised_date", "requested_date")
_RECEIVED = ("qty_delivered", "qty_shipped")
_SHIP_EVIDENCE = ("ship_date", "delivery_date", "status")
_DELIVERY_EVIDENCE = ("delivery_date", "status")
_CYCLE_REQ = (("order_date",), ("delivery_date",))
_CYCLE_SCOPE = ("Delivered lines with both `order_date` and `delivery_date`; cycle time = "
                "delivery_date - order_date in days.")


def _d(name, label, formula, numerator, denominator, requires, unit, aggregation, hib, chart,
       level, conventions, scale=1.0) -> KpiDefinition:
    return KpiDefinition(name, label, formula, numerator, denominator,
                         tuple(tuple(r) for r in requires), unit, aggregation, hib, chart, level,
                         conventions, scale)


_DEFINITIONS: tuple[KpiDefinition, ...] = (
    _d("lines", "Order lines", "count of lines", "non-cancelled lines", "-", (), "lines",
       "count", None, "xmr", "line", "All non-cancelled lines of the group, open or not."),
    _d("orders", "Orders", "count of orders", "orders with a non-cancelled line", "-", (),
       "orders", "count", None, "xmr", "order",
       "An order split across groups counts once in each group (see the general conventions)."),
    # ---------------------------------------------------------------- cycle time
    _d("cycle_time_mean", "Order cycle time, mean", "sum(delivery_date - order_date) / lines",
       "sum of cycle times (days)", "delivered lines with both dates", _CYCLE_REQ, "days",
       "ratio", False, "xmr", "line", _CYCLE_SCOPE),
    _d("cycle_time_median", "Order cycle time, median", "median(delivery_date - order_date)",
       "-", "delivered lines with both dates", _CYCLE_REQ, "days", "none", False, "xmr",
       "line", _CYCLE_SCOPE + " Not additive: recompute from the lines."),
    _d("cycle_time_p90", "Order cycle time, 90th percentile",
       "90th percentile of (delivery_date - order_date)", "-",
       "delivered lines with both dates", _CYCLE_REQ, "days", "none", False, "xmr", "line",
       _CYCLE_SCOPE + " Linear interpolation between order statistics (numpy/pandas "
       "default). Not additive."),
    _d("cycle_time_std", "Order cycle time, standard deviation",
       "sample standard deviation of (delivery_date - order_date)", "-",
       "delivered lines with both dates", _CYCLE_REQ, "days", "none", False, "xmr", "line",
       _CYCLE_SCOPE + " ddof = 1 (NaN for a single line). Not additive."),
    _d("cycle_time_cv", "Order cycle time, coefficient of variation",
       "cycle_time_std / cycle_time_mean", "-", "delivered lines with both dates", _CYCLE_REQ,
       "ratio", "none", False, "xmr", "line", _CYCLE_SCOPE + " Not additive."),
    # ---------------------------------------------------------------- on time / in full
    _d("on_time_requested_rate", "On time to requested date",
       "lines with delivery_date <= requested_date + d / lines",
       "delivered lines on time to the requested date",
       "delivered lines with delivery_date and requested_date",
       (("delivery_date",), ("requested_date",)), "fraction", "ratio", True, "p", "line",
       "Line level; d = on_time_tolerance_days; early deliveries are on time."),
    _d("on_time_promised_rate", "On time to promised date",
       "lines with delivery_date <= promised_date + d / lines",
       "delivered lines on time to the promised date",
       "delivered lines with delivery_date and promised_date",
       (("delivery_date",), ("promised_date",)), "fraction", "ratio", True, "p", "line",
       "Line level; d = on_time_tolerance_days; no fallback to the requested date."),
    _d("in_full_line_rate", "In full (lines)",
       "lines with received >= ordered x (1 - t) / lines", "shipped lines received in full",
       "shipped lines with a received quantity", (_RECEIVED, _SHIP_EVIDENCE), "fraction",
       "ratio", True, "p", "line",
       "Received = qty_delivered, falling back line by line to qty_shipped; t = "
       "in_full_tolerance_pct. A line with damaged units not accepted (qty_delivered < "
       "qty_ordered) is not in full."),
    _d("in_full_order_rate", "In full (orders)", "orders whose every line is in full / orders",
       "orders with every line in full", "orders with every line judged for in full",
       (_RECEIVED, _SHIP_EVIDENCE), "fraction", "ratio", True, "p", "order",
       "An order with an open line (or a line without a received quantity) is not judged "
       "yet."),
    _d("otif_line_rate", "OTIF (lines)", "lines on time to commit date and in full / lines",
       "delivered lines on time (commit date) and in full",
       "delivered lines with delivery date, commit date and received quantity",
       (("delivery_date",), _COMMIT, _RECEIVED), "fraction", "ratio", True, "p", "line",
       "Commit date = promised_date, else requested_date; tolerances d and t as above."),
    _d("otif_order_rate", "OTIF (orders)",
       "orders whose every line is on time and in full / orders",
       "orders with every line OTIF", "orders with every line judged for OTIF",
       (("delivery_date",), _COMMIT, _RECEIVED), "fraction", "ratio", True, "p", "order",
       "One late or short line spoils the order. Orders with a line not yet delivered are "
       "not judged."),
    _d("perfect_order_rate", "Perfect order (SCOR)",
       "orders whose every line is on time (commit), in full, damage-free and correctly "
       "invoiced / orders", "perfect orders", "orders with every line judged for OTIF",
       (("delivery_date",), _COMMIT, _RECEIVED, ("qty_damaged",), ("invoice_error",)),
       "fraction", "ratio", True, "p", "order",
       "Computed from line flags aggregated with all() per order, NOT as the product of "
       "component rates. Damage-free: qty_damaged is 0 or missing; correctly invoiced: "
       "invoice_error is not True. Needs the qty_damaged and invoice_error columns to "
       "exist."),
    # ---------------------------------------------------------------- fill
    _d("line_fill_rate", "Line fill rate", "lines shipped complete / lines",
       "shipped lines with qty_shipped >= qty_ordered", "shipped lines with qty_shipped",
       (("qty_shipped",), _SHIP_EVIDENCE), "fraction", "ratio", True, "p", "line",
       "No tolerance. Open lines are not in the denominator (they are backorders when "
       "overdue)."),
    _d("unit_fill_rate", "Unit fill rate", "sum(min(qty_shipped, qty_ordered)) / "
       "sum(qty_ordered)", "units shipped, capped at the ordered quantity",
       "units ordered on shipped lines with qty_shipped", (("qty_shipped",), _SHIP_EVIDENCE),
       "fraction", "ratio", True, "xmr", "line", "Over-shipment does not raise the rate."),
    _d("order_fill_rate", "Order fill rate", "orders whose every line shipped complete / "
       "orders", "orders with every line shipped complete",
       "orders with every line shipped and qty_shipped known",
       (("qty_shipped",), _SHIP_EVIDENCE), "fraction", "ratio", True, "p", "order",
       "No tolerance; an order with an open line is not judged yet."),
    _d("value_fill_rate", "Value fill rate", "sum(min(qty_shipped, qty_ordered) x "
       "unit_price) / sum(qty_ordered x unit_price)", "value shipped, capped at ordered",
       "value ordered on shipped lines with qty_shipped and unit_price",
       (("qty_shipped",), _SHIP_EVIDENCE, ("unit_price",)), "fraction", "ratio", True, "xmr",
       "line", "Lines without a price are left out of both sums."),
    _d("short_shipment_rate", "Short shipments", "lines shipped short / lines",
       "shipped lines with qty_shipped < qty_ordered", "shipped lines with qty_shipped",
       (("qty_shipped",), _SHIP_EVIDENCE), "fraction", "ratio", False, "p", "line",
       "No tolerance; = 1 - line_fill_rate."),
    _d("late_shipment_rate", "Late shipments",
       "lines with ship_date > requested_date - ship_lead_days + d / lines",
       "shipped lines that left later than needed for the requested date",
       "shipped lines with ship_date and requested_date",
       (("ship_date",), ("requested_date",)), "fraction", "ratio", False, "p", "line",
       "ship_lead_days (default 0) = transit time allowed between shipping and the "
       "requested date; d = on_time_tolerance_days."),
    _d("from_stock_rate", "Filled from stock", "lines filled from stock / lines",
       "lines with filled_from_stock True", "lines with filled_from_stock recorded",
       (("filled_from_stock",),), "fraction", "ratio", True, "p", "line",
       "Open lines count when the flag is recorded."),
    _d("stockout_rate", "Stock-outs",
       "shipped lines not filled from stock or shipped short / shipped lines",
       "shipped lines with filled_from_stock False or qty_shipped < qty_ordered",
       "shipped lines with filled_from_stock and qty_shipped recorded",
       (("filled_from_stock",), ("qty_shipped",), _SHIP_EVIDENCE), "fraction", "ratio", False,
       "p", "line",
       "A stock-out line could not be served from available stock: it was made or bought "
       "to order (filled_from_stock False) or it was shipped short."),
    # ---------------------------------------------------------------- quality
    _d("damage_rate", "Damaged deliveries", "delivered lines with damage / delivered lines",
       "delivered lines with qty_damaged > 0", "delivered lines",
       (("qty_damaged",), _DELIVERY_EVIDENCE), "fraction", "ratio", False, "p", "line",
       "Missing qty_damaged on a delivered line = no damage recorded."),
    _d("unit_damage_rate", "Damaged units", "sum(qty_damaged) / sum(qty_shipped)",
       "units damaged", "units shipped on delivered lines with qty_shipped",
       (("qty_damaged",), ("qty_shipped",), _DELIVERY_EVIDENCE), "fraction", "ratio", False,
       "xmr", "line", "Missing qty_damaged = 0."),
    _d("return_rate", "Returns", "delivered lines with returns / delivered lines",
       "delivered lines with qty_returned > 0", "delivered lines",
       (("qty_returned",), _DELIVERY_EVIDENCE), "fraction", "ratio", False, "p", "line",
       "Missing qty_returned on a delivered line = no return recorded."),
    _d("invoice_error_rate", "Invoice errors", "lines with invoice_error / lines",
       "lines with invoice_error True", "lines with invoice_error recorded",
       (("invoice_error",),), "fraction", "ratio", False, "p", "line", "-"),
    _d("substitution_rate", "Substitutions", "shipped lines with a substitute / shipped lines",
       "shipped lines whose substituted_item is set and differs from item_id",
       "shipped lines", (("substituted_item",), _SHIP_EVIDENCE), "fraction", "ratio", False,
       "p", "line", "Missing or blank substituted_item = no substitution."),
    _d("route_change_rate", "Re-routed shipments", "lines re-routed / lines",
       "lines with route_changed True", "lines with route_changed recorded",
       (("route_changed",),), "fraction", "ratio", False, "p", "line", "-"),
    # ---------------------------------------------------------------- open book
    _d("backorder_lines", "Backorders", "count of open, overdue lines short at as_of",
       "lines open at as_of, overdue and with quantity shipped by as_of < qty_ordered", "-",
       (("order_date",), _COMMIT, _SHIP_EVIDENCE), "lines", "count", False, "xmr", "line",
       "Overdue: as_of > commit date + d. Lines without a commit date are not counted."),
    _d("backorder_age_days_mean", "Backorder age, mean", "sum(as_of - commit date) / "
       "backorder lines", "sum of days past the commit date", "backorder lines",
       (("order_date",), _COMMIT, _SHIP_EVIDENCE), "days", "ratio", False, "xmr", "line",
       "Age = days past the commit date (not past commit date + d)."),
    _d("open_lines", "Open lines", "count of lines open at as_of",
       "lines ordered by as_of and not shipped by then (or status open)", "-",
       (("order_date",), _SHIP_EVIDENCE), "lines", "count", None, "xmr", "line",
       "Accepted, not shipped. Lines without an order_date are not counted."),
    _d("open_lines_overdue", "Open lines overdue", "count of open lines past commit date + d",
       "open lines with as_of > commit date + d", "-",
       (("order_date",), _COMMIT, _SHIP_EVIDENCE), "lines", "count", False, "xmr", "line",
       "Unlike backorder_lines, counts overdue lines already shipped in full but still "
       "open."),
    _d("open_line_age_days_mean", "Open line age, mean", "sum(as_of - order_date) / open "
       "lines", "sum of days since order_date", "open lines",
       (("order_date",), _SHIP_EVIDENCE), "days", "ratio", False, "xmr", "line", "-"),
    # ---------------------------------------------------------------- complaints
    _d("complaints_per_100_orders", "Complaints per 100 orders",
       "100 x complaints / orders", "complaints (by complaint_date period)",
       "orders (by date_column period)", (("complaints",),), "per 100 orders", "ratio",
       False, "xmr", "complaint",
       "A group with complaints but no orders has value NaN (denominator 0) and still "
       "counts in roll-ups.", scale=100.0),
    _d("complaint_resolution_days_mean", "Complaint resolution time, mean",
       "sum(resolved_date - complaint_date) / resolved complaints", "sum of days to resolve",
       "resolved complaints",
       (("complaints",), ("complaints.complaint_date",), ("complaints.resolved_date",)),
       "days", "ratio", False, "xmr", "complaint", "Open complaints are left out."),
)

_BY_NAME: dict[str, KpiDefinition] = {d.name: d for d in _DEFINITIONS}
KPI_NAMES: tuple[str, ...] = tuple(_BY_NAME)
"""All KPI names, in table order."""
_KPI_ORDER = {name: i for i, name in enumerate(KPI_NAMES)}

_DEFINITION_COLUMNS = ("name", "label", "formula", "numerator", "denominator",
                       "required_columns", "unit", "additive", "higher_is_better",
                       "conventions", "aggregation", "level", "chart")


def get_definition(name: str) -> KpiDefinition:
    """The :class:`KpiDefinition` of KPI ``name``.

    Raises
    ------
    ConfigError
        If no KPI has that name.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ConfigError(f"unknown KPI {name!r}", key="kpi", value=name,
                          fix=f"use one of {', '.join(KPI_NAMES)}.") from None


def kpi_definitions() -> pd.DataFrame:
    """The KPI definitions as a table, one row per KPI in table order.

    Returns
    -------
    DataFrame
        ``name, label, formula, numerator, denominator, required_columns, unit,
        additive, higher_is_better, conventions, aggregation, level, chart``.
        ``additive`` is False for KPIs that cannot be rolled up from numerators
        and denominators (median, p90, std, cv of cycle time);
        ``higher_is_better`` is missing for neutral counts.
    """
    rows = [{"name": d.name, "label": d.label, "formula": d.formula, "numerator": d.numerator,
             "denominator": d.denominator, "required_columns": d.required_columns,
             "unit": d.unit, "additive": d.additive, "higher_is_better": d.higher_is_better,
             "conventions": d.conventions, "aggregation": d.aggregation, "level": d.level,
             "chart": d.chart} for d in _DEFINITIONS]
    out = pd.DataFrame(rows, columns=list(_DEFINITION_COLUMNS))
    out["higher_is_better"] = out["higher_is_better"].astype("boolean")
    return out


# --------------------------------------------------------------------------------------
# Line-level arrays
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Params:
    tol_days: float
    tol_pct: float
    ship_lead_days: float
    as_of: float  # day number (days since 1970-01-01), NaN if unknown


def _day_numbers(s: pd.Series) -> np.ndarray:
    """Calendar-day numbers (days since 1970-01-01) as float, NaN for missing."""
    if not pd.api.types.is_datetime64_any_dtype(s):
        try:
            s = pd.to_datetime(s)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"column {s.name!r} is not a date column: {exc}", key=str(s.name),
                              fix="load the data with workbench.load_orders().") from None
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    a = s.to_numpy()
    out = a.astype("datetime64[D]").astype(np.int64).astype(np.float64)
    out[np.isnat(a)] = np.nan
    return out


def _floats(s: pd.Series) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(s):
        s = pd.to_numeric(s, errors="coerce")
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _flags(s: pd.Series) -> np.ndarray:
    """A flag column as 1.0 / 0.0 / NaN."""
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
    return q >= threshold - _EPS * np.abs(threshold)


class _Lines:
    """Line-level arrays of the kept (non-cancelled, dated) lines, built on demand."""

    def __init__(self, orders: pd.DataFrame, rows: np.ndarray | None, available: frozenset[str],
                 params: _Params):
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

    od = cached_property(lambda self: self._col("order_date", _day_numbers))
    rd = cached_property(lambda self: self._col("requested_date", _day_numbers))
    prd = cached_property(lambda self: self._col("promised_date", _day_numbers))
    sd = cached_property(lambda self: self._col("ship_date", _day_numbers))
    dd = cached_property(lambda self: self._col("delivery_date", _day_numbers))
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


def _backorder_age(L: _Lines) -> _Ratio:
    return _Ratio(np.where(L.backorder, L.p.as_of - L.commit, 0.0), L.backorder)


def _open_age(L: _Lines) -> _Ratio:
    return _Ratio(np.where(L.open_, L.p.as_of - L.od, 0.0), L.open_)


def _all_lines(L: _Lines) -> np.ndarray:
    return np.ones(L.n, dtype=bool)


_MEASURES: dict[str, Callable[[_Lines], _Ratio | _Count | _OrderAll | _Stat]] = {
    "lines": lambda L: _Count(_all_lines(L)),
    "orders": lambda L: _OrderAll(_all_lines(L), _all_lines(L)),
    "cycle_time_mean": _cycle_mean,
    "cycle_time_median": lambda L: _Stat("median"),
    "cycle_time_p90": lambda L: _Stat("p90"),
    "cycle_time_std": lambda L: _Stat("std"),
    "cycle_time_cv": lambda L: _Stat("cv"),
    "on_time_requested_rate": lambda L: _Ratio(*L.on_time(L.rd)),
    "on_time_promised_rate": lambda L: _Ratio(*L.on_time(L.prd)),
    "in_full_line_rate": lambda L: _Ratio(*L.in_full),
    "in_full_order_rate": lambda L: _OrderAll(*L.in_full),
    "otif_line_rate": lambda L: _Ratio(*L.otif),
    "otif_order_rate": lambda L: _OrderAll(*L.otif),
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


def _customer_lookup(customers: pd.DataFrame, column: str) -> pd.Series:
    if "customer_id" not in customers.columns:
        raise ConfigError("the customers frame has no customer_id column", key="customers",
                          fix="pass the customers table of the data model.")
    if customers["customer_id"].duplicated().any():
        dup = customers.loc[customers["customer_id"].duplicated(), "customer_id"].iloc[0]
        raise ConfigError(f"the customers frame repeats customer_id {dup!r}", key="customers",
                          value=dup, fix="pass one row per customer.")
    return customers.set_index("customer_id")[column]


def _key_from_customers(name: str, customer_id: pd.Series, lookup: pd.Series) -> _KeyColumn:
    c_codes, c_uniques = pd.factorize(customer_id, use_na_sentinel=False)
    values = pd.Index(c_uniques).map(lookup)
    a_codes, a_uniques = pd.factorize(values, use_na_sentinel=False)
    return _KeyColumn(name, a_codes.astype(np.int64)[c_codes], pd.Index(a_uniques))


@dataclass
class _Groups:
    """Group code of every kept line and one row of key values per group."""

    codes: np.ndarray
    keys: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.keys)


def _make_groups(keys: list[_KeyColumn], rows: np.ndarray | None, n: int) -> _Groups:
    if not keys:
        return _Groups(np.zeros(n, dtype=np.int64), pd.DataFrame(index=range(1)))
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
    return _Groups(codes, frame)


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    out = list(by)
    if not all(isinstance(b, str) for b in out):
        raise ConfigError(f"by must be a column name or a list of names, got {by!r}", key="by",
                          value=by)
    return out


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

    def __init__(self, L: _Lines, groups: _Groups):
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
        d = _BY_NAME[name]
        m = _MEASURES[name](self.L)
        nan = np.full(self.g.n, np.nan)
        if isinstance(m, _Stat):
            s = self.cycle_stats
            return nan, s["n"], s[m.stat]
        if isinstance(m, _Count):
            num = _sum(self.g.codes, m.mask, self.g.n)
            return num, nan, num
        if isinstance(m, _OrderAll):
            num, den = self.order_all(m)
            if d.aggregation == "count":
                return den, nan, den
        else:
            num, den = _sum(self.g.codes, m.num, self.g.n), _sum(self.g.codes, m.den, self.g.n)
        return num, den, _ratio(num, den, d.scale)


def _ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0) * scale, np.nan)


# --------------------------------------------------------------------------------------
# Complaints
# --------------------------------------------------------------------------------------


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
            cols[c] = complaints["customer_id"].map(_customer_lookup(customers, c))
        else:
            return None, keep, f"{_NOT_AVAILABLE}complaints cannot be grouped by {c}"
    if period:
        if not _usable(complaints, "complaint_date"):
            return None, keep, f"{_NOT_AVAILABLE}needs column complaints.complaint_date"
        dates = pd.to_datetime(complaints["complaint_date"])
        keep = dates.notna().to_numpy()
        cols["period_start"] = period_start(dates, period)
    frame = pd.DataFrame({k: v.to_numpy() for k, v in cols.items()}, index=complaints.index)
    return frame.loc[keep].reset_index(drop=True), keep, None


def _lookup_groups(groups: _Groups, ckeys: pd.DataFrame) -> np.ndarray:
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


# --------------------------------------------------------------------------------------
# kpi_table
# --------------------------------------------------------------------------------------

_MODEL_COLUMNS = ("order_id", "customer_id", "item_id", "order_date", "requested_date",
                  "promised_date", "ship_date", "delivery_date", "qty_ordered", "qty_shipped",
                  "qty_delivered", "unit_price", "status", "invoice_error", "qty_damaged",
                  "substituted_item", "route_changed", "qty_returned", "filled_from_stock")


def _has_values(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].notna().any())


def _usable(complaints: pd.DataFrame, column: str) -> bool:
    """A complaints column is usable if present and, unless there are no complaints, not empty."""
    return column in complaints.columns and (complaints.empty
                                             or bool(complaints[column].notna().any()))


def _select(kpis: str | Sequence[str] | None) -> list[KpiDefinition]:
    if kpis is None:
        return list(_DEFINITIONS)
    names = [kpis] if isinstance(kpis, str) else list(kpis)
    defs = [get_definition(n) for n in names]
    return sorted(dict.fromkeys(defs), key=lambda d: _KPI_ORDER[d.name])


def _check_params(period, on_time_tolerance_days, in_full_tolerance_pct, ship_lead_days):
    if period is not None and period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}", key="period", value=period,
                          fix="use None, 'W' (week), 'M' (month), 'Q' (quarter) or 'D' (day).")
    for key, value in (("on_time_tolerance_days", on_time_tolerance_days),
                       ("ship_lead_days", ship_lead_days)):
        if not np.isfinite(value) or value < 0:
            raise ConfigError(f"{key} must be a number of days >= 0, got {value!r}", key=key,
                              value=value)
    if not (0.0 <= in_full_tolerance_pct < 1.0):
        raise ConfigError(
            f"in_full_tolerance_pct must be a fraction in [0, 1), got {in_full_tolerance_pct!r}",
            key="in_full_tolerance_pct", value=in_full_tolerance_pct,
            fix="give 0.02 for a 2 % tolerance.")


ENGINES: tuple[str, ...] = ("auto", "pandas", "duckdb")
"""Values of the ``engine`` argument of :func:`kpi_table` and :func:`kpi_table_from_parquet`."""

AUTO_DUCKDB_MIN_LINES = 200_000
"""``engine="auto"``: frames with at least this many lines go to DuckDB (when installed)."""


def _resolve_engine(engine: str, n_lines: int | None) -> str:
    """``"pandas"`` or ``"duckdb"`` for an ``engine`` argument (``n_lines`` None: a file)."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}", key="engine", value=engine,
                          fix="use 'auto', 'pandas' or 'duckdb'.")
    if engine == "pandas":
        return "pandas"
    from workbench.kpis.duckdb_engine import duckdb_available

    if engine == "duckdb":
        if not duckdb_available():
            raise ConfigError("engine='duckdb' needs the duckdb package", key="engine",
                              value=engine, fix="pip install duckdb, or use engine='pandas'.")
        return "duckdb"
    big = n_lines is None or n_lines >= AUTO_DUCKDB_MIN_LINES
    return "duckdb" if big and duckdb_available() else "pandas"


def _prepare(kpis: str | Sequence[str] | None, by: str | Sequence[str] | None
             ) -> tuple[list[KpiDefinition], list[str]]:
    defs = _select(kpis)
    by_cols = _as_list(by)
    reserved = {"period_start", *TABLE_VALUE_COLUMNS}
    if bad := [c for c in by_cols if c in reserved]:
        raise ConfigError(f"cannot group by {bad[0]!r}: reserved name", key="by", value=bad[0],
                          fix="use period= to group by period.")
    return defs, by_cols


def kpi_table(orders: pd.DataFrame, by: str | Sequence[str] | None = None, *,
              period: str | None = None, date_column: str = "order_date",
              on_time_tolerance_days: float = 0, in_full_tolerance_pct: float = 0.0,
              ship_lead_days: float = 0, as_of: str | pd.Timestamp | None = None,
              complaints: pd.DataFrame | None = None, customers: pd.DataFrame | None = None,
              kpis: str | Sequence[str] | None = None, engine: str = "auto") -> pd.DataFrame:
    """Customer-service KPIs per group as a long tidy table.

    Parameters
    ----------
    orders
        Order lines of the data model (``workbench.load_orders(...).orders``).
        Optional columns may be absent or entirely missing: the KPIs that need
        them are reported as not available.
    by
        Group column(s): a column of ``orders`` (``customer_id``, ``item_id``,
        ``site``, ...) or of ``customers`` (``tier``, ``segment``, ``region``),
        joined on ``customer_id``. None: one overall group.
    period
        ``"W"`` (weeks from Monday), ``"M"``, ``"Q"`` (or ``"D"``): also group by
        the first day of the period of ``date_column`` (column ``period_start``).
        Lines without that date are left out (``table.attrs["undated_lines"]``).
    date_column
        Date that places a line in a period (default ``order_date``).
    on_time_tolerance_days
        d >= 0: on time if delivered by due date + d; also used for late
        shipments and overdue open lines.
    in_full_tolerance_pct
        t in [0, 1) as a fraction (0.02 = 2 %): in full if received >=
        ordered x (1 - t). Fill rates ignore it.
    ship_lead_days
        Days allowed between shipping and the requested date for
        ``late_shipment_rate`` (default 0: shipping after the requested date is
        late).
    as_of
        Snapshot date for backorders and open-order aging (default: latest
        ``order_date`` of the non-cancelled lines).
    complaints
        Complaints table (``COMPLAINTS`` schema) for the complaint KPIs.
    customers
        Customer master, for grouping by customer attributes.
    kpis
        KPI name(s) to compute (default all, see :func:`kpi_definitions`).
    engine
        ``"pandas"``: NumPy/pandas in this process. ``"duckdb"``: the same
        table computed by DuckDB (:mod:`workbench.kpis_sql`) on an Arrow copy of
        the columns used -- several times faster and leaner on millions of
        lines. ``"auto"`` (default): DuckDB for frames of at least
        :data:`AUTO_DUCKDB_MIN_LINES` lines when ``duckdb`` is installed (and
        the frame converts to Arrow), pandas otherwise. Both engines give the
        same table; sums of non-integer values (value fill rate) may differ in
        the last bits.

    Returns
    -------
    DataFrame
        ``<by>..., period_start?, kpi, numerator, denominator, value, unit, note``:
        one row per group x KPI, groups sorted by their keys, KPIs in
        definition order. Rates are fractions in [0, 1]. ``value`` is NaN when
        the denominator is 0 or the KPI is not available (then ``note`` says
        ``"not available: needs column X"``). Count KPIs have no denominator;
        non-additive KPIs (median, p90, std, cv) have no numerator and the
        number of lines as denominator. ``attrs``: ``as_of``,
        ``undated_lines``, ``cancelled_lines``.

    Raises
    ------
    ConfigError
        Unknown KPI, period, group column or engine; negative tolerance;
        ``engine="duckdb"`` without the duckdb package.
    NotAvailableError
        ``period`` is given but ``date_column`` is absent or entirely missing.
    MissingColumnsError
        ``order_id`` or ``qty_ordered`` is absent.

    See Also
    --------
    kpi_table_from_parquet : the same table straight from a Parquet file.

    Notes
    -----
    Conventions: :data:`GENERAL_CONVENTIONS` and the ``conventions`` column of
    :func:`kpi_definitions` (both rendered in ``docs/kpis.md``).
    """
    _check_params(period, on_time_tolerance_days, in_full_tolerance_pct, ship_lead_days)
    missing = [c for c in ("order_id", "qty_ordered") if c not in orders.columns]
    if missing:
        raise MissingColumnsError("order_lines", missing, list(orders.columns),
                                  hint="KPIs need every order line's order and quantity.")
    defs, by_cols = _prepare(kpis, by)
    params = _Params(float(on_time_tolerance_days), float(in_full_tolerance_pct),
                     float(ship_lead_days), np.nan)
    as_of_ts = None if as_of is None else pd.Timestamp(as_of).normalize()
    if _resolve_engine(engine, len(orders)) == "duckdb":
        from workbench.kpis.duckdb_engine import ArrowConversionError, duckdb_kpi_table

        try:
            return duckdb_kpi_table(orders, by_cols, defs, period=period,
                                    date_column=date_column, params=params, as_of=as_of_ts,
                                    complaints=complaints, customers=customers)
        except ArrowConversionError as exc:
            if engine == "duckdb":
                raise ConfigError(f"the order lines cannot be handed to DuckDB: {exc}",
                                  key="engine", value=engine,
                                  fix="load the data with workbench.load_orders(), or use "
                                      "engine='pandas'.") from exc
    return _pandas_kpi_table(orders, by_cols, defs, period, date_column, params, as_of_ts,
                             complaints, customers)


def kpi_table_from_parquet(path: str | Path, by: str | Sequence[str] | None = None, *,
                           period: str | None = None, date_column: str = "order_date",
                           on_time_tolerance_days: float = 0,
                           in_full_tolerance_pct: float = 0.0, ship_lead_days: float = 0,
                           as_of: str | pd.Timestamp | None = None,
                           complaints: pd.DataFrame | None = None,
                           customers: pd.DataFrame | None = None,
                           kpis: str | Sequence[str] | None = None,
                           engine: str = "auto") -> pd.DataFrame:
    """The KPI table of :func:`kpi_table`, computed straight from a Parquet file.

    With the DuckDB engine the order lines never enter pandas: DuckDB reads the
    columns it needs from the file and returns the (small) table, so ten
    million lines take about as long and as little memory as hand-written
    DuckDB SQL (see ``docs/benchmarks.md``).

    Parameters
    ----------
    path
        A Parquet file of order lines in the data model: columns named as in
        ``docs/data-model.md``, dates as Parquet dates or timestamps, numbers
        and flags typed -- as written by ``write_samples(..., fmt="parquet")``
        or ``load_orders(...).data.to_parquet(...)``. The file is read as is:
        no mapping, validation or quarantine (use :func:`workbench.load_orders`
        for raw extracts).
    by, period, date_column, on_time_tolerance_days, in_full_tolerance_pct, ship_lead_days
        As :func:`kpi_table`.
    as_of, complaints, customers, kpis
        As :func:`kpi_table`.
    engine
        ``"duckdb"``, ``"pandas"`` (read the columns used with pyarrow, dates
        as ``datetime64``, then the pandas engine) or ``"auto"`` (default):
        DuckDB when installed.

    Returns
    -------
    DataFrame
        The same table (columns, dtypes, order, ``attrs``) as :func:`kpi_table`
        on the file's contents.

    Raises
    ------
    SourceError
        The file cannot be read as Parquet.
    MissingColumnsError
        ``order_id`` or ``qty_ordered`` is absent.
    ConfigError, NotAvailableError
        As :func:`kpi_table`; also a date column stored as text (DuckDB engine).
    """
    import pyarrow.parquet as pq

    from workbench.exceptions import SourceError

    _check_params(period, on_time_tolerance_days, in_full_tolerance_pct, ship_lead_days)
    defs, by_cols = _prepare(kpis, by)
    path = Path(path)
    try:
        names = pq.read_schema(path).names
    except Exception as exc:
        raise SourceError(f"cannot read the Parquet file: {exc}", source=str(path)) from exc
    missing = [c for c in ("order_id", "qty_ordered") if c not in names]
    if missing:
        raise MissingColumnsError("order_lines", missing, names, source=str(path),
                                  hint="KPIs need every order line's order and quantity.")
    if _resolve_engine(engine, None) == "pandas":
        columns = [c for c in dict.fromkeys([*_MODEL_COLUMNS, *by_cols, date_column])
                   if c in names]
        frame = pq.read_table(path, columns=columns).to_pandas(date_as_object=False)
        return kpi_table(frame, by, period=period, date_column=date_column,
                         on_time_tolerance_days=on_time_tolerance_days,
                         in_full_tolerance_pct=in_full_tolerance_pct,
                         ship_lead_days=ship_lead_days, as_of=as_of, complaints=complaints,
                         customers=customers, kpis=kpis, engine="pandas")
    from workbench.kpis.duckdb_engine import duckdb_kpi_table

    params = _Params(float(on_time_tolerance_days), float(in_full_tolerance_pct),
                     float(ship_lead_days), np.nan)
    return duckdb_kpi_table(path, by_cols, defs, period=period, date_column=date_column,
                            params=params,
                            as_of=None if as_of is None else pd.Timestamp(as_of).normalize(),
                            complaints=complaints, customers=customers)


def _pandas_kpi_table(orders: pd.DataFrame, by_cols: list[str], defs: list[KpiDefinition],
                      period: str | None, date_column: str, params: _Params,
                      as_of_ts: pd.Timestamp | None, complaints: pd.DataFrame | None,
                      customers: pd.DataFrame | None) -> pd.DataFrame:
    """The pandas/NumPy engine of :func:`kpi_table` (arguments validated)."""
    # -- lines kept: not cancelled, and dated when grouping by period
    n_all = len(orders)
    status_codes = _status_codes(orders["status"]) if "status" in orders else None
    cancelled = (_status_mask(status_codes, CANCELLED_STATUSES) if status_codes is not None
                 else np.zeros(n_all, dtype=bool))
    keep = ~cancelled
    if as_of_ts is None:
        if _has_values(orders, "order_date") and keep.any():
            last = np.nanmax(_day_numbers(orders["order_date"])[keep], initial=-np.inf)
            as_of_ts = pd.NaT if np.isinf(last) else _EPOCH + pd.Timedelta(days=int(last))
        else:
            as_of_ts = pd.NaT
    undated = 0
    if period:
        if not _has_values(orders, date_column):
            raise NotAvailableError(f"KPIs by period of {date_column}", [date_column])
        dated = orders[date_column].notna().to_numpy()
        undated = int((keep & ~dated).sum())
        keep &= dated
    rows = None if keep.all() else np.flatnonzero(keep)

    # -- group keys over the whole frame, combined on the kept rows
    keys: list[_KeyColumn] = []
    for c in by_cols:
        if c in orders.columns:
            keys.append(_key_from_series(c, orders[c]))
        elif customers is not None and c in customers.columns and "customer_id" in orders:
            keys.append(_key_from_customers(c, orders["customer_id"],
                                            _customer_lookup(customers, c)))
        else:
            where = "the order lines" + (" or the customers frame" if customers is not None
                                         else "")
            raise ConfigError(f"cannot group by {c!r}: no such column in {where}", key="by",
                              value=c, fix="pass customers= to group by customer attributes.")
    if period:
        key = _key_from_series("period_start", period_start(orders[date_column], period))
        # history.period_start returns [us] for M/Q, [ns] for W: use the loader's [ns] always
        key.uniques = key.uniques.astype("datetime64[ns]")
        keys.append(key)

    available = {c for c in _MODEL_COLUMNS if _has_values(orders, c)}
    as_of_day = np.nan if pd.isna(as_of_ts) else float((as_of_ts - _EPOCH).days)
    p = _Params(params.tol_days, params.tol_pct, params.ship_lead_days, as_of_day)
    L = _Lines(orders, rows, frozenset(available), p)
    if status_codes is not None:
        L.status_codes = status_codes  # reuse the factorization (cached_property slot)
    groups = _make_groups(keys, rows, L.n)
    agg = _Aggregator(L, groups)

    def parts_per_group(ng: int) -> np.ndarray:
        return np.bincount(agg.order_parts[1], minlength=ng).astype(np.float64)

    table = _finish(groups, defs, available, lambda name, ng: agg.measure(name),
                    parts_per_group, complaints, by_cols, period, customers)
    table.attrs.update(as_of=as_of_ts, undated_lines=undated,
                       cancelled_lines=int(cancelled.sum()))
    return table


def _unavailable_note(miss: list[str]) -> str:
    if "complaints" in miss:
        return f"{_NOT_AVAILABLE}needs a complaints frame"
    return f"{_NOT_AVAILABLE}needs column{'s' if len(miss) > 1 else ''} {', '.join(miss)}"


def _finish(groups: _Groups | pd.DataFrame, defs: list[KpiDefinition], available: set[str],
            measure: Callable[[str, int], tuple[np.ndarray, np.ndarray, np.ndarray]],
            parts_per_group: Callable[[int], np.ndarray], complaints: pd.DataFrame | None,
            by_cols: list[str], period: str | None, customers: pd.DataFrame | None
            ) -> pd.DataFrame:
    """Complaint KPIs, notes and the long table, shared by both engines.

    ``groups`` are the order groups (a key frame is wrapped); complaints may append
    groups the orders lack, so ``measure(name, ng)`` and ``parts_per_group(ng)``
    return arrays for ``ng`` groups (zeros, or NaN for statistics, past the order
    groups).
    """
    if isinstance(groups, pd.DataFrame):
        groups = _Groups(np.zeros(0, dtype=np.int64), groups)
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


def _complaint_measure(d: KpiDefinition, complaints: pd.DataFrame,
                       codes_keep: tuple[np.ndarray, np.ndarray], parts: np.ndarray, ng: int
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes, keep = codes_keep
    if d.name == "complaints_per_100_orders":
        num = np.bincount(codes, minlength=ng).astype(np.float64)
        den = parts
    else:
        c = complaints.loc[keep]
        days = _day_numbers(c["resolved_date"]) - _day_numbers(c["complaint_date"])
        ok = ~np.isnan(days)
        num = np.bincount(codes, weights=np.where(ok, days, 0.0), minlength=ng)
        den = np.bincount(codes, weights=ok.astype(np.float64), minlength=ng)
    return num, den, _ratio(num, den, d.scale)


def _repeat_strings(values: Sequence[str | None], times: int) -> pd.Series:
    """``values`` tiled ``times`` times as a ``str`` Series (built in Arrow: no Python loop
    over the rows)."""
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


# --------------------------------------------------------------------------------------
# Re-aggregation
# --------------------------------------------------------------------------------------

_NESTS = {"D": {"D", "W", "M", "Q"}, "W": {"W"}, "M": {"M", "Q"}, "Q": {"Q"}}


def _group_columns(table: pd.DataFrame) -> list[str]:
    missing = [c for c in TABLE_VALUE_COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(f"not a KPI table: columns {', '.join(missing)} are missing",
                          key="table", fix="pass the output of kpi_table().")
    return [c for c in table.columns if c not in TABLE_VALUE_COLUMNS]


def _infer_freq(starts: pd.Series) -> str | None:
    s = pd.Series(starts.dropna().unique())
    if s.empty:
        return None
    if (s.dt.is_quarter_start & s.dt.month.isin([1, 4, 7, 10])).all():
        return "Q"
    if s.dt.is_month_start.all():
        return "M"
    if (s.dt.day_of_week == 0).all():
        return "W"
    return "D"


def reaggregate(table: pd.DataFrame, by: str | Sequence[str] | None = None, *,
                period: str | None = None) -> pd.DataFrame:
    """Roll a KPI table up to coarser groups, exactly.

    Parameters
    ----------
    table
        Output of :func:`kpi_table` (or of this function).
    by
        Group columns to keep (a subset of the table's group columns, may
        include ``period_start``); None rolls everything up to one group.
    period
        Coarser period to roll ``period_start`` up to (``"M"`` -> ``"Q"``, days
        to weeks/months/quarters); weeks do not nest in months and are refused.
        Implies keeping ``period_start``.

    Returns
    -------
    DataFrame
        Same layout as :func:`kpi_table`. For ``ratio`` KPIs value =
        scale x sum(numerator) / sum(denominator); for ``count`` KPIs
        value = sum(numerator); non-additive KPIs (median, p90, std, cv) get
        value NaN and note ``"not additive: recompute from the order lines"``
        (their denominator, the line count, is still summed). Notes saying
        "not available" are kept.
    """
    group_cols = _group_columns(table)
    by_cols = _as_list(by)
    if bad := [c for c in by_cols if c not in group_cols]:
        raise ConfigError(f"cannot roll up by {bad[0]!r}: not a group column of the table "
                          f"({', '.join(group_cols) or 'none'})", key="by", value=bad[0])
    t = table
    if period is not None:
        if "period_start" not in group_cols:
            raise ConfigError("period= needs a table by period (no period_start column)",
                              key="period", value=period)
        if period not in PERIODS:
            raise ConfigError(f"unknown period {period!r}", key="period", value=period)
        fine = _infer_freq(t["period_start"])
        if fine is not None and period not in _NESTS[fine]:
            raise ConfigError(f"cannot roll {PERIODS[fine]}s up to {PERIODS[period]}s exactly",
                              key="period", value=period,
                              fix="recompute with kpi_table(..., period=...) instead.")
        t = t.assign(period_start=period_start(t["period_start"], period))
        by_cols = [c for c in by_cols if c != "period_start"] + ["period_start"]
    keys = [*by_cols, "kpi"]
    g = t.groupby(keys, sort=False, dropna=False, observed=True)
    out = _sum_groups(g)
    aggregation = out["kpi"].map({d.name: d.aggregation for d in _DEFINITIONS}) \
        .fillna("ratio").to_numpy()
    scale = out["kpi"].map({d.name: d.scale for d in _DEFINITIONS}).fillna(1.0) \
        .to_numpy(dtype=np.float64)
    num = out["numerator"].to_numpy(dtype=np.float64)
    den = out["denominator"].to_numpy(dtype=np.float64)
    value = np.where(aggregation == "count", num, _ratio(num, den, 1.0) * scale)
    not_additive = aggregation == "none"
    value[not_additive] = np.nan
    out.loc[not_additive, "numerator"] = np.nan
    note = out["note"]
    unavailable = note.fillna("").str.startswith(_NOT_AVAILABLE).to_numpy()
    value[unavailable] = np.nan
    out["value"] = value
    out["note"] = note.where(~(not_additive & note.isna().to_numpy()),
                             "not additive: recompute from the order lines")
    out["_k"] = out["kpi"].map(_KPI_ORDER).fillna(len(_KPI_ORDER))
    out = out.sort_values([*by_cols, "_k"], na_position="last", kind="stable")
    return out[[*by_cols, *TABLE_VALUE_COLUMNS]].reset_index(drop=True)


def _sum_groups(g) -> pd.DataFrame:
    sums = g[["numerator", "denominator"]].sum(min_count=1)
    firsts = g[["unit", "note"]].first()
    return sums.join(firsts).reset_index()


# --------------------------------------------------------------------------------------
# Control charts
# --------------------------------------------------------------------------------------

CHART_COLUMNS = ("period_start", "value", "center", "lcl", "ucl", "signal", "deteriorated",
                 "chart", "sigma_z")
CHARTS = ("auto", "p", "laney", "xmr")
#: d2 for moving ranges of two: sigma = mean moving range / 1.128 (3 / 1.128 = 2.66).
_D2 = 1.128


def _mean_moving_range(x: np.ndarray, gid: np.ndarray, use: np.ndarray, ng: int) -> np.ndarray:
    """Per row: mean |x_t - x_t-1| over consecutive ``use`` rows of the row's group.

    Rows not in ``use`` are skipped (the next used row pairs with the previous
    used one); NaN for a group with fewer than two used rows.
    """
    pos = np.flatnonzero(use)
    same = gid[pos][1:] == gid[pos][:-1]
    mr = np.abs(np.diff(x[pos]))[same]
    mr_g = gid[pos][1:][same]
    return _ratio(np.bincount(mr_g, weights=mr, minlength=ng),
                  np.bincount(mr_g, minlength=ng).astype(np.float64))[gid]


def control_limits(table: pd.DataFrame, kpi: str, *, by: str | Sequence[str] | None = None,
                   baseline: tuple[str | pd.Timestamp | None, str | pd.Timestamp | None]
                   | None = None, chart: str = "auto") -> pd.DataFrame:
    """Control limits for one KPI over periods: p or Laney p' chart for rates, XmR otherwise.

    Parameters
    ----------
    table
        KPI table by period (``kpi_table(..., period="M")``). Group columns not
        in ``by`` are rolled up first with :func:`reaggregate` (additive KPIs
        only).
    kpi
        KPI name. ``chart`` ``p`` in :func:`kpi_definitions` (rates of lines or
        orders) -> a chart of proportions; otherwise an individuals (XmR) chart
        of the values.
    by
        Group columns that get a chart each (e.g. ``"customer_id"``).
    baseline
        ``(first, last)`` period_start of the periods that set the center, the
        limits and ``sigma_z`` (either may be None); default all periods.
    chart
        ``"auto"`` (default): for a rate KPI the Laney p' chart when the
        baseline is overdispersed (``sigma_z > 1``), else the plain p-chart
        (decided per ``by`` group); XmR for any other KPI. ``"p"``: always the
        plain p-chart; ``"laney"``: always the Laney p' chart (both for rate
        KPIs only); ``"xmr"``: the individuals chart of the values, for any
        KPI.

    Returns
    -------
    DataFrame
        ``<by>..., period_start, value, center, lcl, ucl, signal,
        deteriorated, chart, sigma_z``, sorted by group and period. ``chart``
        names the chart each row is on (``"p"``, ``"laney"`` or ``"xmr"``);
        ``attrs["chart"]`` is that name when all groups share it, else
        ``"mixed"``.

        * p-chart: center p = sum(numerator) / sum(denominator) over the
          baseline periods; per period ``p -/+ 3 sigma_t`` with
          ``sigma_t = sqrt(p (1 - p) / n_t)`` and n_t the period's
          denominator, clipped to [0, 1]. With thousands of orders per period
          these limits are so narrow that ordinary month-to-month variation
          (overdispersion) puts nearly every period outside them.
        * Laney p' chart (Laney 2002): ``z_t = (p_t - p) / sigma_t``;
          ``sigma_z`` = mean moving range of consecutive baseline z_t / 1.128;
          limits ``p -/+ 3 sigma_t sigma_z``, clipped to [0, 1]. ``sigma_z``
          near 1 means binomial variation only (the p-chart), above 1 extra
          period-to-period variation that widens the limits. Undefined (NaN
          limits) with fewer than two baseline periods or p in {0, 1}; ``auto``
          then keeps the p-chart.
        * XmR: center = mean of the baseline values; limits = center -/+
          2.66 x mean moving range of consecutive baseline values (not
          clipped); needs two baseline values.

        ``sigma_z`` is reported for rate KPIs on a p or Laney chart (it tells
        how overdispersed the rates are) and is NaN on XmR charts.
        ``signal``: value outside the limits (strictly). ``deteriorated``: a
        signal in the bad direction (below lcl when higher is better, above
        ucl otherwise; never for neutral KPIs).

    Raises
    ------
    ConfigError
        Unknown KPI or chart, ``chart`` ``"p"`` or ``"laney"`` for a KPI that
        is not a rate, table without ``period_start``, or a non-additive KPI
        that would need a roll-up.
    NotAvailableError
        The KPI is not available in the table.

    References
    ----------
    D. B. Laney, "Improved control charts for attributes", Quality Engineering
    14(4), 531-537 (2002).
    """
    d = get_definition(kpi)
    if chart not in CHARTS:
        raise ConfigError(f"unknown chart {chart!r}", key="chart", value=chart,
                          fix=f"use one of {', '.join(CHARTS)}.")
    if chart in ("p", "laney") and d.chart != "p":
        raise ConfigError(f"{kpi} is not a rate: a {chart} chart needs counts of lines or "
                          "orders", key="chart", value=chart, fix="use chart='xmr' or 'auto'.")
    group_cols = _group_columns(table)
    if "period_start" not in group_cols:
        raise ConfigError("control limits need a KPI table by period (no period_start "
                          "column)", key="table", fix="use kpi_table(..., period='M').")
    by_cols = [c for c in _as_list(by) if c != "period_start"]
    if bad := [c for c in by_cols if c not in group_cols]:
        raise ConfigError(f"cannot chart by {bad[0]!r}: not a group column of the table",
                          key="by", value=bad[0])
    t = table.loc[table["kpi"] == kpi]
    if t.empty:
        raise ConfigError(f"KPI {kpi!r} is not in the table", key="kpi", value=kpi)
    notes = t["note"].dropna()
    if len(notes) == len(t) and notes.str.startswith(_NOT_AVAILABLE).all():
        needs = re.sub(r"^.*needs (columns? )?", "", notes.iloc[0])
        raise NotAvailableError(kpi, [needs])
    if set(group_cols) - {*by_cols, "period_start"}:
        if not d.additive:
            raise ConfigError(f"{kpi} is not additive: compute the table by "
                              f"{', '.join(by_cols) or 'period only'} directly", key="by")
        t = reaggregate(t, [*by_cols, "period_start"])
    t = t.sort_values([*by_cols, "period_start"], kind="stable").reset_index(drop=True)
    gid = (t.groupby(by_cols, sort=False, dropna=False).ngroup().to_numpy() if by_cols
           else np.zeros(len(t), dtype=np.int64))
    value = t["value"].to_numpy(dtype=np.float64)
    start, end = baseline if baseline is not None else (None, None)
    inb = t["value"].notna().to_numpy().copy()  # pandas may hand out a read-only view
    if start is not None:
        inb &= (t["period_start"] >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        inb &= (t["period_start"] <= pd.Timestamp(end)).to_numpy()
    ng = int(gid.max()) + 1 if len(gid) else 0
    if d.chart == "p" and chart != "xmr":
        num = t["numerator"].to_numpy(dtype=np.float64)
        den = t["denominator"].to_numpy(dtype=np.float64)
        pbar = _ratio(np.bincount(gid, weights=np.where(inb, num, 0.0), minlength=ng),
                      np.bincount(gid, weights=np.where(inb, den, 0.0), minlength=ng))[gid]
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma = np.sqrt(pbar * (1.0 - pbar) / np.where(den > 0, den, np.nan))
            z = (value - pbar) / np.where(sigma > 0, sigma, np.nan)
        sigma_z = _mean_moving_range(z, gid, inb & np.isfinite(z), ng) / _D2
        if chart == "auto":
            laney = sigma_z > 1.0  # NaN (undefined) -> plain p-chart
        else:
            laney = np.full(len(t), chart == "laney")
        center = pbar
        half = 3.0 * sigma * np.where(laney, sigma_z, 1.0)
        lcl = np.clip(pbar - half, 0.0, 1.0)
        ucl = np.clip(pbar + half, 0.0, 1.0)
        used = np.where(laney, "laney", "p")
    else:
        cnt = np.bincount(gid, weights=inb.astype(np.float64), minlength=ng)
        center = _ratio(np.bincount(gid, weights=np.where(inb, value, 0.0), minlength=ng),
                        cnt)[gid]
        mrbar = _mean_moving_range(value, gid, inb, ng)
        lcl = center - 2.66 * mrbar
        ucl = center + 2.66 * mrbar
        sigma_z = np.full(len(t), np.nan)
        used = np.full(len(t), "xmr")
    with np.errstate(invalid="ignore"):
        low, high = value < lcl, value > ucl
    if d.higher_is_better is None:
        worse = np.zeros(len(t), dtype=bool)
    else:
        worse = low if d.higher_is_better else high
    out = t[[*by_cols, "period_start"]].copy()
    out["value"] = value
    out["center"] = center
    out["lcl"] = lcl
    out["ucl"] = ucl
    out["signal"] = low | high
    out["deteriorated"] = worse
    out["chart"] = pd.Series(used, index=out.index, dtype="str")
    out["sigma_z"] = sigma_z
    kinds = sorted(set(used.tolist()))
    out.attrs.update(chart=kinds[0] if len(kinds) == 1 else "mixed", kpi=kpi)
    return out


# --------------------------------------------------------------------------------------
# Documentation
# --------------------------------------------------------------------------------------


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_kpi_docs() -> str:
    """The KPI definitions and conventions as Markdown (the text of ``docs/kpis.md``)."""
    yes_no = {True: "yes", False: "no", None: "-"}
    lines = [
        "# Customer-service KPIs",
        "",
        "Generated from `workbench/kpis.py` by `write_kpi_docs`; do not edit by hand.",
        "",
        "`kpi_table(orders, by, period=...)` returns one row per group x KPI with columns "
        "`<group columns>..., period_start?, kpi, numerator, denominator, value, unit, note`. "
        "Rates are fractions in [0, 1]. `reaggregate(table, by)` rolls a finer table up "
        "exactly; `control_limits(table, kpi)` charts a KPI by period: rates on a p-chart, "
        "or on a Laney p' chart (limits widened by sigma_z, the ratio of the observed to the "
        "binomial period-to-period variation) when sigma_z > 1, as at thousands of orders a "
        "month; other KPIs on an XmR chart. `chart=` forces `p`, `laney` or `xmr`.",
        "",
        "## Conventions",
        "",
        *[f"- {c}" for c in GENERAL_CONVENTIONS],
        "",
        "## Summary",
        "",
        "| KPI | label | unit | aggregation | higher is better | chart | required columns |",
        "|---|---|---|---|---|---|---|",
    ]
    chart_name = {"p": "p / Laney p'", "xmr": "XmR"}
    for d in _DEFINITIONS:
        lines.append(f"| `{d.name}` | {_md(d.label)} | {d.unit} | {d.aggregation} | "
                     f"{yes_no[d.higher_is_better]} | {chart_name.get(d.chart, 'XmR')} | "
                     f"{_md(d.required_columns)} |")
    lines += ["", "## Definitions", ""]
    for d in _DEFINITIONS:
        lines += [
            f"### `{d.name}`",
            "",
            f"{d.label}. **Level**: {d.level}; **unit**: {d.unit}; **additive**: "
            f"{yes_no[d.additive]} ({d.aggregation}"
            f"{f', x {d.scale:g}' if d.scale != 1 else ''}); **higher is better**: "
            f"{yes_no[d.higher_is_better]}.",
            "",
            f"- Formula: {d.formula}",
            f"- Numerator: {d.numerator}",
            f"- Denominator: {d.denominator}",
            f"- Required columns: {d.required_columns}",
            f"- Conventions: {d.conventions}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_kpi_docs(path: str | Path) -> Path:
    """Write :func:`render_kpi_docs` to ``path`` (UTF-8, ``\\n`` line ends); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_kpi_docs(), encoding="utf-8", newline="\n")
    return path
