"""Period buckets: data-model frames turned into items x periods arrays (:class:`PabInput`).

The long data-model frames are turned into dense 2-D NumPy arrays of shape
``(items, periods)``: item codes from :func:`pandas.factorize`, period numbers
from date arithmetic on a :class:`PeriodGrid`, quantities scattered with
:func:`numpy.bincount`. No Python loop runs per item or per row.

``build_buckets``      data-model frames (order lines, forecast, supply plan,
                       inventory, items)                  -> :class:`PabInput`
``buckets_from_long``  one long item x period table       -> :class:`PabInput`

Periods
-------
``freq="W"`` (default): weeks starting Monday; ``"D"``: days; ``"M"``: calendar
months. Period 0 is the period that contains ``as_of``; there are ``horizon``
periods. Bucketing rules:

* customer orders are the open order lines: ``qty_ordered - qty_shipped``
  (missing shipped = 0) of lines whose ``status`` is not one of
  :data:`CLOSED_STATUSES` (shipped, delivered, closed, cancelled; a shipped line
  no longer draws on stock even if ``qty_shipped`` is not filled in);
  they are bucketed by their due date (``due_column``, default
  ``requested_date``); orders due before period 0 are *past due* and count in
  period 0; an open line with no due date at all is also counted in period 0
  (demand you must cover now); orders due after the horizon are left out;
* supply receipts are bucketed by ``due_date``; receipts due before period 0
  (overdue, not yet received) count in period 0; receipts after the horizon are
  left out; ``firm`` True goes to ``supply_firm``, False or missing to
  ``supply_planned``;
* forecast rows are bucketed by ``period_start``; forecast for periods before
  period 0 is ignored (past forecast is not demand), forecast after the horizon
  is left out; the period-0 forecast is not prorated for days already gone;
* on hand is the latest snapshot at or before ``as_of`` for each item and site,
  summed over sites (``allocated`` is *not* subtracted: allocated stock still
  serves open order lines, which are counted as demand);
* safety stock comes from the item master (``items.safety_stock``), 0 if absent.

An item appears in the output if it appears in any input frame (including the
item master), even if all its rows fall outside the horizon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError, DateParameterError, InputShapeError
from workbench.io.schema import CANCELLED_STATUSES, SHIPPED_STATUSES
from workbench.validation import (
    MISSING_DAY,
    check_count,
    check_date,
    check_frequency,
    date_values,
    day_numbers,
    require_frame,
)

__all__ = [
    "CLOSED_STATUSES",
    "FREQUENCIES",
    "OpenLines",
    "PabInput",
    "PeriodGrid",
    "buckets_from_long",
    "build_buckets",
    "check_due_columns",
    "open_lines",
]

FREQUENCIES: dict[str, str] = {"D": "day", "W": "week (starting Monday)", "M": "calendar month"}
"""Supported bucket sizes for ``freq``."""

CLOSED_STATUSES: tuple[str, ...] = (*SHIPPED_STATUSES, *CANCELLED_STATUSES)
"""Order-line statuses (case-insensitive) that take a line out of open demand: the
data model's shipped and cancelled statuses."""

_LONG_VALUE_COLUMNS = ("customer_orders", "forecast", "supply_firm", "supply_planned")
_PER_DAY = {"ns": 86_400_000_000_000, "us": 86_400_000_000, "ms": 86_400_000, "s": 86_400,
            "D": 1}
_AS_OF_FIX = "pass the planning date, e.g. as_of='2025-03-03' or pd.Timestamp.today()."


