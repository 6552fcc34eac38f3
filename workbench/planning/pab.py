"""Projected available balance (PAB) and available-to-promise (ATP), vectorized.

The engine works on every item at once. The long data-model frames are turned
into dense 2-D NumPy arrays of shape ``(items, periods)`` (item and period codes
from :func:`pandas.factorize` / date arithmetic, scattered with
:func:`numpy.bincount`); all the planning arithmetic is done on those arrays with
cumulative sums; the result goes back to one long, tidy DataFrame. No Python loop
runs per item or per row (the only loops run over periods x service classes in
the tier allocation, and over a few bisection steps).

Pipeline
--------
``build_buckets``  data-model frames (order lines, forecast, supply plan,
                   inventory, items)                      -> :class:`PabInput`
``buckets_from_long``  one long item x period table       -> :class:`PabInput`
``project_pab``    :class:`PabInput`                      -> :class:`PabResult`
                   (``.long`` tidy table, ``.summary`` one row per item)
``pab_table``      data-model frames -> long table (the two steps above)
``stress_supply``  slip and/or cut receipts               -> :class:`PabInput`
``planned_dependency``  shortages that exist only if planned receipts come on time
``allocate_shortages``  which open order lines go short, by how much, from when

Periods
-------
``freq="W"`` (default): weeks starting Monday; ``"D"``: days; ``"M"``: calendar
months. Period 0 is the period that contains ``as_of``; there are ``horizon``
periods. Bucketing rules:

* customer orders are the open order lines: ``qty_ordered - qty_shipped``
  (missing shipped = 0) of lines whose ``status`` is not one of
  :data:`CLOSED_STATUSES` (shipped, delivered, cancelled, closed; a shipped line
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

Planning rules (see :func:`project_pab` for the formulas)
--------------------------------------------------------
* **Demand time fence**: in the first ``demand_time_fence`` periods demand =
  customer orders; beyond it demand = max(forecast, customer orders).
* **PAB**: ``pab[t] = pab[t-1] + supply[t] - demand[t]``, ``pab[-1] = on hand``.
* **Discrete ATP** (APICS textbook): computed in period 0 and in every period
  with a receipt, from *customer orders only*; optional look-ahead.
* **Weeks of cover**: how many future periods of demand the closing PAB covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError, MissingColumnsError, WorkbenchError
from workbench.validation import check_date

__all__ = [
    "ALLOCATION_RULES",
    "CLOSED_STATUSES",
    "FREQUENCIES",
    "LONG_COLUMNS",
    "SUMMARY_COLUMNS",
    "PabInput",
    "PabResult",
    "allocate_shortages",
    "buckets_from_long",
    "build_buckets",
    "pab_summary",
    "pab_table",
    "planned_dependency",
    "project_pab",
    "stress_supply",
]

FREQUENCIES: dict[str, str] = {"D": "day", "W": "week (starting Monday)", "M": "calendar month"}
"""Supported bucket sizes for ``freq``."""

CLOSED_STATUSES: tuple[str, ...] = ("shipped", "delivered", "cancelled", "canceled", "closed")
"""Order-line statuses (case-insensitive) that take a line out of open demand."""

ALLOCATION_RULES: tuple[str, ...] = (
    "priority_then_due",
    "due_then_priority",
    "due_then_order_date",
)
"""Rules understood by :func:`allocate_shortages`."""

LONG_COLUMNS: tuple[str, ...] = (
    "item_id", "period_start", "period", "customer_orders", "forecast", "demand",
    "supply_firm", "supply_planned", "supply", "opening", "pab", "atp", "cum_atp",
    "safety_stock", "shortage", "below_safety_stock", "weeks_of_cover",
)
"""Columns of :attr:`PabResult.long`, in order."""

SUMMARY_COLUMNS: tuple[str, ...] = (
    "item_id", "on_hand", "safety_stock", "first_shortage_period", "first_shortage_date",
    "min_pab", "max_shortage_qty", "shortage_periods", "first_below_ss_period",
    "first_below_ss_date",
)
"""Columns of :attr:`PabResult.summary`, in order."""

_LONG_VALUE_COLUMNS = ("customer_orders", "forecast", "supply_firm", "supply_planned")
_NAT = np.iinfo(np.int64).min
_PER_DAY = {"ns": 86_400_000_000_000, "us": 86_400_000_000, "ms": 86_400_000, "s": 86_400,
            "D": 1}


# --------------------------------------------------------------------------------------
# Result types
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
        :func:`allocate_shortages` uses the same by default.
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
        for name in ("on_hand", "safety_stock"):
            if np.shape(getattr(self, name)) != (n,):
                raise WorkbenchError(
                    f"PabInput.{name} must have shape ({n},) (one value per item), "
                    f"got {np.shape(getattr(self, name))}",
                    fix="build inputs with build_buckets() or buckets_from_long().",
                )
        for name in _LONG_VALUE_COLUMNS:
            if np.shape(getattr(self, name)) != (n, t):
                raise WorkbenchError(
                    f"PabInput.{name} must have shape ({n}, {t}) (items x periods), "
                    f"got {np.shape(getattr(self, name))}",
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


@dataclass(frozen=True, eq=False)
class PabResult:
    """Projected available balance and ATP for every item and period.

    All arrays have shape ``(n, T)`` (items x periods) unless stated; row order is
    ``inputs.item_id``. ``atp``, ``cum_atp`` and ``weeks_of_cover`` are ``None``
    when :func:`project_pab` was asked not to compute them.

    Attributes
    ----------
    inputs
        The :class:`PabInput` projected.
    demand_time_fence, atp_lookahead
        Parameters used.
    demand, supply, opening, pab
        Demand after the time-fence rule, total receipts, opening and closing PAB.
    shortage, below_safety_stock
        ``pab < 0`` and ``pab < safety_stock``.
    atp, cum_atp
        Discrete and cumulative ATP.
    weeks_of_cover
        Forward periods of demand covered by the closing PAB.
    """

    inputs: PabInput
    demand_time_fence: int
    atp_lookahead: bool
    demand: np.ndarray
    supply: np.ndarray
    opening: np.ndarray
    pab: np.ndarray
    shortage: np.ndarray
    below_safety_stock: np.ndarray
    atp: np.ndarray | None = None
    cum_atp: np.ndarray | None = None
    weeks_of_cover: np.ndarray | None = field(default=None)

    @cached_property
    def first_shortage_period(self) -> np.ndarray:
        """Per item: first period index with ``pab < 0``, -1 if none. Shape ``(n,)``."""
        return _first_true(self.shortage)

    @cached_property
    def long(self) -> pd.DataFrame:
        """One row per item and period, columns :data:`LONG_COLUMNS`.

        ``item_id`` is categorical (categories = ``inputs.item_id``). Float columns
        share memory with the result arrays: copy the frame before editing it.
        """
        return _long_frame(self)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per item, columns :data:`SUMMARY_COLUMNS` (see :func:`pab_summary`)."""
        return pab_summary(self)


