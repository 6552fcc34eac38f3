"""Monte Carlo simulation of inventory policies and the service-vs-cost trade-off.

The simulator works on every item and every replication at once: the state
(net inventory, stock on order, the pipeline) is held in NumPy arrays of shape
``(items, reps)`` and the only Python loop runs over periods (and, when a whole
curve of policies is simulated, over the policy levels, each replaying the same
demand draw). There is no loop over items.

Period sequence (``t = 0, 1, ...``)
----------------------------------
1. **Review** (every ``review_period`` periods, at the start of the period):
   inventory position ``IP = net inventory + on order``; order

   * ``"base_stock"`` (periodic order-up-to, (R, S)): ``S - IP``;
   * ``"sS"``: ``S - IP`` if ``IP <= s``;
   * ``"sQ"``: the smallest multiple of ``Q`` that lifts ``IP`` above ``s``, if
     ``IP <= s`` (an (R, s, Q) policy; ``review_period=1`` is the discrete-time
     version of continuous review).

   The order arrives at the start of period ``t + L`` (``L >= 0`` periods; ``L =
   0`` arrives before this period's demand). The pipeline is a ring buffer of
   arrival arrays indexed by arrival period.
2. **Receipt** of the orders due this period.
3. **Demand** is served from stock on hand. Backorders mode: the unmet part
   waits (net inventory goes negative) and is served first from later
   receipts; lost-sales mode: it is lost.
4. **Measurement** (after the warm-up): on hand at the start (after receipt)
   and end of the period, backorders, units short, stockouts, orders.

With this timing an order-up-to level ``S`` reviewed every ``R`` periods
protects against demand over ``L + R`` periods, exactly the protection interval
of :mod:`workbench.inventory` (``lead_time = L``, ``review_period = R``). A
reorder point ``s`` reviewed every period protects against demand over ``L``
periods plus the undershoot of ``s`` at the review (continuous review would
order exactly at ``s``).
**stockpyl's** simulator counts lead times differently: its
``shipment_lead_time`` of ``L'`` periods gives an end-of-period inventory of
``S - D(L')``, i.e. our model (and the analytic formulas, and
``stockpyl.newsvendor.newsvendor_normal``) with ``L = L' - 1``.

Reported per item (mean over replications with a confidence interval across
replications, Student t):

``cycle_service``
    Type 1: fraction of replenishment cycles without a stockout. A cycle runs
    from one receipt to the next; a cycle has a stockout if any of its periods
    ends with backorders (backorders mode) or loses demand (lost sales). Base
    stock with fixed lead times: cycles of ``R`` periods starting at the
    arrivals (with ``R = 1``, the fraction of periods without stockout);
    (s, Q), (s, S) and random lead times: counted receipt to receipt in each
    replication. Only complete cycles inside the measured periods count.
``fill_rate``
    Type 2: units served from stock on hand in the period of demand / units
    demanded.
``avg_on_hand``
    Time-average on hand (mean of start- and end-of-period stock);
    ``avg_on_hand_end`` at the end of periods only (stockpyl's measure).
``avg_backorders``
    End-of-period backorders (0 with lost sales).
``units_short``, ``demand``, ``orders``
    Per period: units not served from stock (backordered or lost), demand,
    orders placed.
``holding_cost``, ``shortage_cost``, ``ordering_cost``, ``total_cost``
    Per period: ``h * avg_on_hand`` (or ``avg_on_hand_end`` with
    ``holding_basis="end"``), ``p * units_short``, ``K * orders`` -- the cost
    model of :func:`workbench.inventory.policy_for_service`. With
    ``stockout_basis="per_unit_period"`` the shortage cost is ``p *
    avg_backorders`` instead (``p`` per unit backordered per period, backorders
    mode only): with ``holding_basis="end"`` this is the cost model of
    :func:`workbench.inventory.base_stock_cost` and of
    :mod:`workbench.inventory.ss` (Zheng-Federgruen, ``stockpyl.ss``), whose lead
    time ``L`` is this simulator's ``lead_time`` (demand over ``L + 1`` periods
    until an order placed now can be used; ``stockpyl.ss`` has no lead time,
    i.e. ``L = 0``).

Randomness: ``seed`` (int, SeedSequence or Generator) seeds two independent
streams, demand and lead times. The same seed, shapes and parameters give the
same result; different policies simulated together (:func:`service_cost_curve`)
see the *same* demand and lead-time draws (common random numbers), so their
differences are not blurred by sampling noise.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from workbench.exceptions import ConfigError
from workbench.inventory.checks import (
    as_numbers,
    nonnegative,
    one_of,
    probability,
    require_all,
    whole_numbers,
)
from workbench.inventory.policy import (
    DISTRIBUTIONS,
    POLICIES,
    SERVICE_TYPES,
    ItemParams,
    as_item_params,
    cost_optimal_service_level,
    economic_order_quantity,
    policy_for_service,
)
from workbench.validation import check_choice, check_count

__all__ = [
    "ANALYTIC_CHECK_COLUMNS",
    "CURVE_COLUMNS",
    "DEFAULT_SERVICE_LEVELS",
    "DEMAND_MODELS",
    "HOLDING_BASES",
    "METRICS",
    "MODES",
    "PORTFOLIO",
    "SIM_POLICIES",
    "STOCKOUT_BASES",
    "SimulationResult",
    "compare_analytic_simulated",
    "compare_scenarios",
    "discretize_lead_time",
    "optimal_service_level",
    "service_cost_curve",
    "simulate_inventory",
    "tier_cost",
]

SIM_POLICIES = ("base_stock", "sQ", "sS")
"""Simulated policies: periodic order-up-to, (s, Q) and (s, S), reviewed every ``review_period``."""
MODES = ("backorders", "lost_sales")
DEMAND_MODELS = ("normal", "gamma", "poisson", "bootstrap")
"""``normal``: truncated at 0 (negative draws redrawn); ``gamma`` with the given mean and
sd; ``poisson`` with the given mean; ``bootstrap``: resampled from each item's history."""
HOLDING_BASES = ("average", "end")
STOCKOUT_BASES = ("per_unit", "per_unit_period")
"""How ``stockout_cost`` is charged: per unit short (default) or per unit backordered per period."""
METRICS = ("cycle_service", "fill_rate", "avg_on_hand", "avg_on_hand_end", "avg_backorders",
           "units_short", "demand", "orders", "holding_cost", "shortage_cost", "ordering_cost",
           "total_cost")
"""Metrics of :attr:`SimulationResult.per_rep` and ``.summary``, in order."""
SUMMARY_COLUMNS = ("item", "metric", "mean", "ci_low", "ci_high")
DEFAULT_SERVICE_LEVELS = np.linspace(0.80, 0.995, 20)
PORTFOLIO = "(portfolio)"
"""``item_id`` of the aggregated rows of :func:`service_cost_curve`."""
CURVE_COLUMNS = ("item_id", "service_level", "method", "lead_time", "safety_stock",
                 "reorder_point", "order_up_to", "order_quantity", "on_hand", "holding_cost",
                 "shortage_cost", "ordering_cost", "total_cost", "total_cost_ci_low",
                 "total_cost_ci_high", "achieved_fill_rate", "achieved_fill_rate_ci_low",
                 "achieved_fill_rate_ci_high", "achieved_cycle_service")
"""Columns of :func:`service_cost_curve`, in order."""

_TRUNC_ROUNDS = 30


# --------------------------------------------------------------------------- helpers

