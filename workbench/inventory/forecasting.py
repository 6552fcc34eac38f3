"""Demand forecasts with prediction intervals, vectorised across items.

Pure functions on the ``order_lines`` frame of the data model. Every method runs
on a 2-D array (periods x items) at once; the only Python loops step through
time periods (or forecast steps), each step working on whole item vectors.

Entry points
------------
:func:`demand_series`
    Order lines -> :class:`DemandMatrix` (items x complete periods, zeros filled),
    bucketed by ``requested_date`` (default) or ``order_date``.
:func:`demand_from_long`
    Tidy ``(item_id, date, qty)`` frame (column names overridable) -> matrix.
:func:`forecast`
    Point forecast and prediction intervals (the fluctuation band) in the
    ``forecast`` table of the data model (``item_id, period_start,
    forecast_qty, lower, upper, method`` plus ``lower_95, upper_95``,
    ``reason_code, reason, period_label``), ready for :mod:`workbench.pab`.
    Takes order lines, a tidy frame or a matrix.
:func:`backtest`
    Rolling-origin evaluation: WAPE, bias and empirical interval coverage per
    item, per horizon and overall. Takes the same inputs.
:func:`suggest_buffers`
    Suggested buffer (safety stock) per item from its own lead-time forecast
    errors for a service level.
:func:`classify`
    Syntetos-Boylan demand classes (ADI, CV²) per item.

Every item's history starts at its first demand: leading zero periods (an item
launched during the history) are ignored by all methods and by the demand
class. No method looks past the forecast origin, parameters included.

Methods
-------
``ses``
    Simple exponential smoothing, flat forecast = level. ``alpha`` per item is
    picked from :data:`SES_ALPHAS` by the smallest in-sample one-step absolute
    error (the loss WAPE counts; a single huge order does not dictate it). Start-up: the weight of the *t*-th period since the first demand is
    ``max(alpha, 1/t)``, i.e. the level is the running mean until ``1/t``
    drops below ``alpha``.
``holt``
    Holt's additive damped trend (``phi`` = :data:`HOLT_PHI`), ``alpha`` from
    :data:`SES_ALPHAS` and ``beta`` from :data:`HOLT_BETAS` by one-step MSE;
    level started like SES, trend at 0; negative forecasts are clipped at 0.
``seasonal``
    Smoothed seasonal naive: the forecast for a period is the mean of the same
    period one season earlier and its neighbours (``±2`` periods for weeks,
    the period alone for days, months, quarters; season = 52 weeks, 12 months,
    4 quarters or 7 days). Items with less than a season (plus the window)
    since their first demand fall back to ``ses``.
``croston`` / ``sba``
    Croston's method: demand sizes ``z`` and the intervals ``p`` between
    demands are smoothed only in periods with demand; the *k*-th size and the
    *k*-th interval get weight ``max(alpha, 1/k)`` (running means at start).
    Forecast ``z / p``; after a single demand, its size divided by the periods
    since it (inclusive). SBA (Syntetos-Boylan approximation) multiplies by
    ``1 - alpha/2``. ``alpha`` from :data:`CROSTON_ALPHAS` by one-step absolute
    error (of the Croston resp. SBA forecast).
``tsb``
    Teunter-Syntetos-Babai: the demand probability ``p`` is smoothed in every
    period from the first demand (weight ``max(beta, 1/k)`` for the *k*-th
    period), the demand size ``z`` only in periods with demand (weight
    ``max(alpha, 1/j)`` for the *j*-th demand); forecast ``p z``. Unlike
    Croston, periods without demand lower the forecast, so items that stop
    selling decay towards 0. ``alpha`` from :data:`CROSTON_ALPHAS` and ``beta``
    from :data:`TSB_BETAS` per item by one-step absolute error.
``combo``
    Forecast combination: the mean of the ``ses``, ``sba`` and ``tsb``
    forecasts (each with its own per-item constants). Averaging methods whose
    errors differ is the robust default of the forecasting competitions.
``auto``
    Per item and origin: no demand yet -> ``zero`` (reason ``no_demand``);
    *discontinued* -> ``zero`` (reason ``discontinued``) when the periods
    without demand since the last demand reach ``max(DEAD_MIN[freq],
    DEAD_FACTOR x ADI)``; otherwise whichever of ``ses``, ``sba``, ``tsb`` and
    ``combo`` has the smallest mean absolute in-sample error (the h-step
    rolling-origin errors below, steps 1 .. horizon, origins before the
    forecast origin only; a single method must beat ``combo`` by
    :data:`SELECT_MARGIN`), reason ``backtest``; ``seasonal`` also competes
    for smooth or erratic items when its in-sample MSE is at least 20 % below
    SES's over 26 or more paired origins. With fewer than
    :data:`MIN_SELECT_ORIGINS` one-step origins, ``combo`` (reason
    ``short_history``). The choice is made per item, at every origin, for all
    items at once. (Holt keeps the one-step squared error for its grid.)

Prediction intervals
--------------------
At each forecast origin the chosen method is re-run, without looking past the
origin, from each of the last :data:`ERROR_WINDOW` earlier origins (those at
least 4 periods into the history and after the item's first demand), and its
h-step errors ``actual - forecast`` are collected for every step ``h`` up to
the horizon (at most 26 weeks, 28 days, 12 months or 4 quarters; later steps
reuse the last one). For an interval of level ``L`` and each item and step:

* with at least :data:`MIN_ITEM_ERRORS` errors of its own, the bounds are the
  point forecast plus the order statistics of rank ``(n+1)(1-L)/2`` and
  ``(n+1)(1+L)/2`` of its ``n`` errors (interpolated; they cover a new
  exchangeable error with probability about ``L`` even for small ``n``);
* otherwise the errors of (up to 200) items of the same demand class, each
  divided by its item's level (mean demand since its first demand, over the
  last :data:`ERROR_WINDOW` periods at most), are pooled and their quantiles
  are scaled back by the item's level (all classes pooled when the class has
  too few);
* the error quantiles are then smoothed over ``h ± 2`` steps;
* zero-heavy demand: when the share of periods without demand (same window
  as the level) is at least ``(1-L)/2``, the lower quantile of demand is 0,
  so the interval is ``[0, forecast + L-quantile of the errors]`` (one-sided,
  coverage ``L``);
* finally ``0 <= lower <= forecast <= upper``. Bounds are missing (``NaN``)
  only when no error at all is available (a very short history).

Periods
-------
``freq`` is any pandas alias of days, weeks, months or quarters
(:mod:`workbench.inventory.periods`): ``D``; ``W`` (weeks from Monday,
labelled by the Monday), ``W-SUN`` .. ``W-SAT`` (weeks *ending* that day,
labelled by it); ``M``/``MS`` (month starts), ``ME`` (month ends); ``Q``/``QS``/
``QS-<mon>`` (quarter starts), ``QE``/``Q-DEC``/``QE-<mon>`` (quarter ends).
A :class:`DemandMatrix` checks that its period dates are labels of ``freq``
and consecutive and refuses them otherwise (``ConfigError`` naming the first
bad position); the bare ``W``/``M``/``Q`` follow the labels given (Sundays,
month ends, quarter ends). Forecast rows carry ``period_start`` (the first
day, which PAB buckets by) and ``period_label`` (the history's convention).
Defaults scale with the period: backtest horizon / forecast horizon 14 / 28
days, 13 / 26 weeks, 3 / 6 months, 1 / 2 quarters (:data:`DEFAULT_HORIZONS`).

Conventions
-----------
* Demand is ``qty_ordered`` in the period of ``requested_date`` (configurable),
  cancelled lines (status ``cancelled``/``canceled``, any case) left out.
* Only periods that end before ``as_of`` are used; the forecast starts with the
  period that holds ``as_of``.
* Error ``e = forecast - actual`` in backtest metrics: ``WAPE = Σ|e| / Σactual``,
  ``bias = Σe / Σactual`` (positive = over-forecast).
* Demand classes: ADI = periods since the first demand (inclusive) / periods
  with demand, CV² = squared coefficient of variation (ddof 0) of the
  non-zero demands; *smooth* (ADI < 1.32, CV² < 0.49), *erratic*
  (ADI < 1.32), *intermittent* (CV² < 0.49), *lumpy*; *none* without demand.
  Unlike :func:`workbench.customers.xyz_classify`, which counts every period
  of its window, ADI starts at the item's first demand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from workbench.exceptions import ChoiceError, ConfigError, RangeError
from workbench.inventory.periods import (
    PERIOD_ALIASES,
    PeriodSpec,
    check_period_labels,
    period_spec,
)
from workbench.io.schema import CANCELLED_STATUSES
from workbench.validation import (
    check_count,
    check_date,
    check_range,
    date_values,
    require_frame,
)

__all__ = [
    "DEMAND_FREQUENCIES",
    "ADI_CUTOFF",
    "CLASSES",
    "CROSTON_ALPHAS",
    "CV2_CUTOFF",
    "ERROR_WINDOW",
    "HOLT_BETAS",
    "TSB_BETAS",
    "DEAD_FACTOR",
    "MIN_BUFFER_ERRORS",
    "suggest_buffers",
    "DEFAULT_HORIZONS",
    "DEFAULT_STEPS",
    "demand_from_long",
    "DEAD_MIN",
    "SELECT_MARGIN",
    "MIN_SELECT_ORIGINS",
    "REASONS",
    "HOLT_PHI",
    "METHODS",
    "MIN_ITEM_ERRORS",
    "SEASON_LENGTH",
    "SES_ALPHAS",
    "BacktestResult",
    "DemandMatrix",
    "backtest",
    "classify",
    "demand_series",
    "forecast",
]

METHODS: tuple[str, ...] = ("auto", "ses", "holt", "seasonal", "croston", "sba", "tsb",
                             "combo")
"""Accepted ``method`` values."""
SES_ALPHAS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.5)
"""Grid for the smoothing constant of SES (and the level of Holt)."""
CROSTON_ALPHAS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3)
"""Grid for the smoothing constant of Croston and SBA."""
TSB_BETAS: tuple[float, ...] = (0.1, 0.2, 0.3)
"""Grid for the smoothing constant of the demand probability in TSB."""
HOLT_BETAS: tuple[float, ...] = (0.05, 0.2)
"""Grid for the trend smoothing constant of Holt."""
HOLT_PHI = 0.9
"""Damping factor of Holt's trend."""
ADI_CUTOFF = 1.32
"""Average demand interval from which demand counts as intermittent."""
CV2_CUTOFF = 0.49
"""Squared CV of demand sizes from which demand counts as erratic/lumpy."""
CLASSES: tuple[str, ...] = ("smooth", "erratic", "intermittent", "lumpy", "none")
"""Demand classes (Syntetos-Boylan, plus ``none`` for no demand)."""
SEASON_LENGTH: dict[str, int] = {"D": 7, "W": 52, "M": 12, "Q": 4}
"""Periods per season by ``freq``."""
ERROR_WINDOW: dict[str, int] = {"D": 91, "W": 52, "M": 24, "Q": 8}
"""Forecast origins per item whose errors feed the intervals (and level scale)."""
MIN_ITEM_ERRORS = 30
"""An item needs this many in-sample errors for intervals of its own."""