# --------------------------------------------------------------------------------------
# Bucketed input
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PabInput:
    """Bucketed planning input: one row per item, one column per period.

    Attributes
    ----------
    item_id
        Item identifiers (sorted), length ``n``; row ``i`` of every array.
    period_start
        First day of each period, length ``T``; column ``t`` of every array.
    as_of
        Planning date; period 0 contains it.
    freq
        ``"D"``, ``"W"`` or ``"M"``.
    on_hand
        Opening on-hand per item, shape ``(n,)``.
    safety_stock
        Safety stock per item, shape ``(n,)``.
    customer_orders, forecast, supply_firm, supply_planned
        Quantities per item and period, shape ``(n, T)``.
    due_column
        Order-line date column(s) used to bucket orders (first non-missing wins);
        :func:`workbench.planning.allocation.allocate_shortages` uses the same by
        default.
    closed_statuses
        Order-line statuses treated as closed.
    """

    item_id: pd.Index
    period_start: pd.DatetimeIndex
    as_of: pd.Timestamp
    freq: str
    on_hand: np.ndarray
    safety_stock: np.ndarray
    customer_orders: np.ndarray
    forecast: np.ndarray
    supply_firm: np.ndarray
    supply_planned: np.ndarray
    due_column: tuple[str, ...] = ("requested_date",)
    closed_statuses: tuple[str, ...] = CLOSED_STATUSES

    def __post_init__(self) -> None:
        n, t = len(self.item_id), len(self.period_start)
        if t < 1:
            raise ConfigError("a PabInput needs at least one period", key="period_start",
                              value=t, fix="use horizon >= 1.")
        for name in ("on_hand", "safety_stock", *_LONG_VALUE_COLUMNS):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        shapes = {"on_hand": ((n,), "one value per item"),
                  "safety_stock": ((n,), "one value per item")}
        shapes.update({name: ((n, t), "items x periods") for name in _LONG_VALUE_COLUMNS})
        for name, (shape, meaning) in shapes.items():
            got = np.shape(getattr(self, name))
            if got != shape:
                raise InputShapeError(
                    f"PabInput.{name} must have shape {shape} ({meaning}), got {got}",
                    key=name, value=got,
                    fix="build inputs with build_buckets() or buckets_from_long().",
                )

    @property
    def n_items(self) -> int:
        """Number of items ``n``."""
        return len(self.item_id)

    @property
    def n_periods(self) -> int:
        """Number of periods ``T`` (the horizon)."""
        return len(self.period_start)

    @property
    def supply(self) -> np.ndarray:
        """All receipts, firm + planned, shape ``(n, T)``."""
        return self.supply_firm + self.supply_planned

    def replace(self, **changes: object) -> PabInput:
        """Return a copy with some fields replaced (see :func:`dataclasses.replace`)."""
        return replace(self, **changes)


