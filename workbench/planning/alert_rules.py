"""Escalation rule of the delivery early warning: the risk each item has and the level it gets.

A *risk* is one item with its first affected period and the customer order lines
it hits. Each item gets at most one alert: its most severe risk (the other,
milder findings for the item are added to the alert's root-cause text). The
level (:class:`AlertLevel`) says who must be told; the kind (:class:`AlertKind`)
says why:

Level 1 -- internal (supervisor and planner)
    ``planned_receipt_dependency``: no open order line is short with the current
    plan, but the item goes short (PAB < 0) if its *planned* (not firm) receipts
    are ``slip_periods`` periods late (or do not come, ``slip_periods=None``),
    see :func:`workbench.planning.pab.planned_dependency`.
    ``below_safety_stock``: PAB dips below safety stock (possibly below 0 on
    forecast demand beyond the demand time fence) but no open order line is
    short.
Level 2 -- potential customer-facing shortage (``potential_shortage``)
    Open order lines go short with the current plan, the first short period is
    at or after ``frozen_periods`` (outside the frozen window) *and* an expedite
    option closes the gap before the shortage date: there is still time to act.
Level 3 -- confirmed supply break (``confirmed_break``)
    Open order lines go short inside the frozen window (first short period <
    ``frozen_periods``), or no expedite option closes the gap in time (none
    arrives before the shortage date, the quantity exceeds every option's
    ``max_qty``, or no planned receipt recovers the shortage soon enough to be
    pulled in).

The level of a shortage does not depend on where the projection stops
(:func:`find_risks`): whether a receipt can be pulled in before the need date
``d`` depends only on the receipts and orders up to ``d + max(lead_time_saved_days)``,
which may lie after the last period. Those are read from the ``lookahead``
projection (the same data projected over more periods, as
:func:`workbench.planning.alerts.run_early_warning` builds it); "no receipt
inside the horizon" is never taken for "no receipt at all" when a lookahead
covers the decision window.

Customer-facing shortages are measured on customer orders only (on hand plus
cumulative receipts minus cumulative open order lines), the same quantity
:func:`workbench.planning.allocation.allocate_shortages` distributes over the
order lines; a PAB that goes negative only because of forecast beyond the demand
time fence names no customer and is a level-1 ``below_safety_stock`` alert.
Whether an expedite option closes the gap is decided by
:func:`workbench.planning.expedite.cheapest_expedite`.

Everything is computed on the ``(items, periods)`` arrays of the PAB engine:
there is no Python loop over items or risks.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError
from workbench.planning.allocation import ALLOCATION_RULES
from workbench.planning.expedite import cheapest_expedite
from workbench.planning.pab import PabResult, planned_dependency
from workbench.validation import check_choice, check_count, check_language

__all__ = [
    "ALERT_LEVEL",
    "KIND_LEVELS",
    "NO_ALERT",
    "AlertKind",
    "AlertLevel",
    "AlertSettings",
    "Risks",
    "alert_ids",
    "find_risks",
    "kind_labels",
    "kind_levels",
    "lookahead_periods",
]


class AlertLevel(IntEnum):
    """Escalation level of an alert: who must be told."""

    INTERNAL = 1
    """Supervisor and planner only."""
    POTENTIAL_CUSTOMER_RISK = 2
    """Act now and tell the customers of a potential supply risk."""
    CONFIRMED_BREAK = 3
    """Tell the customers of a confirmed supply break with dates and quantities."""


class AlertKind(IntEnum):
    """Kind of risk, numbered by severity: an item's most severe kind is its alert.

    The ``kind`` column of the alerts holds :attr:`label` (e.g.
    ``"confirmed_break"``); :attr:`level` is the escalation level.

    Examples
    --------
    >>> AlertKind.POTENTIAL_SHORTAGE.label, int(AlertKind.POTENTIAL_SHORTAGE.level)
    ('potential_shortage', 2)
    """

    BELOW_SAFETY_STOCK = 1
    """PAB below safety stock, no open order line short."""
    PLANNED_RECEIPT_DEPENDENCY = 2
    """Short only if planned receipts slip."""
    POTENTIAL_SHORTAGE = 3
    """Order lines short outside the frozen window, an expedite option closes the gap."""
    CONFIRMED_BREAK = 4
    """Order lines short inside the frozen window, or nothing closes the gap in time."""

    @property
    def label(self) -> str:
        """The kind as written in the alerts (``"below_safety_stock"``, ...)."""
        return self.name.lower()

    @property
    def level(self) -> AlertLevel:
        """Escalation level of this kind (:data:`ALERT_LEVEL`)."""
        return ALERT_LEVEL[self]

    @property
    def customer_facing(self) -> bool:
        """Whether open customer order lines are short with the current plan."""
        return self >= AlertKind.POTENTIAL_SHORTAGE


ALERT_LEVEL: dict[AlertKind, AlertLevel] = {
    AlertKind.BELOW_SAFETY_STOCK: AlertLevel.INTERNAL,
    AlertKind.PLANNED_RECEIPT_DEPENDENCY: AlertLevel.INTERNAL,
    AlertKind.POTENTIAL_SHORTAGE: AlertLevel.POTENTIAL_CUSTOMER_RISK,
    AlertKind.CONFIRMED_BREAK: AlertLevel.CONFIRMED_BREAK,
}
"""Escalation level of each alert kind (the one place that maps kinds to levels)."""

KIND_LEVELS: dict[str, int] = {kind.label: int(kind.level) for kind in AlertKind}
"""Alert kinds (as written in the ``kind`` column) and their escalation level."""

NO_ALERT: int = 0
"""Kind code of an item without any finding, in arrays of :class:`AlertKind` codes."""

# Lookup tables indexed by kind code (NO_ALERT included).
_LABELS = np.array(["", *(kind.label for kind in AlertKind)], dtype=object)
_LEVELS = np.array([0, *(int(kind.level) for kind in AlertKind)], dtype=np.int64)


def kind_labels(codes: np.ndarray) -> np.ndarray:
    """Return the ``kind`` texts of :class:`AlertKind` codes ("" for :data:`NO_ALERT`)."""
    return _LABELS[codes]


def kind_levels(codes: np.ndarray) -> np.ndarray:
    """Return the levels (int64) of :class:`AlertKind` codes (0 for :data:`NO_ALERT`)."""
    return _LEVELS[codes]


def alert_ids(item_ids: np.ndarray, first_dates: np.ndarray) -> np.ndarray:
    """Alert ids ``"{item_id}|{first short date:%Y-%m-%d}"``.

    Deterministic and stable across runs while a risk starts on the same date
    (:class:`workbench.planning.alertlog.AlertLog` matches runs by it).

    Examples
    --------
    >>> alert_ids(np.array(["A1"]), np.array(["2026-07-06"], dtype="datetime64[ns]")).tolist()
    ['A1|2026-07-06']
    """
    days = np.datetime_as_string(np.asarray(first_dates).astype("datetime64[D]"), unit="D")
    return np.char.add(np.char.add(np.asarray(item_ids, dtype=str), "|"), days)


@dataclass(frozen=True)
class AlertSettings:
    """Settings of one alert evaluation, checked when created.

    Attributes
    ----------
    frozen_periods
        Periods that can no longer be changed (>= 0): a shortage starting in them
        is a confirmed break.
    slip_periods
        How late planned receipts may come for the planned-receipt dependency
        (>= 1), or ``None``: planned receipts do not come at all.
    allocation_rule
        Rule that ranks the affected order lines
        (:data:`workbench.planning.allocation.ALLOCATION_RULES`).
    language
        ``"en"`` or ``"zh"``: language of the root causes and actions.
    currency
        ISO code of the amounts (expedite costs) in the actions (``""``: none).

    Raises
    ------
    CountError, ChoiceError, LanguageError
        A setting is out of its range.
    """

    frozen_periods: int = 2
    slip_periods: int | None = 2
    allocation_rule: str = "priority_then_due"
    language: str = "en"
    currency: str = ""

    def __post_init__(self) -> None:
        frozen = check_count(self.frozen_periods, "frozen_periods", minimum=0,
                             fix="pass the number of periods that can no longer be changed, "
                                 "e.g. 2.")
        slip = None if self.slip_periods is None else check_count(
            self.slip_periods, "slip_periods", minimum=1,
            fix="pass how many periods late planned receipts may come, e.g. 2 (None = not "
                "at all).")
        check_choice(self.allocation_rule, ALLOCATION_RULES, key="rule",
                     what=f"allocation rule {self.allocation_rule!r}")
        check_language(self.language)
        object.__setattr__(self, "frozen_periods", frozen)
        object.__setattr__(self, "slip_periods", slip)


@dataclass(frozen=True, eq=False)
class Risks:
    """Findings of the escalation rule for every item of a projection.

    Arrays have shape ``(n,)`` (one value per item, in ``result.inputs.item_id``
    order) unless marked ``(n, T)``. Periods are indices (-1: none).

    Attributes
    ----------
    result
        The PAB projection evaluated.
    kind
        :class:`AlertKind` code of each item's most severe finding
        (:data:`NO_ALERT` if none).
    first_period, last_period
        First / last affected period of that finding.
    max_shortage
        Largest orders-only deficit (customer-facing), largest stressed shortage
        (planned dependency) or largest gap to safety stock.
    customer_facing
        Open order lines go short with the current plan.
    short_start, recovery
        First short period of the orders-only balance and the first later period
        that is not short (``T`` if none inside the horizon).
    gap
        Largest deficit of the first shortage spell.
    covered_by
        Start of the recovery period (NaT if none, or not customer-facing).
    deficit, cum_orders, cum_supply, cum_firm
        ``(n, T)``: orders-only deficit, cumulative open orders, all receipts and
        firm receipts.
    dependency_first, dependency_short, dependency_receipt
        Planned-receipt dependency: first stressed short period, largest stressed
        shortage, and the last planned receipt period at or before it.
    expedite
        :func:`~workbench.planning.expedite.cheapest_expedite` per item.
    """

    result: PabResult
    kind: np.ndarray
    first_period: np.ndarray
    last_period: np.ndarray
    max_shortage: np.ndarray
    customer_facing: np.ndarray
    short_start: np.ndarray
    recovery: np.ndarray
    gap: np.ndarray
    covered_by: np.ndarray
    deficit: np.ndarray
    cum_orders: np.ndarray
    cum_supply: np.ndarray
    cum_firm: np.ndarray
    dependency_first: np.ndarray
    dependency_short: np.ndarray
    dependency_receipt: np.ndarray
    expedite: pd.DataFrame

    @property
    def selected(self) -> np.ndarray:
        """Rows of the items with an alert, in item order."""
        return np.flatnonzero(self.kind != NO_ALERT)


def _first(mask: np.ndarray) -> np.ndarray:
    """First True column per row, -1 if none."""
    return np.where(mask.any(axis=1), mask.argmax(axis=1), -1)


def _last(mask: np.ndarray) -> np.ndarray:
    """Last True column per row, -1 if none."""
    n_t = mask.shape[1]
    return np.where(mask.any(axis=1), n_t - 1 - mask[:, ::-1].argmax(axis=1), -1)


@dataclass(frozen=True)
class _Shortage:
    """Customer-facing shortage: the orders-only balance per item and period."""

    short: np.ndarray  # (n, T) orders-only balance below 0 (beyond rounding)
    deficit: np.ndarray  # (n, T) its depth, 0 where not short
    start: np.ndarray  # first short period, -1 if none
    recovery: np.ndarray  # first later period not short, T if none
    gap: np.ndarray  # largest deficit of the first spell
    cum_orders: np.ndarray
    cum_supply: np.ndarray
    cum_firm: np.ndarray


def _orders_only_shortage(result: PabResult) -> _Shortage:
    """On hand + cumulative receipts - cumulative open order lines, and its first spell."""
    inp = result.inputs
    n_t = result.pab.shape[1]
    ar = np.arange(n_t)
    supply = result.supply
    cum_sup = np.cumsum(supply, axis=1)
    cum_firm = np.cumsum(inp.supply_firm, axis=1)
    cum_ord = np.cumsum(inp.customer_orders, axis=1)
    opab = inp.on_hand[:, None] + cum_sup - cum_ord
    scale = 1.0 + inp.on_hand + supply.sum(axis=1) + inp.customer_orders.sum(axis=1)
    short = -opab > (1e-9 * scale)[:, None]
    deficit = np.where(short, -opab, 0.0)
    t0 = _first(short)
    recovered = (ar[None, :] > t0[:, None]) & ~short
    t1 = _first(recovered)
    t1 = np.where(t1 < 0, n_t, t1)  # n_t = not recovered inside the horizon
    spell = (ar[None, :] >= t0[:, None]) & (ar[None, :] < t1[:, None])
    gap = np.where(spell, deficit, 0.0).max(axis=1)
    return _Shortage(short, deficit, t0, t1, gap, cum_ord, cum_sup, cum_firm)


def _dependency(result: PabResult, slip: int | None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Planned-receipt dependency per item (stressed PAB < 0 where the base PAB is not).

    Returns the first and last stressed short period, the largest stressed shortage,
    and the last planned receipt period at or before the first short one (-1 / 0
    where none).
    """
    inp = result.inputs
    n, n_t = result.pab.shape
    dep = planned_dependency(inp, slip_periods=slip, demand_time_fence=result.demand_time_fence,
                             base=result)
    dep_codes = dep["item_id"].cat.codes.to_numpy().astype(np.int64)
    first = np.full(n, -1)
    last = np.full(n, -1)
    short = np.zeros(n)
    if dep_codes.size:  # rows come sorted by item, then period
        uniq, first_idx = np.unique(dep_codes, return_index=True)
        dep_period = dep["period"].to_numpy()
        first[uniq] = dep_period[first_idx]
        last[uniq] = np.maximum.reduceat(dep_period, first_idx)
        short[uniq] = np.maximum.reduceat(dep["shortage_qty"].to_numpy(), first_idx)
    planned = inp.supply_planned > 0
    last_planned = np.maximum.accumulate(np.where(planned, np.arange(n_t)[None, :], -1),
                                         axis=1)
    receipt = np.where(first >= 0, last_planned[np.arange(n), np.maximum(first, 0)], -1)
    return first, last, short, receipt