def _rngs(seed: Any) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent generators (demand, lead times) from ``seed``."""
    if isinstance(seed, np.random.Generator):
        a, b = seed.spawn(2)
        return a, b
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    a, b = ss.spawn(2)
    return np.random.default_rng(a), np.random.default_rng(b)


def discretize_lead_time(mean: Any, sd: Any, *, max_lead_time: int | None = None) -> np.ndarray:
    """Discrete lead-time distribution per item from a mean and standard deviation.

    Probabilities of ``0, 1, ..., K`` periods from a normal distribution with the
    given mean and sd, integrated over ``[k - 1/2, k + 1/2)`` (all mass below
    1/2 goes to 0), so the mean is kept to within rounding and the variance is
    about ``sd^2 + 1/12``. Items with ``sd = 0`` get their rounded mean with
    probability 1.

    Parameters
    ----------
    mean, sd
        Lead-time mean and standard deviation in periods, one per item.
    max_lead_time
        Largest lead time ``K`` kept (mass above folds into ``K``); default:
        ``ceil(max(mean + 5 sd)) + 1``.

    Returns
    -------
    ndarray
        Shape ``(items, K + 1)``; rows sum to 1.
    """
    where = "discretize_lead_time"
    m = np.atleast_1d(nonnegative("mean", mean, where))
    s = np.atleast_1d(nonnegative("sd", sd, where))
    m, s = np.broadcast_arrays(m, s)
    if max_lead_time is None:
        max_lead_time = int(np.ceil(np.max(m + 5.0 * s))) + 1
    k = np.arange(max_lead_time + 1, dtype=float)
    safe = np.where(s > 0, s, 1.0)[:, None]
    upper = special.ndtr((k[None, :] + 0.5 - m[:, None]) / safe)
    upper[:, -1] = 1.0
    lower = np.concatenate([np.zeros((m.size, 1)), upper[:, :-1]], axis=1)
    pmf = np.clip(upper - lower, 0.0, None)
    det = np.zeros_like(pmf)
    det[np.arange(m.size), np.minimum(np.rint(m).astype(int), max_lead_time)] = 1.0
    pmf = np.where((s > 0)[:, None], pmf, det)
    return pmf / pmf.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- demand models

class _Demand:
    """Draws one period of demand for all items x replications."""

    def __init__(self, model: str, mean: np.ndarray | None, sd: np.ndarray | None,
                 history: Any, n_items: int, n_reps: int, dtype: np.dtype, where: str):
        self.model = model
        self.n_items, self.n_reps, self.dtype = n_items, n_reps, dtype
        if model == "bootstrap":
            hist = self._history(history, n_items, where)
            counts = np.isfinite(hist).sum(axis=1)
            require_all("history", counts, counts > 0, "at least one finite value per item",
                     where, "give every item at least one past period of demand (0 is fine).")
            # push each row's finite values to the left (vectorized compaction)
            order = np.argsort(~np.isfinite(hist), axis=1, kind="stable")
            hist = np.take_along_axis(hist, order, axis=1)
            vals = np.where(np.isfinite(hist), hist, 0.0)
            require_all("history", vals, vals >= 0, "non-negative", where,
                     "remove returns/credits (negative demand) from the history.")
            self.width = hist.shape[1]
            self.flat = vals.astype(dtype).ravel()
            self.counts = counts.astype(dtype)[:, None]
            self.count_max = (counts - 1)[:, None]
            self.offset = (np.arange(n_items) * self.width)[:, None]
            self.mean = (vals.sum(axis=1) / counts).astype(float)
            self._idx = np.empty((n_items, n_reps), np.intp)
            return
        assert mean is not None
        self.mean = np.broadcast_to(mean, (n_items,)).astype(float)
        self.mu = self.mean.astype(dtype)[:, None]
        if model == "poisson":
            return
        assert sd is not None
        sd = np.broadcast_to(sd, (n_items,)).astype(float)
        self.sd = sd.astype(dtype)[:, None]
        if model == "gamma":
            pos = (sd > 0) & (self.mean > 0)
            self.shape = np.where(pos, self.mean**2 / np.where(pos, sd, 1.0) ** 2,
                                  1.0).astype(dtype)[:, None]
            self.scale = np.where(pos, sd**2 / np.where(pos, self.mean, 1.0),
                                  0.0).astype(dtype)[:, None]
            self.det_rows = np.flatnonzero(~pos)
        else:
            self.mu_flat = np.repeat(self.mean, n_reps)
            self.sd_flat = np.repeat(sd, n_reps)

    @staticmethod
    def _history(history: Any, n_items: int, where: str) -> np.ndarray:
        if history is None:
            raise ConfigError(f"{where}: demand='bootstrap' needs history (past demand per "
                              "item and period); got None.", key="history", value=None,
                              fix="pass history as an (items, periods) array or frame (NaN = "
                                  "no data) or a list of one array per item.")
        if isinstance(history, pd.DataFrame):
            hist = history.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float,
                                                                          na_value=np.nan)
        elif isinstance(history, np.ndarray) and history.ndim == 2:
            hist = history.astype(float)
        else:
            rows = [np.asarray(r, dtype=float).ravel() for r in history]
            width = max((r.size for r in rows), default=0)
            lengths = np.array([r.size for r in rows], dtype=np.intp)
            hist = np.full((len(rows), max(width, 1)), np.nan)
            if width:
                mask = np.arange(width)[None, :] < lengths[:, None]
                hist[mask] = np.concatenate(rows)
        if hist.ndim != 2 or hist.shape[0] != n_items:
            raise ConfigError(f"{where}: history must have one row per item ({n_items}); got "
                              f"shape {hist.shape}.", key="history", value=hist.shape,
                              fix="pass an (items, periods) array in the item order used.")
        return hist

    def draw(self, rng: np.random.Generator, out: np.ndarray) -> None:
        """Fill ``out`` (items, reps) with one period of demand."""
        dt = self.dtype
        if self.model == "normal":
            rng.standard_normal(out=out, dtype=dt)
            out *= self.sd
            out += self.mu
            flat = out.reshape(-1)
            neg = np.flatnonzero(flat < 0)
            rounds = 0
            while neg.size and rounds < _TRUNC_ROUNDS:
                vals = self.mu_flat[neg] + self.sd_flat[neg] * rng.standard_normal(neg.size)
                flat[neg] = vals
                neg = neg[vals < 0]
                rounds += 1
            if neg.size:  # very skewed items: exact inverse-CDF draw of the truncated normal
                m, s = self.mu_flat[neg], self.sd_flat[neg]
                a = special.ndtr(-m / s)
                u = a + rng.random(neg.size) * (1.0 - a)
                flat[neg] = np.maximum(m + s * special.ndtri(np.minimum(u, 1 - 1e-16)), 0.0)
        elif self.model == "gamma":
            rng.standard_gamma(self.shape, out=out, dtype=dt)
            out *= self.scale
            if self.det_rows.size:
                out[self.det_rows] = self.mu[self.det_rows]
        elif self.model == "poisson":
            out[...] = rng.poisson(self.mean[:, None], size=out.shape)
        else:
            rng.random(out=out, dtype=dt)
            out *= self.counts
            np.copyto(self._idx, out, casting="unsafe")
            np.minimum(self._idx, self.count_max, out=self._idx)
            self._idx += self.offset
            np.take(self.flat, self._idx, out=out)


@dataclass(frozen=True)
class _LeadTimes:
    fixed: np.ndarray | None   # (items,) ints, or None for random lead times
    cdf: np.ndarray | None     # (items, K) cumulative probabilities of 0..K-1
    max: int
    cycle_lag: np.ndarray      # (items,) lead time used to align cycles

    def draw(self, rng: np.random.Generator, u: np.ndarray, out: np.ndarray) -> None:
        assert self.cdf is not None
        rng.random(out=u)
        out.fill(0)
        for k in range(self.cdf.shape[1] - 1):  # loop over lead-time values, not items
            out += u > self.cdf[:, k:k + 1]


def _lead_times(lead_time: Any, lead_time_pmf: Any, n_items: int, where: str) -> _LeadTimes:
    if lead_time_pmf is None:
        lt = np.broadcast_to(whole_numbers("lead_time", 0 if lead_time is None else lead_time,
                                        where, 0), (n_items,)).copy()
        return _LeadTimes(fixed=lt, cdf=None, max=int(lt.max(initial=0)), cycle_lag=lt)
    if lead_time is not None:
        raise ConfigError(f"{where}: pass lead_time or lead_time_pmf, not both; got lead_time="
                          f"{lead_time!r}.", key="lead_time", value=lead_time,
                          fix="drop lead_time: the mean of lead_time_pmf is the lead time.")
    pmf = np.atleast_2d(nonnegative("lead_time_pmf", lead_time_pmf, where))
    if pmf.shape[0] == 1:
        pmf = np.broadcast_to(pmf, (n_items, pmf.shape[1]))
    if pmf.shape[0] != n_items:
        raise ConfigError(f"{where}: lead_time_pmf needs one row per item ({n_items}) or one row "
                          f"for all; got shape {pmf.shape}.", key="lead_time_pmf",
                          value=pmf.shape, fix="pass an (items, max_lead_time + 1) array.")
    tot = pmf.sum(axis=1)
    require_all("lead_time_pmf row sum", tot, np.abs(tot - 1.0) < 1e-6, "1 (probabilities of "
             "0, 1, ... periods)", where, "normalise each row, e.g. pmf / pmf.sum(1, keepdims=True).")
    pmf = pmf / tot[:, None]
    nz = pmf > 0
    kmax = int(np.max(np.where(nz, np.arange(pmf.shape[1])[None, :], 0)))
    pmf = pmf[:, :kmax + 1]
    cdf = np.cumsum(pmf, axis=1)
    mean = (pmf * np.arange(kmax + 1)).sum(axis=1)
    return _LeadTimes(fixed=None, cdf=cdf, max=kmax, cycle_lag=np.rint(mean).astype(np.int64))


# --------------------------------------------------------------------------- core

@dataclass(frozen=True)
class _Spec:
    """Everything but the policy levels."""

    n_items: int
    n_reps: int
    n_periods: int
    warmup: int
    review: int
    mode: str
    leads: _LeadTimes
    allow_crossing: bool
    demand: _Demand
    dtype: np.dtype


class _Streams:
    """Per-period demand and lead-time draws, replayable for several policies."""

    def __init__(self, spec: _Spec, seed: Any, *, replays: int, cache_bytes: int):
        self.spec = spec
        self.rng_d, self.rng_l = _rngs(seed)
        total = spec.warmup + spec.n_periods
        shape = (spec.n_items, spec.n_reps)
        size = total * spec.n_items * spec.n_reps
        self.cached = replays > 1 and size * (spec.dtype.itemsize + 2) <= cache_bytes
        self._saved = (copy.deepcopy(self.rng_d.bit_generator),
                       copy.deepcopy(self.rng_l.bit_generator))
        if self.cached:
            self.d = np.empty((total, *shape), spec.dtype)
            self.lt = (np.empty((total, *shape), np.int16) if spec.leads.cdf is not None
                       else None)
            da, la = self._fresh()
            for t in range(total):
                self.d[t] = da(t)
                if self.lt is not None and t % spec.review == 0:  # as _run draws them
                    self.lt[t] = la(t)

    def _fresh(self) -> tuple[Callable[[int], np.ndarray], Callable[[int], np.ndarray]]:
        spec = self.spec
        rd = np.random.Generator(copy.deepcopy(self._saved[0]))
        rl = np.random.Generator(copy.deepcopy(self._saved[1]))
        shape = (spec.n_items, spec.n_reps)
        buf = np.empty(shape, spec.dtype)
        lbuf = np.empty(shape, np.int64)
        ubuf = np.empty(shape, np.float64)

        def demand_at(t: int) -> np.ndarray:
            spec.demand.draw(rd, buf)
            return buf

        def lead_at(t: int) -> np.ndarray:
            spec.leads.draw(rl, ubuf, lbuf)
            return lbuf

        return demand_at, lead_at

    def start(self) -> tuple[Callable[[int], np.ndarray], Callable[[int], np.ndarray]]:
        """Draw functions for one policy, starting from the same random state."""
        if self.cached:
            lt = self.lt
            return self.d.__getitem__, (lt.__getitem__ if lt is not None else (lambda t: None))
        return self._fresh()


class _RunState:
    """State of one policy run, set up near steady state, and its raw sums.

    Net inventory ``net`` and inventory position ``ip`` (net + on order) are
    ``(items, reps)``; the pipeline is ``ring[(arrival period) % B]``. ``q``,
    ``tmp`` and ``flag`` are scratch arrays reused every period; ``acc`` holds the
    sums over the measured periods, ``cyc`` whether the open cycle had a stockout.
    """

    def __init__(self, spec: _Spec, policy: str, S: np.ndarray | None, s: np.ndarray | None,
                 Q: np.ndarray | None):
        ni, R, dt = spec.n_items, spec.n_reps, spec.dtype
        leads = spec.leads
        self.spec, self.policy, self.S, self.s, self.Q = spec, policy, S, s, Q
        self.backorders = spec.mode == "backorders"
        self.B = B = leads.max + 1
        self.lag = lag = leads.cycle_lag
        self.fixed = fixed = leads.fixed
        self.uniform_L = fixed is not None and bool(np.all(fixed == fixed[0]))
        # with fixed lead times and a review every period each ring slot is written once
        # between two receipts: orders can be written straight into it, no zeroing needed
        self.direct = fixed is not None and spec.review == 1
        self.ring = np.zeros((B, ni, R), dt)
        self.ring2 = self.ring.reshape(B * ni, R)
        self.ringflat = self.ring.reshape(-1)
        self.net, self.ip = _fill_pipeline(self.ring, spec, policy, S, s, Q)
        self.q = np.empty((ni, R), dt)
        self.tmp = np.empty((ni, R), dt)
        self.flag = np.empty((ni, R), bool)
        self.acc = {name: np.zeros((ni, R), dt) for name in
                    ("short", "ohe", "backorders", "stockouts", "orders", "demand")}
        self.cmode = _cycle_mode(spec, policy)
        self.cyc = np.zeros((ni, R), bool) if self.cmode != "period" else None
        if self.cmode == "arrival":
            self.acc["cycles"] = np.zeros((ni, R), dt)
            self.arrived = np.empty((ni, R), bool)
            self.counted = np.empty((ni, R), bool)
            self.started = np.zeros((ni, R), bool)
        self.uniform_lag = bool(np.all(lag == lag[0])) if ni else True
        self.rows_base = np.arange(ni)
        if fixed is None:
            self.last_arrival = np.zeros((ni, R), np.int64)
            self.arrival = np.empty((ni, R), np.int64)
            self.cell = np.arange(ni * R, dtype=np.int64).reshape(ni, R)
        self.first_count = spec.warmup + spec.review - 1


def _fill_pipeline(ring: np.ndarray, spec: _Spec, policy: str, S: np.ndarray | None,
                   s: np.ndarray | None, Q: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Start near steady state; return net inventory and inventory position.

    Mean demand is put in the pipeline ``ring`` for the next ``lag`` periods and
    the inventory position is one period's demand below the policy's top level.
    """
    ni, R, dt = spec.n_items, spec.n_reps, spec.dtype
    mu = spec.demand.mean
    lag = spec.leads.cycle_lag
    k = np.arange(ring.shape[0])[:, None]
    ring += ((k < lag[None, :]) * mu[None, :]).astype(dt)[:, :, None]
    top = S if policy != "sQ" else s + Q
    net = np.empty((ni, R), dt)
    net[...] = top - (mu[:, None] * (1 + lag[:, None])).astype(dt)
    if spec.mode != "backorders":
        np.maximum(net, 0, out=net)
    ip = net + (lag * mu).astype(dt)[:, None]
    return net, ip


