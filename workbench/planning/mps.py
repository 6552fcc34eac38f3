"""Master production schedule (MPS): supply proposals per item and period, ATP and action messages.

:func:`workbench.planning.pab.project_pab` projects the receipts it is given;
:func:`propose_mps` proposes the receipts that keep the projected available
balance (PAB) at or above zero (``target="zero"``) or at or above safety stock
(``target="safety_stock"``), for every item at once, and says what to do with
the receipts that already exist.

Pipeline
--------
``build_buckets``   data-model frames  -> :class:`~workbench.planning.buckets.PabInput`
``propose_mps``     :class:`PabInput`  -> :class:`MpsResult`
                    (``.proposals`` receipts to place, ``.actions`` messages on
                    existing receipts, ``.projection`` PAB and ATP with the MPS,
                    ``.explain()`` one sentence per short item, EN or ZH)
``mps_record``      one item as the textbook MPS record (forecast, orders, PAB, MPS, ATP)

Planning rules (see :func:`propose_mps` for the details)
--------------------------------------------------------
* Demand: the demand-time-fence rule of :func:`~workbench.planning.pab.project_pab`
  (customer orders inside the fence, the larger of forecast and orders beyond).
* Existing receipts (firm, and planned ones unless ``planned="replace"``) stay on
  their dates; the MPS covers what they leave short.
* A receipt is proposed in period ``t`` when the balance projected without it
  falls below the target; its size comes from the :class:`LotSizing` rule.
* No proposal inside the frozen zone (``t < frozen_periods``) nor where its
  release date would lie in the past (``t < lead_time``): the deficit of those
  periods is carried to the first period open to a new receipt. Release period
  = receipt period - lead time. Proposals inside the planning time fence
  (``t < planning_time_fence``) are flagged ``needs_approval``.
* ATP is the discrete (APICS) ATP of the projection with the MPS, with look-ahead.
* Action messages compare each existing receipt with the period it is first
  needed in: expedite (needed earlier), defer (needed later), cancel (not needed
  within the horizon).

Everything runs on the ``(items, periods)`` arrays; the only Python loop is the
one over periods (each period's proposal depends on the ones before it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError, InputTypeError
from workbench.i18n import fmt_date, fmt_num
from workbench.planning.buckets import PabInput
from workbench.planning.pab import PabResult, project_pab
from workbench.validation import check_choice, check_count, check_language, check_range

__all__ = [
    "ACTION_COLUMNS",
    "EXPLAIN_COLUMNS",
    "LOT_RULES",
    "PLANNED_MODES",
    "PROPOSAL_COLUMNS",
    "REASONS",
    "TARGETS",
    "LotSizing",
    "MpsResult",
    "explain_shortages",
    "mps_record",
    "propose_mps",
]

LOT_RULES: tuple[str, ...] = ("lot_for_lot", "fixed", "min_max", "poq", "eoq")
"""Lot-sizing rules of :class:`LotSizing`."""

PROPOSAL_COLUMNS: tuple[str, ...] = (
    "item_id", "period", "period_start", "mps_qty", "release_period", "release_date",
    "reason", "needs_approval",
)
"""Columns of :attr:`MpsResult.proposals`, in order."""

ACTION_COLUMNS: tuple[str, ...] = (
    "item_id", "action", "qty", "firm", "period", "period_start", "to_period", "to_date",
)
"""Columns of :attr:`MpsResult.actions`, in order."""

EXPLAIN_COLUMNS: tuple[str, ...] = (
    "item_id", "first_shortage_period", "first_shortage_date", "shortage_qty",
    "mps_period", "mps_date", "mps_qty", "release_date", "text",
)
"""Columns of :func:`explain_shortages`, in order."""

TARGETS: tuple[str, ...] = ("zero", "safety_stock")
"""Balances :func:`propose_mps` keeps the PAB at or above."""

PLANNED_MODES: tuple[str, ...] = ("keep", "replace")
"""What :func:`propose_mps` does with the planned receipts it is given."""

REASONS: tuple[str, ...] = ("", "shortage", "below_safety_stock")
"""Reason codes of a proposal: the balance without it is below 0 / below safety stock."""

_EPS = 1e-9
PerItem = float | int | np.ndarray | pd.Series | Mapping[str, float] | None


# --------------------------------------------------------------------------------------
# Lot sizing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotSizing:
    """How big a proposed receipt is, given the net requirement it must cover.

    Build one with the class methods (:meth:`lot_for_lot`, :meth:`fixed`,
    :meth:`min_max`, :meth:`poq`, :meth:`eoq`). Every quantity parameter is one
    number for all items, or one per item (an array in ``inputs.item_id`` order,
    or a Series / mapping keyed by ``item_id``).

    Rules (``net`` = quantity that brings the balance of the period back to the
    target):

    * ``lot_for_lot``: ``net``.
    * ``fixed``: lots of ``qty``; with ``multiples`` as many whole lots as cover
      ``net`` (``qty * ceil(net / qty)``), else ``max(qty, net)``.
    * ``min_max``: ``net`` raised to ``minimum`` and capped at ``maximum`` (a
      capped proposal leaves the rest short; the next period proposes again).
    * ``poq`` (period order quantity): ``net`` of this period and the next
      ``periods - 1`` periods together.
    * ``eoq``: ``max(EOQ, net)`` with ``EOQ = sqrt(2 * D * order_cost /
      holding_cost)``, ``D`` the item's average demand per period over the horizon
      and ``holding_cost`` per unit and period.

    ``multiple`` (any rule) rounds every proposal up to a multiple of it
    (``min_max``: the minimum is rounded up and the maximum down to a multiple).

    Examples
    --------
    >>> LotSizing.fixed(70).size(np.array([29.0, 75.0]))
    array([ 70., 140.])
    >>> LotSizing.min_max(50, 120, multiple=10).size(np.array([12.0, 61.0, 500.0]))
    array([ 50.,  70., 120.])
    """

    rule: str = "lot_for_lot"
    qty: PerItem = None
    multiples: bool = True
    minimum: PerItem = None
    maximum: PerItem = None
    multiple: PerItem = None
    periods: PerItem = None
    order_cost: PerItem = None
    holding_cost: PerItem = None

    def __post_init__(self) -> None:
        check_choice(self.rule, LOT_RULES, key="lot_sizing.rule")
        needs = {"fixed": ("qty",), "min_max": ("minimum", "maximum"), "poq": ("periods",),
                 "eoq": ("order_cost", "holding_cost")}
        for name in needs.get(self.rule, ()):
            if getattr(self, name) is None:
                raise ConfigError(
                    f"lot-sizing rule {self.rule!r} needs {name}, got none",
                    key=name, value=None,
                    fix=f"build it with LotSizing.{self.rule}(...), e.g. "
                        + {"fixed": "LotSizing.fixed(70)", "min_max": "LotSizing.min_max(50, 200)",
                           "poq": "LotSizing.poq(3)",
                           "eoq": "LotSizing.eoq(order_cost=100, holding_cost=0.5)"}[self.rule]
                        + ".",
                )
        for name in ("qty", "minimum", "maximum", "multiple", "periods", "order_cost",
                     "holding_cost"):
            value = getattr(self, name)
            if isinstance(value, int | float | np.integer | np.floating):
                low_open = name in ("qty", "multiple", "periods", "holding_cost", "maximum")
                check_range(value, f"lot_sizing.{name}", low=0, high=float("inf"),
                            low_open=low_open,
                            fix=f"pass a {'positive' if low_open else 'non-negative'} number.")

    @classmethod
    def lot_for_lot(cls, *, multiple: PerItem = None) -> LotSizing:
        """Receipt = net requirement (rounded up to ``multiple`` if given)."""
        return cls("lot_for_lot", multiple=multiple)

    @classmethod
    def fixed(cls, qty: PerItem, *, multiples: bool = True) -> LotSizing:
        """Use a fixed lot ``qty`` (whole multiples of it when one lot is not enough)."""
        return cls("fixed", qty=qty, multiples=bool(multiples))

    @classmethod
    def min_max(cls, minimum: PerItem, maximum: PerItem, *,
                multiple: PerItem = None) -> LotSizing:
        """Net requirement, at least ``minimum``, at most ``maximum``."""
        return cls("min_max", minimum=minimum, maximum=maximum, multiple=multiple)

    @classmethod
    def poq(cls, periods: PerItem, *, multiple: PerItem = None) -> LotSizing:
        """Period order quantity: cover the net requirement of ``periods`` periods."""
        return cls("poq", periods=periods, multiple=multiple)

    @classmethod
    def eoq(cls, order_cost: PerItem, holding_cost: PerItem, *,
            multiple: PerItem = None) -> LotSizing:
        """Economic order quantity (per-period demand, cost per order, holding per unit and period)."""
        return cls("eoq", order_cost=order_cost, holding_cost=holding_cost, multiple=multiple)

    def size(self, net: np.ndarray, *, eoq: np.ndarray | None = None) -> np.ndarray:
        """Lot sizes for net requirements ``net`` (one per item; ``poq`` nets are window nets).

        Per-item parameters must already be arrays aligned with ``net`` (or
        scalars); :func:`propose_mps` aligns them. ``eoq`` is the per-item EOQ for
        the ``eoq`` rule.
        """
        net = np.asarray(net, dtype=np.float64)
        if self.rule == "fixed":
            q = np.asarray(self.qty, dtype=np.float64)
            out = q * np.ceil(net / q - _EPS) if self.multiples else np.maximum(q, net)
        elif self.rule == "eoq":
            out = np.maximum(net, 0.0 if eoq is None else eoq)
        else:
            out = net.copy()
        if self.multiple is not None:
            m = np.asarray(self.multiple, dtype=np.float64)
            out = m * np.ceil(out / m - _EPS)
        if self.rule == "min_max":
            low, cap = self.bounds()
            out = np.minimum(np.maximum(out, low), cap)
        return out

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """``min_max`` bounds, rounded inwards to ``multiple`` (up for the minimum, down for the maximum)."""
        low = np.asarray(self.minimum, dtype=np.float64)
        cap = np.asarray(self.maximum, dtype=np.float64)
        if self.multiple is not None:
            m = np.asarray(self.multiple, dtype=np.float64)
            low, cap = m * np.ceil(low / m - _EPS), m * np.floor(cap / m + _EPS)
        return low, cap

    def aligned(self, inputs: PabInput) -> LotSizing:
        """Return a copy whose per-item parameters are arrays in ``inputs.item_id`` order."""
        changes = {}
        for name in ("qty", "minimum", "maximum", "multiple", "periods", "order_cost",
                     "holding_cost"):
            value = getattr(self, name)
            if value is not None:
                arr = _per_item(value, inputs, f"lot_sizing.{name}")
                positive = name in ("qty", "multiple", "periods", "holding_cost", "maximum")
                bad = (arr <= 0) if positive else (arr < 0)
                if bad.any():
                    raise ConfigError(
                        f"lot_sizing.{name} must be {'> 0' if positive else '>= 0'} for every "
                        f"item, got {arr[bad][:3].tolist()} for "
                        f"{list(inputs.item_id[bad][:3])}",
                        key=name, value=arr[bad][:3].tolist(), fix=f"fix those {name} values.")
                changes[name] = arr
        if self.rule == "min_max" and (changes["minimum"] > changes["maximum"]).any():
            bad = changes["minimum"] > changes["maximum"]
            raise ConfigError(
                f"lot_sizing.minimum must not exceed maximum, got minimum "
                f"{changes['minimum'][bad][:3].tolist()} > maximum "
                f"{changes['maximum'][bad][:3].tolist()} for {list(inputs.item_id[bad][:3])}",
                key="minimum", value=changes["minimum"][bad][:3].tolist(),
                fix="raise maximum or lower minimum.")
        out = LotSizing(self.rule, multiples=self.multiples, **{
            k: changes.get(k) for k in ("qty", "minimum", "maximum", "multiple", "periods",
                                        "order_cost", "holding_cost")})
        if self.rule == "min_max" and self.multiple is not None:
            low, cap = out.bounds()
            bad = low > cap
            if bad.any():
                raise ConfigError(
                    f"lot_sizing has no multiple of {changes['multiple'][bad][:3].tolist()} "
                    f"between minimum {changes['minimum'][bad][:3].tolist()} and maximum "
                    f"{changes['maximum'][bad][:3].tolist()} for {list(inputs.item_id[bad][:3])}",
                    key="multiple", value=changes["multiple"][bad][:3].tolist(),
                    fix="widen the min-max range or change the multiple.")
        return out


def _per_item(value: object, inputs: PabInput, name: str) -> np.ndarray:
    """Scalar, array (item order) or Series/mapping by item id -> float array ``(n,)``."""
    n = inputs.n_items
    if isinstance(value, pd.Series | Mapping):
        s = pd.Series(value, dtype=np.float64)
        s.index = pd.Index(s.index).astype(str)
        missing = inputs.item_id[~inputs.item_id.astype(str).isin(s.index)]
        if len(missing):
            raise ConfigError(
                f"{name} has no value for {len(missing)} item(s), e.g. {list(missing[:3])}",
                key=name, value=list(missing[:3]),
                fix=f"give {name} for every item (or one number for all).")
        arr = s.reindex(inputs.item_id.astype(str)).to_numpy(dtype=np.float64)
    else:
        try:
            arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()
        except (TypeError, ValueError) as err:
            raise ConfigError(
                f"{name} must be one number or one per item ({n}), got {value!r}",
                key=name, value=value,
                fix=f"pass one number, an array of {n} values or a Series by item_id.",
            ) from err
    if not np.isfinite(arr).all():
        raise ConfigError(f"{name} must be a finite number for every item",
                          key=name, value=arr[~np.isfinite(arr)][:3].tolist(),
                          fix=f"fix the {name} values.")
    return arr


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MpsResult:
    """Proposed MPS, its projection and the action messages on existing receipts.

    Arrays have shape ``(n, T)`` (items x periods, rows in ``inputs.item_id``
    order) unless stated.

    Attributes
    ----------
    inputs
        The :class:`PabInput` planned (unchanged).
    lot_sizing
        The rule used, per-item parameters aligned to ``inputs.item_id``.
    target, planned
        Parameters used (see :func:`propose_mps`).
    demand_time_fence, frozen_periods, planning_time_fence
        Time fences used (periods).
    lead_time
        Lead time per item in periods, shape ``(n,)`` (int).
    mps
        Proposed receipt quantity per item and period.
    releases
        The same quantities in their release periods (receipt period - lead time).
    reason
        Code per cell: index into :data:`REASONS` (0 = no proposal).
    existing
        Existing receipts the MPS plans around (firm, plus planned unless
        replaced), after rescheduling if ``reschedule=True``.
    baseline
        Projection of ``inputs`` as given (what the early warning sees).
    projection
        Projection with the MPS: existing receipts as firm, MPS as planned supply.
    actions
        Action messages on existing receipts, columns :data:`ACTION_COLUMNS`.
    """

    inputs: PabInput
    lot_sizing: LotSizing
    target: str
    planned: str
    demand_time_fence: int
    frozen_periods: int
    planning_time_fence: int
    lead_time: np.ndarray
    mps: np.ndarray
    releases: np.ndarray
    reason: np.ndarray
    existing: np.ndarray
    baseline: PabResult
    projection: PabResult
    actions: pd.DataFrame = field(repr=False)

    @property
    def pab(self) -> np.ndarray:
        """PAB with the MPS, shape ``(n, T)``."""
        return self.projection.pab

    @property
    def atp(self) -> np.ndarray:
        """Discrete ATP (look-ahead) with the MPS, shape ``(n, T)``."""
        return self.projection.atp

    @cached_property
    def proposals(self) -> pd.DataFrame:
        """One row per proposed receipt, columns :data:`PROPOSAL_COLUMNS`.

        ``reason`` is ``"shortage"`` (the balance without the receipt is below 0)
        or ``"below_safety_stock"``; ``needs_approval`` is True inside the planning
        time fence. Sorted by item (input order) and period.
        """
        inp = self.inputs
        rows, per = np.nonzero(self.mps > _EPS)
        starts = inp.period_start.to_numpy()
        rel = per - self.lead_time[rows]
        return pd.DataFrame({
            "item_id": pd.Categorical.from_codes(rows.astype(np.int32), categories=inp.item_id,
                                                 validate=False),
            "period": per.astype(np.int64),
            "period_start": starts[per],
            "mps_qty": self.mps[rows, per],
            "release_period": rel.astype(np.int64),
            "release_date": _period_dates(inp, rel),
            "reason": np.asarray(REASONS, dtype=object)[self.reason[rows, per]],
            "needs_approval": per < self.planning_time_fence,
        })

    def explain(self, lang: str = "en") -> pd.DataFrame:
        """One sentence per item that goes short: see :func:`explain_shortages`."""
        return explain_shortages(self, lang=lang)


def _period_dates(inputs: PabInput, periods: np.ndarray) -> np.ndarray:
    """Start dates of period numbers, negative ones (before period 0) included."""
    starts = inputs.period_start
    periods = np.asarray(periods, dtype=np.int64)
    if inputs.freq == "M":
        first = starts[0].to_period("M")
        uniq, inv = np.unique(periods, return_inverse=True)  # a few distinct months
        dates = np.array([(first + int(p)).to_timestamp() for p in uniq], dtype="datetime64[ns]")
        return dates[inv.reshape(periods.shape)]
    step = np.timedelta64(7 if inputs.freq == "W" else 1, "D")
    return (starts[0].to_datetime64() + periods * step).astype("datetime64[ns]")


# --------------------------------------------------------------------------------------
# Proposal
# --------------------------------------------------------------------------------------


def propose_mps(
    inputs: PabInput,
    *,
    lot_sizing: LotSizing | str = "lot_for_lot",
    target: str = "zero",
    lead_time: PerItem = 0,
    frozen_periods: int = 0,
    planning_time_fence: int | None = None,
    demand_time_fence: int = 2,
    planned: str = "keep",
    reschedule: bool = False,
) -> MpsResult:
    """Propose MPS receipts for every item and period at once.

    Rules (``t`` = period index, 0-based; ``D`` = demand after the time-fence
    rule of :func:`~workbench.planning.pab.project_pab`; ``S`` = existing receipts;
    ``X`` = target, 0 or safety stock):

    * Period by period, ``before[t] = pab[t-1] + S[t] - D[t]`` (``pab[-1]`` = on
      hand) is the balance without a new receipt. If ``before[t] < X`` and a
      new receipt may arrive in ``t``, the net requirement is ``X - before[t]``
      and the proposal is its :class:`LotSizing` size (``poq``: the net of the
      window ``t .. t + periods - 1`` counting the receipts already there);
      ``pab[t] = before[t] + mps[t]``.
    * A new receipt may arrive in ``t`` only if ``t >= frozen_periods`` (outside
      the frozen zone) and ``t >= lead_time`` (its release period ``t -
      lead_time`` is not in the past). Shortages before that stay in the PAB and
      are covered by the first proposal after it.
    * Proposals with ``t < planning_time_fence`` are flagged ``needs_approval``
      (the master scheduler decides them, the system only suggests).
    * ``reason``: ``"shortage"`` if ``before[t] < 0``, else ``"below_safety_stock"``.
    * ATP: discrete ATP with look-ahead of the projection with the MPS (first
      period: on hand + receipt - customer orders until the next receipt; later
      receipt periods: receipt - orders until the next receipt; a negative ATP is
      netted against earlier ones), see :func:`~workbench.planning.pab.project_pab`.
    * Action messages: receipts are taken in date order per item; with ``R`` the
      receipts before receipt ``k``, it is first needed in the first period where
      cumulative demand + target - on hand exceeds ``R``. Needed before its date:
      ``expedite``; after it: ``defer``; not within the horizon: ``cancel``.
      Messages are measured against demand alone: an expedite and a proposal in
      the same gap are alternatives unless ``reschedule=True``.

    Parameters
    ----------
    inputs
        From :func:`~workbench.planning.buckets.build_buckets` or
        :func:`~workbench.planning.buckets.buckets_from_long`.
    lot_sizing
        A :class:`LotSizing`, or ``"lot_for_lot"``.
    target
        ``"zero"`` (keep PAB >= 0) or ``"safety_stock"`` (keep PAB >= safety stock).
    lead_time
        Periods between release and receipt: one whole number, or one per item.
    frozen_periods
        Leading periods in which no new receipt is proposed (>= 0).
    planning_time_fence
        Leading periods whose proposals need the planner's approval; default
        ``frozen_periods``.
    demand_time_fence
        As in :func:`~workbench.planning.pab.project_pab` (0 = the larger of
        forecast and orders in every period, the textbook MPS record).
    planned
        ``"keep"``: planned receipts in ``inputs`` stay and count like firm ones;
        ``"replace"``: they are dropped and re-planned by the MPS.
    reschedule
        Move existing receipts to the period they are needed in (and drop the ones
        not needed) before proposing, as the action messages say.

    Returns
    -------
    MpsResult

    Examples
    --------
    Stevenson's pump record (on hand 64, lot 70, MPS when PAB would go negative):

    >>> weeks = pd.date_range("2026-06-01", periods=8, freq="7D")
    >>> inp = PabInput(item_id=pd.Index(["pump"]), period_start=weeks,
    ...     as_of=weeks[0], freq="W", on_hand=[64.0], safety_stock=[0.0],
    ...     customer_orders=[[33, 20, 10, 4, 2, 0, 0, 0]],
    ...     forecast=[[30, 30, 30, 30, 40, 40, 40, 40]],
    ...     supply_firm=np.zeros((1, 8)), supply_planned=np.zeros((1, 8)))
    >>> res = propose_mps(inp, lot_sizing=LotSizing.fixed(70), demand_time_fence=0)
    >>> res.mps[0].tolist()
    [0.0, 0.0, 70.0, 0.0, 70.0, 0.0, 70.0, 70.0]
    >>> res.pab[0].tolist()
    [31.0, 1.0, 41.0, 11.0, 41.0, 1.0, 31.0, 61.0]
    >>> res.atp[0].tolist()
    [11.0, 0.0, 56.0, 0.0, 68.0, 0.0, 70.0, 70.0]
    """
    if not isinstance(inputs, PabInput):
        raise InputTypeError(
            f"propose_mps needs a PabInput, got {type(inputs).__name__}",
            key="inputs", value=type(inputs).__name__,
            fix="build it with build_buckets(...) or buckets_from_long(...).")
    if isinstance(lot_sizing, str):
        check_choice(lot_sizing, ("lot_for_lot",), key="lot_sizing",
                     what=f"lot_sizing={lot_sizing!r} (only lot_for_lot needs no parameters)")
        lot_sizing = LotSizing.lot_for_lot()
    if not isinstance(lot_sizing, LotSizing):
        raise InputTypeError(
            f"lot_sizing must be a LotSizing, got {type(lot_sizing).__name__}",
            key="lot_sizing", value=type(lot_sizing).__name__,
            fix="pass e.g. LotSizing.fixed(70) or LotSizing.poq(3).")
    check_choice(target, TARGETS, key="target")
    check_choice(planned, PLANNED_MODES, key="planned")
    frozen = check_count(frozen_periods, "frozen_periods", minimum=0)
    ptf = frozen if planning_time_fence is None else check_count(
        planning_time_fence, "planning_time_fence", minimum=0)
    dtf = check_count(demand_time_fence, "demand_time_fence", minimum=0)
    lead = _per_item(lead_time, inputs, "lead_time")
    if (lead < 0).any() or (lead != np.round(lead)).any():
        raise ConfigError(
            f"lead_time must be whole periods >= 0, got {lead[(lead < 0) | (lead != np.round(lead))][:3].tolist()}",
            key="lead_time", value=lead.tolist()[:3],
            fix="give the lead time in whole periods of the buckets, e.g. lead_time=2.")
    lead = lead.astype(np.int64)
    lots = lot_sizing.aligned(inputs)

    n, n_t = inputs.customer_orders.shape
    baseline = project_pab(inputs, demand_time_fence=dtf, with_cover=False)
    demand = baseline.demand  # the time-fence rule of project_pab
    goal = (inputs.safety_stock if target == "safety_stock" else np.zeros(n))
    existing = inputs.supply_firm + (inputs.supply_planned if planned == "keep" else 0.0)
    actions = _action_messages(inputs, demand, existing, goal, firm=inputs.supply_firm)
    if reschedule:
        existing = _rescheduled(existing, demand, goal, inputs.on_hand)

    mps, reason = _plan(inputs, demand, existing, goal, lots, lead, frozen)
    releases = np.zeros_like(mps)
    rows, per = np.nonzero(mps > _EPS)
    rel = per - lead[rows]
    keep = rel < n_t
    releases[rows[keep], rel[keep]] = mps[rows[keep], per[keep]]  # rel >= 0 by the rules

    planned_in = inputs.replace(supply_firm=existing, supply_planned=mps)
    projection = project_pab(planned_in, demand_time_fence=dtf, with_cover=False)
    return MpsResult(
        inputs=inputs, lot_sizing=lots, target=target, planned=planned,
        demand_time_fence=dtf, frozen_periods=frozen, planning_time_fence=ptf,
        lead_time=lead, mps=mps, releases=releases, reason=reason, existing=existing,
        baseline=baseline, projection=projection, actions=actions,
    )


def _plan(inputs: PabInput, demand: np.ndarray, existing: np.ndarray, goal: np.ndarray,
          lots: LotSizing, lead: np.ndarray, frozen: int) -> tuple[np.ndarray, np.ndarray]:
    """Period-by-period proposals (vectorised over items); returns ``mps`` and reason codes."""
    n, n_t = demand.shape
    flow = existing - demand
    cum_flow = np.cumsum(flow, axis=1)
    first_open = np.maximum(lead, frozen)
    eoq = None
    if lots.rule == "eoq":
        mean_d = demand.mean(axis=1)
        eoq = np.sqrt(2.0 * mean_d * lots.order_cost / lots.holding_cost)
    width = 1
    if lots.rule == "poq":
        width = int(np.clip(lots.periods.max(), 1, n_t))
        win_ok = np.arange(width)[None, :] < np.round(lots.periods)[:, None]
    mps = np.zeros((n, n_t))
    reason = np.zeros((n, n_t), dtype=np.int8)
    opening = inputs.on_hand.copy()
    for t in range(n_t):
        before = opening + flow[:, t]
        act = (before < goal - _EPS) & (t >= first_open)
        if act.any():
            net = goal - before
            if lots.rule == "poq":
                # balance without new receipts at s = before + cum_flow[s] - cum_flow[t]
                hi = min(t + width, n_t)
                gap = goal[:, None] - (before[:, None] + cum_flow[:, t:hi] - cum_flow[:, t:t + 1])
                gap = np.where(win_ok[:, :hi - t], gap, -np.inf)
                net = gap.max(axis=1)
            q = lots.size(net, eoq=eoq)
            q = np.where(act, q, 0.0)
            mps[:, t] = q
            reason[:, t] = np.where(act, np.where(before < -_EPS, 1, 2), 0)
            before = before + q
        opening = before
    return mps, reason


def _need_periods(demand: np.ndarray, goal: np.ndarray, on_hand: np.ndarray,
                  supply: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Existing receipt cells (rows, periods) and the period each is first needed in.

    A receipt is needed in the first period where ``cum demand + goal - on hand``
    exceeds the receipts before it (date order); ``T`` if not within the horizon.
    """
    n_t = demand.shape[1]
    rows, per = np.nonzero(supply > _EPS)
    cum_need = np.cumsum(demand, axis=1) + goal[:, None] - on_hand[:, None]
    before = (np.cumsum(supply, axis=1) - supply)[rows, per]
    # cum_need is non-decreasing along each row: count the periods it stays covered
    need = np.zeros(rows.size, dtype=np.int64)
    for t in range(n_t):
        need += cum_need[rows, t] <= before + _EPS
    return rows, per, need


