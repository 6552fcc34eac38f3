"""KPI definitions: what each customer-service KPI measures, from which columns, how it rolls up.

:data:`ALL_KPIS` holds one :class:`KpiDefinition` per KPI in table order (the
order of the ``kpi`` column of a KPI table); :func:`kpi_definitions` shows them
as a table and :data:`GENERAL_CONVENTIONS` states the rules every KPI follows.
Both are rendered in ``docs/kpis.md`` (:func:`workbench.kpis.write_kpi_docs`).
Nothing here computes: the engines (:mod:`workbench.kpis.pandas_engine`,
:mod:`workbench.kpis.duckdb_engine`) follow these definitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.exceptions import ChoiceError
from workbench.validation import FREQUENCY_NAMES

__all__ = [
    "ALL_KPIS",
    "GENERAL_CONVENTIONS",
    "KPI_NAMES",
    "KPI_ORDER",
    "NOT_AVAILABLE",
    "PERIODS",
    "TABLE_VALUE_COLUMNS",
    "KpiDefinition",
    "get_definition",
    "kpi_definitions",
    "select_definitions",
]

PERIODS: dict[str, str] = {code: FREQUENCY_NAMES[code] for code in ("D", "W", "M", "Q")}
"""Supported ``period`` values of :func:`workbench.kpis.kpi_table`."""


TABLE_VALUE_COLUMNS: tuple[str, ...] = ("kpi", "numerator", "denominator", "value", "unit",
                                        "note")
"""Columns of a KPI table after the group columns (``<by>..., period_start?``)."""

NOT_AVAILABLE = "not available: "
"""Start of the ``note`` of a KPI that cannot be computed from the data given."""

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
    "**Mature and provisional periods (right-censoring).** KPIs that need a completing "
    "event (cycle time, on time, OTIF, in full, fill rates) see only the lines of a period "
    "that have been delivered, so the newest periods by order date hold only their fast "
    "lines and look better than they are. A period is *mature* when it has ended (its last "
    "day is on or before `as_of`) and at least 99 % of its non-cancelled lines have a "
    "`delivery_date` (a `ship_date` when the data has no delivery dates); every other "
    "period is *provisional*. One rule for every report "
    "(`workbench.kpis.scorecards.period_maturity`, judged on all order lines): headline "
    "values and their changes use mature periods only, trends drop provisional periods "
    "(`mature_periods`), and `control_limits` charts a period marked `provisional` without "
    "letting it set limits or signal.",
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
        Direction used by :func:`workbench.kpis.control_limits`; ``None`` for neutral counts.
    chart
        ``p`` (rates of lines or orders: p-chart, or Laney p' chart when
        overdispersed) or ``xmr`` (individuals chart); see
        :func:`workbench.kpis.control_limits`.
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
        """Return the requirement groups none of whose columns is available, as text."""
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
_FIRST = ("first_promised_date",)
_FIRST_NOTE = ("first_promised_date is the date first committed to the customer, before any "
               "re-promise: a column of the order lines, or derived from the order-change log "
               "with workbench.kpis.with_first_promised_date (the old_promised_date of a line's "
               "first promise change, else its promised_date). No fallback to promised_date or "
               "requested_date inside the KPI: a line without a first promise is not judged.")
_GAP_NOTE = ("Judged on the lines that have both promises, so the value is exactly the "
             "current-promise rate minus the first-promise rate on those lines: the share of "
             "lines that look on time only because their promise was moved (net of promises "
             "moved earlier). The numerator may be negative; 0 means re-promising flatters "
             "nothing.")
_QTY_NOTE = ("Each judged line weighs its qty_ordered (lines without it are not judged), so "
             "a late 1000-unit line counts 100 times a late 10-unit line.")


def _d(name, label, formula, numerator, denominator, requires, unit, aggregation, hib, chart,
       level, conventions, scale=1.0) -> KpiDefinition:
    return KpiDefinition(name, label, formula, numerator, denominator,
                         tuple(tuple(r) for r in requires), unit, aggregation, hib, chart, level,
                         conventions, scale)


ALL_KPIS: tuple[KpiDefinition, ...] = (
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
    _d("order_cycle_time_mean", "Order cycle time per order, mean",
       "sum over orders of (last delivery_date - first order_date) / orders",
       "sum of order cycle times (days)",
       "orders with every line delivered with a delivery_date and an order_date", _CYCLE_REQ,
       "days", "ratio", False, "xmr", "order",
       "Order level (SCOR order fulfilment cycle time): an order takes from its earliest "
       "order_date to the delivery of its LAST line, so a slow line makes the whole order "
       "slow, whereas cycle_time_mean averages the lines. An order with a line not yet "
       "delivered (open, or shipped without a delivery_date) is not judged."),
    _d("net_cycle_time_mean", "Net cycle time, mean",
       "sum(delivery_date - max(order_date, released_date)) / lines",
       "sum of net cycle times (days)", "delivered lines with delivery_date and a start date",
       (("released_date",), ("delivery_date",)), "days", "ratio", False, "xmr", "line",
       "Line level. The clock starts at released_date (credit release, order "
       "acknowledgement or approval) instead of order_date, so waiting before the release "
       "is left out: start = the later of order_date and released_date, falling back line "
       "by line to whichever is known. Never longer than the line's cycle time."),
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
    _d("on_time_first_promise_rate", "On time to first promised date",
       "lines with delivery_date <= first_promised_date + d / lines",
       "delivered lines on time to the first promised date",
       "delivered lines with delivery_date and first_promised_date",
       (("delivery_date",), _FIRST), "fraction", "ratio", True, "p", "line",
       "Line level; d = on_time_tolerance_days. " + _FIRST_NOTE),
    _d("on_time_promise_gap", "On-time gap, current vs first promise",
       "(lines on time to promised_date - lines on time to first_promised_date) / lines",
       "lines on time to the current promise minus lines on time to the first promise",
       "delivered lines with delivery_date, promised_date and first_promised_date",
       (("delivery_date",), ("promised_date",), _FIRST), "fraction", "ratio", False, "xmr",
       "line", "Line level; d = on_time_tolerance_days. " + _GAP_NOTE),
    _d("on_time_qty_rate", "On time (units)",
       "sum(qty_ordered of lines delivered by commit date + d) / sum(qty_ordered)",
       "units ordered on lines delivered on time to the commit date",
       "units ordered on delivered lines with delivery_date and commit date",
       (("delivery_date",), _COMMIT), "fraction", "ratio", True, "xmr", "line",
       "Quantity-weighted on time: commit date = promised_date, else requested_date; d = "
       "on_time_tolerance_days. " + _QTY_NOTE),
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
    _d("otif_first_promise_rate", "OTIF to first promised date (lines)",
       "lines on time to first_promised_date and in full / lines",
       "delivered lines on time (first promise) and in full",
       "delivered lines with delivery date, first_promised_date and received quantity",
       (("delivery_date",), _FIRST, _RECEIVED), "fraction", "ratio", True, "p", "line",
       "Line level; tolerances d and t as above. " + _FIRST_NOTE),
    _d("otif_promise_gap", "OTIF gap, current vs first promise",
       "(lines OTIF to promised_date - lines OTIF to first_promised_date) / lines",
       "lines OTIF to the current promise minus lines OTIF to the first promise",
       "delivered lines with delivery date, promised_date, first_promised_date and received "
       "quantity", (("delivery_date",), ("promised_date",), _FIRST, _RECEIVED), "fraction",
       "ratio", False, "xmr", "line",
       "Line level; the current promise is promised_date (no fallback to the requested "
       "date). " + _GAP_NOTE),
    _d("otif_qty_rate", "OTIF (units)",
       "sum(qty_ordered of lines on time to commit date and in full) / sum(qty_ordered)",
       "units ordered on delivered lines on time (commit date) and in full",
       "units ordered on delivered lines with delivery date, commit date and received "
       "quantity", (("delivery_date",), _COMMIT, _RECEIVED), "fraction", "ratio", True,
       "xmr", "line",
       "Quantity-weighted otif_line_rate: the same line flags (commit date = promised_date, "
       "else requested_date; tolerances d and t). " + _QTY_NOTE),
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
"""Every KPI definition, in table order."""

_BY_NAME: dict[str, KpiDefinition] = {d.name: d for d in ALL_KPIS}
KPI_NAMES: tuple[str, ...] = tuple(_BY_NAME)
"""All KPI names, in table order."""
KPI_ORDER: dict[str, int] = {name: i for i, name in enumerate(KPI_NAMES)}
"""Position of each KPI in table order (for sorting KPI tables)."""

_DEFINITION_COLUMNS = ("name", "label", "formula", "numerator", "denominator",
                       "required_columns", "unit", "additive", "higher_is_better",
                       "conventions", "aggregation", "level", "chart")


def get_definition(name: str) -> KpiDefinition:
    """Return the :class:`KpiDefinition` of KPI ``name``.

    Raises
    ------
    ChoiceError
        If no KPI has that name.

    Examples
    --------
    >>> get_definition("otif_order_rate").unit
    'fraction'
    """
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise ChoiceError(f"unknown KPI {name!r}", key="kpi", value=name,
                          fix=f"use one of {', '.join(KPI_NAMES)}.") from None


def select_definitions(kpis: str | Sequence[str] | None) -> list[KpiDefinition]:
    """Select the definitions of ``kpis`` (a name or names; None: all), once each, in table order.

    Raises
    ------
    ChoiceError
        A name is not a KPI.

    Examples
    --------
    >>> [d.name for d in select_definitions(["otif_order_rate", "lines", "lines"])]
    ['lines', 'otif_order_rate']
    """
    if kpis is None:
        return list(ALL_KPIS)
    names = [kpis] if isinstance(kpis, str) else list(kpis)
    defs = [get_definition(n) for n in names]
    return sorted(dict.fromkeys(defs), key=lambda d: KPI_ORDER[d.name])


def kpi_definitions() -> pd.DataFrame:
    """Return the KPI definitions as a table, one row per KPI in table order.

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
             "chart": d.chart} for d in ALL_KPIS]
    out = pd.DataFrame(rows, columns=list(_DEFINITION_COLUMNS))
    out["higher_is_better"] = out["higher_is_better"].astype("boolean")
    return out