# --------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------


def _check_freq(freq: object) -> str:
    f = freq.upper() if isinstance(freq, str) else freq
    if f not in FREQUENCIES:
        raise ConfigError(
            f"unknown period frequency freq={freq!r}: PAB buckets are days, weeks or months",
            key="freq",
            value=freq,
            fix="use freq='W' (weeks starting Monday, default), 'D' (days) or 'M' (months).",
        )
    return f


def _check_int(name: str, value: object, minimum: int, fix: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(
            f"{name} must be a whole number >= {minimum}, got {value!r}",
            key=name,
            value=value,
            fix=fix,
        )
    return int(value)


def _check_as_of(as_of: object) -> pd.Timestamp:
    return check_date(as_of, key="as_of",
                      fix=("pass the planning date, e.g. as_of='2025-03-03' or pd.Timestamp.today()."))


def _require(frame: pd.DataFrame, table: str, columns: Iterable[str], hint: str = "") -> None:
    if not isinstance(frame, pd.DataFrame):
        raise WorkbenchError(
            f"{table} must be a pandas DataFrame, got {type(frame).__name__}",
            fix=f"load it with workbench.load_table('{table}', ...) or pass None.",
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnsError(table, missing, [str(c) for c in frame.columns],
                                  hint=hint or None)


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


def _dates(frame: pd.DataFrame, col: str, table: str) -> np.ndarray:
    """Column as naive ``datetime64`` (any unit); unparseable -> ConfigError."""
    s = frame[col]
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    elif not pd.api.types.is_datetime64_dtype(s.dtype):
        try:
            s = pd.to_datetime(s)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"{table}.{col} must hold dates; cannot parse it ({exc})",
                key=col,
                value=s.head(3).tolist(),
                fix=f"convert {table}.{col} to dates (workbench.load_table does this).",
            ) from None
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)
    return s.to_numpy()