# --------------------------------------------------------------------------------------
# Period grid
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodGrid:
    """The periods of a projection: size (``freq``), planning date and horizon.

    Attributes
    ----------
    freq
        ``"D"``, ``"W"`` or ``"M"`` (checked by :meth:`checked`).
    as_of
        Planning date (midnight); period 0 contains it.
    horizon
        Number of periods.
    """

    freq: str
    as_of: pd.Timestamp
    horizon: int

    @classmethod
    def checked(cls, as_of: object, horizon: object, freq: object) -> PeriodGrid:
        """Build the grid of validated parameters.

        Raises
        ------
        FrequencyError, CountError, DateParameterError
            ``freq`` is not one of :data:`FREQUENCIES`, ``horizon`` is not a whole
            number >= 1, ``as_of`` is not a date.
        """
        f = check_frequency(freq, FREQUENCIES, what="PAB buckets")
        h = check_count(horizon, "horizon", minimum=1,
                        fix="pass the number of periods to project, e.g. horizon=13 (a "
                            "quarter of weeks).")
        return cls(f, check_date(as_of, key="as_of", fix=_AS_OF_FIX), h)

    @classmethod
    def of(cls, inputs: PabInput) -> PeriodGrid:
        """Return the grid ``inputs`` were bucketed on."""
        return cls(inputs.freq, inputs.as_of, inputs.n_periods)

    @property
    def start(self) -> pd.Timestamp:
        """First day of period 0."""
        if self.freq == "W":
            return self.as_of - pd.Timedelta(days=self.as_of.weekday())
        if self.freq == "M":
            return self.as_of.replace(day=1)
        return self.as_of

    @property
    def starts(self) -> pd.DatetimeIndex:
        """First day of every period (named ``period_start``)."""
        step = {"D": "D", "W": "7D", "M": "MS"}[self.freq]
        return pd.date_range(self.start, periods=self.horizon, freq=step, name="period_start")

    def periods(self, dates: np.ndarray) -> np.ndarray:
        """Raw period number of each date (< 0 before period 0, may be >= horizon).

        Parameters
        ----------
        dates
            A ``datetime64`` array (any unit).

        Returns
        -------
        numpy.ndarray
            int64; :data:`workbench.validation.MISSING_DAY` for ``NaT``.
        """
        if self.freq == "M":
            months = dates.astype("datetime64[M]").view(np.int64)
            out = months - np.datetime64(self.start, "M").view(np.int64)
            out[months == MISSING_DAY] = MISSING_DAY
            return out
        unit = np.datetime_data(dates.dtype)[0]
        if unit not in _PER_DAY:
            dates = dates.astype("datetime64[s]")
            unit = "s"
        ints = dates.view(np.int64)
        out = ints - np.datetime64(self.start, unit).view(np.int64)
        out //= _PER_DAY[unit] * (7 if self.freq == "W" else 1)
        nat = ints == MISSING_DAY
        if nat.any():
            out[nat] = MISSING_DAY
        return out


# --------------------------------------------------------------------------------------
# Columns, items and scattering
# --------------------------------------------------------------------------------------


def _quantity(frame: pd.DataFrame, col: str, table: str, *, nan_ok: bool) -> np.ndarray:
    """Column as float64; missing -> error (or 0 if ``nan_ok``); negative -> error."""
    try:
        values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{table}.{col} must be numeric; found non-numeric values",
            key=col,
            value=frame[col].head(3).tolist(),
            fix=f"clean {table}.{col} (load it with workbench.load_table) before PAB.",
        ) from None
    bad = np.isnan(values)
    if bad.any():
        if not nan_ok:
            rows = np.flatnonzero(bad)[:5].tolist()
            raise ConfigError(
                f"{table}.{col} is missing in {int(bad.sum())} row(s) (positions {rows}); "
                "PAB needs a quantity in every row",
                key=col,
                value=None,
                fix=f"drop or fill those rows of {table} first.",
            )
        values = np.where(bad, 0.0, values)
    neg = values < 0
    if neg.any():
        rows = np.flatnonzero(neg)[:5].tolist()
        raise ConfigError(
            f"{table}.{col} must not be negative; {int(neg.sum())} row(s) are "
            f"(positions {rows}, e.g. {values[neg][0]:g})",
            key=col,
            value=float(values[neg][0]),
            fix=f"correct or drop the negative rows of {table}.",
        )
    return values