def _order_quantity(st: _RunState, qt: np.ndarray) -> None:
    """Write the policy's order at this review into ``qt`` (from the inventory position)."""
    S, s, Q, ip = st.S, st.s, st.Q, st.ip
    if st.policy == "base_stock":
        np.subtract(S, ip, out=qt)
        np.maximum(qt, 0, out=qt)
    elif st.policy == "sS":
        np.less_equal(ip, s, out=st.flag)
        np.subtract(S, ip, out=qt)
        qt *= st.flag
    else:
        np.subtract(s, ip, out=qt)
        qt /= Q
        np.floor(qt, out=qt)
        qt += 1
        np.maximum(qt, 0, out=qt)
        qt *= Q


def _ship_random(st: _RunState, t: int, qt: np.ndarray, lt: np.ndarray) -> None:
    """Add the order ``qt`` to the pipeline at ``t`` + its drawn lead times ``lt``."""
    arrival = st.arrival
    np.add(lt, t, out=arrival)
    if not st.spec.allow_crossing:
        np.maximum(arrival, st.last_arrival, out=arrival)
        st.last_arrival[...] = arrival
    np.remainder(arrival, st.B, out=arrival)
    arrival *= st.spec.n_items * st.spec.n_reps
    arrival += st.cell
    st.ringflat[arrival] += qt


def _ship_fixed(st: _RunState, t: int, qt: np.ndarray) -> None:
    """Put the order ``qt`` in the pipeline at ``t`` + the items' fixed lead times."""
    fixed, B = st.fixed, st.B
    if not st.direct:
        if st.uniform_L:
            st.ring[(t + int(fixed[0])) % B] += qt
        else:
            st.ring2[((t + fixed) % B) * st.spec.n_items + st.rows_base] += qt
    elif not st.uniform_L:
        st.ring2[((t + fixed) % B) * st.spec.n_items + st.rows_base] = qt


def _review(st: _RunState, t: int, lead_at: Callable[[int], np.ndarray],
            measuring: bool) -> None:
    """Order at a review: policy quantity, into the pipeline, onto the position."""
    direct_slot = st.direct and st.uniform_L
    qt = st.ring[(t + int(st.fixed[0])) % st.B] if direct_slot else st.q
    _order_quantity(st, qt)
    if st.fixed is None:
        _ship_random(st, t, qt, lead_at(t))
    else:
        _ship_fixed(st, t, qt)
    st.ip += qt
    if measuring:
        np.greater(qt, 0, out=st.flag)
        st.acc["orders"] += st.flag


def _receive(st: _RunState, t: int, measuring: bool) -> None:
    """Add this period's receipts to net inventory and empty their pipeline slot."""
    arr = st.ring[t % st.B]
    st.net += arr
    if st.cmode == "arrival" and measuring:
        _close_arrival_cycles(st, arr)
    if not st.direct:
        arr.fill(0)


def _close_arrival_cycles(st: _RunState, arr: np.ndarray) -> None:
    """Count the cycles a receipt closes (each began with the previous receipt)."""
    acc, cyc = st.acc, st.cyc
    np.greater(arr, 0, out=st.arrived)
    np.logical_and(st.arrived, st.started, out=st.counted)
    acc["cycles"] += st.counted
    st.counted &= cyc
    acc["stockouts"] += st.counted
    st.started |= st.arrived
    np.greater(cyc, st.arrived, out=cyc)  # cyc & ~arrived: reset where a cycle closed


def _serve_backorders(st: _RunState, d: np.ndarray, measuring: bool) -> None:
    """Serve demand ``d``; the unmet part waits (net inventory goes negative)."""
    net, tmp, acc = st.net, st.tmp, st.acc
    net -= d
    st.ip -= d
    if measuring:
        acc["demand"] += d
        np.maximum(net, 0, out=tmp)
        acc["ohe"] += tmp
        np.negative(net, out=tmp)
        np.maximum(tmp, 0, out=tmp)          # backorders at the end of the period
        acc["backorders"] += tmp
        np.minimum(tmp, d, out=tmp)          # of which new this period: units short
        acc["short"] += tmp
        np.less(net, 0, out=st.flag)


def _serve_lost_sales(st: _RunState, d: np.ndarray, measuring: bool) -> None:
    """Serve demand ``d`` from stock on hand; the unmet part is lost."""
    net, tmp, acc = st.net, st.tmp, st.acc
    np.minimum(net, d, out=tmp)              # filled (net >= 0 with lost sales)
    net -= tmp
    st.ip -= tmp
    if measuring:
        acc["demand"] += d
        acc["ohe"] += net
        np.subtract(d, tmp, out=tmp)         # lost
        acc["short"] += tmp
        np.greater(tmp, 0, out=st.flag)


def _count_stockouts(st: _RunState, t: int) -> None:
    """Record a measured period's stockout (``flag``) per period or in its cycle."""
    if st.cyc is None:
        st.acc["stockouts"] += st.flag
        return
    st.cyc |= st.flag
    if st.cmode != "arrival":
        _close_aligned_cycles(st, t)


def _close_aligned_cycles(st: _RunState, t: int) -> None:
    """Count and reset the cycles of ``R`` periods (aligned to arrivals) ending at ``t``."""
    cyc, lag, review = st.cyc, st.lag, st.spec.review
    if st.uniform_lag:
        if (t + 1 - int(lag[0])) % review == 0:
            if t >= st.first_count:
                st.acc["stockouts"] += cyc
            cyc.fill(False)
    else:
        end = (t + 1 - lag) % review == 0
        if end.any():
            if t >= st.first_count:
                st.acc["stockouts"][end] += cyc[end]
            cyc[end] = False


def _run(spec: _Spec, policy: str, S: np.ndarray | None, s: np.ndarray | None,
         Q: np.ndarray | None, demand_at: Callable[[int], np.ndarray],
         lead_at: Callable[[int], np.ndarray], pbar: Any) -> dict[str, np.ndarray]:
    """Simulate one policy (parameters of shape (items, 1)); raw sums over measured periods.

    Each period: review (every ``R`` periods), receipt, demand, stockout count
    (see :class:`_RunState` for the state). The accumulators avoid redundant
    passes: start-of-period on hand is recovered as end-of-period on hand plus
    units filled, filled as demand minus short.
    """
    st = _RunState(spec, policy, S, s, Q)
    serve = _serve_backorders if st.backorders else _serve_lost_sales
    warm, review = spec.warmup, spec.review
    for t in range(spec.warmup + spec.n_periods):
        measuring = t >= warm
        if t % review == 0:
            _review(st, t, lead_at, measuring)
        _receive(st, t, measuring)
        serve(st, demand_at(t), measuring)
        if measuring:
            _count_stockouts(st, t)
        if pbar is not None:
            pbar.update(1)
    out = {k2: v.astype(np.float64) for k2, v in st.acc.items()}
    out["ohs"] = out["ohe"] + out["demand"] - out["short"]  # start on hand = end + filled
    return out