def _action_messages(inputs: PabInput, demand: np.ndarray, existing: np.ndarray,
                     goal: np.ndarray, *, firm: np.ndarray) -> pd.DataFrame:
    """Expedite / defer / cancel messages on existing receipts (see propose_mps)."""
    n_t = demand.shape[1]
    rows, per, need = _need_periods(demand, goal, inputs.on_hand, existing)
    action = np.where(need >= n_t, "cancel", np.where(need < per, "expedite", "defer"))
    keep = need != per
    rows, per, need, action = rows[keep], per[keep], need[keep], action[keep]
    starts = inputs.period_start.to_numpy()
    cancel = need >= n_t
    to_period = pd.array(np.where(cancel, 0, need), dtype="Int64")
    to_period[cancel] = pd.NA
    nat = np.datetime64("NaT").astype(starts.dtype)
    return pd.DataFrame({
        "item_id": pd.Categorical.from_codes(rows.astype(np.int32), categories=inputs.item_id,
                                             validate=False),
        "action": action.astype(object),
        "qty": existing[rows, per],
        "firm": firm[rows, per] > _EPS,
        "period": per.astype(np.int64),
        "period_start": starts[per],
        "to_period": to_period,
        "to_date": np.where(cancel, nat, starts[np.minimum(need, n_t - 1)]),
    }, columns=list(ACTION_COLUMNS))