def _factorize_items(values: pd.Series, table: str) -> tuple[np.ndarray, pd.Index]:
    """Codes and (string) uniques of an item column; missing item -> error."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        cats = values.cat.categories
        if len(codes) and codes.min() >= 0:
            used = np.bincount(codes, minlength=len(cats)) > 0
            if not used.all():
                remap = np.cumsum(used) - 1
                codes = remap[codes]
                cats = cats[used]
        uniques = pd.Index(cats)
    else:
        codes, uniques = pd.factorize(values)
        codes = codes.astype(np.int64, copy=False)
    if len(codes) and codes.min() < 0:
        rows = np.flatnonzero(codes < 0)[:5].tolist()
        raise ConfigError(
            f"{table}.item_id is missing in {int((codes < 0).sum())} row(s) "
            f"(positions {rows}); every row must name an item",
            key="item_id",
            value=None,
            fix=f"drop or fix those rows of {table}.",
        )
    return codes, pd.Index(uniques).astype(str)


def _item_index(uniques: Sequence[pd.Index]) -> pd.Index:
    """Sorted union of item ids (fast path: one source, already sorted)."""
    parts = [u for u in uniques if len(u)]
    if not parts:
        return pd.Index([], dtype="str", name="item_id")
    first = parts[0]
    rest = [p for p in parts[1:] if not p.equals(first)]
    if not rest and first.is_monotonic_increasing and first.is_unique:
        return first.rename("item_id")
    allu = first.append(rest) if rest else first
    return pd.Index(allu.unique().sort_values(), name="item_id")


def _is_arange(flat: np.ndarray, size: int) -> bool:
    return (
        flat.size == size
        and (size == 0 or (flat[0] == 0 and flat[-1] == size - 1))
        and bool((np.diff(flat) == 1).all())
    )


def _scatter(n: int, t: int, item: np.ndarray, period: np.ndarray,
             values: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Sum ``values`` into ``(n, t)`` arrays at ``(item, period)``."""
    flat = item * t + period
    if _is_arange(flat, n * t):  # already one row per item and period, in order
        return [np.array(v, dtype=np.float64).reshape(n, t) for v in values]
    return [np.bincount(flat, weights=v, minlength=n * t).reshape(n, t) for v in values]


# --------------------------------------------------------------------------------------
# Open order lines
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenLines:
    """Open order lines inside the horizon, as aligned arrays (see :func:`open_lines`).

    Attributes
    ----------
    pos
        Row positions in the ``order_lines`` frame.
    item_codes
        Item codes into ``item_uniques``.
    item_uniques
        Every item of the frame (also those of closed or out-of-horizon lines).
    period
        Due period, ``0 .. horizon - 1`` (past due and unknown due dates: 0).
    due
        Due date (``datetime64[ns]``), ``NaT`` if unknown.
    qty
        Open quantity (> 0).
    """

    pos: np.ndarray
    item_codes: np.ndarray
    item_uniques: pd.Index
    period: np.ndarray
    due: np.ndarray
    qty: np.ndarray


def check_due_columns(due_column: str | Sequence[str]) -> tuple[str, ...]:
    """Return the order-line due-date column(s) as a tuple of names.

    Raises
    ------
    ConfigError
        ``due_column`` is neither a name nor a non-empty sequence of names.
    """
    cols = (due_column,) if isinstance(due_column, str) else tuple(due_column)
    if not cols or not all(isinstance(c, str) for c in cols):
        raise ConfigError(
            f"due_column must be a column name or a list of names, got {due_column!r}",
            key="due_column",
            value=due_column,
            fix="use due_column='requested_date' or ('requested_date', 'promised_date').",
        )
    return cols


def open_lines(orders: pd.DataFrame, grid: PeriodGrid, due_columns: tuple[str, ...],
               closed_statuses: Sequence[str]) -> OpenLines:
    """Return the open order lines due inside ``grid`` (rules in the module docstring).

    Parameters
    ----------
    orders
        ``order_lines`` frame (``item_id``, ``qty_ordered``, the due columns;
        ``qty_shipped`` and ``status`` if present).
    grid
        The periods.
    due_columns
        Due-date column(s), first non-missing wins (:func:`check_due_columns`).
    closed_statuses
        Statuses (case-insensitive) that close a line.

    Returns
    -------
    OpenLines
    """
    require_frame(orders, "order_lines", ("item_id", "qty_ordered", *due_columns),
                  hint=f"Order lines are bucketed by {' then '.join(due_columns)}; pass "
                       "due_column='promised_date' (or another date column) if the source "
                       "has no requested date.")
    codes, uniques = _factorize_items(orders["item_id"], "order_lines")
    qty = _quantity(orders, "qty_ordered", "order_lines", nan_ok=False)
    if "qty_shipped" in orders.columns:
        qty = qty - _quantity(orders, "qty_shipped", "order_lines", nan_ok=True)
    keep = qty > 0
    if "status" in orders.columns and len(closed_statuses):
        st_codes, st_uniques = pd.factorize(orders["status"])
        closed_set = {str(s).strip().lower() for s in closed_statuses}
        is_closed = np.array([str(s).strip().lower() in closed_set for s in st_uniques]
                             + [False], dtype=bool)
        keep &= ~is_closed[st_codes]  # code -1 (missing status) -> last entry: open
    due = date_values(orders[due_columns[0]], table="order_lines", column=due_columns[0])
    for col in due_columns[1:]:
        due = np.where(np.isnat(due), date_values(orders[col], table="order_lines", column=col),
                       due)
    period = grid.periods(due)
    period = np.where(period == MISSING_DAY, 0, np.maximum(period, 0))  # past due/unknown: 0
    keep &= period < grid.horizon
    pos = np.flatnonzero(keep)
    return OpenLines(pos, codes[pos], uniques, period[pos], due[pos], qty[pos])