def _cycle_mode(spec: _Spec, policy: str) -> str:
    """How replenishment cycles are delimited for the cycle service level.

    ``"period"``: base stock reviewed every period with fixed lead times (an order
    arrives every period: each period is a cycle). ``"aligned"``: base stock with
    ``R > 1`` and fixed lead times (cycles of ``R`` periods starting at the
    arrivals). ``"arrival"``: otherwise ((s, Q), (s, S), random lead times): a
    cycle runs from one receipt to the next, counted per item and replication.
    """
    if policy != "base_stock" or spec.leads.fixed is None:
        return "arrival"
    return "period" if spec.review == 1 else "aligned"


def _n_cycles(spec: _Spec) -> np.ndarray:
    """Complete replenishment cycles per item inside the measured periods."""
    if spec.review == 1:
        return np.full(spec.n_items, float(spec.n_periods))
    T = spec.warmup + spec.n_periods
    ts = np.arange(spec.warmup + spec.review - 1, T)
    lag = spec.leads.cycle_lag
    return ((ts[None, :] + 1 - lag[:, None]) % spec.review == 0).sum(axis=1).astype(float)


def _metrics(raw: Mapping[str, np.ndarray], spec: _Spec, h: np.ndarray, p: np.ndarray,
             K: np.ndarray, holding_basis: str,
             stockout_basis: str = "per_unit") -> dict[str, np.ndarray]:
    n = float(spec.n_periods)
    cycles = raw["cycles"] if "cycles" in raw else _n_cycles(spec)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(raw["demand"] > 0, 1.0 - raw["short"] / raw["demand"], np.nan)
        csl = np.where(cycles > 0, 1.0 - raw["stockouts"] / cycles, np.nan)
    avg_oh = (raw["ohs"] + raw["ohe"]) / (2.0 * n)
    oh_end = raw["ohe"] / n
    bo = raw["backorders"] / n
    short = raw["short"] / n
    orders = raw["orders"] / n
    hold = h[:, None] * (avg_oh if holding_basis == "average" else oh_end)
    shortage = p[:, None] * (short if stockout_basis == "per_unit" else bo)
    ordering = K[:, None] * orders
    return {"cycle_service": csl, "fill_rate": np.clip(fill, 0.0, 1.0), "avg_on_hand": avg_oh,
            "avg_on_hand_end": oh_end, "avg_backorders": bo, "units_short": short,
            "demand": raw["demand"] / n, "orders": orders, "holding_cost": hold,
            "shortage_cost": shortage, "ordering_cost": ordering,
            "total_cost": hold + shortage + ordering}