def _rescheduled(existing: np.ndarray, demand: np.ndarray, goal: np.ndarray,
                 on_hand: np.ndarray) -> np.ndarray:
    """Existing receipts moved to the period they are needed in (unneeded ones dropped)."""
    n, n_t = existing.shape
    rows, per, need = _need_periods(demand, goal, on_hand, existing)
    keep = need < n_t
    out = np.bincount(rows[keep] * n_t + need[keep], weights=existing[rows[keep], per[keep]],
                      minlength=n * n_t)
    return out.reshape(n, n_t)


# --------------------------------------------------------------------------------------
# Sentences for the early warning
# --------------------------------------------------------------------------------------


_PHRASES = {
    "en": {
        "one": "A receipt of {qty} {when} removes this shortage (release the order {rel}).",
        "late": ("No new receipt can come in time (frozen zone or lead time); the earliest, "
                 "a receipt of {qty} {when}, ends this shortage (release the order {rel})."),
        "many": ("Receipts of {qty} in total, the first {when}, remove this shortage "
                 "(release the first order {rel})."),
        "late_many": ("No new receipt can come in time (frozen zone, lead time or lot-size "
                      "limit); receipts of {qty} in total, the first {when}, end this shortage "
                      "{end} (release the first order {rel})."),
        "none": ("No new receipt within the horizon removes this shortage; "
                 "expedite an existing receipt or cut the demand."),
        "W": "in the week of {d}", "D": "on {d}", "M": "in {m}",
    },
    "zh": {
        "one": "在{when}到货 {qty} 件即可消除此缺货（{rel}下达订单）。",
        "late": "冻结期或提前期内无法及时安排新的到货；最早在{when}到货 {qty} 件，可结束此缺货（{rel}下达订单）。",
        "many": "合计到货 {qty} 件（首批在{when}）即可消除此缺货（首批订单{rel}下达）。",
        "late_many": "冻结期、提前期或批量上限使新的到货无法及时安排；合计到货 {qty} 件（首批在{when}），可在{end}结束此缺货（首批订单{rel}下达）。",
        "none": "计划期内没有新的到货能消除此缺货；请催交已有的到货或削减需求。",
        "W": "{d}当周", "D": "{d}", "M": "{m}",
    },
}