# --------------------------------------------------------------------------------------
# Building the buckets
# --------------------------------------------------------------------------------------


def build_buckets(
    orders: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    supply: pd.DataFrame | None = None,
    inventory: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    *,
    as_of: object,
    horizon: int = 13,
    freq: str = "W",
    due_column: str | Sequence[str] = "requested_date",
    closed_statuses: Sequence[str] = CLOSED_STATUSES,
) -> PabInput:
    """Bucket data-model frames into items x periods arrays.

    Parameters
    ----------
    orders
        ``order_lines`` frame (needs ``item_id``, ``qty_ordered`` and the
        ``due_column`` date(s); uses ``qty_shipped`` and ``status`` if present).
        Open quantity = ``qty_ordered - qty_shipped`` (missing shipped = 0) for
        lines whose status is not in ``closed_statuses``.
    forecast
        ``forecast`` frame (``item_id``, ``period_start``, ``forecast_qty``).
    supply
        ``supply_plan`` frame (``item_id``, ``due_date``, ``qty``, ``firm``).
    inventory
        ``inventory`` frame (``item_id``, ``snapshot_date``, ``on_hand``; ``site``
        if present). Latest snapshot at/before ``as_of`` per item and site, summed.
    items
        Item master (``item_id``; ``safety_stock`` if present, else 0). Its items
        are included even if they have no other data.
    as_of
        Planning date; period 0 is the period that contains it.
    horizon
        Number of periods (>= 1).
    freq
        ``"W"`` (weeks starting Monday), ``"D"`` or ``"M"``.
    due_column
        Order-line date used as due date; a sequence means "first non-missing".
    closed_statuses
        Statuses (case-insensitive) that close a line.

    Returns
    -------
    PabInput
        Arrays of shape ``(items, horizon)``; the bucketing rules are in the module
        docstring (past-due orders and receipts in period 0, etc.).

    Raises
    ------
    FrequencyError, CountError, DateParameterError
        Bad ``freq`` / ``horizon`` / ``as_of``.
    ConfigError
        Negative or missing quantities, missing item ids or dates.
    DateColumnError
        A date column cannot be read as dates.
    MissingColumnsError
        A frame lacks a required column.
    """
    grid = PeriodGrid.checked(as_of, horizon, freq)
    due_cols = check_due_columns(due_column)
    closed = tuple(closed_statuses)
    n_t = grid.horizon

    # kind -> (local item codes, their uniques, periods, value arrays)
    sources: dict[str, tuple[np.ndarray, pd.Index, np.ndarray, list[np.ndarray]]] = {}
    if orders is not None:
        lines = open_lines(orders, grid, due_cols, closed)
        sources["orders"] = (lines.item_codes, lines.item_uniques, lines.period, [lines.qty])
    if forecast is not None:
        sources["forecast"] = _forecast_part(forecast, grid)
    if supply is not None:
        sources["supply"] = _supply_part(supply, grid)
    on_hand_part = _on_hand(inventory, grid.as_of) if inventory is not None else None
    safety_part = _safety_stock(items) if items is not None else None

    index = _item_index([u for _, u, _, _ in sources.values()]
                        + [p[1] for p in (on_hand_part, safety_part) if p is not None])
    n = len(index)

    def global_codes(codes: np.ndarray, uniques: pd.Index) -> np.ndarray:
        mapping = index.get_indexer(uniques)
        if len(mapping) and (mapping == np.arange(len(mapping))).all():
            return codes
        return mapping[codes]

    out = {name: np.zeros((n, n_t)) for name in _LONG_VALUE_COLUMNS}
    targets = {"orders": ("customer_orders",), "forecast": ("forecast",),
               "supply": ("supply_firm", "supply_planned")}
    for kind, (codes, uniques, per, values) in sources.items():
        g = global_codes(codes, uniques)
        for name, arr in zip(targets[kind], _scatter(n, n_t, g, per, values), strict=True):
            out[name] = arr

    on_hand = np.zeros(n)
    if on_hand_part is not None:
        codes, uniques, qty = on_hand_part
        on_hand = np.bincount(global_codes(codes, uniques), weights=qty, minlength=n)
    safety = np.zeros(n)
    if safety_part is not None:
        codes, uniques, ss = safety_part
        safety[global_codes(codes, uniques)] = ss  # last row wins for duplicate items

    return PabInput(
        item_id=index, period_start=grid.starts, as_of=grid.as_of, freq=grid.freq,
        on_hand=on_hand, safety_stock=safety, due_column=due_cols, closed_statuses=closed,
        **out,
    )