DEMAND_FREQUENCIES: tuple[str, ...] = PERIOD_ALIASES
"""Period aliases a demand matrix accepts (see :mod:`workbench.inventory.periods`)."""
_ERROR_STEPS = {"D": 28, "W": 26, "M": 12, "Q": 4}
_HALF_WIDTH = {"D": 0, "W": 2, "M": 0, "Q": 0}
_WARMUP = 4              # an origin needs this many periods of history
_MIN_TRAIN = 8           # first backtest origin needs this many periods
_SEASONAL_GAIN = 0.8     # seasonal must cut the in-sample MSE by 20 %
_MIN_PAIRED = 26         # origins needed to compare seasonal with SES
_MAX_DONORS = 200        # items per class and step whose errors are pooled
DEAD_FACTOR = 4.0
"""An item is discontinued after this many mean demand intervals without demand..."""
DEAD_MIN: dict[str, int] = {"D": 28, "W": 13, "M": 6, "Q": 3}
"""... and at least this many periods without demand (by ``freq``)."""
SELECT_MARGIN = 0.0
"""Share by which a single method's backtest error must beat ``combo`` to replace it."""
MIN_SELECT_ORIGINS = 12
"""In-sample origins an item needs before its method is chosen by backtest error."""
REASONS: dict[str, str] = {
    "no_demand": "no demand yet",
    "discontinued": "no demand for much longer than the usual interval between demands",
    "backtest": "smallest error in the item's own backtest",
    "class": "too little history to compare methods: chosen by demand class",
    "fixed": "method set by the caller",
    "short_history": "too little history to compare methods: average of SES, SBA and TSB",
}
"""Reason codes of the method choice (``reason_code``) and their wording (``reason``)."""
_LABELS = ("zero", "ses", "holt", "seasonal", "croston", "sba", "tsb", "combo")
_ZERO, _SES, _HOLT, _SEAS, _CROSTON, _SBA, _TSB, _COMBO = range(8)
_R_NONE, _R_DEAD, _R_BACKTEST, _R_CLASS, _R_FIXED, _R_SHORT = range(6)
DEFAULT_HORIZONS: dict[str, tuple[int, int]] = {"D": (14, 28), "W": (13, 26), "M": (3, 6),
                                                "Q": (1, 2)}
"""Default (backtest horizon, forecast horizon) by period length."""
DEFAULT_STEPS: dict[str, int] = {"D": 7, "W": 4, "M": 1, "Q": 1}
"""Default periods between backtest origins by period length."""
_NONE_CLASS = 4