def _when(dates: np.ndarray, freq: str, lang: str) -> np.ndarray:
    """Period phrases ('in the week of 13 Jul 2026' / '2026年7月13日当周') for dates."""
    phrase = _PHRASES[lang][freq]
    uniq, inv = np.unique(dates, return_inverse=True)

    def one(d: object) -> str:
        ts = pd.Timestamp(d)
        month = f"{ts:%b %Y}" if lang == "en" else f"{ts.year}年{ts.month}月"
        return phrase.format(d=fmt_date(ts, lang), m=month)

    texts = np.array([one(d) for d in uniq] or [""], dtype=object)  # few distinct periods
    return texts[inv] if len(uniq) else np.zeros(0, dtype=object)


def explain_shortages(result: MpsResult, *, lang: str = "en") -> pd.DataFrame:
    """One sentence per item that goes short, naming the receipt that removes the shortage.

    For each item whose baseline projection (``result.baseline``, the inputs as
    given) goes below zero, ``s`` is its first shortage period and ``c`` the
    first period from ``s`` on where the PAB with the MPS is not negative. The
    sentence names the proposals up to ``c``: a single one (``"A receipt of 70 in
    the week of 13 Jul 2026 removes this shortage (release the order in the week
    of 6 Jul 2026)."``), or several (their total and the first); when ``c > s``
    it says that no receipt can come in time (frozen zone, lead time, lot-size
    limit) and when the shortage ends. Items the MPS cannot bring back to zero
    within the horizon get a sentence that says so.

    Parameters
    ----------
    result
        From :func:`propose_mps`.
    lang
        ``"en"`` or ``"zh"``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPLAIN_COLUMNS`, one row per short item (input order);
        ``mps_*`` and ``release_date`` are missing when no proposal covers it.
    """
    lang = check_language(lang)
    inp = result.inputs
    n_t = inp.n_periods
    base = result.baseline
    short_rows = np.flatnonzero(base.shortage.any(axis=1))
    s = base.shortage[short_rows].argmax(axis=1)
    mps = result.mps[short_rows]
    has = mps > _EPS
    cols = np.arange(n_t)[None, :]
    # c: first period from s on where the PAB with the MPS is not negative (n_t: none)
    ends = (result.pab[short_rows] >= -_EPS) & (cols >= s[:, None])
    c = np.where(ends.any(axis=1), ends.argmax(axis=1), n_t)
    upto = has & (cols <= c[:, None])
    found = upto.any(axis=1) & (c < n_t)
    first = np.where(found, upto.argmax(axis=1), 0)
    count = upto.sum(axis=1)
    total = np.where(upto, mps, 0.0).sum(axis=1)

    starts = inp.period_start.to_numpy()
    rel_per = first - result.lead_time[short_rows]
    rel_dates = _period_dates(inp, rel_per)
    ph = _PHRASES[lang]
    when = _when(starts[first], inp.freq, lang)
    end = _when(starts[np.minimum(c, n_t - 1)], inp.freq, lang)
    rel = _when(rel_dates, inp.freq, lang)
    qty = np.array([fmt_num(q, lang) for q in total], dtype=object)
    late = c > s
    kind = np.where(~found, "none", np.where(
        count > 1, np.where(late, "late_many", "many"), np.where(late, "late", "one")))
    text = np.array([ph[k].format(qty=q, when=w, rel=r, end=e)
                     for k, q, w, r, e in zip(kind, qty, when, rel, end, strict=True)],
                    dtype=object)

    nat = np.datetime64("NaT").astype(starts.dtype)
    mps_period = pd.array(first, dtype="Int64")
    mps_period[~found] = pd.NA
    return pd.DataFrame({
        "item_id": inp.item_id[short_rows].astype(str),
        "first_shortage_period": s.astype(np.int64),
        "first_shortage_date": starts[s],
        "shortage_qty": -base.pab[short_rows, s],
        "mps_period": mps_period,
        "mps_date": np.where(found, starts[first], nat),
        "mps_qty": np.where(found, total, np.nan),
        "release_date": np.where(found, rel_dates, nat),
        "text": text,
    }, columns=list(EXPLAIN_COLUMNS))


# --------------------------------------------------------------------------------------
# Textbook record
# --------------------------------------------------------------------------------------


def mps_record(result: MpsResult, item_id: object) -> pd.DataFrame:
    """One item as the textbook MPS record: rows forecast .. ATP, one column per period.

    Rows: ``forecast``, ``customer_orders``, ``scheduled_receipts`` (existing),
    ``pab`` (projected on hand with the MPS), ``mps``, ``atp``; columns are the
    ``period_start`` dates.

    Raises
    ------
    ChoiceError
        ``item_id`` is not one of the planned items.
    """
    ids = result.inputs.item_id
    check_choice(item_id, list(ids), key="item_id")
    i = int(ids.get_loc(item_id))
    inp = result.inputs
    return pd.DataFrame(
        [inp.forecast[i], inp.customer_orders[i], result.existing[i], result.pab[i],
         result.mps[i], result.atp[i]],
        index=["forecast", "customer_orders", "scheduled_receipts", "pab", "mps", "atp"],
        columns=inp.period_start,
    )