def _forecast_part(forecast: pd.DataFrame, grid: PeriodGrid
                   ) -> tuple[np.ndarray, pd.Index, np.ndarray, list[np.ndarray]]:
    """Forecast rows inside the horizon: item codes, uniques, periods, ``[qty]``."""
    require_frame(forecast, "forecast", ("item_id", "period_start", "forecast_qty"))
    codes, uniques = _factorize_items(forecast["item_id"], "forecast")
    qty = _quantity(forecast, "forecast_qty", "forecast", nan_ok=False)
    per = grid.periods(date_values(forecast["period_start"], table="forecast",
                                   column="period_start"))
    if (per == MISSING_DAY).any():
        raise ConfigError(
            "forecast.period_start is missing in "
            f"{int((per == MISSING_DAY).sum())} row(s); every forecast row needs its period",
            key="period_start", value=None, fix="drop or fix those forecast rows.",
        )
    keep = (per >= 0) & (per < grid.horizon)
    if not keep.all():
        codes, per, qty = codes[keep], per[keep], qty[keep]
    return codes, uniques, per, [qty]


def _supply_part(supply: pd.DataFrame, grid: PeriodGrid
                 ) -> tuple[np.ndarray, pd.Index, np.ndarray, list[np.ndarray]]:
    """Receipts inside the horizon (overdue ones in period 0).

    Returns item codes, uniques, periods and ``[firm qty, planned qty]``.
    """
    require_frame(supply, "supply_plan", ("item_id", "due_date", "qty", "firm"))
    codes, uniques = _factorize_items(supply["item_id"], "supply_plan")
    qty = _quantity(supply, "qty", "supply_plan", nan_ok=False)
    per = grid.periods(date_values(supply["due_date"], table="supply_plan", column="due_date"))
    if (per == MISSING_DAY).any():
        raise ConfigError(
            f"supply_plan.due_date is missing in {int((per == MISSING_DAY).sum())} row(s); "
            "a receipt without a date cannot be projected",
            key="due_date", value=None, fix="drop or date those supply_plan rows.",
        )
    firm = _firm_flags(supply["firm"])
    per = np.maximum(per, 0)  # overdue receipts -> period 0
    keep = per < grid.horizon
    codes, per, qty, firm = codes[keep], per[keep], qty[keep], firm[keep]
    return codes, uniques, per, [np.where(firm, qty, 0.0), np.where(firm, 0.0, qty)]