# ============================================================================ data
@dataclass(frozen=True, eq=False)
class DemandMatrix:
    """Demand per item and period: items x periods, zero where nothing was asked.

    Attributes
    ----------
    items : pandas.Index
        Item ids (``str``), sorted; one row of ``values`` each.
    period_starts : pandas.DatetimeIndex
        First day of each period, consecutive, oldest first. The constructor
        takes the period *labels* here, in the convention of ``freq`` (e.g.
        month ends for ``"ME"``); they must match it and be consecutive, and
        are kept in :attr:`period_labels`.
    values : numpy.ndarray
        Demand, shape ``(len(items), len(period_starts))``, float64, >= 0.
    freq : str
        Period alias (:data:`DEMAND_FREQUENCIES`; ``"W"``: weeks labelled by their
        Monday, ``"W-SUN"``: weeks ending Sunday, ``"M"``/``"MS"``, ``"ME"``,
        ``"Q"``, ``"QE"`` ...). The bare ``"W"``, ``"M"`` and ``"Q"`` follow the
        labels given (all Sundays -> ``"W-SUN"``, month ends -> ``"ME"``, ...);
        stored as the canonical alias.
    as_of : pandas.Timestamp or None
        Date the history was cut at (periods end before it), if known.
    basis : str or None
        The date column that placed demand in periods (e.g. ``requested_date``
        or ``order_date``), if known.
    period_labels : pandas.DatetimeIndex
        The date naming each period in the convention of ``freq`` (first or
        last day); forecasts continue it.

    Raises
    ------
    FrequencyError
        ``freq`` is not a day, week, month or quarter alias.
    ConfigError
        Period dates that are not labels of ``freq`` or not consecutive, bad
        shape, negative or missing demand, repeated items.

    Examples
    --------
    >>> m = DemandMatrix(pd.Index(["a"]), ["2024-01-31", "2024-02-29"], [[3.0, 4.0]], "M")
    >>> m.freq, str(m.period_starts[0].date()), str(m.next_labels(1)[0].date())
    ('ME', '2024-01-01', '2024-03-31')
    """

    items: pd.Index
    period_starts: pd.DatetimeIndex
    values: np.ndarray
    freq: str = "W"
    as_of: pd.Timestamp | None = None
    basis: str | None = None
    period_labels: pd.DatetimeIndex = field(init=False, repr=False, default=None)  # type: ignore

    def __post_init__(self) -> None:
        spec = period_spec(self.freq, self.period_starts)
        labels = check_period_labels(self.period_starts, spec, where="period_starts")
        object.__setattr__(self, "freq", spec.alias)
        object.__setattr__(self, "period_labels", labels)
        object.__setattr__(self, "period_starts", spec.starts(labels).rename(None))
        if not isinstance(self.items, pd.Index):
            object.__setattr__(self, "items", pd.Index(self.items, dtype="str", name="item_id"))
        values = np.asarray(self.values, dtype=np.float64)
        if values.ndim != 2 or values.shape != (len(self.items), len(self.period_starts)):
            raise ConfigError(
                f"values must have shape (items, periods) = ({len(self.items)}, "
                f"{len(self.period_starts)}), got {values.shape}",
                key="values", value=values.shape,
                fix="pass one row per item and one column per period.")
        if not np.isfinite(values).all() or (values < 0).any():
            raise ConfigError(
                "demand values must be finite and not negative",
                key="values", value=values[~(np.isfinite(values) & (values >= 0))][:3].tolist(),
                fix="replace missing demand by 0 and drop or correct negative quantities.")
        if len(self.period_starts) == 0:
            raise ConfigError("a demand matrix needs at least one period", key="period_starts",
                              value=0, fix="pass a longer history or an earlier start.")
        if not self.items.is_unique:
            dup = self.items[self.items.duplicated()].unique()[:3].tolist()
            raise ConfigError(f"item ids must be unique, {dup} repeat", key="items", value=dup,
                              fix="sum the rows of each item first.")
        object.__setattr__(self, "values", values)

    @classmethod
    def from_array(cls, values: object, *, items: Sequence[str] | None = None,
                   start: object = "2024-01-01", freq: str = "W") -> DemandMatrix:
        """Build a matrix from a 2-D array (rows = items, columns = periods).

        Parameters
        ----------
        values : array-like
            Demand per item (row) and period (column).
        items : sequence of str, optional
            Item ids; default ``"I0", "I1", ...``.
        start : date, default "2024-01-01"
            A date in the first period.
        freq : str, default "W"
            Period alias (see the class); the labels follow its convention.

        Returns
        -------
        DemandMatrix
        """
        arr = np.asarray(values, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise ConfigError(f"values must be a 2-D array (items x periods), got {arr.ndim}-D",
                              key="values", value=arr.shape,
                              fix="pass one row per item and one column per period.")
        spec = period_spec(freq)
        first = spec.starts([check_date(start, key="start")])[0]
        labels = spec.labels(spec.range(first, arr.shape[1]))
        ids = [f"I{i}" for i in range(arr.shape[0])] if items is None else list(items)
        return cls(pd.Index(ids, dtype="str", name="item_id"), labels, arr, spec.alias)

    @property
    def spec(self) -> PeriodSpec:
        """Period convention of :attr:`freq`."""
        return period_spec(self.freq)

    @property
    def base(self) -> str:
        """Period length: ``"D"``, ``"W"``, ``"M"`` or ``"Q"``."""
        return self.spec.base

    @property
    def n_items(self) -> int:
        """Number of items (rows)."""
        return len(self.items)

    @property
    def n_periods(self) -> int:
        """Number of periods (columns)."""
        return len(self.period_starts)

    def next_periods(self, n: int) -> pd.DatetimeIndex:
        """Return the ``n`` period starts following the last period of the matrix."""
        return self.spec.range(self.period_starts[-1], n + 1)[1:]

    def next_labels(self, n: int) -> pd.DatetimeIndex:
        """Return the labels of the ``n`` periods after the last, in the history's convention."""
        return self.spec.labels(self.next_periods(n))

    def to_frame(self) -> pd.DataFrame:
        """Long, tidy frame ``item_id, period_start, qty, period_label`` (zeros included)."""
        n, t = self.values.shape
        return pd.DataFrame({
            "item_id": self.items.take(np.repeat(np.arange(n), t)).array,
            "period_start": np.tile(self.period_starts.to_numpy(), n),
            "qty": self.values.ravel(),
            "period_label": np.tile(self.period_labels.to_numpy(), n),
        })


def demand_series(orders: pd.DataFrame, *, freq: str = "W", date_column: str = "requested_date",
                  as_of: object = None, start: object = None) -> DemandMatrix:
    """Demand per item and complete period from order lines.

    Parameters
    ----------
    orders : DataFrame
        ``order_lines`` frame: ``item_id``, ``qty_ordered``, ``date_column`` and,
        if present, ``status`` (cancelled lines are left out) and ``order_date``.
    freq : str, default "W"
        Period alias (:data:`DEMAND_FREQUENCIES`): ``"W"`` weeks from Monday
        labelled by the Monday, ``"W-SUN"`` weeks ending Sunday, ``"M"``/``"ME"``
        months labelled by first/last day, ``"Q"``/``"QE"`` quarters, ``"D"``.
    date_column : str, default "requested_date"
        Date that puts a line into a period (``"order_date"`` for order
        intake); kept in ``basis``.
    as_of : date, optional
        Cut-off: only periods that end before it are kept (a period holding
        ``as_of`` is incomplete and left out). Default: the day after the latest
        ``order_date`` of the non-cancelled lines (the latest ``date_column``
        date if there is no usable ``order_date``).
    start : date, optional
        First period (the one holding ``start``); default the earliest period
        with a line.

    Returns
    -------
    DemandMatrix
        Every item with a line in the window, sorted by id; periods from
        ``start`` to the period before ``as_of``, zero where nothing was asked.

    Raises
    ------
    FrameTypeError, MissingColumnsError
        ``orders`` is not a DataFrame or lacks a needed column (the latter is a
        ``NotAvailableError``).
    FrequencyError, DateParameterError, DateColumnError
        Bad ``freq``, ``as_of``/``start``, or unparseable dates.
    ConfigError
        Negative quantities, or no complete period between ``start`` and ``as_of``.
    """
    spec = period_spec(freq)
    require_frame(orders, "order_lines", ("item_id", "qty_ordered", date_column),
                  hint="load them with workbench.load_orders(...).")
    live = orders
    if "status" in orders.columns:
        st = orders["status"].astype("str").str.strip().str.lower()
        live = orders.loc[~st.isin(CANCELLED_STATUSES).to_numpy(dtype=bool, na_value=False)]
    try:
        qty = live["qty_ordered"].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise ConfigError("order_lines.qty_ordered must be numeric", key="qty_ordered",
                          value=live["qty_ordered"].head(3).tolist(),
                          fix="clean qty_ordered (workbench.load_orders does this).") from None
    if (qty < 0).any():
        raise ConfigError(
            f"order_lines.qty_ordered must not be negative ({int((qty < 0).sum())} row(s))",
            key="qty_ordered", value=qty[qty < 0][:3].tolist(),
            fix="drop or correct those lines (workbench.load_orders quarantines them).")
    dates = pd.Series(date_values(live[date_column], table="order_lines", column=date_column),
                      index=live.index)
    item = live["item_id"]
    ok = (dates.notna() & item.notna()).to_numpy(dtype=bool) & ~np.isnan(qty)

    if as_of is None:
        ref = dates
        if "order_date" in live.columns:
            od = pd.to_datetime(live["order_date"], errors="coerce", format="mixed")
            if isinstance(od.dtype, pd.DatetimeTZDtype):
                od = od.dt.tz_localize(None)
            if od.notna().any():
                ref = od
        if not ref.notna().any():
            raise ConfigError("as_of cannot be inferred: there are no dated, non-cancelled "
                              "order lines", key="as_of", value=None,
                              fix="pass as_of explicitly or check the order lines.")
        cut = ref.max().normalize() + pd.Timedelta(days=1)
    else:
        cut = check_date(as_of, key="as_of")
    return _bucket(item.loc[ok], dates.loc[ok], qty[ok], spec, cut, start, date_column)


def _bucket(item: pd.Series, dates: pd.Series, qty: np.ndarray, spec: PeriodSpec,
            cut: pd.Timestamp, start: object, basis: str) -> DemandMatrix:
    """Sum ``qty`` per item and complete period of ``spec`` before ``cut``."""
    end = spec.starts([cut])[0]
    ps = spec.starts(dates)
    before = np.asarray(ps < end, dtype=bool)
    if start is not None:
        first = spec.starts([check_date(start, key="start")])[0]
    elif before.any():
        first = ps[before].min()
    else:
        first = end
    grid = spec.range(first, spec.count(first, end))
    if len(grid) == 0:
        raise ConfigError(
            f"no complete {spec.alias} period between start {first.date()} and as_of {cut.date()}",
            key="as_of", value=str(cut.date()), fix="pass a later as_of or an earlier start.")
    keep = before & np.asarray(ps >= first, dtype=bool)
    items = item.to_numpy(dtype=object)[keep]
    codes, uniques = pd.factorize(pd.array(items, dtype="str"), sort=True)
    col = grid.get_indexer(ps.to_numpy()[keep])
    n, t = len(uniques), len(grid)
    values = np.bincount(codes * t + col, weights=qty[keep], minlength=n * t)
    index = pd.Index(uniques, dtype="str", name="item_id")
    return DemandMatrix(index, spec.labels(grid), values.reshape(n, t), spec.alias, cut,
                        basis)


def demand_from_long(frame: pd.DataFrame, *, freq: str = "W", item_column: str = "item_id",
                     date_column: str = "date", qty_column: str = "qty", as_of: object = None,
                     start: object = None) -> DemandMatrix:
    """Demand per item and period from a tidy ``(item, date, qty)`` frame.

    The dates may be period labels (e.g. month ends, weeks ending Sunday) or
    any dates inside the periods; quantities of the same item and period are
    summed, missing periods are zero.

    Parameters
    ----------
    frame : DataFrame
        One row per item and date (or period).
    freq : str, default "W"
        Period alias (:data:`DEMAND_FREQUENCIES`). The bare ``"W"``, ``"M"`` and
        ``"Q"`` follow the dates: all Sundays -> ``"W-SUN"``, all month ends
        -> ``"ME"``, quarter ends -> ``"QE"``; otherwise periods are labelled by
        their first day.
    item_column, date_column, qty_column : str
        Column names, default ``item_id``, ``date``, ``qty``.
    as_of : date, optional
        Cut-off: only periods that end before it are kept. Default: the day
        after the period of the latest date, i.e. every period in the frame is
        taken as complete (pass ``as_of`` to drop an incomplete last period).
    start : date, optional
        First period (the one holding ``start``); default the earliest period.

    Returns
    -------
    DemandMatrix
        With ``basis`` = ``date_column``.

    Raises
    ------
    FrameTypeError, MissingColumnsError
        Not a DataFrame, or a column is missing.
    ConfigError
        Non-numeric or negative quantities, unreadable dates, no period.

    Examples
    --------
    >>> tidy = pd.DataFrame({"item_id": ["a", "a", "b"],
    ...                      "date": ["2024-01-31", "2024-03-31", "2024-02-29"],
    ...                      "qty": [5, 7, 2]})
    >>> m = demand_from_long(tidy, freq="M")
    >>> m.freq, m.values.tolist()
    ('ME', [[5.0, 0.0, 7.0], [0.0, 2.0, 0.0]])
    """
    require_frame(frame, "demand", (item_column, date_column, qty_column))
    try:
        qty = pd.to_numeric(frame[qty_column]).to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise ConfigError(f"demand.{qty_column} must be numeric", key=qty_column,
                          value=frame[qty_column].head(3).tolist(),
                          fix="clean the quantity column or name another one.") from None
    if (qty < 0).any():
        raise ConfigError(
            f"demand.{qty_column} must not be negative ({int((qty < 0).sum())} row(s))",
            key=qty_column, value=qty[qty < 0][:3].tolist(),
            fix="drop or correct those rows (returns are not demand).")
    dates = pd.Series(date_values(frame[date_column], table="demand", column=date_column),
                      index=frame.index)
    item = frame[item_column]
    ok = (dates.notna() & item.notna()).to_numpy(dtype=bool) & ~np.isnan(qty)
    spec = period_spec(freq, dates.loc[ok].drop_duplicates())
    if as_of is None:
        if not ok.any():
            raise ConfigError("as_of cannot be inferred: the demand frame has no dated rows",
                              key="as_of", value=None, fix="pass as_of or check the frame.")
        cut = spec.range(dates.loc[ok].max(), 2)[1]
    else:
        cut = check_date(as_of, key="as_of")
    return _bucket(item.loc[ok], dates.loc[ok], qty[ok], spec, cut, start, date_column)


# ==================================================================== classes
@dataclass(frozen=True)
class _Stats:
    """Cumulative sums over time (index t = first t periods), shape (T+1, n)."""

    count: np.ndarray   # periods with demand
    total: np.ndarray
    square: np.ndarray
    first: np.ndarray   # (n,) period of the first demand (T if none)
    last: np.ndarray    # (T+1, n) last period with demand before t (-1 if none)

    @classmethod
    def of(cls, y: np.ndarray) -> _Stats:
        def cum(a: np.ndarray) -> np.ndarray:
            out = np.zeros((a.shape[0] + 1, a.shape[1]))
            np.cumsum(a, axis=0, out=out[1:])
            return out
        hit = y > 0
        first = np.where(hit.any(axis=0), np.argmax(hit, axis=0), y.shape[0])
        idx = np.where(hit, np.arange(y.shape[0])[:, None], -1)
        last = np.full((y.shape[0] + 1, y.shape[1]), -1, dtype=np.int64)
        np.maximum.accumulate(idx, axis=0, out=last[1:])
        return cls(cum(hit.astype(np.float64)), cum(y), cum(y * y), first, last)

    def active(self, c: int, cap: int) -> np.ndarray:
        """Periods since the first demand before origin ``c``, between 1 and ``cap``."""
        return np.clip(c - self.first, 1, cap)

    def recent(self, table: np.ndarray, c: int, cap: int) -> np.ndarray:
        """Mean of ``table``'s increments over the last ``active(c, cap)`` periods."""
        w = self.active(c, cap)
        return (table[c] - table[c - w, np.arange(w.size)]) / w

    def dead(self, c: int, freq: str) -> np.ndarray:
        """Items whose run without demand before ``c`` marks them discontinued."""
        k = self.count[c]
        since = c - 1 - self.last[c]
        with np.errstate(divide="ignore", invalid="ignore"):
            adi = (c - self.first) / k
        return (k > 0) & (since >= np.maximum(DEAD_MIN[freq], DEAD_FACTOR * adi))

    def classes(self, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ADI, CV² and class code of the periods from the first demand up to ``c``."""
        k, s1, s2 = self.count[c], self.total[c], self.square[c]
        with np.errstate(divide="ignore", invalid="ignore"):
            adi = np.where(k > 0, (c - self.first) / k, np.inf)
            size = s1 / k
            cv2 = np.where(k > 0, np.clip(s2 / k - size * size, 0.0, None) / (size * size),
                           np.nan)
        code = np.where(adi < ADI_CUTOFF, 0, 2) + np.where(cv2 < CV2_CUTOFF, 0, 1)
        return adi, cv2, np.where(k > 0, code, _NONE_CLASS)


def classify(matrix: DemandMatrix) -> pd.DataFrame:
    """Syntetos-Boylan demand class of every item over the whole matrix.

    Parameters
    ----------
    matrix : DemandMatrix

    Returns
    -------
    DataFrame
        ``item_id, periods, demand_periods, adi, cv2, demand_class``:
        ``periods`` counts from the item's first demand (inclusive) to the end;
        ``adi = periods / demand_periods``; ``demand_class`` is one of
        :data:`CLASSES` (rules in the module docstring).
    """
    y = matrix.values.T
    stats = _Stats.of(y)
    t = y.shape[0]
    adi, cv2, code = stats.classes(t)
    return pd.DataFrame({
        "item_id": matrix.items.array,
        "periods": np.maximum(t - stats.first, 0).astype(np.int64),
        "demand_periods": stats.count[t].astype(np.int64),
        "adi": adi, "cv2": cv2,
        "demand_class": pd.array(np.asarray(CLASSES, dtype=object)[code], dtype="str"),
    })


# ==================================================================== filters
# Every filter runs once over the whole history for all items and all grid
# parameters (third axis) and keeps, for each origin t (forecast made after t
# periods), the state and the cumulative one-step squared error. Choosing the
# parameter at an origin only looks at errors before it.


def _pick(paths: np.ndarray, sae: np.ndarray, c: int) -> tuple[np.ndarray, np.ndarray]:
    """Parameter index with the least in-sample absolute error at origin c, and its path."""
    k = np.argmin(sae[c], axis=1)
    return k, paths[:, np.arange(paths.shape[1]), k]


@dataclass
class _Flat:
    """A method with a flat forecast: ``level[t]`` is issued at origin t."""

    level: np.ndarray   # (T+1, n)
    param: np.ndarray   # (n,) chosen smoothing constant

    def at(self, t: np.ndarray | int, h: int) -> np.ndarray:
        return self.level[t]


@dataclass
class _Damped:
    """Holt's damped trend: ``level[t] + (phi + ... + phi^h) trend[t]``, >= 0."""

    level: np.ndarray
    trend: np.ndarray
    param: np.ndarray

    def at(self, t: np.ndarray | int, h: int) -> np.ndarray:
        d = HOLT_PHI * (1.0 - HOLT_PHI ** h) / (1.0 - HOLT_PHI)
        return np.maximum(self.level[t] + d * self.trend[t], 0.0)


@dataclass
class _SeasonalNaive:
    """Mean of the same period one (or more) seasons back, with neighbours."""

    smooth: np.ndarray  # (T, n) centred moving mean, NaN where incomplete
    season: int
    half: int

    def source(self, t: np.ndarray | int, h: int) -> np.ndarray:
        """First period used by the step-``h`` forecast from origin ``t``."""
        back = self.season * math.ceil((h + self.half) / self.season)
        return np.asarray(t) + (h - 1 - back - self.half)

    def at(self, t: np.ndarray | int, h: int) -> np.ndarray:
        src = self.source(t, h) + self.half
        ok = src >= self.half
        vals = self.smooth[np.where(ok, src, 0)]
        return np.where(ok[..., None] if np.ndim(ok) else ok, vals, np.nan)


def _weight(alpha: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Smoothing weight ``max(alpha, 1/count)`` -> (n, grid); running mean at start."""
    return np.maximum(alpha[None, :], 1.0 / np.maximum(count, 1.0)[:, None])


class _SesFilter:
    def __init__(self, y: np.ndarray, first: np.ndarray,
                 alphas: Sequence[float] = SES_ALPHAS):
        t_n, n = y.shape
        a = np.asarray(alphas, dtype=np.float64)
        self.alphas = a
        self.level = np.zeros((t_n + 1, n, a.size))
        self.sae = np.zeros((t_n + 1, n, a.size))
        lev = np.zeros((n, a.size))
        sae = np.zeros((n, a.size))
        for t in range(t_n):
            e = y[t][:, None] - lev          # 0 before the first demand
            sae = sae + np.abs(e) * (t > first)[:, None]
            lev = lev + _weight(a, t + 1.0 - first) * e
            self.level[t + 1] = lev
            self.sae[t + 1] = sae

    def at_origin(self, c: int) -> _Flat:
        k, path = _pick(self.level, self.sae, c)
        return _Flat(path, self.alphas[k])


class _HoltFilter:
    def __init__(self, y: np.ndarray, first: np.ndarray,
                 alphas: Sequence[float] = SES_ALPHAS):
        t_n, n = y.shape
        a = np.repeat(np.asarray(alphas, dtype=np.float64), len(HOLT_BETAS))
        b = np.tile(np.asarray(HOLT_BETAS), len(alphas))
        self.params = np.stack([a, b], axis=1)
        self.level = np.zeros((t_n + 1, n, a.size))
        self.trend = np.zeros((t_n + 1, n, a.size))
        self.sse = np.zeros((t_n + 1, n, a.size))
        lev = np.zeros((n, a.size))
        tr = np.zeros((n, a.size))
        sse = np.zeros((n, a.size))
        for t in range(t_n):
            f = lev + HOLT_PHI * tr
            e = y[t][:, None] - np.maximum(f, 0.0)
            after = (t > first)[:, None]     # the trend moves from the 2nd period on
            sse = sse + e * e * after
            new = f + _weight(a, t + 1.0 - first) * (y[t][:, None] - f)
            tr = np.where(after, HOLT_PHI * tr + b * (new - f), tr)
            lev = new
            self.level[t + 1] = lev
            self.trend[t + 1] = tr
            self.sse[t + 1] = sse

    def at_origin(self, c: int) -> _Damped:
        k = np.argmin(self.sse[c], axis=1)
        cols = np.arange(self.level.shape[1])
        return _Damped(self.level[:, cols, k], self.trend[:, cols, k], self.params[k])


class _CrostonFilter:
    def __init__(self, y: np.ndarray, first: np.ndarray,
                 alphas: Sequence[float] = CROSTON_ALPHAS):
        t_n, n = y.shape
        a = np.asarray(alphas, dtype=np.float64)
        self.alphas = a
        self.sba_factor = 1.0 - a / 2.0
        self.rate = np.zeros((t_n + 1, n, a.size))
        self.sae = np.zeros((t_n + 1, n, a.size))
        self.sae_sba = np.zeros((t_n + 1, n, a.size))
        sae = np.zeros((n, a.size))
        sae_sba = np.zeros((n, a.size))
        size = np.zeros((n, a.size))
        gap = np.ones((n, a.size))
        since = np.zeros(n)
        seen = np.zeros(n)
        rate = np.zeros((n, a.size))
        for t in range(t_n):
            yt = y[t]
            since += 1.0
            e = yt[:, None] - rate
            sae = sae + np.abs(e)
            e = yt[:, None] - rate * self.sba_factor
            sae_sba = sae_sba + np.abs(e)
            hit = yt > 0
            later = (hit & (seen > 0))[:, None]   # a demand that closes an interval
            seen += hit
            size = np.where(hit[:, None], size + _weight(a, seen) * (yt[:, None] - size), size)
            gap = np.where(later, gap + _weight(a, seen - 1.0) * (since[:, None] - gap), gap)
            since = np.where(hit, 0.0, since)
            # one demand so far: its size spread over the periods since it
            age = np.maximum(t + 1.0 - first, 1.0)[:, None]
            rate = np.where(seen[:, None] > 1, size / gap,
                            np.where(seen[:, None] > 0, size / age, 0.0))
            self.rate[t + 1] = rate
            self.sae[t + 1] = sae
            self.sae_sba[t + 1] = sae_sba

    def at_origin(self, c: int, sba: bool) -> _Flat:
        k, path = _pick(self.rate, self.sae_sba if sba else self.sae, c)
        if sba:
            path = path * self.sba_factor[k]
        return _Flat(path, self.alphas[k])


class _TsbFilter:
    def __init__(self, y: np.ndarray, first: np.ndarray,
                 alphas: Sequence[float] = CROSTON_ALPHAS,
                 betas: Sequence[float] = TSB_BETAS):
        t_n, n = y.shape
        a = np.repeat(np.asarray(alphas, dtype=np.float64), len(betas))
        b = np.tile(np.asarray(betas, dtype=np.float64), len(alphas))
        self.params = np.stack([a, b], axis=1)
        self.rate = np.zeros((t_n + 1, n, a.size))
        self.sae = np.zeros((t_n + 1, n, a.size))
        size = np.zeros((n, a.size))
        prob = np.zeros((n, a.size))
        seen = np.zeros(n)
        rate = np.zeros((n, a.size))
        sae = np.zeros((n, a.size))
        for t in range(t_n):
            yt = y[t]
            e = yt[:, None] - rate
            sae = sae + np.abs(e)
            hit = yt > 0
            seen += hit
            # probability: every period from the first demand on (before it, weight 1 and
            # no demand keep it at 0); size: demand periods only
            prob = prob + _weight(b, t + 1.0 - first) * (hit[:, None] - prob)
            size = np.where(hit[:, None], size + _weight(a, seen) * (yt[:, None] - size), size)
            rate = prob * size
            self.rate[t + 1] = rate
            self.sae[t + 1] = sae

    def at_origin(self, c: int) -> _Flat:
        k, path = _pick(self.rate, self.sae, c)
        return _Flat(path, self.params[k])


def _seasonal(y: np.ndarray, freq: str) -> _SeasonalNaive:
    t_n, n = y.shape
    half = _HALF_WIDTH[freq]
    width = 2 * half + 1
    cum = np.zeros((t_n + 1, n))
    np.cumsum(y, axis=0, out=cum[1:])
    smooth = np.full((t_n, n), np.nan)
    if t_n >= width:
        smooth[half:t_n - half] = (cum[width:] - cum[:t_n + 1 - width]) / width
    return _SeasonalNaive(smooth, SEASON_LENGTH[freq], half)


# ==================================================================== engine
def _order_positions(cnt: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, ...]:
    """0-based positions ``(n + 1) p - 1`` in ``n = cnt`` sorted values (floor, ceil, frac).

    The interval between the order statistics of rank ``(n+1) a`` and
    ``(n+1) (1-a)`` covers a new exchangeable value with probability
    ``1 - 2a`` exactly (Weibull plotting positions), so small error samples do
    not give too narrow intervals.
    """
    last = np.maximum(cnt - 1, 0)[None, :]
    pos = np.clip((cnt[None, :] + 1.0) * probs[:, None] - 1.0, 0.0, last)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, last)
    return lo, hi, pos - lo


def _row_quantiles(x: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Quantiles of each row of ``x`` ignoring NaN -> ``(len(probs), rows)``."""
    xs = np.sort(x, axis=1)
    cnt = np.count_nonzero(~np.isnan(x), axis=1)
    lo, hi, frac = _order_positions(cnt, probs)
    rows = np.arange(x.shape[0])[None, :]
    vlo, vhi = xs[rows, lo], xs[rows, hi]
    out = vlo + frac * (vhi - vlo)
    out[:, cnt == 0] = np.nan
    return out


def _group_quantiles(values: np.ndarray, groups: np.ndarray, n_groups: int,
                     probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles per group of *sorted* ``values`` -> ``((len(probs), n_groups), counts)``.

    ``groups`` (small non-negative ints) is radix-sorted stably, so the values
    stay sorted within each group.
    """
    cnt = np.bincount(groups, minlength=n_groups)
    if values.size == 0:
        return np.full((probs.size, n_groups), np.nan), cnt
    v = values[np.argsort(groups.astype(np.int16), kind="stable")]
    begin = np.concatenate([[0], np.cumsum(cnt)[:-1]])[None, :]
    lo, hi, frac = _order_positions(cnt, probs)
    vlo = v[np.minimum(begin + lo, v.size - 1)]
    vhi = v[np.minimum(begin + hi, v.size - 1)]
    out = vlo + frac * (vhi - vlo)
    out[:, cnt == 0] = np.nan
    return out, cnt


def _smooth_steps(q: np.ndarray, half: int = 2) -> np.ndarray:
    """Centred moving mean over the step axis (axis 1), shorter at the ends, NaN-aware."""
    s = q.shape[1]
    ok = ~np.isnan(q)
    csum = np.zeros((q.shape[0], s + 1, q.shape[2]))
    ccnt = np.zeros_like(csum)
    np.cumsum(np.where(ok, q, 0.0), axis=1, out=csum[:, 1:])
    np.cumsum(ok, axis=1, out=ccnt[:, 1:])
    lo = np.maximum(np.arange(s) - half, 0)
    hi = np.minimum(np.arange(s) + half + 1, s)
    with np.errstate(invalid="ignore"):
        return (csum[:, hi] - csum[:, lo]) / (ccnt[:, hi] - ccnt[:, lo])


@dataclass
class _Origin:
    """Forecast issued at one origin: arrays (steps, items)."""

    point: np.ndarray
    bounds: list[tuple[np.ndarray, np.ndarray]]   # per level: (lower, upper)
    method: np.ndarray                             # (items,) code into _LABELS
    demand_class: np.ndarray                       # (items,) code into CLASSES
    param: np.ndarray                              # (items,) alpha (NaN if none)
    reason: np.ndarray                             # (items,) code into REASONS
    rmse: np.ndarray                               # (err steps, items) in-sample RMSE


class _Engine:
    """Fits every needed method once over the history; forecasts at any origin."""

    def __init__(self, matrix: DemandMatrix, method: str, levels: Sequence[float],
                 alpha: float | None = None, beta: float | None = None):
        self.y = np.ascontiguousarray(matrix.values.T)        # (T, n)
        self.freq = matrix.base
        self.method = method
        t_n, n = self.y.shape
        self.n = n
        self.stats = _Stats.of(self.y)
        self.first = self.stats.first
        self.levels = tuple(levels)
        lo = [(1.0 - lv) / 2.0 for lv in self.levels]
        # per level: lower tail, upper tail, one-sided upper (for zero-heavy demand)
        self.probs = np.asarray(lo + [1.0 - p for p in lo] + list(self.levels))
        self.window = ERROR_WINDOW[self.freq]
        ses_grid = SES_ALPHAS if alpha is None else (alpha,)
        cro_grid = CROSTON_ALPHAS if alpha is None else (alpha,)
        y, first = self.y, self.first
        combo = method in ("auto", "combo")
        self.ses = (_SesFilter(y, first, ses_grid) if combo or method in ("ses", "seasonal")
                    else None)
        self.holt = _HoltFilter(y, first, ses_grid) if method == "holt" else None
        self.croston = (_CrostonFilter(y, first, cro_grid)
                        if combo or method in ("croston", "sba") else None)
        self.seas = _seasonal(self.y, self.freq) if method in ("auto", "seasonal") else None
        tsb_betas = TSB_BETAS if beta is None else (beta,)
        self.tsb = (_TsbFilter(y, first, cro_grid, tsb_betas) if combo or method == "tsb"
                    else None)

    # ------------------------------------------------------------ pieces
    def _errors(self, model: _Flat | _Damped | _SeasonalNaive, c: int, steps: int
                ) -> np.ndarray:
        """In-sample h-step errors (actual - forecast), shape (steps, window, n)."""
        w = self.window
        out = np.full((steps, w, self.n), np.nan)
        for h in range(1, steps + 1):
            hi = c - h
            lo = max(_WARMUP, hi - w + 1)
            if hi < lo:
                continue
            t = np.arange(lo, hi + 1)
            e = self.y[t + h - 1] - model.at(t, h)
            # only origins after the first demand; seasonal: only data from it on
            start = model.source(t, h) if isinstance(model, _SeasonalNaive) else t - 1
            out[h - 1, : t.size] = np.where(start[:, None] >= self.first[None, :], e, np.nan)
        return out

    def _scale(self, c: int) -> np.ndarray:
        """Level of each item: mean demand since its first demand, last window only."""
        return self.stats.recent(self.stats.total, c, self.window)

    def _intervals(self, errors: np.ndarray, c: int, cls: np.ndarray) -> np.ndarray:
        """Error quantiles ``(len(probs), steps, n)``: own, else pooled by class."""
        s, w, n = errors.shape
        x = errors.transpose(0, 2, 1).reshape(s * n, w)      # row = step * n + item
        cnt = np.count_nonzero(~np.isnan(x), axis=1)
        own = cnt >= MIN_ITEM_ERRORS
        q = np.full((self.probs.size, s * n), np.nan)
        if own.any():
            q[:, own] = _row_quantiles(x[own], self.probs)
        need = ~own
        if need.any():
            q[:, need] = self._pooled(x, cnt, need, c, cls)
        return _smooth_steps(q.reshape(self.probs.size, s, n))

    def _pooled(self, x: np.ndarray, cnt: np.ndarray, need: np.ndarray, c: int,
                cls: np.ndarray) -> np.ndarray:
        """Quantiles for the rows in ``need`` from level-scaled errors of their class."""
        n, n_cls = self.n, len(CLASSES)
        s = x.shape[0] // n
        scale = np.tile(self._scale(c), s)
        group = np.repeat(np.arange(s), n) * n_cls + np.tile(cls, s)
        donor = (scale > 0) & (cnt > 0)
        # at most _MAX_DONORS items per class and step keep the pooled sort cheap
        order = np.flatnonzero(donor)
        if order.size:
            g = group[order]
            per = np.bincount(g, minlength=s * n_cls)
            pos = np.argsort(np.argsort(g, kind="stable"), kind="stable")  # group-sorted
            rank = pos - np.repeat(np.cumsum(per) - per, per)[pos]          # within group
            stride = np.maximum(per // _MAX_DONORS, 1)
            order = order[rank % stride[g] == 0]
        u = x[order] / scale[order, None]
        g = np.broadcast_to(group[order, None], u.shape)
        ok = ~np.isnan(u)
        u, g = u[ok], g[ok]
        order = np.argsort(u)
        u, g = u[order], g[order]
        by_class, c_cnt = _group_quantiles(u, g, s * n_cls, self.probs)
        by_step, _ = _group_quantiles(u, g // n_cls, s, self.probs)
        use = np.where(c_cnt >= MIN_ITEM_ERRORS, by_class,
                       np.repeat(by_step, n_cls, axis=1))
        out = use[:, group[need]] * scale[need]
        # nothing to pool (e.g. a very short history): use what the row itself has
        alone = np.isnan(out).any(axis=0) & (cnt[need] > 0)
        if alone.any():
            out[:, alone] = _row_quantiles(x[need][alone], self.probs)
        return out

    def _candidate(self, code: int, c: int) -> _Flat | _Damped | _SeasonalNaive:
        if code == _SES:
            return self.ses.at_origin(c)  # type: ignore[union-attr]
        if code == _HOLT:
            return self.holt.at_origin(c)  # type: ignore[union-attr]
        if code == _SEAS:
            return self.seas  # type: ignore[return-value]
        if code == _TSB:
            return self.tsb.at_origin(c)  # type: ignore[union-attr]
        if code == _COMBO:
            parts = [self.ses.at_origin(c).level,  # type: ignore[union-attr]
                     self.croston.at_origin(c, sba=True).level,  # type: ignore[union-attr]
                     self.tsb.at_origin(c).level]  # type: ignore[union-attr]
            return _Flat((parts[0] + parts[1] + parts[2]) / 3.0, np.full(self.n, np.nan))
        return self.croston.at_origin(c, sba=code == _SBA)  # type: ignore[union-attr]

    # ------------------------------------------------------------ forecast
    def _choose(self, c: int, cls: np.ndarray, errors: dict[int, np.ndarray],
                codes: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Choose the method per item at origin ``c``; return it and the reason code."""
        n = self.n
        reason = np.full(n, _R_FIXED)
        if self.method != "auto":
            choice = np.full(n, codes[-1])
            if self.method == "seasonal":
                choice[:] = _SES
                choice[self._seasonal_ready(c)] = _SEAS
            return choice, reason
        # default (short history): the combination of SES, SBA and TSB
        choice = np.full(n, _COMBO)
        reason[:] = _R_SHORT
        ref = errors[_SES]
        common = ~np.isnan(ref)
        seas_ok = self._seasonal_ready(c) & (cls < 2)     # smooth or erratic demand only
        pair = common & ~np.isnan(errors[_SEAS])
        seas_ok &= pair[0].sum(axis=0) >= _MIN_PAIRED
        mask = np.where(seas_ok[None, None, :], pair, common)
        # seasonal competes only when it cuts the in-sample MSE of SES by 20 %
        es = np.where(mask, errors[_SEAS], 0.0)
        en = np.where(mask, errors[_SES], 0.0)
        seas_ok &= (np.einsum("ijk,ijk->k", es, es)
                    < _SEASONAL_GAIN * np.einsum("ijk,ijk->k", en, en))
        cells = mask.sum(axis=(0, 1))
        scores = np.full((len(codes), n), np.inf)
        for i, k in enumerate(codes):
            e = np.where(mask, np.abs(errors[k]), 0.0).sum(axis=(0, 1))
            scores[i] = np.where(cells > 0, e / np.maximum(cells, 1), np.inf)
            if k == _SEAS:
                scores[i, ~seas_ok] = np.inf
        # a single method replaces the combination only if its error is SELECT_MARGIN lower
        single = scores[:-1]
        best = np.argmin(single, axis=0)
        gain = single[best, np.arange(n)] < (1.0 - SELECT_MARGIN) * scores[-1]
        enough = mask[0].sum(axis=0) >= MIN_SELECT_ORIGINS
        choice = np.where(enough & gain, np.asarray(codes[:-1])[best], choice)
        reason[enough] = _R_BACKTEST
        self.scores = scores
        return choice, reason

    def _seasonal_ready(self, c: int) -> np.ndarray:
        """Items with a whole season (plus the window) since their first demand."""
        if self.seas is None:
            return np.zeros(self.n, dtype=bool)
        return c - self.first >= self.seas.season + 2 * self.seas.half + 1

    def at(self, c: int, steps: int) -> _Origin:
        """Forecast ``steps`` periods ahead from origin ``c`` (after ``c`` periods)."""
        _, _, cls = self.stats.classes(c)
        err_steps = min(steps, _ERROR_STEPS[self.freq])
        fixed = {"ses": _SES, "holt": _HOLT, "seasonal": _SEAS, "croston": _CROSTON,
                 "sba": _SBA, "tsb": _TSB, "combo": _COMBO}
        if self.method == "auto":
            codes = [_SES, _SEAS, _SBA, _TSB, _COMBO]
        elif self.method == "seasonal":
            codes = [_SES, _SEAS]
        else:
            codes = [fixed[self.method]]
        models = {k: self._candidate(k, c) for k in codes}
        errors = {k: self._errors(m, c, err_steps) for k, m in models.items()}
        points = {k: np.stack([m.at(c, h) for h in range(1, steps + 1)])
                  for k, m in models.items()}
        choice, reason = self._choose(c, cls, errors, codes)
        if self.method == "auto":
            dead = self.stats.dead(c, self.freq)
            if dead.any():
                choice[dead] = _ZERO
                reason[dead] = _R_DEAD
                zero = _Flat(np.zeros_like(self.stats.total), np.zeros(self.n))
                errors[_ZERO] = self._errors(zero, c, err_steps)
                points[_ZERO] = np.zeros((steps, self.n))
                models[_ZERO] = zero
                codes = [*codes, _ZERO]
        none = cls == _NONE_CLASS
        choice[none] = _ZERO
        reason[none] = _R_NONE

        point = points[codes[0]].copy()
        err = errors[codes[0]].copy()
        param = np.full(self.n, np.nan)
        for k in codes:
            sel = choice == k
            if k != codes[0]:
                np.copyto(point, points[k], where=sel[None, :])
                np.copyto(err, errors[k], where=sel[None, None, :])
            model = models[k]
            if not isinstance(model, _SeasonalNaive) and k != _ZERO:
                p = model.param if model.param.ndim == 1 else model.param[:, 0]
                param[sel] = p[sel]
        point[:, none] = 0.0
        err[:, :, none] = 0.0
        self.models = models   # the chosen models, for lead-time errors (buffers)
        return self._bounded(point, err, c, cls, steps, err_steps, choice, reason, param)

    def lead_errors(self, c: int, choice: np.ndarray, lead: int) -> np.ndarray:
        """In-sample errors of demand over ``lead`` periods, (origins, n); NaN if unusable.

        Origin ``t`` (``t + lead <= c``, the last :data:`ERROR_WINDOW` ones) is
        credited with ``sum(actual - forecast)`` over its next ``lead`` periods,
        forecast by each item's chosen method from data before ``t`` only.
        """
        t = np.arange(max(_WARMUP, c - lead - self.window + 1), c - lead + 1)
        out = np.full((t.size, self.n), np.nan)
        if t.size == 0:
            return out
        for code, model in self.models.items():
            sel = choice == code
            if not sel.any():
                continue
            e = np.zeros((t.size, int(sel.sum())))
            ok = np.broadcast_to((t - 1)[:, None] >= self.first[sel][None, :], e.shape).copy()
            for h in range(1, lead + 1):
                e += self.y[t + h - 1][:, sel] - model.at(t, h)[:, sel]
                if isinstance(model, _SeasonalNaive):
                    ok &= model.source(t, h)[:, None] >= self.first[sel][None, :]
            out[:, sel] = np.where(ok, e, np.nan)
        return out

    def _bounded(self, point: np.ndarray, err: np.ndarray, c: int, cls: np.ndarray,
                 steps: int, err_steps: int, choice: np.ndarray, reason: np.ndarray,
                 param: np.ndarray) -> _Origin:
        """Prediction intervals around ``point`` from the chosen method's errors."""
        q = self._intervals(err, c, cls)
        if steps > err_steps:  # beyond the error horizon: the last step's distribution
            q = np.concatenate([q, np.repeat(q[:, -1:], steps - err_steps, axis=1)], axis=1)
        # Zero-heavy demand: when at least a share (1-L)/2 of recent periods had no
        # demand, the lower quantile is 0 and [0, L-quantile] keeps coverage L.
        zeros = 1.0 - self.stats.recent(self.stats.count, c, self.window)
        n_lv = len(self.levels)
        bounds = []
        for i in range(n_lv):
            one_sided = zeros >= self.probs[i]
            lower = np.minimum(np.clip(point + q[i], 0.0, None), point)
            lower[:, one_sided] = 0.0
            upper = np.where(one_sided, point + q[2 * n_lv + i], point + q[n_lv + i])
            upper = np.maximum(upper, point)
            lower[np.isnan(upper)] = np.nan
            bounds.append((lower, upper))
        cnt = np.count_nonzero(~np.isnan(err), axis=1)
        sq = np.nansum(err * err, axis=1)
        rmse = np.where(cnt > 0, np.sqrt(sq / np.maximum(cnt, 1)), np.nan)
        return _Origin(point, bounds, choice, cls, param, reason, rmse)


# ==================================================================== checks
def _check_method(method: object) -> str:
    if not isinstance(method, str) or method not in METHODS:
        raise ChoiceError(f"unknown forecast method {method!r}", key="method", value=method,
                          fix=f"use one of {', '.join(METHODS)}.")
    return method


def _check_levels(levels: object) -> tuple[float, ...]:
    try:
        vals = tuple(float(v) for v in levels)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        vals = ()
    if not vals or any(not 0.0 < v < 1.0 for v in vals) or len(set(vals)) != len(vals):
        raise RangeError(f"levels must be distinct coverage levels between 0 and 1, got "
                          f"{levels!r}", key="levels", value=levels,
                          fix="pass e.g. levels=(0.8, 0.95); the first is the main interval.")
    return vals


def _check_alpha(alpha: object, key: str = "alpha") -> float | None:
    if alpha is None:
        return None
    return check_range(alpha, key, low=0.0, high=1.0, low_open=True,
                       fix=f"pass a smoothing constant, e.g. {key}=0.2, or None to pick it per "
                           "item from the grid.")


def _level_tag(level: float) -> str:
    return f"{level * 100:g}".replace(".", "_")


def _check_matrix(matrix: object) -> DemandMatrix:
    if not isinstance(matrix, DemandMatrix):
        raise ConfigError(f"expected a DemandMatrix, got {type(matrix).__name__}",
                          key="matrix", value=type(matrix).__name__,
                          fix="build one with workbench.forecast.demand_series(orders).")
    return matrix


# ==================================================================== forecast
def forecast(orders: pd.DataFrame | DemandMatrix, *, horizon: int | None = None,
             freq: str = "W", as_of: object = None, method: str = "auto",
             levels: Sequence[float] = (0.8, 0.95), date_column: str | None = None,
             start: object = None, alpha: float | None = None,
             beta: float | None = None, item_column: str = "item_id",
             qty_column: str | None = None) -> pd.DataFrame:
    """Forecast demand per item with prediction intervals (``forecast`` table).

    Parameters
    ----------
    orders : DataFrame or DemandMatrix
        ``order_lines`` frame (turned into a matrix with :func:`demand_series`),
        a tidy ``(item, date, qty)`` frame when ``qty_column`` is given (turned
        into a matrix with :func:`demand_from_long`), or a ready
        :class:`DemandMatrix` (then ``freq``, ``as_of``, ``date_column``,
        ``start``, ``item_column`` and ``qty_column`` are ignored).
    horizon : int, optional
        Periods to forecast, starting with the period that holds ``as_of``;
        default by period length (:data:`DEFAULT_HORIZONS`: 28 days, 26 weeks,
        6 months, 2 quarters).
    freq : str, default "W"
        Period alias (:data:`DEMAND_FREQUENCIES`, e.g. ``"W"``, ``"W-SUN"``,
        ``"M"``, ``"ME"``, ``"QE"``).
    as_of : date, optional
        Forecast date; see :func:`demand_series`.
    method : {"auto", "ses", "holt", "seasonal", "croston", "sba", "tsb", "combo"}, default "auto"
        Forecast method (see the module docstring).
    levels : sequence of float, default (0.8, 0.95)
        Nominal coverage of the central prediction intervals; the first gives
        ``lower``/``upper``, each further one ``lower_<pct>``/``upper_<pct>``
        (e.g. ``lower_95``).
    date_column : str, optional
        Date that places demand in a period: for order lines
        ``"requested_date"`` (default) or ``"order_date"``; for a tidy frame
        ``"date"`` (default). Stated in ``attrs["demand_basis"]``.
    start : date, optional
        First period of history to use.
    alpha : float, optional
        Fixed smoothing constant in (0, 1] for SES, Holt's level, Croston,
        SBA and the TSB demand size instead of the per-item grid search.
    beta : float, optional
        Fixed smoothing constant in (0, 1] of the TSB demand probability.
    item_column, qty_column : str
        Columns of a tidy frame (``qty_column=None``: ``orders`` are order lines).

    Returns
    -------
    DataFrame
        ``item_id, period_start, forecast_qty, lower, upper, method`` (the
        ``forecast`` table of the data model) then ``lower_95, upper_95`` (one
        pair per further level), ``reason_code, reason, period_label``; one
        row per item and period, sorted by item and period. ``period_start``
        is the first day of the period (what PAB buckets by); ``period_label``
        names it in the history's convention (e.g. the month end for ``"ME"``).
        ``method`` is the method used for the item (``zero`` without demand or
        when discontinued); ``reason_code`` is a key of :data:`REASONS` and
        ``reason`` its wording. ``lower``/``upper`` are the fluctuation band of
        the first level. ``attrs``: ``freq``, ``demand_basis`` (the date
        column that bucketed demand), ``as_of``.

    Raises
    ------
    ConfigError
        Bad ``horizon`` (``CountError``), ``method`` (``ChoiceError``), ``levels``
        or ``alpha`` (``RangeError``), ``freq`` (``FrequencyError``), dates.
    MissingColumnsError
        The order lines lack ``item_id``, ``qty_ordered`` or ``date_column``
        (a ``NotAvailableError``).
    """
    method = _check_method(method)
    lv = _check_levels(levels)
    alpha = _check_alpha(alpha)
    beta = _check_alpha(beta, "beta")
    matrix = _as_matrix(orders, freq, date_column, as_of, start, item_column, qty_column)
    if horizon is None:
        horizon = DEFAULT_HORIZONS[matrix.base][1]
    horizon = check_count(horizon, "horizon", minimum=1, fix="pass e.g. horizon=13.")
    engine = _Engine(matrix, method, lv, alpha, beta)
    res = engine.at(matrix.n_periods, horizon)
    n = matrix.n_items
    periods = matrix.next_periods(horizon)
    labels = matrix.next_labels(horizon)
    out = {
        "item_id": matrix.items.take(np.repeat(np.arange(n), horizon)).array,
        "period_start": np.tile(periods.to_numpy(), n),
        "forecast_qty": res.point.T.ravel(),
        "lower": res.bounds[0][0].T.ravel(),
        "upper": res.bounds[0][1].T.ravel(),
        "method": pd.array(np.repeat(np.asarray(_LABELS, dtype=object)[res.method], horizon),
                           dtype="str"),
    }
    for level, (lower, upper) in zip(lv[1:], res.bounds[1:], strict=True):
        tag = _level_tag(level)
        out[f"lower_{tag}"] = lower.T.ravel()
        out[f"upper_{tag}"] = upper.T.ravel()
    codes = np.asarray(list(REASONS), dtype=object)[res.reason]
    words = np.asarray(list(REASONS.values()), dtype=object)[res.reason]
    out["reason_code"] = pd.array(np.repeat(codes, horizon), dtype="str")
    out["reason"] = pd.array(np.repeat(words, horizon), dtype="str")
    out["period_label"] = np.tile(labels.to_numpy(), n)
    frame = pd.DataFrame(out)
    frame.attrs.update(_attrs(matrix))
    return frame


def _attrs(matrix: DemandMatrix) -> dict[str, object]:
    return {"freq": matrix.freq, "demand_basis": matrix.basis or "demand matrix",
            "as_of": matrix.as_of}


def _as_matrix(source: object, freq: str, date_column: str | None, as_of: object,
               start: object, item_column: str, qty_column: str | None) -> DemandMatrix:
    """Order lines, a tidy frame (``qty_column`` given) or a matrix -> matrix."""
    if isinstance(source, DemandMatrix):
        return source
    if qty_column is not None:
        return demand_from_long(source, freq=freq, item_column=item_column,  # type: ignore
                                date_column=date_column or "date", qty_column=qty_column,
                                as_of=as_of, start=start)
    return demand_series(source, freq=freq,  # type: ignore[arg-type]
                         date_column=date_column or "requested_date", as_of=as_of,
                         start=start)


# ==================================================================== buffers
MIN_BUFFER_ERRORS = 8
"""Lead-time errors an item needs for a buffer of its own (else scaled one-step RMSE)."""


def _lead_times(lead_time: object, items: pd.Index) -> np.ndarray:
    """Lead time per item (periods, int >= 1) from an int or a mapping / Series by item."""
    if isinstance(lead_time, Mapping | pd.Series):
        per = pd.Series(lead_time, dtype=object)
        per.index = per.index.astype("str")
        missing = items.difference(per.index)
        if len(missing):
            raise ConfigError(
                f"lead_time has no value for {len(missing)} item(s), e.g. "
                f"{missing[:3].tolist()}", key="lead_time", value=missing[:3].tolist(),
                fix="give a lead time (periods) for every item, or one number for all.")
        vals = per.reindex(items).tolist()
    else:
        vals = [lead_time] * len(items)
    return np.asarray([check_count(v, "lead_time", minimum=1,
                                   fix="pass whole periods, e.g. lead_time=2.") for v in vals],
                      dtype=np.int64)


def suggest_buffers(orders: pd.DataFrame | DemandMatrix, *, lead_time: int | Mapping[str, int]
                    | pd.Series = 1, service_level: float = 0.95, method: str = "auto",
                    freq: str = "W", as_of: object = None, date_column: str | None = None,
                    start: object = None, item_column: str = "item_id",
                    qty_column: str | None = None, alpha: float | None = None,
                    beta: float | None = None) -> pd.DataFrame:
    """Suggested buffer (safety stock) per item from its own forecast errors.

    For each item the method :func:`forecast` would use is re-run from every
    earlier origin of the last :data:`ERROR_WINDOW` (data before the origin
    only), and the error of the demand summed over the lead time
    (``actual - forecast``) is recorded. The buffer for a cycle service level
    ``P`` is ``z(P) x RMSE`` of those errors (normal approximation); the
    empirical ``P``-quantile of the same errors is given alongside. Items
    without demand or judged discontinued get 0.

    Parameters
    ----------
    orders : DataFrame or DemandMatrix
        Order lines, a tidy frame or a matrix, as for :func:`forecast`.
    lead_time : int or mapping / Series of item -> int, default 1
        Replenishment lead time in periods (of the matrix), per item or for all.
    service_level : float, default 0.95
        Target probability of no stock-out over a lead time, in (0, 1).
    method, freq, as_of, date_column, start, item_column, qty_column, alpha, beta
        As for :func:`forecast`.

    Returns
    -------
    DataFrame
        One row per item, sorted by id:

        ``item_id``
            Item.
        ``method``, ``reason_code``
            Forecast method used and why (as in :func:`forecast`).
        ``lead_time``
            Periods.
        ``service_level``, ``z``
            Target and its standard normal quantile.
        ``lead_time_forecast``
            Forecast demand over the next ``lead_time`` periods.
        ``errors``
            Lead-time errors used (0 when none).
        ``error_rmse``
            Root mean square of the lead-time errors; with fewer than
            :data:`MIN_BUFFER_ERRORS`, the one-step error RMSE x sqrt(lead time).
        ``error_bias``
            Mean lead-time error (positive: demand above forecast), NaN
            without own errors.
        ``safety_stock``
            ``max(z x error_rmse, 0)``; 0 without demand or when discontinued.
        ``safety_stock_empirical``
            ``max(P-quantile of the lead-time errors, 0)``; NaN with fewer than
            :data:`MIN_BUFFER_ERRORS` errors.
        ``basis``
            ``lead_time_errors``, ``one_step_errors`` (scaled), ``no_demand``,
            ``discontinued`` or ``no_errors`` (history too short: buffer 0).

    Raises
    ------
    ConfigError
        Bad ``lead_time`` (``CountError``) or ``service_level`` (``RangeError``),
        plus everything :func:`forecast` raises.

    Examples
    --------
    >>> m = DemandMatrix.from_array([[8, 12] * 20])
    >>> b = suggest_buffers(m, method="ses", alpha=1.0, lead_time=2)
    >>> b[["lead_time_forecast", "errors", "error_rmse", "safety_stock"]].round(2).values.tolist()
    [[24.0, 35.0, 4.0, 6.58]]
    """
    method = _check_method(method)
    alpha = _check_alpha(alpha)
    beta = _check_alpha(beta, "beta")
    level = check_range(service_level, "service_level", low=0.0, high=1.0, low_open=True,
                        high_open=True, fix="pass e.g. service_level=0.95.")
    matrix = _as_matrix(orders, freq, date_column, as_of, start, item_column, qty_column)
    leads = _lead_times(lead_time, matrix.items)
    engine = _Engine(matrix, method, (0.8,), alpha, beta)
    c = matrix.n_periods
    res = engine.at(c, int(leads.max()))
    n = matrix.n_items
    z = NormalDist().inv_cdf(level)
    cum = np.cumsum(res.point, axis=0)
    rmse = np.full(n, np.nan)
    bias = np.full(n, np.nan)
    emp = np.full(n, np.nan)
    count = np.zeros(n, dtype=np.int64)
    for lead in np.unique(leads):   # a handful of distinct lead times
        sel = leads == lead
        e = engine.lead_errors(c, res.method, int(lead))[:, sel]
        k = np.count_nonzero(~np.isnan(e), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            rmse[sel] = np.sqrt(np.nansum(e * e, axis=0) / k)
            bias[sel] = np.nansum(e, axis=0) / k
        if e.shape[0]:
            emp[sel] = _row_quantiles(e.T, np.asarray([level]))[0]
        count[sel] = k
    own = count >= MIN_BUFFER_ERRORS
    one_step = res.rmse[0] * np.sqrt(leads)
    rmse = np.where(own, rmse, one_step)
    bias = np.where(own, bias, np.nan)
    emp = np.where(own, np.maximum(emp, 0.0), np.nan)
    basis = np.where(own, "lead_time_errors", np.where(np.isnan(one_step), "no_errors",
                                                      "one_step_errors")).astype(object)
    off = (res.reason == _R_NONE) | (res.reason == _R_DEAD)
    basis[res.reason == _R_NONE] = "no_demand"
    basis[res.reason == _R_DEAD] = "discontinued"
    safety = np.where(off | np.isnan(rmse), 0.0, np.maximum(z * rmse, 0.0))
    emp[off] = 0.0
    out = pd.DataFrame({
        "item_id": matrix.items.array,
        "method": pd.array(np.asarray(_LABELS, dtype=object)[res.method], dtype="str"),
        "reason_code": pd.array(np.asarray(list(REASONS), dtype=object)[res.reason],
                                dtype="str"),
        "lead_time": leads,
        "service_level": level,
        "z": z,
        "lead_time_forecast": cum[leads - 1, np.arange(n)],
        "errors": count,
        "error_rmse": rmse,
        "error_bias": bias,
        "safety_stock": safety,
        "safety_stock_empirical": emp,
        "basis": pd.array(basis, dtype="str"),
    })
    out.attrs.update(_attrs(matrix))
    return out


# ==================================================================== backtest
@dataclass(frozen=True, eq=False)
class BacktestResult:
    """Rolling-origin backtest: forecasts, actuals and their summaries.

    Attributes
    ----------
    by_item : DataFrame
        ``item_id, method, demand_class, alpha, reason_code, reason, forecasts,
        actual, forecast, abs_error, wape, bias, coverage_80, coverage_95`` (one
        coverage column per level); ``method``, ``demand_class``, the smoothing
        constant ``alpha`` (NaN for seasonal and zero) and the reason for the
        method (:data:`REASONS`) are those at the last origin;
        ``forecasts`` counts item-periods; ``wape`` and ``bias`` are NaN for
        items without actual demand.
    by_horizon : DataFrame
        ``h, actual, forecast, abs_error, wape, bias, coverage_*`` per step ahead.
    summary : DataFrame
        ``by, group, items, forecasts, actual, forecast, abs_error, wape, bias,
        coverage_*``: ``by = "all"`` (one row), ``"method"`` (the method used at
        each origin) and ``"demand_class"``.
    overall : DataFrame
        The ``by == "all"`` row of ``summary``.
    origins : DatetimeIndex
        First forecast period of each origin.
    levels : tuple of float
        Nominal interval levels.
    """

    by_item: pd.DataFrame
    by_horizon: pd.DataFrame
    summary: pd.DataFrame
    origins: pd.DatetimeIndex
    levels: tuple[float, ...]
    _arrays: dict = field(repr=False, default_factory=dict)

    @property
    def overall(self) -> pd.DataFrame:
        """The overall row of :attr:`summary`."""
        return self.summary.loc[self.summary["by"] == "all"].reset_index(drop=True)

    @property
    def wape(self) -> float:
        """Overall WAPE (Σ|forecast - actual| / Σactual)."""
        return float(self.overall["wape"].iloc[0])

    @property
    def bias(self) -> float:
        """Overall bias (Σ(forecast - actual) / Σactual)."""
        return float(self.overall["bias"].iloc[0])

    def coverage(self, level: float | None = None) -> float:
        """Overall share of actuals inside the interval of ``level`` (default main)."""
        level = self.levels[0] if level is None else level
        return float(self.overall[f"coverage_{_level_tag(level)}"].iloc[0])

    def detail(self) -> pd.DataFrame:
        """Long frame, one row per origin, item and step.

        Returns
        -------
        DataFrame
            ``origin, item_id, h, period_start, actual, forecast, lower, upper,
            lower_95, upper_95, method``.
        """
        a = self._arrays
        o, h, n = a["actual"].shape
        items: pd.Index = a["items"]
        periods: pd.DatetimeIndex = a["periods"]
        cut = a["cuts"]
        per = (cut[:, None] + np.arange(h)[None, :])                 # (o, h)
        out = {
            "origin": np.repeat(self.origins.to_numpy(), h * n),
            "item_id": items.take(np.tile(np.arange(n), o * h)).array,
            "h": np.tile(np.repeat(np.arange(1, h + 1), n), o),
            "period_start": periods.to_numpy()[np.repeat(per.ravel(), n)],
            "actual": a["actual"].ravel(),
            "forecast": a["point"].ravel(),
        }
        for i, level in enumerate(self.levels):
            suffix = "" if i == 0 else f"_{_level_tag(level)}"
            out[f"lower{suffix}"] = a["lower"][i].ravel()
            out[f"upper{suffix}"] = a["upper"][i].ravel()
        out["method"] = pd.array(np.asarray(_LABELS, dtype=object)[
            np.repeat(a["method"][:, None, :], h, axis=1).ravel()], dtype="str")
        return pd.DataFrame(out)


def backtest(matrix: DemandMatrix | pd.DataFrame, *, method: str = "auto",
             horizon: int | None = None, origins: int = 8, step: int | None = None,
             levels: Sequence[float] = (0.8, 0.95), alpha: float | None = None,
             beta: float | None = None, freq: str = "W", as_of: object = None,
             date_column: str | None = None, start: object = None,
             item_column: str = "item_id", qty_column: str | None = None) -> BacktestResult:
    """Rolling-origin backtest of a forecast method on a demand matrix.

    The last origin forecasts the final ``horizon`` periods; each earlier one
    starts ``step`` periods before the next. At every origin the method, its
    parameters and its intervals only use the periods before the origin.

    Parameters
    ----------
    matrix : DemandMatrix or DataFrame
        Demand history (e.g. from :func:`demand_series`), or order lines / a
        tidy frame turned into one as in :func:`forecast` (with ``freq``,
        ``as_of``, ``date_column``, ``start``, ``item_column``, ``qty_column``).
    method : {"auto", "ses", "holt", "seasonal", "croston", "sba", "tsb", "combo"}, default "auto"
        Method to evaluate.
    horizon : int, optional
        Periods forecast from each origin; default by period length
        (:data:`DEFAULT_HORIZONS`: 14 days, 13 weeks, 3 months, 1 quarter).
    origins : int, default 8
        Number of forecast origins.
    step : int, optional
        Periods between consecutive origins; default by period length
        (:data:`DEFAULT_STEPS`: 7 days, 4 weeks, 1 month, 1 quarter).
    levels : sequence of float, default (0.8, 0.95)
        Nominal interval levels whose empirical coverage is measured.
    alpha, beta : float, optional
        Fixed smoothing constants (see :func:`forecast`).
    freq, as_of, date_column, start, item_column, qty_column
        How a frame becomes a matrix (see :func:`forecast`); ignored for a matrix.

    Returns
    -------
    BacktestResult
        Per item, per step and overall WAPE (Σ|e| / Σactual), bias
        (Σe / Σactual, ``e = forecast - actual``) and interval coverage
        (share of actuals with ``lower <= actual <= upper``).

    Raises
    ------
    ConfigError
        Bad parameters, or a history shorter than
        ``8 + horizon + step * (origins - 1)`` periods.
    """
    if isinstance(matrix, pd.DataFrame):
        matrix = _as_matrix(matrix, freq, date_column, as_of, start, item_column, qty_column)
    matrix = _check_matrix(matrix)
    method = _check_method(method)
    base = matrix.base
    horizon = DEFAULT_HORIZONS[base][0] if horizon is None else horizon
    step = DEFAULT_STEPS[base] if step is None else step
    horizon = check_count(horizon, "horizon", minimum=1, fix="pass e.g. horizon=13.")
    origins = check_count(origins, "origins", minimum=1, fix="pass e.g. origins=13.")
    step = check_count(step, "step", minimum=1, fix="pass e.g. step=13.")
    lv = _check_levels(levels)
    alpha = _check_alpha(alpha)
    beta = _check_alpha(beta, "beta")
    t_n = matrix.n_periods
    need = _MIN_TRAIN + horizon + step * (origins - 1)
    if t_n < need:
        raise ConfigError(
            f"backtest needs at least {need} periods of history ({_MIN_TRAIN} to fit + "
            f"horizon {horizon} + step {step} x {origins - 1} more origins), got {t_n}",
            key="origins", value=origins,
            fix="use fewer origins, a smaller step or horizon, or a longer history.")
    cuts = t_n - horizon - step * np.arange(origins - 1, -1, -1)
    engine = _Engine(matrix, method, lv, alpha, beta)
    n, n_lv = matrix.n_items, len(lv)
    actual = np.empty((origins, horizon, n))
    point = np.empty_like(actual)
    lower = np.empty((n_lv, origins, horizon, n))
    upper = np.empty_like(lower)
    meth = np.empty((origins, n), dtype=np.int64)
    why = np.empty((origins, n), dtype=np.int64)
    cls = np.empty((origins, n), dtype=np.int64)
    alphas = np.empty((origins, n))
    for j, c in enumerate(cuts):
        res = engine.at(int(c), horizon)
        actual[j] = engine.y[c:c + horizon]
        point[j] = res.point
        for i, (lo, hi) in enumerate(res.bounds):
            lower[i, j], upper[i, j] = lo, hi
        meth[j], cls[j], alphas[j], why[j] = res.method, res.demand_class, res.param, res.reason

    err = point - actual
    has = ~np.isnan(lower)
    inside = has & (lower <= actual) & (actual <= upper)

    def summed(axis: tuple[int, ...] | None, groups: np.ndarray | None = None,
               n_groups: int = 0) -> dict[str, np.ndarray]:
        """Sum the pieces over ``axis`` or by ``groups`` (same shape as actual)."""
        pieces = {"actual": actual, "forecast": point, "abs_error": np.abs(err), "error": err,
                  "forecasts": np.ones_like(actual)}
        pieces |= {f"in_{i}": inside[i].astype(np.float64) for i in range(n_lv)}
        pieces |= {f"has_{i}": has[i].astype(np.float64) for i in range(n_lv)}
        if groups is not None:
            g = groups.ravel()
            return {k: np.bincount(g, weights=v.ravel(), minlength=n_groups)
                    for k, v in pieces.items()}
        return {k: v.sum(axis=axis) for k, v in pieces.items()}

    def table(s: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            act = s["actual"]
            out = {"forecasts": s["forecasts"].astype(np.int64), "actual": act,
                   "forecast": s["forecast"], "abs_error": s["abs_error"],
                   "wape": np.where(act > 0, s["abs_error"] / act, np.nan),
                   "bias": np.where(act > 0, s["error"] / act, np.nan)}
            for i, level in enumerate(lv):
                out[f"coverage_{_level_tag(level)}"] = np.where(
                    s[f"has_{i}"] > 0, s[f"in_{i}"] / s[f"has_{i}"], np.nan)
        return out

    labels = np.asarray(_LABELS, dtype=object)
    classes = np.asarray(CLASSES, dtype=object)
    by_item = pd.DataFrame({
        "item_id": matrix.items.array,
        "method": pd.array(labels[meth[-1]], dtype="str"),
        "demand_class": pd.array(classes[cls[-1]], dtype="str"),
        "alpha": alphas[-1],
        "reason_code": pd.array(np.asarray(list(REASONS), dtype=object)[why[-1]], dtype="str"),
        "reason": pd.array(np.asarray(list(REASONS.values()), dtype=object)[why[-1]],
                           dtype="str"),
        **table(summed((0, 1))),
    })
    by_horizon = pd.DataFrame({"h": np.arange(1, horizon + 1), **table(summed((0, 2)))})
    meth_cell = np.broadcast_to(meth[:, None, :], actual.shape)
    cls_cell = np.broadcast_to(cls[:, None, :], actual.shape)
    rows = [pd.DataFrame({"by": ["all"], "group": ["all"], "items": [n],
                          **{k: np.atleast_1d(v) for k, v in table(summed(None)).items()}})]
    for name, cell, lab in (("method", meth_cell, labels), ("demand_class", cls_cell, classes)):
        s = table(summed(None, groups=cell, n_groups=len(lab)))
        items_in = np.bincount(np.unique(cell[:, 0, :] + len(lab) * np.arange(n)[None, :])
                               % len(lab), minlength=len(lab))
        used = s["forecasts"] > 0
        rows.append(pd.DataFrame({"by": name, "group": lab[used], "items": items_in[used],
                                  **{k: v[used] for k, v in s.items()}}))
    summary = pd.concat(rows, ignore_index=True)
    summary["by"] = summary["by"].astype("str")
    summary["group"] = summary["group"].astype("str")
    origin_dates = matrix.period_starts[cuts]
    for frame in (by_item, by_horizon, summary):
        frame.attrs.update(_attrs(matrix), horizon=horizon, step=step)
    arrays = {"actual": actual, "point": point, "lower": lower, "upper": upper, "method": meth,
              "items": matrix.items, "periods": matrix.period_starts, "cuts": cuts}
    return BacktestResult(by_item, by_horizon, summary, origin_dates, lv, arrays)