def _ci(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and Student-t confidence interval along the last axis (NaNs ignored)."""
    n = np.sum(np.isfinite(x), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(x, axis=-1) if x.size else np.zeros(x.shape[:-1])
        sd = np.sqrt(np.nansum((x - mean[..., None]) ** 2, axis=-1) / (n - 1))
        tq = stats.t.ppf(0.5 + confidence / 2.0, np.maximum(n - 1, 1))
        half = np.where(n > 1, tq * sd / np.sqrt(n), np.nan)
    return mean, mean - half, mean + half


# --------------------------------------------------------------------------- result

@dataclass(frozen=True)
class SimulationResult:
    """Result of :func:`simulate_inventory`.

    Attributes
    ----------
    item_id
        Item labels, one per simulated item.
    per_rep
        Metric name (:data:`METRICS`) -> array ``(items, reps)`` of per-replication
        values (each the average over the measured periods).
    n_reps, n_periods, warmup
        Replications, measured periods per replication, warm-up periods dropped.
    policy, mode, demand
        What was simulated.
    confidence
        Confidence level of the intervals (0.95).
    """

    item_id: np.ndarray
    per_rep: Mapping[str, np.ndarray]
    n_reps: int
    n_periods: int
    warmup: int
    policy: str
    mode: str
    demand: str
    confidence: float = 0.95

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Tidy frame: ``item, metric, mean, ci_low, ci_high`` (one row per item and metric).

        The interval is the Student-t interval of the mean across replications.
        """
        n = self.item_id.size
        parts = []
        for name in METRICS:
            mean, lo, hi = _ci(self.per_rep[name], self.confidence)
            parts.append(pd.DataFrame({"item": self.item_id, "metric": np.repeat(name, n),
                                       "mean": mean, "ci_low": lo, "ci_high": hi}))
        out = pd.concat(parts, ignore_index=True)
        out["metric"] = pd.Categorical(out["metric"], categories=list(METRICS))
        out = out.sort_values(["item", "metric"], kind="stable").reset_index(drop=True)
        return out[list(SUMMARY_COLUMNS)]

    def wide(self, stat: str = "mean") -> pd.DataFrame:
        """One row per item, one column per metric, holding ``stat`` (mean, ci_low, ci_high)."""
        if stat not in ("mean", "ci_low", "ci_high"):
            raise ConfigError(f"SimulationResult.wide: stat must be 'mean', 'ci_low' or "
                              f"'ci_high'; got {stat!r}.", key="stat", value=stat,
                              fix="pass stat='mean'.")
        cols = {name: _ci(self.per_rep[name], self.confidence)[("mean", "ci_low",
                                                                "ci_high").index(stat)]
                for name in METRICS}
        return pd.DataFrame(cols, index=pd.Index(self.item_id, name="item"))


# --------------------------------------------------------------------------- public simulate

def _spec(*, where: str, mean_demand: Any, sd_demand: Any, demand: str, history: Any,
          lead_time: Any, lead_time_pmf: Any, allow_crossing: bool, review_period: Any,
          mode: str, n_periods: Any, warmup: Any, n_reps: Any, dtype: Any,
          n_items_hint: int) -> _Spec:
    one_of("demand", demand, DEMAND_MODELS, where)
    one_of("mode", mode, MODES, where)
    review = check_count(review_period, "review_period", minimum=1,
                         fix=f"pass a whole number of periods to {where}, e.g. review_period=1.")
    n_periods = check_count(n_periods, "n_periods", minimum=1,
                            fix=f"pass a whole number to {where}, e.g. n_periods=104.")
    n_reps = check_count(n_reps, "n_reps", minimum=1,
                         fix=f"pass a whole number to {where}, e.g. n_reps=200.")
    dt = np.dtype(dtype)
    check_choice(dt, (np.dtype(np.float32), np.dtype(np.float64)), key="dtype",
                 what=f"{where}: dtype {dt}")
    shapes = [np.shape(x) for x in (mean_demand, sd_demand, lead_time) if x is not None]
    if lead_time_pmf is not None and np.ndim(lead_time_pmf) == 2:
        shapes.append((np.shape(lead_time_pmf)[0],))
    if demand == "bootstrap" and history is not None:
        shapes.append((len(history),))
    try:
        shape = np.broadcast_shapes((n_items_hint,) if n_items_hint else (), *shapes)
    except ValueError:
        raise ConfigError(f"{where}: per-item inputs have different numbers of items: "
                          f"shapes {shapes}.", key="mean_demand", value=shapes,
                          fix="pass one value per item (or a scalar) for every per-item input."
                          ) from None
    if len(shape) > 1:
        raise ConfigError(f"{where}: per-item inputs must be scalars or 1-D arrays; got shape "
                          f"{shape}.", key="mean_demand", value=shape,
                          fix="pass one value per item.")
    n_items = shape[0] if shape else 1
    if demand == "bootstrap":
        dem = _Demand(demand, None, None, history, n_items, n_reps, dt, where)
    else:
        if mean_demand is None:
            raise ConfigError(f"{where}: demand={demand!r} needs mean_demand; got None.",
                              key="mean_demand", value=None,
                              fix="pass mean_demand (per period), or demand='bootstrap' with "
                                  "history.")
        mu = np.broadcast_to(nonnegative("mean_demand", mean_demand, where), (n_items,))
        sd = None
        if demand != "poisson":
            if sd_demand is None:
                raise ConfigError(f"{where}: demand={demand!r} needs sd_demand; got None.",
                                  key="sd_demand", value=None,
                                  fix="pass sd_demand (per period), or demand='poisson'.")
            sd = np.broadcast_to(nonnegative("sd_demand", sd_demand, where), (n_items,))
        dem = _Demand(demand, mu, sd, None, n_items, n_reps, dt, where)
    leads = _lead_times(lead_time, lead_time_pmf, n_items, where)
    if warmup is None:
        warmup = 10 + 2 * (leads.max + review)
    warmup = check_count(warmup, "warmup", minimum=0,
                         fix=f"pass a whole number of periods to {where}, or None.")
    return _Spec(n_items=n_items, n_reps=n_reps, n_periods=n_periods, warmup=warmup,
                 review=review, mode=mode, leads=leads, allow_crossing=bool(allow_crossing),
                 demand=dem, dtype=dt)


def _levels(where: str, policy: str, order_up_to: Any, reorder_point: Any, order_quantity: Any,
            n_items: int) -> tuple[np.ndarray | None, ...]:
    """Policy parameters as float arrays of shape (levels, items)."""
    one_of("policy", policy, SIM_POLICIES, where)
    need = {"base_stock": ("order_up_to",), "sQ": ("reorder_point", "order_quantity"),
            "sS": ("reorder_point", "order_up_to")}[policy]
    given = {"order_up_to": order_up_to, "reorder_point": reorder_point,
             "order_quantity": order_quantity}
    out: dict[str, np.ndarray | None] = {}
    for name, value in given.items():
        if name not in need:
            if value is not None:
                raise ConfigError(f"{where}: policy={policy!r} does not use {name}; got "
                                  f"{name}={value!r}.", key=name, value=value,
                                  fix=f"pass only {' and '.join(need)} for this policy.")
            out[name] = None
            continue
        if value is None:
            raise ConfigError(f"{where}: policy={policy!r} needs {name}; got None.", key=name,
                              value=None, fix=f"pass {' and '.join(need)}.")
        arr = as_numbers(name, value, where)
        ok = np.isfinite(arr) & ((arr > 0) if name == "order_quantity" else True)
        require_all(name, arr, ok, "finite" + (" and > 0" if name == "order_quantity" else ""),
                 where, f"check {name} for NaN, infinite or non-positive values.")
        arr = np.atleast_2d(arr) if arr.ndim < 2 else arr
        try:
            arr = np.broadcast_to(arr, (arr.shape[0], n_items))
        except ValueError:
            raise ConfigError(f"{where}: {name} has shape {np.shape(value)}; expected one "
                              f"value per item ({n_items}).", key=name, value=np.shape(value),
                              fix="pass one value per item.") from None
        out[name] = arr
    if policy == "sS":
        s_, S_ = np.broadcast_arrays(out["reorder_point"], out["order_up_to"])
        require_all("order_up_to", S_, S_ >= s_, "at least reorder_point (S >= s)", where,
                 "raise S or lower s.")
    return out["order_up_to"], out["reorder_point"], out["order_quantity"]


def _simulate_levels(spec: _Spec, policy: str, S: np.ndarray | None, s: np.ndarray | None,
                     Q: np.ndarray | None, seed: Any, progress: bool,
                     cache_bytes: int) -> list[dict[str, np.ndarray]]:
    """Simulate each row of the (levels, items) policy arrays with common random numbers."""
    n_levels = max(a.shape[0] for a in (S, s, Q) if a is not None)
    streams = _Streams(spec, seed, replays=n_levels, cache_bytes=cache_bytes)
    T = spec.warmup + spec.n_periods
    pbar = None
    if progress:
        from tqdm.auto import tqdm
        pbar = tqdm(total=n_levels * T, desc="simulating periods", unit="period")
    out = []
    dt = spec.dtype
    col = (lambda a, i: None if a is None else  # noqa: E731
           np.ascontiguousarray(a[min(i, a.shape[0] - 1)], dtype=dt)[:, None])
    try:
        for i in range(n_levels):
            demand_at, lead_at = streams.start()
            out.append(_run(spec, policy, col(S, i), col(s, i), col(Q, i), demand_at,
                            lead_at, pbar))
    finally:
        if pbar is not None:
            pbar.close()
    return out


def simulate_inventory(mean_demand: Any = None, sd_demand: Any = None, *,
                       policy: str = "base_stock", order_up_to: Any = None,
                       reorder_point: Any = None, order_quantity: Any = None,
                       review_period: int = 1, lead_time: Any = None,
                       lead_time_pmf: Any = None, allow_crossing: bool = True,
                       demand: str = "normal", history: Any = None, mode: str = "backorders",
                       holding_cost: Any = 0.0, stockout_cost: Any = 0.0,
                       ordering_cost: Any = 0.0, holding_basis: str = "average",
                       stockout_basis: str = "per_unit", n_periods: int = 104, warmup: int | None = None, n_reps: int = 100,
                       seed: Any = None, dtype: Any = np.float64, item_ids: Any = None,
                       progress: bool = False, confidence: float = 0.95) -> SimulationResult:
    """Simulate an inventory policy for many items and replications at once.

    Parameters
    ----------
    mean_demand, sd_demand
        Demand per period, one value per item (or scalars). ``sd_demand`` is not
        used by ``demand="poisson"``; neither is used by ``"bootstrap"``.
    policy
        ``"base_stock"`` (order up to ``order_up_to`` every review), ``"sQ"``
        (``reorder_point``, ``order_quantity``) or ``"sS"`` (``reorder_point``,
        ``order_up_to``). See the module docstring for the period sequence.
    order_up_to, reorder_point, order_quantity
        Policy parameters, one per item.
    review_period
        Review every ``R`` periods (integer; default 1).
    lead_time
        Fixed lead time per item in whole periods (default 0).
    lead_time_pmf
        Random lead times instead: probabilities of ``0, 1, ..., K`` periods, one
        row per item (or one row for all; :func:`discretize_lead_time` builds
        them). Each order draws its own lead time.
    allow_crossing
        With random lead times, every order gets its own lead time drawn from
        ``lead_time_pmf``, so a later order may arrive before an earlier one
        (default True: the lead times follow the given distribution exactly).
        False: deliveries keep the order sequence (an order arrives at ``max(t +
        L, previous arrival)``), so effective lead times are longer than drawn.
        The analytic ``sd_lead_time`` term ``mu_d^2 sigma_L^2`` treats the whole
        protection interval as one random lead time: it over-protects when
        orders cross and can under-protect sequential deliveries.
    demand
        ``"normal"`` (truncated at 0: negative draws are redrawn), ``"gamma"``,
        ``"poisson"`` or ``"bootstrap"`` (each period of each replication draws
        one of the item's own past periods at random, with replacement).
    history
        For ``"bootstrap"``: past demand per period, one row per item (2-D array
        or frame, NaN = no data) or a list of 1-D arrays.
    mode
        ``"backorders"`` or ``"lost_sales"``.
    holding_cost, stockout_cost, ordering_cost
        ``h`` per unit per period, ``p`` per unit short (or per unit backordered
        per period, see ``stockout_basis``), ``K`` per order placed.
    holding_basis
        ``"average"`` (time-average on hand, default) or ``"end"`` (end of period).
    stockout_basis
        ``"per_unit"`` (default: ``p`` per unit short, backordered or lost) or
        ``"per_unit_period"`` (``p`` per unit backordered at the end of each
        period; backorders mode only). With ``holding_basis="end"`` the latter
        matches :func:`workbench.inventory.base_stock_cost` and
        :func:`workbench.inventory.ss.ss_cost_discrete`.
    n_periods
        Measured periods per replication (after the warm-up).
    warmup
        Periods simulated first and not measured (default ``10 + 2 (L_max + R)``).
        The run starts near steady state (pipeline full of mean demand).
    n_reps
        Independent replications (columns of the state arrays).
    seed
        Seed (int, SeedSequence or Generator) for reproducible runs.
    dtype
        ``np.float64`` (default) or ``np.float32`` (faster, ample for service and
        cost averages).
    item_ids
        Labels for the items (default ``0 .. items - 1``).
    progress
        Show a progress bar over periods (``tqdm.auto``: a widget in notebooks).
    confidence
        Confidence level of the intervals.

    Returns
    -------
    SimulationResult
        ``.summary`` is the tidy frame ``item, metric, mean, ci_low, ci_high``.

    Raises
    ------
    ConfigError
        For unknown options, missing or out-of-range parameters, non-integer lead
        times or review periods.
    """
    where = "simulate_inventory"
    one_of("holding_basis", holding_basis, HOLDING_BASES, where)
    one_of("stockout_basis", stockout_basis, STOCKOUT_BASES, where)
    if stockout_basis == "per_unit_period" and mode != "backorders":
        raise ConfigError(f"{where}: stockout_basis='per_unit_period' charges units "
                          f"backordered per period, but mode={mode!r} has no backorders.",
                          key="stockout_basis", value=stockout_basis,
                          fix="use stockout_basis='per_unit' (per unit lost) with lost sales.")
    conf = float(probability("confidence", confidence, where))
    n_hint = 0
    for v in (order_up_to, reorder_point, order_quantity):
        if v is not None and np.ndim(v) == 1:
            n_hint = np.shape(v)[0]
    spec = _spec(where=where, mean_demand=mean_demand, sd_demand=sd_demand, demand=demand,
                 history=history, lead_time=lead_time, lead_time_pmf=lead_time_pmf,
                 allow_crossing=allow_crossing, review_period=review_period, mode=mode,
                 n_periods=n_periods, warmup=warmup, n_reps=n_reps, dtype=dtype,
                 n_items_hint=n_hint)
    for v, name in ((order_up_to, "order_up_to"), (reorder_point, "reorder_point"),
                    (order_quantity, "order_quantity")):
        if v is not None and np.ndim(v) > 1:
            raise ConfigError(f"{where}: {name} must be a scalar or one value per item; got "
                              f"shape {np.shape(v)}.", key=name, value=np.shape(v),
                              fix="simulate several policies with service_cost_curve.")
    S, s, Q = _levels(where, policy, order_up_to, reorder_point, order_quantity, spec.n_items)
    n = spec.n_items
    h = np.broadcast_to(nonnegative("holding_cost", holding_cost, where), (n,))
    p = np.broadcast_to(nonnegative("stockout_cost", stockout_cost, where), (n,))
    K = np.broadcast_to(nonnegative("ordering_cost", ordering_cost, where), (n,))
    raw = _simulate_levels(spec, policy, S, s, Q, seed, progress, cache_bytes=0)[0]
    ids = np.arange(n) if item_ids is None else np.asarray(item_ids)
    if ids.shape != (n,):
        raise ConfigError(f"{where}: item_ids needs {n} labels; got {ids.size}.",
                          key="item_ids", value=ids.size, fix="pass one label per item.")
    return SimulationResult(item_id=ids, per_rep=_metrics(raw, spec, h, p, K, holding_basis,
                                                             stockout_basis),
                            n_reps=spec.n_reps, n_periods=spec.n_periods, warmup=spec.warmup,
                            policy=policy, mode=mode, demand=demand, confidence=conf)


# --------------------------------------------------------------------------- trade-off

def _lot_sizes(ip: ItemParams) -> np.ndarray:
    """Q per item: the item's lot size, else the EOQ, else one review period of demand."""
    h_ok = ip.holding_cost > 0
    eoq = np.where(h_ok & (ip.ordering_cost > 0),
                   np.asarray(economic_order_quantity(ip.ordering_cost,
                                                      np.where(h_ok, ip.holding_cost, 1.0),
                                                      ip.mean_demand)), np.nan)
    q = np.where(np.isfinite(ip.order_quantity), ip.order_quantity, eoq)
    q = np.where(np.isfinite(q) & (q > 0), q, ip.mean_demand * ip.review_period)
    return np.where(q > 0, q, 1.0)


def _analytic(ip: ItemParams, levels: np.ndarray, *, service_type: str, policy: str,
              distribution: str, lost_sales: bool, lead_time: np.ndarray,
              sd_lead_time: np.ndarray) -> Any:
    kw: dict[str, Any] = {}
    if policy == "continuous":
        kw["order_quantity"] = _lot_sizes(ip)
    else:
        kw["review_period"] = ip.review_period
    return policy_for_service(ip.mean_demand, ip.sd_demand, lead_time, levels[:, None],
                              service_type=service_type, policy=policy,
                              sd_lead_time=sd_lead_time, holding_cost=ip.holding_cost,
                              stockout_cost=ip.stockout_cost, ordering_cost=ip.ordering_cost,
                              distribution=distribution, lost_sales=lost_sales, **kw)


def _frame(ids: np.ndarray, levels: np.ndarray, method: str, cols: Mapping[str, np.ndarray],
           portfolio: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Tidy curve frame from (levels, items) arrays plus the portfolio rows."""
    L, n = levels.size, ids.size
    items = {"item_id": np.tile(ids, L), "service_level": np.repeat(levels, n),
             "method": np.repeat(method, L * n)}
    items.update({k: np.ravel(np.broadcast_to(v, (L, n))) for k, v in cols.items()})
    port = {"item_id": np.repeat(PORTFOLIO, L), "service_level": levels,
            "method": np.repeat(method, L)}
    port.update({k: np.broadcast_to(v, (L,)) for k, v in portfolio.items()})
    out = pd.concat([pd.DataFrame(items), pd.DataFrame(port)], ignore_index=True)
    for c in CURVE_COLUMNS:
        if c not in out.columns:
            out[c] = np.nan
    out["item_id"] = out["item_id"].astype(str)
    return out[list(CURVE_COLUMNS)]


def service_cost_curve(items: Any, service_levels: Any = DEFAULT_SERVICE_LEVELS, *,
                       method: str = "analytic", service_type: str = "cycle",
                       policy: str = "periodic", distribution: str = "normal",
                       lost_sales: bool = False, holding_rate: float = 0.25,
                       periods_per_year: float = 52.0, period_days: float = 7.0,
                       stockout_cost: Any = None, ordering_cost: Any = 0.0,
                       review_period: Any = 1, n_reps: int = 200, n_periods: int = 104,
                       warmup: int | None = None, seed: Any = 0, demand: str | None = None,
                       history: Any = None, dtype: Any = np.float32,
                       holding_basis: str = "average", progress: bool = False,
                       confidence: float = 0.95, allow_crossing: bool = True,
                       cache_bytes: int = 2**30) -> pd.DataFrame:
    """Cost of each service level, per item and for the portfolio.

    For each target in ``service_levels`` the policy of
    :func:`workbench.inventory.policy_for_service` is computed for every item;
    ``method="analytic"`` reports its expected costs and service,
    ``method="simulate"`` simulates all the policies (common random numbers:
    every service level sees the same demand) and reports the simulated ones.

    Parameters
    ----------
    items
        Items frame (see :func:`workbench.inventory.item_params` for the columns:
        ``item_id, mean_demand, sd_demand, lead_time`` or ``lead_time_days``,
        ``unit_cost`` or ``holding_cost``, optional ``stockout_cost``,
        ``ordering_cost``, ``review_period``, ``sd_lead_time``, ``lot_size``), or
        an :class:`~workbench.inventory.ItemParams`.
    service_levels
        Targets in ``(0, 1)`` (default 20 levels from 0.80 to 0.995).
    method
        ``"analytic"`` or ``"simulate"``.
    service_type
        The targets are cycle service levels (``"cycle"``) or fill rates.
    policy
        ``"periodic"``: order-up-to every review period. ``"continuous"``: reorder
        point and lot size (the item's ``lot_size``, else the EOQ if there is an
        ordering cost, else one review period of demand). The simulation works
        in periods, so it reviews the (s, Q) policy once per period: the
        inventory position falls *below* ``s`` before the order goes out (the
        undershoot, about half a period of demand on average), which the
        continuous-review formula ignores. The simulated service of
        ``"continuous"`` is therefore lower than the analytic target, most of all
        for lot sizes of a few periods of demand -- the simulation shows what the
        formula promises and weekly review delivers.
    distribution
        Lead-time demand distribution of the analytic policy (``normal``, ``gamma``).
    lost_sales
        Lost sales instead of backorders (both methods).
    holding_rate, periods_per_year, period_days, stockout_cost, ordering_cost, review_period
        Defaults for items frames (see :func:`~workbench.inventory.item_params`).
    n_reps, n_periods, warmup, seed, dtype, holding_basis, confidence
        Simulation settings (see :func:`simulate_inventory`); ``dtype`` defaults
        to float32 here.
    demand, history
        Simulated demand model (default: the ``distribution``) and history for
        ``"bootstrap"``.
    progress
        Progress bar over simulated periods.
    allow_crossing
        Items with ``sd_lead_time > 0`` are simulated with random lead times
        (:func:`discretize_lead_time`); see :func:`simulate_inventory`.
    cache_bytes
        Memory allowed for keeping the demand draw of all periods (reused by
        every service level); above it, draws are regenerated per level from the
        saved random state (same numbers, more time).

    Returns
    -------
    DataFrame
        Columns :data:`CURVE_COLUMNS`; one row per item and service level, then
        one per service level with ``item_id == PORTFOLIO`` (sums of stock and
        costs; demand-weighted fill rate and cycle service). Costs are per
        period. For ``"simulate"``, lead times are rounded to whole periods
        (column ``lead_time``) and ``*_ci_low`` / ``*_ci_high`` give confidence
        intervals across replications; ``on_hand`` is the simulated time-average
        on hand, or the analytic expectation.
    """
    where = "service_cost_curve"
    one_of("method", method, ("analytic", "simulate"), where)
    one_of("service_type", service_type, SERVICE_TYPES, where)
    one_of("policy", policy, POLICIES, where)
    one_of("distribution", distribution, DISTRIBUTIONS, where)
    levels = np.atleast_1d(probability("service_levels", service_levels, where)).ravel()
    ip = as_item_params(items, holding_rate=holding_rate, periods_per_year=periods_per_year,
                       period_days=period_days, stockout_cost=stockout_cost,
                       ordering_cost=ordering_cost, review_period=review_period)
    ids = ip.item_id
    lead = ip.lead_time if method == "analytic" else np.rint(ip.lead_time)
    pol = _analytic(ip, levels, service_type=service_type, policy=policy,
                    distribution=distribution, lost_sales=lost_sales, lead_time=lead,
                    sd_lead_time=ip.sd_lead_time)
    mu = ip.mean_demand
    wts = mu / mu.sum() if mu.sum() > 0 else np.full(mu.size, 1.0 / max(mu.size, 1))
    base = {"lead_time": lead, "safety_stock": pol.safety_stock,
            "reorder_point": pol.reorder_point, "order_up_to": pol.order_up_to,
            "order_quantity": pol.order_quantity}
    if method == "analytic":
        cols = dict(base, on_hand=pol.expected_on_hand, holding_cost=pol.holding_cost,
                    shortage_cost=pol.shortage_cost, ordering_cost=pol.ordering_cost,
                    total_cost=pol.total_cost, achieved_fill_rate=pol.fill_rate,
                    achieved_cycle_service=pol.cycle_service)
        port = {k: np.asarray(cols[k]).sum(axis=1) for k in
                ("safety_stock", "on_hand", "holding_cost", "shortage_cost", "ordering_cost",
                 "total_cost")}
        port["achieved_fill_rate"] = np.asarray(pol.fill_rate) @ wts
        port["achieved_cycle_service"] = np.asarray(pol.cycle_service) @ wts
        return _frame(ids, levels, method, cols, port)

    if demand is None:
        demand = distribution
    one_of("demand", demand, DEMAND_MODELS, where)
    review = np.unique(ip.review_period)
    if policy == "periodic" and (review.size != 1 or review[0] != np.rint(review[0])):
        raise ConfigError(f"{where}: method='simulate' needs one whole-number review period for "
                          f"all items; got {review.tolist()}.", key="review_period",
                          value=review.tolist(), fix="simulate groups of items with the same "
                          "review period separately.")
    sim_review = int(review[0]) if policy == "periodic" else 1
    pmf = None
    if np.any(ip.sd_lead_time > 0):
        pmf = discretize_lead_time(ip.lead_time, ip.sd_lead_time)
        lead_arg = None
    else:
        lead_arg = lead.astype(np.int64)
    spec = _spec(where=where, mean_demand=mu, sd_demand=ip.sd_demand, demand=demand,
                 history=history, lead_time=lead_arg, lead_time_pmf=pmf,
                 allow_crossing=allow_crossing,
                 review_period=sim_review, mode="lost_sales" if lost_sales else "backorders",
                 n_periods=n_periods, warmup=warmup, n_reps=n_reps, dtype=dtype,
                 n_items_hint=ids.size)
    conf = float(probability("confidence", confidence, where))
    one_of("holding_basis", holding_basis, HOLDING_BASES, where)
    if policy == "periodic":
        raws = _simulate_levels(spec, "base_stock", np.asarray(pol.order_up_to), None, None,
                                seed, progress, cache_bytes)
    else:
        raws = _simulate_levels(spec, "sQ", None, np.asarray(pol.reorder_point),
                                np.asarray(pol.order_quantity)[:1], seed, progress,
                                cache_bytes)
    mets = [_metrics(r, spec, ip.holding_cost, ip.stockout_cost, ip.ordering_cost,
                     holding_basis) for r in raws]

    def stack(name: str) -> np.ndarray:
        return np.stack([m[name] for m in mets])  # (levels, items, reps)

    total = stack("total_cost")
    fill = stack("fill_rate")
    t_mean, t_lo, t_hi = _ci(total, conf)
    f_mean, f_lo, f_hi = _ci(fill, conf)
    cols = dict(base, on_hand=_ci(stack("avg_on_hand"), conf)[0],
                holding_cost=_ci(stack("holding_cost"), conf)[0],
                shortage_cost=_ci(stack("shortage_cost"), conf)[0],
                ordering_cost=_ci(stack("ordering_cost"), conf)[0],
                total_cost=t_mean, total_cost_ci_low=t_lo, total_cost_ci_high=t_hi,
                achieved_fill_rate=f_mean, achieved_fill_rate_ci_low=f_lo,
                achieved_fill_rate_ci_high=f_hi,
                achieved_cycle_service=_ci(stack("cycle_service"), conf)[0])
    port = {k: np.asarray(cols[k]).sum(axis=1) for k in
            ("safety_stock", "on_hand", "holding_cost", "shortage_cost", "ordering_cost")}
    pt_mean, pt_lo, pt_hi = _ci(total.sum(axis=1), conf)
    short = stack("units_short").sum(axis=1)
    dem = stack("demand").sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pf_mean, pf_lo, pf_hi = _ci(np.where(dem > 0, 1.0 - short / dem, np.nan), conf)
    port.update(total_cost=pt_mean, total_cost_ci_low=pt_lo, total_cost_ci_high=pt_hi,
                achieved_fill_rate=pf_mean, achieved_fill_rate_ci_low=pf_lo,
                achieved_fill_rate_ci_high=pf_hi,
                achieved_cycle_service=np.asarray(cols["achieved_cycle_service"]) @ wts)
    return _frame(ids, levels, method, cols, port)


ANALYTIC_CHECK_COLUMNS = ("analytic_fill_rate", "simulated_fill_rate",
                          "simulated_fill_rate_ci_low", "simulated_fill_rate_ci_high",
                          "analytic_fill_rate_in_ci", "analytic_cost_per_year",
                          "simulated_cost_per_year", "simulated_cost_per_year_ci_low",
                          "simulated_cost_per_year_ci_high", "analytic_cost_in_ci")
"""Columns of :func:`compare_analytic_simulated`, in order."""


def compare_analytic_simulated(items: Any, service_levels: Any, *, holding_rate: float = 0.25,
                               n_reps: int = 200, n_periods: int = 104, per_year: float = 52.0,
                               seed: Any = 0, progress: bool = False, confidence: float = 0.95,
                               **curve_options: Any) -> pd.DataFrame:
    """Portfolio fill rate and cost per year: analytic formulas against a Monte Carlo check.

    Runs :func:`service_cost_curve` twice on the same items and service levels,
    ``method="analytic"`` and ``method="simulate"``, and puts their portfolio rows
    side by side: does the policy deliver the fill rate and cost the formulas
    promise? (Truncating demand at zero and reviewing in whole periods make the
    simulated fill rate a little lower for items whose demand spread is large
    against its mean.)

    Parameters
    ----------
    items
        Items frame (or :class:`~workbench.inventory.ItemParams`), as for
        :func:`service_cost_curve`.
    service_levels
        Targets in ``(0, 1)``; duplicates are dropped and the result is sorted.
    holding_rate
        Annual holding cost as a share of unit cost.
    n_reps, n_periods, seed, progress
        Simulation settings (replications, measured periods, random seed,
        progress bar).
    per_year
        Periods per year: the curves' per-period costs are multiplied by it, and
        it is the ``periods_per_year`` of both curves (52 for weekly periods).
    confidence
        Level of the simulated confidence intervals (Student t across replications).
    **curve_options
        Further :func:`service_cost_curve` arguments for both curves
        (``service_type``, ``policy``, ``stockout_cost``, ``review_period``, ...).

    Returns
    -------
    DataFrame
        Indexed by ``service_level``; columns :data:`ANALYTIC_CHECK_COLUMNS`:
        fill rates (demand-weighted over the items) and total costs per year,
        analytic and simulated, the simulated confidence intervals, and whether
        the analytic value lies inside them (``*_in_ci``, bool).

    Raises
    ------
    ConfigError
        Bad arguments, as for :func:`service_cost_curve`.

    Examples
    --------
    >>> items = pd.DataFrame({"item_id": ["a"], "mean_demand": [100.0], "sd_demand": [20.0],
    ...                       "lead_time": [2.0], "unit_cost": [52.0], "stockout_cost": [10.0]})
    >>> check = compare_analytic_simulated(items, [0.9, 0.95], n_reps=50, n_periods=52)
    >>> list(check.index), check["analytic_cost_per_year"].round(0).tolist()
    ([0.9, 0.95], [2080.0, 1767.0])
    """
    for key in ("method", "periods_per_year"):
        if key in curve_options:
            raise ConfigError(f"compare_analytic_simulated sets {key} itself; got {key}="
                              f"{curve_options[key]!r}.", key=key, value=curve_options[key],
                              fix="leave it out (per_year is the periods per year).")
    levels = np.unique(np.atleast_1d(
        probability("service_levels", service_levels, "compare_analytic_simulated")).ravel())
    common = dict(curve_options, holding_rate=holding_rate, periods_per_year=per_year)
    ana = service_cost_curve(items, levels, method="analytic", **common)
    sim = service_cost_curve(items, levels, method="simulate", n_reps=n_reps,
                             n_periods=n_periods, seed=seed, progress=progress,
                             confidence=confidence, **common)

    def portfolio(curve: pd.DataFrame) -> pd.DataFrame:
        return curve[curve["item_id"] == PORTFOLIO].set_index("service_level")

    a, s = portfolio(ana), portfolio(sim)
    out = pd.DataFrame({
        "analytic_fill_rate": a["achieved_fill_rate"],
        "simulated_fill_rate": s["achieved_fill_rate"],
        "simulated_fill_rate_ci_low": s["achieved_fill_rate_ci_low"],
        "simulated_fill_rate_ci_high": s["achieved_fill_rate_ci_high"],
        "analytic_cost_per_year": a["total_cost"] * per_year,
        "simulated_cost_per_year": s["total_cost"] * per_year,
        "simulated_cost_per_year_ci_low": s["total_cost_ci_low"] * per_year,
        "simulated_cost_per_year_ci_high": s["total_cost_ci_high"] * per_year,
    }).astype(float)
    out["analytic_fill_rate_in_ci"] = out["analytic_fill_rate"].between(
        out["simulated_fill_rate_ci_low"], out["simulated_fill_rate_ci_high"])
    out["analytic_cost_in_ci"] = out["analytic_cost_per_year"].between(
        out["simulated_cost_per_year_ci_low"], out["simulated_cost_per_year_ci_high"])
    return out[list(ANALYTIC_CHECK_COLUMNS)]


def _curve_arrays(curve: pd.DataFrame, where: str) -> tuple[np.ndarray, np.ndarray,
                                                            np.ndarray]:
    """(item ids, grid, cost (items, levels)) from a curve frame incl. the portfolio row."""
    need = {"item_id", "service_level", "total_cost"}
    if not isinstance(curve, pd.DataFrame) or not need <= set(curve.columns):
        raise ConfigError(f"{where}: curve must be a frame from service_cost_curve with "
                          f"columns {sorted(need)}.", key="curve",
                          value=type(curve).__name__, fix="pass service_cost_curve(...).")
    wide = curve.pivot_table(index="item_id", columns="service_level", values="total_cost",
                             aggfunc="first", sort=True)
    if wide.isna().any().any():
        raise ConfigError(f"{where}: every item of the curve needs every service level.",
                          key="curve", value=None,
                          fix="pass an unfiltered service_cost_curve(...) frame.")
    grid = wide.columns.to_numpy(dtype=float)
    return wide.index.to_numpy(dtype=object).astype(str), grid, wide.to_numpy(dtype=float)


def optimal_service_level(items: Any = None, *, curve: pd.DataFrame | None = None,
                          policy: str = "periodic", lost_sales: bool = False,
                          margin: Any = 0.0, **item_kwargs: Any) -> pd.DataFrame:
    """Cost-minimising cycle service level per item: critical ratio and/or curve minimum.

    Parameters
    ----------
    items
        Items frame (or ItemParams): the critical ratio under the cost model of
        :func:`workbench.inventory.policy_for_service` (``p`` per unit short,
        cycles of ``T`` periods: ``T = R`` for ``policy="periodic"``, ``Q / mu_d``
        for ``"continuous"``): backorders ``1 - h T / p``, lost sales
        ``(p + m) / (p + m + h T)`` (see
        :func:`workbench.inventory.cost_optimal_service_level`). It is the exact
        minimum of the analytic curve for normal demand.
    curve
        A :func:`service_cost_curve` frame: the grid point with the lowest total
        cost per item (and for the portfolio), with its neighbours on the grid
        (the optimum lies between them). Use this for simulated curves.
    policy, lost_sales, margin
        Cost model for the critical ratio.
    **item_kwargs
        Passed to :func:`workbench.inventory.item_params` (holding_rate, ...).

    Returns
    -------
    DataFrame
        One row per item (``item_id``); columns ``critical_ratio`` and
        ``cycle_length`` (if ``items``), ``best_service_level, best_total_cost,
        lower_service_level, lower_total_cost, upper_service_level,
        upper_total_cost, at_grid_edge`` (if ``curve``).
    """
    where = "optimal_service_level"
    if items is None and curve is None:
        raise ConfigError(f"{where}: needs items (critical ratio) or curve (minimum-cost "
                          "point); got neither.", key="items", value=None,
                          fix="pass items=<items frame> and/or curve=service_cost_curve(...).")
    one_of("policy", policy, POLICIES, where)
    parts = []
    if items is not None:
        ip = as_item_params(items, **item_kwargs)
        if policy == "continuous":
            cyc = _lot_sizes(ip) / np.where(ip.mean_demand > 0, ip.mean_demand, np.inf)
            cyc = np.where(cyc > 0, cyc, 1.0)
        else:
            cyc = ip.review_period
        cr = cost_optimal_service_level(ip.holding_cost, ip.stockout_cost,
                                        shortage_basis="per_unit", lost_sales=lost_sales,
                                        margin=margin if lost_sales else 0.0, cycle_length=cyc)
        parts.append(pd.DataFrame({"critical_ratio": np.atleast_1d(cr), "cycle_length": cyc},
                                  index=pd.Index(ip.item_id, name="item_id")))
    if curve is not None:
        ids, grid, cost = _curve_arrays(curve, where)
        j = np.argmin(cost, axis=1)
        r = np.arange(ids.size)
        lo = np.maximum(j - 1, 0)
        hi = np.minimum(j + 1, grid.size - 1)
        parts.append(pd.DataFrame({
            "best_service_level": grid[j], "best_total_cost": cost[r, j],
            "lower_service_level": grid[lo], "lower_total_cost": cost[r, lo],
            "upper_service_level": grid[hi], "upper_total_cost": cost[r, hi],
            "at_grid_edge": (j == 0) | (j == grid.size - 1)},
            index=pd.Index(ids, name="item_id")))
    out = pd.concat(parts, axis=1) if len(parts) > 1 else parts[0]
    return out.reset_index()


def _interp_rows(grid: np.ndarray, values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Linear interpolation of each row of ``values`` (on ``grid``) at its own ``x``."""
    j = np.clip(np.searchsorted(grid, x, side="right") - 1, 0, grid.size - 2)
    x0, x1 = grid[j], grid[j + 1]
    r = np.arange(values.shape[0])
    w = np.where(x1 > x0, (x - x0) / np.where(x1 > x0, x1 - x0, 1.0), 0.0)
    return values[r, j] * (1 - w) + values[r, j + 1] * w


def tier_cost(curve: pd.DataFrame, tiers_targets: Mapping[str, float], *,
              item_tiers: Mapping[str, str] | pd.Series | None = None,
              tier_shares: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Cost of each tier's service target against the cost-optimal service level.

    Parameters
    ----------
    curve
        A :func:`service_cost_curve` frame (analytic or simulated). Costs between
        grid points are interpolated linearly; targets must lie inside the grid.
    tiers_targets
        Tier -> target service level (of the curve's type), e.g.
        ``{"A": 0.98, "B": 0.95, "C": 0.90}``.
    item_tiers
        Item -> tier: each item is held at its tier's target.
    tier_shares
        Instead of ``item_tiers``: tier -> share of demand (customer tiers served
        from the same stock). Each tier is charged its share of the portfolio
        cost of holding *all* items at that tier's target (no allocation between
        tiers is assumed).

    Returns
    -------
    DataFrame
        One row per tier: ``tier, target, n_items`` (or ``share``),
        ``cost_at_target, cost_at_optimum, premium, premium_pct`` (costs per period;
        the optimum is the curve's minimum per item, so ``premium >= 0`` up to
        interpolation), then a ``"total"`` row.
    """
    where = "tier_cost"
    if (item_tiers is None) == (tier_shares is None):
        raise ConfigError(f"{where}: pass exactly one of item_tiers (item -> tier) and "
                          "tier_shares (tier -> demand share).", key="item_tiers", value=None,
                          fix="e.g. tier_cost(curve, {'A': 0.98}, item_tiers={'sku1': 'A'}).")
    ids, grid, cost = _curve_arrays(curve, where)
    targets = {str(k): float(probability(f"tiers_targets[{k!r}]", v, where))
               for k, v in tiers_targets.items()}
    tvals = np.array(list(targets.values()))
    require_all("tiers_targets", tvals, (tvals >= grid[0]) & (tvals <= grid[-1]),
             f"inside the curve's grid [{grid[0]:.4g}, {grid[-1]:.4g}]", where,
             "add the targets to service_levels of service_cost_curve.")
    best = cost.min(axis=1)
    rows = []
    if item_tiers is not None:
        tiers = pd.Series(item_tiers, dtype=object).astype(str)
        tiers.index = tiers.index.astype(str)
        mask = ids != PORTFOLIO
        item_ids = ids[mask]
        tier_of = tiers.reindex(item_ids)
        missing = item_ids[tier_of.isna().to_numpy()]
        if missing.size:
            raise ConfigError(f"{where}: item {missing[0]!r} has no tier ({missing.size} items "
                              "without one).", key="item_tiers", value=missing[0],
                              fix="give every item of the curve a tier.")
        unknown = sorted(set(tier_of) - set(targets))
        if unknown:
            raise ConfigError(f"{where}: tier {unknown[0]!r} has no target in tiers_targets.",
                              key="tiers_targets", value=unknown[0],
                              fix="add a target for every tier used in item_tiers.")
        tgt = tier_of.map(targets).to_numpy(dtype=float)
        at = _interp_rows(grid, cost[mask], tgt)
        frame = pd.DataFrame({"tier": tier_of.to_numpy(), "at": at, "best": best[mask]})
        g = frame.groupby("tier", sort=True).agg(n_items=("at", "size"),
                                                 cost_at_target=("at", "sum"),
                                                 cost_at_optimum=("best", "sum"))
        for tier, r in g.iterrows():
            rows.append({"tier": tier, "target": targets[str(tier)], "n_items": int(r.n_items),
                         "share": np.nan, "cost_at_target": r.cost_at_target,
                         "cost_at_optimum": r.cost_at_optimum})
    else:
        assert tier_shares is not None
        shares = {str(k): float(v) for k, v in tier_shares.items()}
        sv = np.array(list(shares.values()))
        require_all("tier_shares", sv, (sv >= 0) & np.isfinite(sv), ">= 0", where,
                 "give each tier its share of demand (fractions summing to 1).")
        require_all("tier_shares sum", np.array(sv.sum()), abs(sv.sum() - 1.0) < 1e-6, "1",
                 where, "normalise the shares.")
        port = ids == PORTFOLIO
        if not port.any():
            raise ConfigError(f"{where}: the curve has no portfolio rows.", key="curve",
                              value=None, fix="pass an unfiltered service_cost_curve(...) frame.")
        pc = cost[port][0]
        pbest = pc.min()
        for tier, share in shares.items():
            if tier not in targets:
                raise ConfigError(f"{where}: tier {tier!r} has no target in tiers_targets.",
                                  key="tiers_targets", value=tier,
                                  fix="add a target for every tier in tier_shares.")
            at = float(np.interp(targets[tier], grid, pc))
            rows.append({"tier": tier, "target": targets[tier], "n_items": np.nan,
                         "share": share, "cost_at_target": share * at,
                         "cost_at_optimum": share * pbest})
    out = pd.DataFrame(rows)
    tot = {"tier": "total", "target": np.nan, "n_items": out["n_items"].sum(min_count=1),
           "share": out["share"].sum(min_count=1),
           "cost_at_target": out["cost_at_target"].sum(),
           "cost_at_optimum": out["cost_at_optimum"].sum()}
    out = pd.concat([out, pd.DataFrame([tot])], ignore_index=True)
    out["premium"] = out["cost_at_target"] - out["cost_at_optimum"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["premium_pct"] = 100.0 * out["premium"] / out["cost_at_optimum"]
    return out


_SCENARIO_METRICS = ("target_service_level", "safety_stock", "on_hand", "holding_cost",
                     "shortage_cost", "ordering_cost", "total_cost", "achieved_fill_rate",
                     "achieved_cycle_service", "optimal_service_level", "optimal_total_cost",
                     "total_cost_change", "total_cost_change_pct")


def compare_scenarios(base_params: Mapping[str, Any],
                      scenario_params: Mapping[str, Mapping[str, Any]], *,
                      target_service_level: float = 0.95) -> pd.DataFrame:
    """Portfolio service and cost of a base case and what-if scenarios, side by side.

    Parameters
    ----------
    base_params
        Keyword arguments of :func:`service_cost_curve`, with the items frame
        under ``"items"`` (e.g. ``{"items": items, "holding_rate": 0.25,
        "method": "analytic"}``).
    scenario_params
        Scenario name -> changes to ``base_params``. A key that names a column of
        the items frame changes that column: a callable is applied to the column
        (``{"lead_time_days": lambda s: s - 7}``: lead time one week shorter), any
        other value replaces it. ``"items"`` may be a callable on the whole frame.
        Other keys replace keyword arguments (``{"holding_rate": 0.20}``).
    target_service_level
        The common target at which the scenarios are compared (added to the
        ``service_levels`` grid).

    Returns
    -------
    DataFrame
        Index: metrics (``target_service_level, safety_stock, on_hand,
        holding_cost, shortage_cost, ordering_cost, total_cost, achieved_fill_rate,
        achieved_cycle_service`` at the target; ``optimal_service_level`` and
        ``optimal_total_cost``: the grid point of lowest portfolio cost;
        ``total_cost_change`` and ``total_cost_change_pct`` against the base).
        Columns: ``"base"`` then the scenarios. Costs per period.
    """
    where = "compare_scenarios"
    if "items" not in base_params:
        raise ConfigError(f"{where}: base_params needs the items frame under 'items'.",
                          key="items", value=None, fix="compare_scenarios({'items': items, ...}"
                                                       ", {...}).")
    tgt = float(probability("target_service_level", target_service_level, where))
    if "base" in scenario_params:
        raise ConfigError(f"{where}: 'base' is reserved for the base case.", key="base",
                          value="base", fix="rename the scenario.")
    results: dict[str, dict[str, float]] = {}
    for name, changes in [("base", {}), *scenario_params.items()]:
        params = dict(base_params)
        items = params.pop("items")
        items = items.copy() if isinstance(items, pd.DataFrame) else items
        for key, value in changes.items():
            if key == "items":
                items = value(items) if callable(value) else value
            elif isinstance(items, pd.DataFrame) and key in items.columns:
                items[key] = value(items[key]) if callable(value) else value
            else:
                params[key] = value
        grid = np.asarray(params.pop("service_levels", DEFAULT_SERVICE_LEVELS), dtype=float)
        grid = np.unique(np.append(np.atleast_1d(grid), tgt))
        try:
            curve = service_cost_curve(items, grid, **params)
        except TypeError as exc:
            raise ConfigError(f"{where}: scenario {name!r}: {exc}.", key=name, value=changes,
                              fix="use columns of the items frame or keyword arguments of "
                                  "service_cost_curve as scenario keys.") from None
        port = curve[curve["item_id"] == PORTFOLIO].set_index("service_level")
        at = port.loc[tgt]
        best = port["total_cost"].idxmin()
        results[name] = {"target_service_level": tgt, "safety_stock": at["safety_stock"],
                         "on_hand": at["on_hand"], "holding_cost": at["holding_cost"],
                         "shortage_cost": at["shortage_cost"],
                         "ordering_cost": at["ordering_cost"], "total_cost": at["total_cost"],
                         "achieved_fill_rate": at["achieved_fill_rate"],
                         "achieved_cycle_service": at["achieved_cycle_service"],
                         "optimal_service_level": float(best),
                         "optimal_total_cost": float(port.loc[best, "total_cost"])}
    base_total = results["base"]["total_cost"]
    for r in results.values():
        r["total_cost_change"] = r["total_cost"] - base_total
        r["total_cost_change_pct"] = (100.0 * r["total_cost_change"] / base_total
                                      if base_total else math.nan)
    out = pd.DataFrame(results).reindex(list(_SCENARIO_METRICS))
    out.index.name = "metric"
    return out