def _safety_stock(items: pd.DataFrame) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Item master rows: item codes, uniques, safety stock (0 without the column)."""
    require_frame(items, "items", ("item_id",))
    codes, uniques = _factorize_items(items["item_id"], "items")
    ss = (_quantity(items, "safety_stock", "items", nan_ok=True)
          if "safety_stock" in items.columns else np.zeros(len(items)))
    return codes, uniques, ss


def _firm_flags(firm: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(firm.dtype):
        return firm.to_numpy(dtype=bool, na_value=False)
    if pd.api.types.is_numeric_dtype(firm.dtype):
        return firm.to_numpy(dtype=np.float64, na_value=0.0) != 0
    if firm.dtype == object:  # True/False/None held as Python objects
        try:
            return firm.astype("boolean").to_numpy(dtype=bool, na_value=False)
        except (TypeError, ValueError):
            pass
    raise ConfigError(
        f"supply_plan.firm must be True/False (firm receipt vs planned), got dtype "
        f"{firm.dtype} with values like {firm.head(3).tolist()}",
        key="firm",
        value=firm.head(3).tolist(),
        fix="map the source's firm/planned flag to booleans (True = firm).",
    )


def _on_hand(inventory: pd.DataFrame, as_of: pd.Timestamp
             ) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Latest snapshot at/before ``as_of`` per item (and site), as codes/uniques/qty."""
    require_frame(inventory, "inventory", ("item_id", "snapshot_date", "on_hand"))
    codes, uniques = _factorize_items(inventory["item_id"], "inventory")
    qty = _quantity(inventory, "on_hand", "inventory", nan_ok=False)
    days = day_numbers(inventory["snapshot_date"], missing="sentinel", table="inventory",
                       column="snapshot_date")
    ok = (days != MISSING_DAY) & (days <= np.datetime64(as_of, "D").view(np.int64))
    if "site" in inventory.columns:
        site_codes = pd.factorize(inventory["site"])[0].astype(np.int64) + 1
    else:
        site_codes = np.zeros(len(inventory), dtype=np.int64)
    key = codes * (int(site_codes.max(initial=0)) + 1) + site_codes
    frame = pd.DataFrame({"key": key[ok], "day": days[ok]})
    latest = frame.groupby("key")["day"].transform("max").to_numpy()
    take = np.flatnonzero(ok)[frame["day"].to_numpy() == latest]
    return codes[take], uniques, qty[take]