def _day_numbers(values: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (floor) as int64; NaT -> ``_NAT``."""
    unit = np.datetime_data(values.dtype)[0]
    if unit not in _PER_DAY:
        values = values.astype("datetime64[s]")
        unit = "s"
    ints = values.view(np.int64)
    days = ints // _PER_DAY[unit]
    days[ints == _NAT] = _NAT
    return days


# --------------------------------------------------------------------------------------
# Period grid
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    freq: str
    as_of: pd.Timestamp
    horizon: int

    @property
    def start(self) -> pd.Timestamp:
        if self.freq == "W":
            return self.as_of - pd.Timedelta(days=self.as_of.weekday())
        if self.freq == "M":
            return self.as_of.replace(day=1)
        return self.as_of

    @property
    def starts(self) -> pd.DatetimeIndex:
        step = {"D": "D", "W": "7D", "M": "MS"}[self.freq]
        return pd.date_range(self.start, periods=self.horizon, freq=step, name="period_start")

    def periods(self, dates: np.ndarray) -> np.ndarray:
        """Raw period number of each date (< 0 before period 0); NaT -> ``_NAT``."""
        if self.freq == "M":
            months = dates.astype("datetime64[M]").view(np.int64)
            out = months - np.datetime64(self.start, "M").view(np.int64)
            out[months == _NAT] = _NAT
            return out
        unit = np.datetime_data(dates.dtype)[0]
        if unit not in _PER_DAY:
            dates = dates.astype("datetime64[s]")
            unit = "s"
        ints = dates.view(np.int64)
        out = ints - np.datetime64(self.start, unit).view(np.int64)
        out //= _PER_DAY[unit] * (7 if self.freq == "W" else 1)
        nat = ints == _NAT
        if nat.any():
            out[nat] = _NAT
        return out


def _grid(as_of: object, horizon: object, freq: object) -> _Grid:
    f = _check_freq(freq)
    h = _check_int("horizon", horizon, 1, "pass the number of periods to project, e.g. "
                   "horizon=13 (a quarter of weeks).")
    return _Grid(f, _check_as_of(as_of), h)


def _grid_of(inputs: PabInput) -> _Grid:
    return _Grid(inputs.freq, inputs.as_of, inputs.n_periods)


# --------------------------------------------------------------------------------------
# Items and scattering
# --------------------------------------------------------------------------------------


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
class _OpenLines:
    """Open order lines inside the horizon (arrays aligned)."""

    pos: np.ndarray  # row positions in the orders frame
    item_codes: np.ndarray  # local item codes (into item_uniques)
    item_uniques: pd.Index  # all items of the frame (also closed / out-of-horizon lines)
    period: np.ndarray  # bucket, 0 .. T-1
    due: np.ndarray  # due date (datetime64), NaT if unknown
    qty: np.ndarray  # open quantity > 0


def _due_columns(due_column: str | Sequence[str]) -> tuple[str, ...]:
    cols = (due_column,) if isinstance(due_column, str) else tuple(due_column)
    if not cols or not all(isinstance(c, str) for c in cols):
        raise ConfigError(
            f"due_column must be a column name or a list of names, got {due_column!r}",
            key="due_column",
            value=due_column,
            fix="use due_column='requested_date' or ('requested_date', 'promised_date').",
        )
    return cols


def _open_lines(orders: pd.DataFrame, grid: _Grid, due_cols: tuple[str, ...],
                closed: Sequence[str]) -> _OpenLines:
    _require(orders, "order_lines", ("item_id", "qty_ordered", *due_cols),
             hint=f"Order lines are bucketed by {' then '.join(due_cols)}; pass "
                  "due_column='promised_date' (or another date column) if the source "
                  "has no requested date.")
    codes, uniques = _factorize_items(orders["item_id"], "order_lines")
    qty = _quantity(orders, "qty_ordered", "order_lines", nan_ok=False)
    if "qty_shipped" in orders.columns:
        qty = qty - _quantity(orders, "qty_shipped", "order_lines", nan_ok=True)
    keep = qty > 0
    if "status" in orders.columns and len(closed):
        st_codes, st_uniques = pd.factorize(orders["status"])
        closed_set = {str(s).strip().lower() for s in closed}
        is_closed = np.array([str(s).strip().lower() in closed_set for s in st_uniques]
                             + [False], dtype=bool)
        keep &= ~is_closed[st_codes]  # code -1 (missing status) -> last entry: open
    due = _dates(orders, due_cols[0], "order_lines")
    for col in due_cols[1:]:
        due = np.where(np.isnat(due), _dates(orders, col, "order_lines"), due)
    period = grid.periods(due)
    period = np.where(period == _NAT, 0, np.maximum(period, 0))  # past due / unknown -> 0
    keep &= period < grid.horizon
    pos = np.flatnonzero(keep)
    return _OpenLines(pos, codes[pos], uniques, period[pos], due[pos], qty[pos])


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
    ConfigError
        Bad ``freq``/``horizon``/``as_of``, negative or missing quantities,
        unparseable dates, missing item ids.
    MissingColumnsError
        A frame lacks a required column.
    """
    grid = _grid(as_of, horizon, freq)
    due_cols = _due_columns(due_column)
    closed = tuple(closed_statuses)
    n_t = grid.horizon

    parts: list[tuple[str, np.ndarray, pd.Index]] = []  # (kind, local codes, uniques)
    arrays: dict[str, tuple[np.ndarray, np.ndarray, list[np.ndarray]]] = {}

    if orders is not None:
        lines = _open_lines(orders, grid, due_cols, closed)
        parts.append(("orders", lines.item_codes, lines.item_uniques))
        arrays["orders"] = (lines.item_codes, lines.period, [lines.qty])

    if forecast is not None:
        _require(forecast, "forecast", ("item_id", "period_start", "forecast_qty"))
        codes, uniques = _factorize_items(forecast["item_id"], "forecast")
        qty = _quantity(forecast, "forecast_qty", "forecast", nan_ok=False)
        per = grid.periods(_dates(forecast, "period_start", "forecast"))
        if (per == _NAT).any():
            raise ConfigError(
                "forecast.period_start is missing in "
                f"{int((per == _NAT).sum())} row(s); every forecast row needs its period",
                key="period_start", value=None, fix="drop or fix those forecast rows.",
            )
        keep = (per >= 0) & (per < n_t)
        if not keep.all():
            codes, per, qty = codes[keep], per[keep], qty[keep]
        parts.append(("forecast", codes, uniques))
        arrays["forecast"] = (codes, per, [qty])

    if supply is not None:
        _require(supply, "supply_plan", ("item_id", "due_date", "qty", "firm"))
        codes, uniques = _factorize_items(supply["item_id"], "supply_plan")
        qty = _quantity(supply, "qty", "supply_plan", nan_ok=False)
        per = grid.periods(_dates(supply, "due_date", "supply_plan"))
        if (per == _NAT).any():
            raise ConfigError(
                f"supply_plan.due_date is missing in {int((per == _NAT).sum())} row(s); "
                "a receipt without a date cannot be projected",
                key="due_date", value=None, fix="drop or date those supply_plan rows.",
            )
        firm = _firm_flags(supply["firm"])
        per = np.maximum(per, 0)  # overdue receipts -> period 0
        keep = per < n_t
        codes, per, qty, firm = codes[keep], per[keep], qty[keep], firm[keep]
        parts.append(("supply", codes, uniques))
        arrays["supply"] = (codes, per, [np.where(firm, qty, 0.0), np.where(firm, 0.0, qty)])

    on_hand_parts = None
    if inventory is not None:
        _require(inventory, "inventory", ("item_id", "snapshot_date", "on_hand"))
        on_hand_parts = _on_hand(inventory, grid.as_of)
        parts.append(("inventory", *on_hand_parts[:2]))

    ss_parts = None
    if items is not None:
        _require(items, "items", ("item_id",))
        codes, uniques = _factorize_items(items["item_id"], "items")
        ss = (_quantity(items, "safety_stock", "items", nan_ok=True)
              if "safety_stock" in items.columns else np.zeros(len(items)))
        ss_parts = (codes, uniques, ss)
        parts.append(("items", codes, uniques))

    index = _item_index([u for _, _, u in parts])
    n = len(index)

    def global_codes(codes: np.ndarray, uniques: pd.Index) -> np.ndarray:
        mapping = index.get_indexer(uniques)
        if len(mapping) and (mapping == np.arange(len(mapping))).all():
            return codes
        return mapping[codes]

    out = {name: np.zeros((n, n_t)) for name in _LONG_VALUE_COLUMNS}
    targets = {"orders": ("customer_orders",), "forecast": ("forecast",),
               "supply": ("supply_firm", "supply_planned")}
    uniq_of = {kind: u for kind, _, u in parts}
    for kind, (codes, per, values) in arrays.items():
        g = global_codes(codes, uniq_of[kind])
        for name, arr in zip(targets[kind], _scatter(n, n_t, g, per, values), strict=True):
            out[name] = arr

    on_hand = np.zeros(n)
    if on_hand_parts is not None:
        codes, uniques, qty = on_hand_parts
        on_hand = np.bincount(global_codes(codes, uniques), weights=qty, minlength=n)
    safety = np.zeros(n)
    if ss_parts is not None:
        codes, uniques, ss = ss_parts
        safety[global_codes(codes, uniques)] = ss  # last row wins for duplicate items

    return PabInput(
        item_id=index, period_start=grid.starts, as_of=grid.as_of, freq=grid.freq,
        on_hand=on_hand, safety_stock=safety, due_column=due_cols, closed_statuses=closed,
        **out,
    )


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
    codes, uniques = _factorize_items(inventory["item_id"], "inventory")
    qty = _quantity(inventory, "on_hand", "inventory", nan_ok=False)
    days = _day_numbers(_dates(inventory, "snapshot_date", "inventory"))
    ok = (days != _NAT) & (days <= np.datetime64(as_of, "D").view(np.int64))
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
    _require(frame, "pab_long", ("item_id", "period_start"),
             hint="Expected one row per item and period with columns "
                  + ", ".join(_LONG_VALUE_COLUMNS) + ".")
    f = _check_freq(freq)
    dates = _dates(frame, "period_start", "pab_long")
    if as_of is None:
        if not len(dates) or np.isnat(dates).all():
            raise ConfigError("as_of is needed when the long table has no dates",
                              key="as_of", value=None, fix="pass as_of=...")
        as_of = pd.Timestamp(np.nanmin(dates))
    start_grid = _Grid(f, _check_as_of(as_of), 1)
    per = start_grid.periods(dates)
    if (per == _NAT).any():
        raise ConfigError(
            f"pab_long.period_start is missing in {int((per == _NAT).sum())} row(s)",
            key="period_start", value=None, fix="drop or date those rows.",
        )
    if horizon is None:
        horizon = max(int(per.max(initial=0)) + 1, 1)
    grid = _grid(start_grid.as_of, horizon, f)
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

    def per_item(s: object) -> np.ndarray:
        arr = np.zeros(n)
        if s is not None:
            s = pd.Series(s, dtype=np.float64)
            arr[index.get_indexer(pd.Index(s.index).astype(str))] = s.to_numpy()
        return arr

    return PabInput(item_id=index, period_start=grid.starts, as_of=grid.as_of, freq=f,
                    on_hand=per_item(on_hand), safety_stock=per_item(safety_stock), **out)


# --------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------


def project_pab(
    inputs: PabInput,
    *,
    demand_time_fence: int = 2,
    atp_lookahead: bool = True,
    with_atp: bool = True,
    with_cover: bool = True,
) -> PabResult:
    """Project PAB, ATP and cover for every item and period at once.

    Rules (``t`` = period index, 0-based; ``OH`` = on hand; ``CO`` = customer
    orders; ``F`` = forecast; ``S`` = all receipts, firm + planned):

    * Demand time fence: ``demand[t] = CO[t]`` for ``t < demand_time_fence``;
      ``demand[t] = max(F[t], CO[t])`` beyond it (orders already booked in excess
      of forecast are real demand; unsold forecast still consumes stock).
    * PAB: ``opening[0] = OH``, ``pab[t] = opening[t] + S[t] - demand[t]``,
      ``opening[t] = pab[t-1]``. ``shortage = pab < 0``,
      ``below_safety_stock = pab < safety_stock``.
    * Discrete ATP (APICS): ATP is computed in period 0 and in every period with a
      receipt (``S[t] > 0``), 0 elsewhere, from customer orders only (not
      forecast). Period 0: ``OH + S[0] - CO[0 .. next receipt - 1]``; a later
      receipt period ``r``: ``S[r] - CO[r .. next receipt - 1]``; the last one runs
      to the end of the horizon. Without look-ahead these raw values are returned
      (a later one can be negative). With look-ahead (``atp_lookahead=True``) a
      negative ATP is borrowed from the ATP of the previous receipt periods, latest
      first, so that no ATP after period 0 is negative (period 0 is negative only
      if the whole horizon is oversold). Equivalently
      ``cum_atp[t] = min(raw_cum_atp[t:])``. ``cum_atp`` is the running sum of
      ``atp``; with look-ahead it is non-decreasing from period 0 on, and the last
      value (``OH + sum S - sum CO``) is the same with or without look-ahead.
    * Weeks of cover (in periods of ``freq``): for ``pab[t] > 0``, the number of
      following periods ``t+1, t+2, ...`` whose demand the closing ``pab[t]`` meets
      with no further receipts, the last one pro rata: e.g. ``pab = 25`` and
      demand 10, 10, 10 -> 2.5. ``0`` when ``pab[t] <= 0``; ``inf`` when
      ``pab[t] > 0`` covers all remaining demand in the horizon (including the last
      period, and items with no future demand). Never NaN.

    Parameters
    ----------
    inputs
        From :func:`build_buckets`, :func:`buckets_from_long` or :func:`stress_supply`.
    demand_time_fence
        Number of leading periods in which only customer orders count (>= 0).
    atp_lookahead
        Borrow negative later ATP from earlier periods (see above).
    with_atp, with_cover
        Compute ATP / weeks of cover (skip for a faster PAB-only run; the columns
        are then left out of :attr:`PabResult.long`).

    Returns
    -------
    PabResult
    """
    if not isinstance(inputs, PabInput):
        raise WorkbenchError(
            f"project_pab needs a PabInput, got {type(inputs).__name__}",
            fix="build it with build_buckets(...) or buckets_from_long(...).",
        )
    fence = _check_int("demand_time_fence", demand_time_fence, 0,
                       "use 0 (forecast rule everywhere) or the number of frozen periods, "
                       "e.g. demand_time_fence=2.")
    orders, fc = inputs.customer_orders, inputs.forecast
    n, n_t = orders.shape

    demand = np.maximum(fc, orders)
    k = min(fence, n_t)
    demand[:, :k] = orders[:, :k]
    supply = inputs.supply

    pab = supply - demand
    pab[:, 0] += inputs.on_hand
    np.cumsum(pab, axis=1, out=pab)
    opening = np.empty_like(pab)
    opening[:, 0] = inputs.on_hand
    opening[:, 1:] = pab[:, :-1]
    shortage = pab < 0
    below = pab < inputs.safety_stock[:, None]

    atp = cum_atp = cover = None
    if with_atp or with_cover:
        anchors = supply > 0
        anchors[:, 0] = True
        anchor_cells = np.flatnonzero(anchors)
        if with_atp:
            atp, cum_atp = _discrete_atp(orders, supply, inputs.on_hand, anchor_cells,
                                         lookahead=bool(atp_lookahead))
        if with_cover:
            cover = _cover(demand, pab, anchor_cells)
    return PabResult(
        inputs=inputs, demand_time_fence=fence, atp_lookahead=bool(atp_lookahead),
        demand=demand, supply=supply, opening=opening, pab=pab, shortage=shortage,
        below_safety_stock=below, atp=atp, cum_atp=cum_atp, weeks_of_cover=cover,
    )


def _segment_ends(anchor_cells: np.ndarray, n_t: int, size: int) -> np.ndarray:
    """Last cell of each anchor's segment (cell before the next anchor in the row)."""
    nxt = np.empty_like(anchor_cells)
    nxt[:-1] = anchor_cells[1:]
    nxt[-1:] = size
    row_end = (anchor_cells // n_t + 1) * n_t
    return np.minimum(nxt, row_end) - 1


def _discrete_atp(orders: np.ndarray, supply: np.ndarray, on_hand: np.ndarray,
                  anchor_cells: np.ndarray, *, lookahead: bool
                  ) -> tuple[np.ndarray, np.ndarray]:
    n, n_t = orders.shape
    cum_orders = np.cumsum(orders, axis=1).ravel()
    ends = _segment_ends(anchor_cells, n_t, n * n_t)
    seg_orders = cum_orders[ends] - cum_orders[anchor_cells] + orders.ravel()[anchor_cells]
    raw = np.zeros(n * n_t)
    raw[anchor_cells] = supply.ravel()[anchor_cells] - seg_orders
    raw = raw.reshape(n, n_t)
    raw[:, 0] += on_hand
    cum = np.cumsum(raw, axis=1)
    if not lookahead:
        return raw, cum
    look = np.empty_like(cum)  # running minimum from the end: min(cum[t:])
    np.minimum.accumulate(cum[:, ::-1], axis=1, out=look[:, ::-1])
    # ATP = step of the look-ahead cumulative ATP; it only steps at anchor cells
    flat = look.ravel()
    prev = np.where(anchor_cells % n_t == 0, 0.0, flat[anchor_cells - 1])
    atp = np.zeros(n * n_t)
    atp[anchor_cells] = flat[anchor_cells] - prev
    return atp.reshape(n, n_t), look


def _first_index(flat: np.ndarray, base: np.ndarray, stride: int, lo: np.ndarray,
                 hi: int, values: np.ndarray, *, strict: bool) -> np.ndarray:
    """Vectorized bisection over rows of a row-wise non-decreasing matrix.

    For each query ``q``: the first ``j`` in ``[lo[q], hi)`` with
    ``flat[base[q] + j * stride] > values[q]`` (``strict``) or ``>=`` (not strict);
    ``hi`` if there is none. Exact (no floating-point offsets).
    """
    lo = lo.astype(np.int64, copy=True)
    hi_arr = np.full(lo.shape, hi, dtype=np.int64)
    active = np.flatnonzero(lo < hi_arr)
    while active.size:
        a_lo, a_hi = lo[active], hi_arr[active]
        mid = (a_lo + a_hi) // 2
        v = flat[base[active] + mid * stride]
        found = v > values[active] if strict else v >= values[active]
        hi_arr[active] = np.where(found, mid, a_hi)
        lo[active] = np.where(found, a_lo, mid + 1)
        active = active[lo[active] < hi_arr[active]]
    return lo


def _search_rows(mat: np.ndarray, rows: np.ndarray, values: np.ndarray, lo: np.ndarray,
                 *, strict: bool) -> np.ndarray:
    """First column ``j >= lo`` with ``mat[row, j] > value`` (``strict``) or ``>= value``.

    ``mat`` has non-decreasing rows; its width is returned when there is none. One
    :func:`numpy.searchsorted` over all rows at once (row ``i`` shifted by ``i *
    step`` so that the flattened matrix is sorted), then an exact check against
    the unshifted values: rounding in the shifted keys cannot change the answer.
    """
    n, width = mat.shape
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    low = min(float(mat[:, 0].min()), float(values.min()))  # rows are non-decreasing
    step = 2.0 * (max(float(mat[:, -1].max()), float(values.max())) - low) + 1.0
    keys = mat + (np.arange(n, dtype=np.float64) * step - low)[:, None]
    q = values - low
    q += rows * step
    j = np.searchsorted(keys.ravel(), q, side="right" if strict else "left")
    j -= rows * width
    np.clip(j, lo, width, out=j)
    flat = mat.ravel()
    base = rows * width
    while True:  # exact check; the loop body runs only after a rounding miss
        prev = flat[base + np.maximum(j - 1, 0)]
        cur = flat[base + np.minimum(j, width - 1)]
        if strict:
            back = (j > lo) & (prev > values)
            fwd = (j < width) & (cur <= values)
        else:
            back = (j > lo) & (prev >= values)
            fwd = (j < width) & (cur < values)
        if not (back.any() or fwd.any()):
            return j
        j -= back
        j += fwd


def _cover(demand: np.ndarray, pab: np.ndarray, anchor_cells: np.ndarray) -> np.ndarray:
    """Forward periods of demand covered by the closing PAB (see project_pab).

    Between two receipts the target ``on hand + receipts so far = pab + cumulative
    demand`` is constant, so the stock-out period ``j`` (first period whose
    cumulative demand exceeds the target) is searched once per receipt segment
    (``anchor_cells``: period 0 and receipt periods, row-major); each cell's cover
    is then ``j - 1 + fraction - t``.
    """
    n, n_t = demand.shape
    cum_d = np.cumsum(demand, axis=1)
    cdf, pf, df = cum_d.ravel(), pab.ravel(), demand.ravel()
    # Only segments whose first PAB is positive can have cover (PAB falls inside a segment).
    is_live = pf[anchor_cells] > 0
    live = anchor_cells[is_live]
    target = pf[live] + cdf[live]
    rows = live // n_t
    j = _search_rows(cum_d, rows, target, live - rows * n_t + 1, strict=True)
    fin = j < n_t
    cell = rows[fin] * n_t + j[fin]
    frac = (target[fin] - cdf[cell - 1]) / df[cell]
    b = np.full(live.size, np.inf)
    b[fin] = j[fin] - 1 + np.clip(frac, 0.0, 1.0)
    seg_value = np.full(anchor_cells.size, np.inf)
    seg_value[is_live] = b
    seg_len = np.diff(anchor_cells, append=n * n_t)
    cover = np.repeat(seg_value, seg_len).reshape(n, n_t)
    cover -= np.arange(n_t)
    cover[pab <= 0] = 0.0
    return cover


def _first_true(mask: np.ndarray) -> np.ndarray:
    first = mask.argmax(axis=1)
    return np.where(mask.any(axis=1), first, -1)


def _long_frame(result: PabResult) -> pd.DataFrame:
    inp = result.inputs
    n, n_t = result.pab.shape
    item = pd.Categorical.from_codes(
        np.repeat(np.arange(n, dtype=np.int32), n_t), categories=inp.item_id, validate=False)
    cols: dict[str, object] = {
        "item_id": item,
        "period_start": np.tile(inp.period_start.to_numpy(), n),
        "period": np.tile(np.arange(n_t, dtype=np.int64), n),
        "customer_orders": inp.customer_orders.ravel(),
        "forecast": inp.forecast.ravel(),
        "demand": result.demand.ravel(),
        "supply_firm": inp.supply_firm.ravel(),
        "supply_planned": inp.supply_planned.ravel(),
        "supply": result.supply.ravel(),
        "opening": result.opening.ravel(),
        "pab": result.pab.ravel(),
    }
    if result.atp is not None:
        cols["atp"] = result.atp.ravel()
        cols["cum_atp"] = result.cum_atp.ravel()
    cols["safety_stock"] = np.repeat(inp.safety_stock, n_t)
    cols["shortage"] = result.shortage.ravel()
    cols["below_safety_stock"] = result.below_safety_stock.ravel()
    if result.weeks_of_cover is not None:
        cols["weeks_of_cover"] = result.weeks_of_cover.ravel()
    return pd.DataFrame(cols, copy=False)


def pab_summary(result: PabResult) -> pd.DataFrame:
    """One row per item: when and how badly the projection goes short.

    Columns (:data:`SUMMARY_COLUMNS`): ``item_id``, ``on_hand``, ``safety_stock``,
    ``first_shortage_period`` (first period with ``pab < 0``, nullable ``Int64``,
    missing if never), ``first_shortage_date`` (its ``period_start``, NaT if never),
    ``min_pab``, ``max_shortage_qty`` (``max(0, -min_pab)``), ``shortage_periods``
    (count), ``first_below_ss_period`` / ``first_below_ss_date``.
    """
    inp = result.inputs
    starts = inp.period_start.to_numpy()

    nat = np.datetime64("NaT").astype(starts.dtype)

    def period_and_date(first: np.ndarray) -> tuple[pd.api.extensions.ExtensionArray,
                                                     np.ndarray]:
        none = first < 0
        per = pd.array(np.where(none, 0, first), dtype="Int64")
        per[none] = pd.NA
        return per, np.where(none, nat, starts[np.maximum(first, 0)])

    fs_per, fs_date = period_and_date(result.first_shortage_period)
    fb_per, fb_date = period_and_date(_first_true(result.below_safety_stock))
    min_pab = result.pab.min(axis=1)
    return pd.DataFrame({
        "item_id": inp.item_id.astype("str"),
        "on_hand": inp.on_hand,
        "safety_stock": inp.safety_stock,
        "first_shortage_period": fs_per,
        "first_shortage_date": fs_date,
        "min_pab": min_pab,
        "max_shortage_qty": np.maximum(0.0, -min_pab),
        "shortage_periods": result.shortage.sum(axis=1),
        "first_below_ss_period": fb_per,
        "first_below_ss_date": fb_date,
    })


def pab_table(
    orders: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    supply: pd.DataFrame | None = None,
    inventory: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    *,
    as_of: object,
    horizon: int = 13,
    freq: str = "W",
    demand_time_fence: int = 2,
    atp_lookahead: bool = True,
    due_column: str | Sequence[str] = "requested_date",
) -> pd.DataFrame:
    """Long PAB/ATP table straight from data-model frames.

    Shorthand for ``project_pab(build_buckets(...), ...).long``; see those two
    functions for parameters and rules. Columns: :data:`LONG_COLUMNS`.
    """
    inputs = build_buckets(orders, forecast, supply, inventory, items, as_of=as_of,
                           horizon=horizon, freq=freq, due_column=due_column)
    return project_pab(inputs, demand_time_fence=demand_time_fence,
                       atp_lookahead=atp_lookahead).long


# --------------------------------------------------------------------------------------
# Supply stress tests
# --------------------------------------------------------------------------------------


def stress_supply(
    inputs: PabInput,
    *,
    slip_periods: int = 0,
    short_pct: float = 0.0,
    only_planned: bool = False,
) -> PabInput:
    """Return inputs with every receipt cut by ``short_pct`` % and late by ``slip_periods``.

    Parameters
    ----------
    inputs
        Baseline inputs (unchanged).
    slip_periods
        Periods each receipt arrives later (>= 0). A receipt pushed past the
        horizon drops out of it.
    short_pct
        Percentage of each receipt that does not come (0 .. 100); 100 removes it.
    only_planned
        Stress planned receipts only; firm ones stay as they are.

    Returns
    -------
    PabInput
    """
    k = _check_int("slip_periods", slip_periods, 0,
                   "pass the number of periods receipts arrive late, e.g. slip_periods=1.")
    try:
        pct = float(short_pct)
    except (TypeError, ValueError):
        pct = float("nan")
    if not 0.0 <= pct <= 100.0:
        raise ConfigError(f"short_pct must be a percentage between 0 and 100, got {short_pct!r}",
                          key="short_pct", value=short_pct,
                          fix="e.g. short_pct=20 delivers 80 % of every receipt.")

    def stress(a: np.ndarray) -> np.ndarray:
        out = np.zeros_like(a)
        if k < a.shape[1]:
            out[:, k:] = a[:, : a.shape[1] - k]
        if pct:
            out *= 1.0 - pct / 100.0
        return out

    firm = inputs.supply_firm if only_planned else stress(inputs.supply_firm)
    return inputs.replace(supply_firm=firm, supply_planned=stress(inputs.supply_planned))


def planned_dependency(
    inputs: PabInput,
    *,
    slip_periods: int | None = None,
    demand_time_fence: int = 2,
    base: PabResult | None = None,
) -> pd.DataFrame:
    """Shortages that exist only because planned receipts are assumed on time.

    PAB is projected with all receipts as planned, and again with the planned
    (not firm) receipts removed (``slip_periods=None``) or slipped by
    ``slip_periods`` (see :func:`stress_supply`). A row is returned for every item
    and period that is short in the stressed projection but not in the base one:
    that risk exists only because planned receipts are assumed on time. (Demand
    does not depend on supply, so the stressed PAB is the base PAB minus the
    planned quantity not yet received.)

    Parameters
    ----------
    inputs
        Baseline inputs.
    slip_periods
        ``None``: planned receipts removed; ``k``: planned receipts ``k`` periods late.
    demand_time_fence
        As in :func:`project_pab`.
    base
        The baseline projection, if already computed (must come from ``inputs``
        with the same ``demand_time_fence``); saves one projection.

    Returns
    -------
    pandas.DataFrame
        ``item_id``, ``period``, ``period_start``, ``pab`` (all receipts),
        ``pab_stressed``, ``shortage_qty`` (``-pab_stressed``),
        ``planned_qty_relied_on`` (planned quantity received by that period in the
        base case but not in the stressed one), ``scenario``.
    """
    if slip_periods is None:
        stressed_in = stress_supply(inputs, short_pct=100.0, only_planned=True)
        scenario = "planned receipts removed"
    else:
        stressed_in = stress_supply(inputs, slip_periods=slip_periods, only_planned=True)
        scenario = f"planned receipts {slip_periods} period(s) late"
    if base is None:
        base = project_pab(inputs, demand_time_fence=demand_time_fence, with_atp=False,
                           with_cover=False)
    elif base.inputs is not inputs or base.demand_time_fence != demand_time_fence:
        raise ConfigError(
            "planned_dependency: base must be the projection of these inputs with "
            f"demand_time_fence={demand_time_fence}",
            key="base", value=base.demand_time_fence,
            fix="pass base=project_pab(inputs, demand_time_fence=...) or leave base out.",
        )
    # Demand does not depend on supply, so the stressed PAB is the base PAB minus the
    # planned quantity that has not arrived yet: no second projection needed.
    relied = inputs.supply_planned - stressed_in.supply_planned
    np.cumsum(relied, axis=1, out=relied)
    stressed = base.pab - relied
    risk = stressed < 0
    risk &= ~base.shortage
    rows, per = np.nonzero(risk)
    return pd.DataFrame({
        "item_id": pd.Categorical.from_codes(rows, categories=inputs.item_id, validate=False),
        "period": per,
        "period_start": inputs.period_start.to_numpy()[per],
        "pab": base.pab[rows, per],
        "pab_stressed": stressed[rows, per],
        "shortage_qty": -stressed[rows, per],
        "planned_qty_relied_on": relied[rows, per],
        "scenario": scenario,
    })


# --------------------------------------------------------------------------------------
# Allocation of shortages to order lines
# --------------------------------------------------------------------------------------

_ALLOCATION_COLUMNS = (
    "order_id", "line_no", "customer_id", "item_id", "tier", "priority", "due_date",
    "period", "qty_open", "qty_short", "short_from", "covered_by_date",
)


def allocate_shortages(
    orders: pd.DataFrame,
    result: PabResult,
    *,
    customers: pd.DataFrame | None = None,
    rule: str = "priority_then_due",
    tier_order: Sequence[str] = ("A", "B", "C"),
    due_column: str | Sequence[str] | None = None,
    all_lines: bool = False,
) -> pd.DataFrame:
    """Which open order lines go short, by how much, and until when.

    Model: a period-by-period shipping simulation with backorders.

    * Stock available by period ``t`` is on hand plus all receipts up to ``t``
      (firm and planned as in ``result.inputs``; pass a stressed result to
      allocate under a stressed supply). Forecast is not allocated: only real
      order lines are.
    * A line can be served from its due period on (never earlier, and stock is
      not held back for lines that are not due yet: a lower-priority line due
      earlier takes the stock it finds). What it cannot get stays on backorder and
      is served from later receipts.
    * Each period, the lines that are due or on backorder are served in rule
      order, partial quantities allowed:

      ``"priority_then_due"`` (default)
          by tier (``tier_order``; a missing or unlisted tier ranks last), then
          due date, then order date, then file order. A higher-tier line due this
          period is served before an older backorder of a lower tier.
      ``"due_then_priority"``
          by due date, then tier, then order date, then file order.
      ``"due_then_order_date"``
          by due date, then order date, then file order (tiers ignored).

    With this model the lines' total unserved quantity at period ``t`` is
    ``max(0, cumulative orders due by t - on hand - receipts by t)``: the PAB
    deficit counting customer orders only (inside the demand time fence, simply
    ``max(0, -pab[t])``).

    Computation (no loop over lines or items): lines are sorted into one queue
    per item and service class (the tier for ``"priority_then_due"``, a single
    class otherwise) and each line's cumulative queue quantity ``Q`` is taken.
    With one class, the quantity shipped by ``t`` is ``min(available[t],
    due[t])`` (both cumulative); with tier classes it comes from a loop over
    periods x classes, vectorized over items. A line is short at its due period by
    ``clip(Q - shipped_to_its_class[due], 0, qty)`` and covered in the first period
    where ``shipped_to_its_class >= Q``. Items whose cumulative orders never exceed
    their available stock are skipped up front.

    Parameters
    ----------
    orders
        ``order_lines`` frame (as for :func:`build_buckets`; also ``order_id``,
        ``line_no``, ``customer_id``; ``tier`` and ``order_date`` used if present).
    result
        A :class:`PabResult` over the same items.
    customers
        Customer master with ``customer_id`` and ``tier``; used when ``orders`` has
        no ``tier`` column.
    rule
        One of :data:`ALLOCATION_RULES`.
    tier_order
        Tiers from highest to lowest priority.
    due_column
        Due-date column(s); default the one used to build ``result``.
    all_lines
        Return every open line in the horizon, not only those that go short.

    Returns
    -------
    pandas.DataFrame
        One row per affected open line: ``order_id``, ``line_no``,
        ``customer_id``, ``item_id``, ``tier``, ``priority`` (0 = highest tier),
        ``due_date`` (NaT if none), ``period`` (due period, past due = 0),
        ``qty_open``, ``qty_short`` (unserved at its due period), ``short_from``
        (start of that period), ``covered_by_date`` (start of the period in which it
        is fully served, NaT if not within the horizon). Sorted by item, period and
        service order.
    """
    if rule not in ALLOCATION_RULES:
        raise ConfigError(
            f"unknown allocation rule {rule!r}", key="rule", value=rule,
            fix=f"use one of {', '.join(ALLOCATION_RULES)}.",
        )
    if not isinstance(result, PabResult):
        raise WorkbenchError(f"allocate_shortages needs a PabResult, got {type(result).__name__}",
                             fix="pass project_pab(inputs).")
    inp = result.inputs
    grid = _grid_of(inp)
    due_cols = _due_columns(due_column) if due_column is not None else inp.due_column
    _require(orders, "order_lines", ("order_id", "line_no", "customer_id"))
    lines = _open_lines(orders, grid, due_cols, inp.closed_statuses)
    n, n_t = result.pab.shape

    mapping = inp.item_id.get_indexer(lines.item_uniques)
    item = mapping[lines.item_codes]
    if (item < 0).any():
        unknown = lines.item_uniques[lines.item_codes[item < 0]].unique()[:5].tolist()
        raise ConfigError(
            f"order lines reference item(s) not in the PAB result, e.g. {unknown}",
            key="item_id", value=unknown,
            fix="build the PAB result from the same order lines (build_buckets(orders, ...)).",
        )

    # Open quantity due minus stock available, cumulated: > 0 = lines on backorder.
    supply = result.supply
    due_qty = np.bincount(item * n_t + lines.period, weights=lines.qty, minlength=n * n_t)
    due_qty = due_qty.reshape(n, n_t)
    if all_lines:
        sel = np.arange(item.size)
    else:  # items whose lines are all served on their due date have no short line: skip
        gap = due_qty - supply
        np.cumsum(gap, axis=1, out=gap)
        gap -= inp.on_hand[:, None]
        scale = 1.0 + inp.on_hand + supply.sum(axis=1) + due_qty.sum(axis=1)
        short_item = (gap > (1e-9 * scale)[:, None]).any(axis=1)
        sel = np.flatnonzero(short_item[item])
    item = item[sel]
    period = lines.period[sel]
    qty = lines.qty[sel]
    pos = lines.pos[sel]
    due = lines.due[sel]

    rank, tier_codes, tier_labels = _tier_rank(orders, customers, pos, tier_order)
    due_days = _fill_nat(_day_numbers(due), first=True)  # unknown due date: served first
    if "order_date" in orders.columns:  # unknown order date: last among equals
        od = _fill_nat(_day_numbers(_dates(orders, "order_date", "order_lines"))[pos],
                       first=False)
    else:
        od = np.zeros(pos.size, dtype=np.int64)
    # service order; ties keep file order (lines are in file order, the sort is stable)
    if rule == "priority_then_due":
        cls = rank
        order = _sort_order(item, cls, due_days, od)
    elif rule == "due_then_priority":
        cls = np.zeros_like(rank)
        order = _sort_order(item, due_days, rank, od)
    else:
        cls = np.zeros_like(rank)
        order = _sort_order(item, due_days, od)
    item, cls, period, qty = item[order], cls[order], period[order], qty[order]
    m = order.size

    # cumulative quantity of each line's (item, class) queue, this line included
    new_group = np.ones(m, dtype=bool)
    new_group[1:] = (item[1:] != item[:-1]) | (cls[1:] != cls[:-1])
    csum = np.cumsum(qty)
    start = np.flatnonzero(new_group)
    cum_q = csum - np.repeat(csum[start] - qty[start], np.diff(np.append(start, m)))

    # cumulative quantity shipped to each (item, class) by each period
    used = np.unique(item)
    u = np.searchsorted(used, item)
    supply_u = supply[used]
    if m == 0 or cls.max() == cls.min():
        available = np.cumsum(supply_u, axis=1)
        available += inp.on_hand[used, None]
        due_cum = np.cumsum(np.bincount(u * n_t + period, weights=qty,
                                        minlength=used.size * n_t).reshape(-1, n_t), axis=1)
        shipped = np.minimum(available, due_cum).ravel()
        base, stride = u * n_t, 1
    else:
        shipped, base, stride = _ship_by_class(inp.on_hand[used], supply_u, u, cls, period, qty)

    tol = 1e-9 * np.maximum(1.0, cum_q)
    short = np.clip(cum_q - shipped[base + period * stride], 0.0, qty)
    short[short <= tol] = 0.0
    hit = np.arange(m) if all_lines else np.flatnonzero(short > 0)
    covered = period[hit].copy()  # lines served on their due date
    need = np.flatnonzero(short[hit] > 0)
    covered[need] = _first_index(shipped, base[hit[need]], stride, period[hit[need]], n_t,
                                 cum_q[hit[need]] - tol[hit[need]], strict=False)

    starts = inp.period_start.to_numpy()
    nat = np.datetime64("NaT").astype(starts.dtype)
    covered_date = np.where(covered < n_t, starts[np.minimum(covered, n_t - 1)], nat)
    orig = order[hit]
    src = pos[orig]
    out = pd.DataFrame({
        "order_id": orders["order_id"].take(src).reset_index(drop=True),
        "line_no": orders["line_no"].take(src).reset_index(drop=True),
        "customer_id": orders["customer_id"].take(src).reset_index(drop=True),
        "item_id": pd.Categorical.from_codes(item[hit], categories=inp.item_id,
                                             validate=False),
        "tier": tier_labels.take(tier_codes[orig]),
        "priority": rank[orig],
        "due_date": due[orig],
        "period": period[hit],
        "qty_open": qty[hit],
        "qty_short": short[hit],
        "short_from": starts[period[hit]],
        "covered_by_date": covered_date,
    })
    resort = np.lexsort((np.arange(hit.size), period[hit], item[hit]))
    return out.take(resort).reset_index(drop=True)


def _fill_nat(days: np.ndarray, *, first: bool) -> np.ndarray:
    """Replace the NaT sentinel by one day before the earliest / after the latest date."""
    nat = days == _NAT
    if not nat.any():
        return days
    valid = days[~nat]
    fill = (valid.min(initial=0) - 1) if first else (valid.max(initial=0) + 1)
    return np.where(nat, fill, days)


def _sort_order(*keys: np.ndarray) -> np.ndarray:
    """Stable order by integer ``keys`` (most significant first), like ``np.lexsort``.

    Packs the keys into one int64 when their ranges fit in 63 bits (one fast
    ``argsort`` instead of one sort pass per key); falls back to ``np.lexsort``.
    """
    if keys[0].size == 0:
        return np.zeros(0, dtype=np.int64)
    packed = np.zeros(keys[0].size, dtype=np.int64)
    shift = 0
    for key in reversed(keys):
        k = key.astype(np.int64) - int(key.min())
        width = int(k.max()).bit_length()
        if shift + width > 63:
            return np.lexsort(keys[::-1])
        if width:
            packed |= k << shift
        shift += width
    return np.argsort(packed, kind="stable")


def _tier_rank(orders: pd.DataFrame, customers: pd.DataFrame | None, pos: np.ndarray,
               tier_order: Sequence[str]) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Priority rank per line (0 = first tier; missing/unlisted tier = last).

    Tier comes from ``orders.tier``, else ``customers.tier`` by ``customer_id``.
    Returns ranks, codes into the tier labels, and the labels (last label = missing).
    """
    order_index = pd.Index([str(t).strip() for t in tier_order])
    if "tier" in orders.columns:
        codes, labels = pd.factorize(orders["tier"].take(pos))
    elif customers is not None:
        _require(customers, "customers", ("customer_id", "tier"))
        cust_codes, cust = pd.factorize(orders["customer_id"].take(pos))
        lookup = customers.drop_duplicates("customer_id")
        idx = pd.Index(lookup["customer_id"]).astype(str).get_indexer(pd.Index(cust).astype(str))
        tiers = lookup["tier"].to_numpy(dtype=object)
        tier_of_cust = np.where(idx >= 0, tiers[np.maximum(idx, 0)] if tiers.size else None,
                                None)
        t_codes, labels = pd.factorize(tier_of_cust)
        codes = np.where(cust_codes < 0, -1, t_codes[cust_codes] if t_codes.size else -1)
    else:
        codes, labels = np.full(pos.size, -1, dtype=np.int64), []
    labels = pd.Index([str(x).strip() for x in labels] + [None], dtype="str")
    rank_of = order_index.get_indexer(labels)
    rank_of = np.where(rank_of < 0, len(order_index), rank_of)
    rank_of[-1] = len(order_index)
    codes = np.where(codes < 0, len(labels) - 1, codes)
    return rank_of[codes], codes, labels


def _ship_by_class(on_hand: np.ndarray, supply: np.ndarray, u: np.ndarray, cls: np.ndarray,
                   period: np.ndarray, qty: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Serve classes in order, period by period (vectorized over items).

    ``on_hand``/``supply`` hold the rows of the items with lines (``u`` indexes
    them). Returns the cumulative quantity shipped to each class, laid out as
    ``(T, classes, items)`` and flattened, with each line's base offset and the
    period stride.
    """
    n_u, n_t = supply.shape
    classes = np.unique(cls)
    r = np.searchsorted(classes, cls)
    n_r = classes.size
    due = np.bincount((period * n_r + r) * n_u + u, weights=qty,
                      minlength=n_t * n_r * n_u).reshape(n_t, n_r, n_u)
    arrivals = np.ascontiguousarray(supply.T)  # (T, n_u)
    arrivals[0] += on_hand  # on hand is there in period 0
    stock = np.zeros(n_u)
    backlog = np.zeros((n_r, n_u))
    shipped = np.zeros((n_r, n_u))
    out = np.empty((n_t, n_r, n_u))
    ship = np.empty(n_u)
    for t in range(n_t):  # T x classes steps, each over all items at once
        stock += arrivals[t]
        backlog += due[t]
        for k in range(n_r):
            np.minimum(stock, backlog[k], out=ship)
            stock -= ship
            backlog[k] -= ship
            shipped[k] += ship
        out[t] = shipped
    return out.ravel(), r * n_u + u, n_r * n_u