_MIN_PERIOD_DAYS = {"D": 1, "W": 7, "M": 28}


def lookahead_periods(options: pd.DataFrame, freq: str) -> int:
    """Periods to project after the horizon so that no level depends on the horizon.

    An expedite option pulls a receipt forward by at most ``max(lead_time_saved_days)``
    days, so a shortage needed by ``d`` can only be closed by receipts up to ``d +
    max(lead_time_saved_days)``; for a shortage in the last period this reaches
    that many days (rounded up to whole periods of the shortest length of
    ``freq``) past the horizon, plus one period for safety.

    Examples
    --------
    >>> opts = pd.DataFrame({"lead_time_saved_days": [0.0, 7.0, 14.0, 19.0]})
    >>> lookahead_periods(opts, "W"), lookahead_periods(opts, "D")
    (4, 20)
    """
    saved = np.asarray(options["lead_time_saved_days"], dtype=np.float64)
    most = float(np.nanmax(saved, initial=0.0))
    return int(np.ceil(most / _MIN_PERIOD_DAYS.get(freq, 1))) + 1


def _check_lookahead(result: PabResult, lookahead: PabResult) -> None:
    """Check ``lookahead`` projects the same items and periods as ``result``, only longer."""
    a, b = result.inputs, lookahead.inputs
    n_t = a.n_periods
    same = (b.n_periods >= n_t and a.freq == b.freq and a.as_of == b.as_of
            and a.item_id.equals(b.item_id)
            and a.period_start.equals(b.period_start[:n_t]))
    if not same:
        raise ConfigError(
            "the lookahead projection must cover the same items and periods as the result, "
            "over at least as many periods",
            key="lookahead", value=b.n_periods,
            fix="build it with the same data, as_of and freq and a longer horizon "
                "(run_early_warning does this).")