def buckets_from_long(
    frame: pd.DataFrame,
    *,
    as_of: object = None,
    horizon: int | None = None,
    freq: str = "W",
    on_hand: pd.Series | Mapping[str, float] | None = None,
    safety_stock: pd.Series | Mapping[str, float] | None = None,
) -> PabInput:
    """Bucket one long item x period table (already aggregated) into a :class:`PabInput`.

    Parameters
    ----------
    frame
        Columns ``item_id``, ``period_start`` and any of ``customer_orders``,
        ``forecast``, ``supply_firm``, ``supply_planned`` (absent = 0, missing
        values = 0). Several rows for the same item and period are summed; dates
        are bucketed like :func:`build_buckets` (orders and receipts before period 0
        go to period 0, forecast before period 0 is ignored).
    as_of
        Planning date; default the earliest ``period_start``.
    horizon
        Number of periods; default up to the latest ``period_start``.
    freq
        ``"W"``, ``"D"`` or ``"M"``.
    on_hand, safety_stock
        Per-item values indexed by ``item_id`` (absent items = 0).

    Returns
    -------
    PabInput
    """
    require_frame(frame, "pab_long", ("item_id", "period_start"),
                  hint="Expected one row per item and period with columns "
                  + ", ".join(_LONG_VALUE_COLUMNS) + ".")
    grid, per = _long_periods(frame, as_of, horizon, freq)
    n_t = grid.horizon

    codes, uniques = _factorize_items(frame["item_id"], "pab_long")
    extra = []
    for name, s in (("on_hand", on_hand), ("safety_stock", safety_stock)):
        if s is not None:
            s = pd.Series(s, dtype=np.float64)
            if s.isna().any() or (s < 0).any():
                raise ConfigError(f"{name} must be >= 0 for every item",
                                  key=name, value=s[s.isna() | (s < 0)].head(3).to_dict(),
                                  fix=f"fix the {name} values.")
            extra.append(pd.Index(s.index).astype(str))
    index = _item_index([uniques, *extra])
    n = len(index)
    mapping = index.get_indexer(uniques)
    g = codes if (mapping == np.arange(len(mapping))).all() else mapping[codes]
    out = _scatter_long(frame, g, per, n, n_t)

    def per_item(s: object) -> np.ndarray:
        arr = np.zeros(n)
        if s is not None:
            s = pd.Series(s, dtype=np.float64)
            arr[index.get_indexer(pd.Index(s.index).astype(str))] = s.to_numpy()
        return arr

    return PabInput(item_id=index, period_start=grid.starts, as_of=grid.as_of, freq=grid.freq,
                    on_hand=per_item(on_hand), safety_stock=per_item(safety_stock), **out)


def _long_periods(frame: pd.DataFrame, as_of: object, horizon: int | None, freq: object
                  ) -> tuple[PeriodGrid, np.ndarray]:
    """Return the grid of a long table (defaults from its dates) and each row's raw period."""
    f = check_frequency(freq, FREQUENCIES, what="PAB buckets")
    dates = date_values(frame["period_start"], table="pab_long", column="period_start")
    if as_of is None:
        if not len(dates) or np.isnat(dates).all():
            raise DateParameterError("as_of is needed when the long table has no dates",
                                     key="as_of", value=None, fix="pass as_of=...")
        as_of = pd.Timestamp(np.nanmin(dates))
    start_grid = PeriodGrid(f, check_date(as_of, key="as_of", fix=_AS_OF_FIX), 1)
    per = start_grid.periods(dates)
    if (per == MISSING_DAY).any():
        raise ConfigError(
            f"pab_long.period_start is missing in {int((per == MISSING_DAY).sum())} row(s)",
            key="period_start", value=None, fix="drop or date those rows.",
        )
    if horizon is None:
        horizon = max(int(per.max(initial=0)) + 1, 1)
    return PeriodGrid.checked(start_grid.as_of, horizon, f), per


def _scatter_long(frame: pd.DataFrame, g: np.ndarray, per: np.ndarray, n: int, n_t: int
                  ) -> dict[str, np.ndarray]:
    """Return the long table's quantities as ``(n, n_t)`` arrays.

    Orders and receipts before period 0 go to period 0, earlier forecast is
    dropped, rows after the horizon are dropped.
    """
    present = [c for c in _LONG_VALUE_COLUMNS if c in frame.columns]
    values = {c: _quantity(frame, c, "pab_long", nan_ok=True) for c in present}
    out = {name: np.zeros((n, n_t)) for name in _LONG_VALUE_COLUMNS}
    inside = (per >= 0) & (per < n_t)
    if inside.all():  # the usual case: nothing to clip or drop
        for name, arr in zip(present, _scatter(n, n_t, g, per, [values[c] for c in present]),
                             strict=True):
            out[name] = arr
    else:
        clipped = np.maximum(per, 0)
        keep_fc, keep_other = inside, clipped < n_t
        for c in present:
            keep = keep_fc if c == "forecast" else keep_other
            (out[c],) = _scatter(n, n_t, g[keep], clipped[keep], [values[c][keep]])
    return out