def find_risks(result: PabResult, settings: AlertSettings, options: pd.DataFrame,
               today: pd.Timestamp, lookahead: PabResult | None = None) -> Risks:
    """Apply the escalation rule (module docstring) to every item of ``result``.

    Rule for an item whose open order lines go short (orders-only balance < 0)
    first in period ``t`` with need date ``d`` (start of ``t``):

    * level 3 (confirmed break) if ``t < frozen_periods``, or if no supply action
      can arrive by ``d``: no expedite option (:func:`cheapest_expedite`) pulls
      the receipts that end the shortage spell (largest deficit of the spell)
      forward to ``d``, because they come too late, exceed every ``max_qty``,
      or none is planned;
    * level 2 (potential shortage) otherwise.

    The spell, its largest deficit and the receipt period that ends it are
    measured on ``lookahead`` when given (projection of the same data over more
    periods), else on ``result``. With a lookahead of at least
    :func:`lookahead_periods` periods after the horizon, the level of a shortage
    is the same for every horizon that contains ``t`` (the decision only reads
    receipts up to ``d + max(lead_time_saved_days)``); without one, a shortage
    whose spell runs past the horizon end is decided on the receipts inside it.

    Parameters
    ----------
    result
        PAB projection (:func:`workbench.planning.pab.project_pab`).
    settings
        Frozen window and planned-receipt slip.
    options
        Validated expedite options.
    today
        Planning date for expedite arrivals.
    lookahead
        Optional projection of the same data over a longer horizon (same items,
        ``as_of``, ``freq`` and first periods).

    Returns
    -------
    Risks
        Every item's findings; ``kind`` is its most severe one. ``recovery`` and
        ``covered_by`` refer to the periods of ``result``; ``gap`` is the largest
        deficit of the whole spell (lookahead included).

    Raises
    ------
    ConfigError
        ``lookahead`` does not extend ``result``.
    """
    inp = result.inputs
    n_t = result.pab.shape[1]
    starts = inp.period_start.to_numpy().astype("datetime64[ns]")
    nat = np.datetime64("NaT", "ns")

    s = _orders_only_shortage(result)
    cf = s.start >= 0
    needed_by = np.where(cf, starts[np.maximum(s.start, 0)], nat)
    next_receipt = np.where(cf & (s.recovery < n_t), starts[np.minimum(s.recovery, n_t - 1)],
                            nat)
    dep_first, dep_last, dep_short, dep_receipt = _dependency(result, settings.slip_periods)
    has_dep = dep_first >= 0
    below = result.below_safety_stock
    has_below = below.any(axis=1)
    gap_ss = np.maximum(inp.safety_stock[:, None] - result.pab, 0.0).max(axis=1)

    gap, closing = s.gap, next_receipt
    if lookahead is not None:
        _check_lookahead(result, lookahead)
        ext = _orders_only_shortage(lookahead)  # same first spell start inside the horizon
        ext_n = lookahead.pab.shape[1]
        ext_starts = lookahead.inputs.period_start.to_numpy().astype("datetime64[ns]")
        gap = np.where(cf, ext.gap, s.gap)
        closing = np.where(cf & (ext.recovery < ext_n),
                           ext_starts[np.minimum(ext.recovery, ext_n - 1)], nat)
    exp = cheapest_expedite(gap, needed_by, closing, options, as_of=today)
    has_option = exp["expedite_mode"].notna().to_numpy() & cf

    # One alert per item: the most severe finding.
    kind = np.select(
        [cf & ((s.start < settings.frozen_periods) | ~has_option), cf, has_dep, has_below],
        [AlertKind.CONFIRMED_BREAK, AlertKind.POTENTIAL_SHORTAGE,
         AlertKind.PLANNED_RECEIPT_DEPENDENCY, AlertKind.BELOW_SAFETY_STOCK],
        default=NO_ALERT)
    first_p = np.select([cf, has_dep, has_below], [s.start, dep_first, _first(below)],
                        default=-1)
    last_p = np.select([cf, has_dep, has_below], [_last(s.short), dep_last, _last(below)],
                       default=-1)
    max_short = np.select([cf, has_dep], [s.deficit.max(axis=1), dep_short], default=gap_ss)
    return Risks(
        result=result, kind=kind, first_period=first_p, last_period=last_p,
        max_shortage=max_short, customer_facing=cf, short_start=s.start, recovery=s.recovery,
        gap=gap, covered_by=next_receipt, deficit=s.deficit, cum_orders=s.cum_orders,
        cum_supply=s.cum_supply, cum_firm=s.cum_firm, dependency_first=dep_first,
        dependency_short=dep_short, dependency_receipt=dep_receipt, expedite=exp)
